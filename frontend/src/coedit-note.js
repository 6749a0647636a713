// The live note: tiptap on the document's `default` fragment, with the other editors' carets.
// The editor is a labelled multi-line textbox; the toolbar's buttons say whether their format
// is on (aria-pressed). Undo and redo undo one's own changes only (Yjs's undo manager).
// An image names a SAFOS document of the workspace and shows its preview (ADR 0686): the
// address is made here from the document's number, never taken from the shared document.
import { Editor, mergeAttributes } from "@tiptap/core";
import Image from "@tiptap/extension-image";
import StarterKit from "@tiptap/starter-kit";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import { TableKit } from "@tiptap/extension-table";

const COMMANDS = {
  bold: (c) => c.toggleBold(),
  italic: (c) => c.toggleItalic(),
  heading2: (c) => c.toggleHeading({ level: 2 }),
  heading3: (c) => c.toggleHeading({ level: 3 }),
  bulletList: (c) => c.toggleBulletList(),
  orderedList: (c) => c.toggleOrderedList(),
  table: (c) => c.insertTable({ rows: 3, cols: 3, withHeaderRow: true }),
  undo: (c) => c.undo(),
  redo: (c) => c.redo(),
};
const ACTIVE = {
  bold: ["bold"],
  italic: ["italic"],
  heading2: ["heading", { level: 2 }],
  heading3: ["heading", { level: 3 }],
  bulletList: ["bulletList"],
  orderedList: ["orderedList"],
};

// Text typed without a keypress (a character not on the keyboard's layout, dictation, an
// on-screen keyboard: the browser's `insertText` input) is inserted as a transaction, as
// ProseMirror does for a keypress, instead of being read back from the changed page: read back,
// a remote edit arriving in between (another editor's paragraph, their caret beside the text)
// could put the character in the wrong place. Compositions (IME, dead keys) stay ProseMirror's.
function insertTyped(view, event) {
  if (event.inputType !== "insertText" || !event.data || event.isComposing || view.composing) {
    return false;
  }
  const { from, to } = view.state.selection;
  const handled = view.someProp("handleTextInput", (f) => f(view, from, to, event.data));
  if (!handled) view.dispatch(view.state.tr.insertText(event.data).scrollIntoView());
  event.preventDefault();
  return true;
}

// The caret as CSSOM styles: the page's CSP forbids style attributes in markup.
function caret(user) {
  const mark = document.createElement("span");
  mark.className = "coedit-caret";
  // Seen, not read out inside the text: the list of who is here names everyone.
  mark.setAttribute("aria-hidden", "true");
  mark.style.borderColor = user.color;
  const label = document.createElement("span");
  label.className = "coedit-caret__label";
  label.style.backgroundColor = user.color;
  label.textContent = user.name;
  mark.append(label);
  return mark;
}

// Only `document` and `alt` are kept: a `src` another client wrote is never used.
function workspaceImage(previewUrl, missingText) {
  const source = (node) => {
    const id = Number(node.attrs.document);
    return Number.isInteger(id) && id > 0 ? previewUrl.replace("/0/", `/${id}/`) : "";
  };
  return Image.extend({
    addAttributes() {
      return {
        alt: { default: "" },
        document: {
          default: null,
          parseHTML: (element) => element.getAttribute("data-document"),
          renderHTML: (attributes) => ({ "data-document": attributes.document }),
        },
      };
    },
    parseHTML() {
      return [{ tag: "img[data-document]" }];
    },
    renderHTML({ node, HTMLAttributes }) {
      return ["img", mergeAttributes(HTMLAttributes, { src: source(node), alt: node.attrs.alt || "" })];
    },
    // In the editor an image that cannot be loaded (trashed, a class above the reader's, no
    // preview) says so in a sentence, as the exports do, instead of a broken picture.
    addNodeView() {
      return ({ node }) => {
        const dom = document.createElement("span");
        dom.className = "coedit-image";
        const img = document.createElement("img");
        const missing = document.createElement("span");
        missing.className = "coedit-image__missing";
        missing.hidden = true;
        img.addEventListener("error", () => {
          img.hidden = true;
          missing.textContent = missingText.replace("%(alt)s", node.attrs.alt || "");
          missing.hidden = false;
        });
        img.alt = node.attrs.alt || "";
        img.setAttribute("data-document", String(node.attrs.document));
        img.src = source(node);
        dom.append(img, missing);
        return { dom };
      };
    },
  });
}

