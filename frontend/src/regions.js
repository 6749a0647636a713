// Helpers for swapping a page region without losing what the user is doing in it.

const FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";

// Has the user changed a form field in this region since the page was rendered?
export function isDirty(region) {
  for (const field of region.querySelectorAll("input, textarea, select")) {
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked !== field.defaultChecked) {
        return true;
      }
    } else if (field.tagName === "SELECT") {
      for (const option of field.options) {
        if (option.selected !== option.defaultSelected) {
          return true;
        }
      }
    } else if (field.type !== "hidden" && field.value !== field.defaultValue) {
      return true;
    }
  }
  return false;
}

// Where the keyboard focus is inside the region, by id or else by position among the focusable.
export function captureFocus(doc, region) {
  const active = doc.activeElement;
  if (!active || active === region || !region.contains(active)) {
    return null;
  }
  return {
    id: active.id || null,
    index: Array.from(region.querySelectorAll(FOCUSABLE)).indexOf(active),
  };
}

// Put focus back on the same control in the new content, or on the region itself, never lose it
// to the top of the page (a keyboard user would have to start over).
export function restoreFocus(doc, region, focus) {
  if (!focus) {
    return;
  }
  let target = focus.id ? doc.getElementById(focus.id) : null;
  if (!target || !region.contains(target)) {
    target = region.querySelectorAll(FOCUSABLE)[focus.index] || null;
  }
  if (!target) {
    if (!region.hasAttribute("tabindex")) {
      region.setAttribute("tabindex", "-1");
    }
    target = region;
  }
  target.focus({ preventScroll: true });
}
