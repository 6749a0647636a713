// The live whiteboard: items (sticky notes, boxes, ellipses with text) in the document's `items`
// map, drawn as SVG and listed as an outline. The outline is the keyboard's way in: every item's
// text can be read and changed there and each item moved or removed with buttons, so nothing
// needs a pointer; dragging on the drawing moves an item too.
import * as Y from "yjs";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 960;
const HEIGHT = 540;
const STEP = 20;
const SIZE = { sticky: [160, 100], box: [180, 90], ellipse: [180, 100] };

function svg(name, attrs) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

export function startBoard({ root, ydoc, editable }) {
  const texts = JSON.parse(document.getElementById("coedit-board-texts").textContent);
  const items = ydoc.getMap("items");
  const host = root.querySelector("#coedit-board");
  const drawing = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "coedit-board__drawing" });
  const title = svg("title", {});
  drawing.append(title);
  const outlineHeading = document.createElement("h3");
  outlineHeading.id = "outline-heading";
  outlineHeading.textContent = texts.outline;
  const outline = document.createElement("ol");
  outline.className = "coedit-board__outline";
  outline.setAttribute("aria-labelledby", "outline-heading");
  host.append(drawing, outlineHeading, outline);
  let active = editable;

  if (editable) host.append(addForm());

  function addForm() {
    const form = document.createElement("form");
    form.className = "coedit-board__add";
    form.setAttribute("aria-label", texts.add);
    const kind = document.createElement("select");
    kind.id = "board-kind";
    for (const value of Object.keys(SIZE)) kind.append(new Option(texts.kinds[value], value));
    const kindLabel = Object.assign(document.createElement("label"), { htmlFor: "board-kind", textContent: texts.kind });
    const text = Object.assign(document.createElement("input"), { id: "board-text", type: "text", maxLength: 500 });
    const textLabel = Object.assign(document.createElement("label"), { htmlFor: "board-text", textContent: texts.text });
    const submit = Object.assign(document.createElement("button"), { type: "submit", textContent: texts.add });
    form.append(kindLabel, kind, textLabel, text, submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!active) return;
      const item = new Y.Map();
      const n = items.size;
      ydoc.transact(() => {
        item.set("kind", kind.value);
        item.set("x", 40 + ((n * 40) % (WIDTH - 240)));
        item.set("y", 40 + ((n * 30) % (HEIGHT - 160)));
        item.set("text", text.value.trim());
        items.set(`${ydoc.clientID}-${Date.now()}`, item);
      });
      text.value = "";
    });
    return form;
  }

  function move(item, dx, dy) {
    if (!active) return;
    const [w, h] = SIZE[item.get("kind")] || SIZE.box;
    ydoc.transact(() => {
      item.set("x", Math.min(WIDTH - w, Math.max(0, item.get("x") + dx)));
      item.set("y", Math.min(HEIGHT - h, Math.max(0, item.get("y") + dy)));
    });
  }

  function shape(id, item) {
    const kind = item.get("kind");
    const [w, h] = SIZE[kind] || SIZE.box;
    const x = item.get("x");
    const y = item.get("y");
    const group = svg("g", { class: `coedit-item coedit-item--${kind}`, "data-id": id });
    group.append(
      kind === "ellipse"
        ? svg("ellipse", { cx: x + w / 2, cy: y + h / 2, rx: w / 2, ry: h / 2 })
        : svg("rect", { x, y, width: w, height: h, rx: kind === "sticky" ? 4 : 0 }),
    );
    const label = svg("text", { x: x + 10, y: y + 28 });
    label.textContent = item.get("text") || "";
    group.append(label);
    if (editable) drag(group, item);
    return group;
  }

  function drag(group, item) {
    group.addEventListener("pointerdown", (down) => {
      if (!active) return;
      const scale = WIDTH / drawing.getBoundingClientRect().width;
      let last = [down.clientX, down.clientY];
      group.setPointerCapture(down.pointerId);
      const onMove = (event) => {
        const dx = Math.round((event.clientX - last[0]) * scale);
        const dy = Math.round((event.clientY - last[1]) * scale);
        last = [event.clientX, event.clientY];
        move(item, dx, dy);
      };
      const onUp = () => {
        group.removeEventListener("pointermove", onMove);
        group.removeEventListener("pointerup", onUp);
      };
      group.addEventListener("pointermove", onMove);
      group.addEventListener("pointerup", onUp);
    });
  }

  // One outline row per item, kept across renders so typing in it is never interrupted.
  const rows = new Map();
  function row(id, item, n) {
    let li = rows.get(id);
    const name = `${texts.kinds[item.get("kind")] || item.get("kind")} ${n}`;
    if (!li) {
      li = document.createElement("li");
      li.dataset.id = id;
      const heading = document.createElement("span");
      heading.className = "coedit-board__name";
      const where = document.createElement("span");
      where.className = "coedit-board__where";
      li.append(heading, " ", where);
      if (editable) {
        const input = Object.assign(document.createElement("input"), { type: "text", maxLength: 500 });
        input.addEventListener("input", () => active && item.set("text", input.value));
        const controls = document.createElement("span");
        controls.className = "coedit-board__controls";
        controls.append(
          button(texts.left, () => move(item, -STEP, 0)),
          button(texts.right, () => move(item, STEP, 0)),
          button(texts.up, () => move(item, 0, -STEP)),
          button(texts.down, () => move(item, 0, STEP)),
          button(texts.remove, () => active && items.delete(id)),
        );
        li.append(" ", input, " ", controls);
      } else {
        li.append(" ", document.createElement("q"));
      }
      rows.set(id, li);
    }
    li.querySelector(".coedit-board__name").textContent = name;
    li.querySelector(".coedit-board__where").textContent = texts.where
      .replace("%(x)s", item.get("x"))
      .replace("%(y)s", item.get("y"));
    const input = li.querySelector("input");
    if (input) {
      input.setAttribute("aria-label", `${texts.text}: ${name}`);
      if (document.activeElement !== input) input.value = item.get("text") || "";
      for (const b of li.querySelectorAll(".coedit-board__controls button")) {
        b.setAttribute("aria-label", `${b.textContent}: ${name}`);
      }
    } else {
      li.querySelector("q").textContent = item.get("text") || "";
    }
    return li;
  }

  function render() {
    const entries = [...items.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    title.textContent = texts.drawing.replace("%(count)s", entries.length);
    drawing.replaceChildren(title, ...entries.map(([id, item]) => shape(id, item)));
    const seen = new Set(entries.map(([id]) => id));
    for (const id of rows.keys()) if (!seen.has(id)) rows.delete(id);
    outline.replaceChildren(...entries.map(([id, item], i) => row(id, item, i + 1)));
  }
  items.observeDeep(render);
  render();
  return {
    stop() {
      active = false;
      for (const control of host.querySelectorAll("input, select, button")) control.disabled = true;
    },
  };
}