// The image form below the toolbar: a disclosure (not a modal), so it reads in place.
function imageForm(editor, button) {
  const form = document.getElementById("coedit-image");
  if (!form) return;
  const alt = form.querySelector("#coedit-image-alt");
  const error = form.querySelector("#coedit-image-alt-error");
  const show = (open) => {
    form.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) (form.querySelector("select, input, button") || form).focus();
    else button.focus();
  };
  button.addEventListener("click", () => show(form.hidden));
  form.querySelector("[data-close]").addEventListener("click", () => show(false));
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") show(false);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = alt.value.trim();
    error.hidden = Boolean(text);
    alt.setAttribute("aria-invalid", String(!text));
    alt.setAttribute("aria-describedby", text ? "coedit-image-alt-help" : "coedit-image-alt-help coedit-image-alt-error");
    if (!text) {
      alt.focus();
      return;
    }
    const documentId = form.querySelector("#coedit-image-document").value;
    editor.chain().focus().setImage({ document: documentId, alt: text }).run();
    alt.value = "";
    form.hidden = true;
    button.setAttribute("aria-expanded", "false");
  });
}

export function startNote({ root, ydoc, provider, editable, user }) {
  const element = root.querySelector("#coedit-editor");
  const editor = new Editor({
    element,
    editable,
    injectCSS: false, // the CSP refuses a <style> element; samdrift.css has ProseMirror's rules
    extensions: [
      StarterKit.configure({ undoRedo: false, link: { openOnClick: false, autolink: false } }),
      TableKit.configure({ table: { resizable: false } }),
      workspaceImage(element.dataset.preview, element.dataset.imageMissing || ""),
      Collaboration.configure({ document: ydoc, field: "default" }),
      CollaborationCaret.configure({
        provider,
        user,
        render: caret,
        selectionRender: () => ({ class: "coedit-selection" }),
      }),
    ],
    editorProps: {
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": root.dataset.label,
        "aria-readonly": editable ? "false" : "true",
        class: "coedit-editor__text",
      },
      handleDOMEvents: { beforeinput: insertTyped },
    },
  });
  const toolbar = root.querySelector("[role=toolbar]");
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-command]");
      if (!button) return;
      const name = button.dataset.command;
      if (name === "image") return; // the image form opens itself
      if (name === "link") {
        const href = window.prompt(button.dataset.prompt || "", "https://");
        if (href && /^https?:\/\//.test(href)) editor.chain().focus().setLink({ href }).run();
        return;
      }
      COMMANDS[name](editor.chain().focus()).run();
    });
    const mark = () => {
      for (const button of toolbar.querySelectorAll("button[aria-pressed]")) {
        const [what, attrs] = ACTIVE[button.dataset.command] || [];
        if (what) button.setAttribute("aria-pressed", String(editor.isActive(what, attrs)));
      }
    };
    editor.on("selectionUpdate", mark);
    editor.on("transaction", mark);
    const imageButton = toolbar.querySelector("button[data-command=image]");
    if (imageButton) imageForm(editor, imageButton);
  }
  return {
    stop() {
      editor.setEditable(false);
      element.firstElementChild?.setAttribute("aria-readonly", "true");
      if (toolbar) toolbar.hidden = true;
      const form = document.getElementById("coedit-image");
      if (form) form.hidden = true;
    },
  };
}
