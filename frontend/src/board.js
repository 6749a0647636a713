// The task board's drag and drop (issue 12). A card dropped on another column submits the card's
// own move form with that column's status: the same request the keyboard way (the labelled
// select and its button) sends, so the server's checks (the card's ETag, the member's rights)
// are the same. Without this script the form alone does the job.

export function startBoard(doc) {
  for (const board of doc.querySelectorAll("[data-board]")) {
    let dragged = null;
    for (const card of board.querySelectorAll("[data-card]")) {
      if (!card.querySelector("form[data-move]")) {
        continue; // a reader's card: nothing to move
      }
      card.draggable = true;
      card.addEventListener("dragstart", (event) => {
        dragged = card;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", card.dataset.card);
        card.classList.add("is-dragging");
      });
      card.addEventListener("dragend", () => {
        card.classList.remove("is-dragging");
        dragged = null;
      });
    }
    for (const column of board.querySelectorAll("[data-status]")) {
      column.addEventListener("dragover", (event) => {
        if (dragged) {
          event.preventDefault();
          column.classList.add("is-drop-target");
        }
      });
      column.addEventListener("dragleave", () => column.classList.remove("is-drop-target"));
      column.addEventListener("drop", (event) => {
        event.preventDefault();
        column.classList.remove("is-drop-target");
        const form = dragged && dragged.querySelector("form[data-move]");
        const select = form && form.querySelector("select[name=status]");
        if (!select || select.value === column.dataset.status) {
          return;
        }
        select.value = column.dataset.status;
        form.requestSubmit();
      });
    }
  }
}
