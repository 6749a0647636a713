// The live note: tiptap on the document's `default` fragment, with the other editors' carets.
// The editor is a labelled multi-line textbox; the toolbar's buttons say whether their format
// is on (aria-pressed). Undo and redo undo one's own changes only (Yjs's undo manager).
import { Editor } from "@tiptap/core";
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

export function startNote({ root, ydoc, provider, editable, user }) {
  const element = root.querySelector("#coedit-editor");
  const editor = new Editor({
    element,
    editable,
    injectCSS: false, // the CSP refuses a <style> element; samdrift.css has ProseMirror's rules
    extensions: [
      StarterKit.configure({ undoRedo: false, link: { openOnClick: false, autolink: false } }),
      TableKit.configure({ table: { resizable: false } }),
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
    },
  });
  const toolbar = root.querySelector("[role=toolbar]");
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-command]");
      if (!button) return;
      const name = button.dataset.command;
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
  }
  return {
    stop() {
      editor.setEditable(false);
      element.firstElementChild?.setAttribute("aria-readonly", "true");
      if (toolbar) toolbar.hidden = true;
    },
  };
}
