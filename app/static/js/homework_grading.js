// The submissions table: Enter moves score -> comment -> next student's score, as in a
// spreadsheet (Shift+Enter goes back); Enter in the last field saves the table. Rows typed in
// and not yet saved are marked.
"use strict";
(() => {
  const form = document.getElementById("grades-form");
  if (!form) {
    return;
  }
  const fields = Array.from(document.querySelectorAll("#submissions .grade-input"));
  fields.forEach((field, index) => {
    field.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) {
        return;
      }
      event.preventDefault();
      const next = fields[index + (event.shiftKey ? -1 : 1)];
      if (next) {
        next.focus();
        next.select();
      } else if (!event.shiftKey) {
        form.requestSubmit(document.getElementById("save-grades"));
      }
    });
    field.addEventListener("input", () => {
      field.closest("tr").classList.add("row-changed");
    });
  });
})();
