// The teacher's score grid: arrow keys and Enter move, a column pasted from Excel fills down,
// every cell is checked as typed (0-10, "8,5" accepted), and Save sends all changes at once
// (the server saves all of them or none). No inline script: the CSP forbids it.
"use strict";
(() => {
  const grid = document.getElementById("gradebook-grid");
  if (!grid) {
    return;
  }
  const isComment = grid.dataset.comment === "1";
  const cells = Array.from(grid.querySelectorAll("input.gb-cell"));
  const saveButton = document.getElementById("gb-save");
  const statusBox = document.getElementById("gb-status");
  const errorList = document.getElementById("gb-errors");
  const reasonBox = document.getElementById("gb-reason");
  const SCORE = /^\d{1,2}(?:[.,]\d)?$/;
  const RATINGS = ["đ", "d", "đạt", "dat", "cđ", "cd", "chưa đạt", "chua dat"];

  function cellAt(row, col) {
    return grid.querySelector(`input.gb-cell[data-row="${row}"][data-col="${col}"]`);
  }

  const PRIMARY_RATINGS = ["t", "h", "c", "htt", "ht", "cht"];
  const TEST = /^(?:[1-9]|10)$/;
  const RESULT_LABELS = {
    dat: "Đạt",
    chua_dat: "Chưa đạt",
    T: "Hoàn thành tốt",
    H: "Hoàn thành",
    C: "Chưa hoàn thành",
  };

  function problem(value, kind) {
    const text = value.trim();
    if (text === "") {
      return "";
    }
    if (kind === "rating") {
      return PRIMARY_RATINGS.includes(text.toLowerCase()) ? "" : grid.dataset.msgPrimaryRating;
    }
    if (kind === "test") {
      return TEST.test(text) ? "" : grid.dataset.msgTest;
    }
    if (isComment) {
      return RATINGS.includes(text.toLowerCase()) ? "" : grid.dataset.msgRating;
    }
    if (!SCORE.test(text)) {
      return grid.dataset.msgRange;
    }
    const number = Number(text.replace(",", "."));
    return number >= 0 && number <= 10 ? "" : grid.dataset.msgRange;
  }

  function check(cell) {
    const message = problem(cell.value, cell.dataset.kind);
    cell.classList.toggle("is-invalid", message !== "");
    cell.classList.toggle("gb-dirty", cell.value.trim() !== cell.dataset.original);
    cell.title = message;
    return message === "";
  }

  function move(cell, rowStep, colStep) {
    const next = cellAt(Number(cell.dataset.row) + rowStep, Number(cell.dataset.col) + colStep);
    if (next && !next.disabled) {
      next.focus();
      next.select();
    }
  }

  function onKey(event) {
    const cell = event.target;
    const atStart = cell.selectionStart === 0 && cell.selectionEnd === 0;
    const atEnd = cell.selectionStart === cell.value.length;
    const whole = cell.selectionStart === 0 && cell.selectionEnd === cell.value.length;
    if (event.key === "Enter") {
      event.preventDefault();
      move(cell, event.shiftKey ? -1 : 1, 0);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      move(cell, 1, 0);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(cell, -1, 0);
    } else if (event.key === "ArrowLeft" && (atStart || whole)) {
      event.preventDefault();
      move(cell, 0, -1);
    } else if (event.key === "ArrowRight" && (atEnd || whole)) {
      event.preventDefault();
      move(cell, 0, 1);
    }
  }

  function onPaste(event) {
    const text = (event.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text)) {
      return; // one value: let the browser paste it into the cell
    }
    event.preventDefault();
    const start = event.target;
    const lines = text.replace(/\r/g, "").split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") {
      lines.pop();
    }
    lines.forEach((line, i) => {
      line.split("\t").forEach((value, j) => {
        const target = cellAt(Number(start.dataset.row) + i, Number(start.dataset.col) + j);
        if (target && !target.disabled) {
          target.value = value.trim();
          check(target);
        }
      });
    });
  }

  function setStatus(text, isError) {
    statusBox.textContent = text;
    statusBox.classList.toggle("text-danger", Boolean(isError));
    statusBox.classList.toggle("text-success", !isError);
  }

  function showErrors(errors) {
    errorList.replaceChildren();
    errors.forEach((error) => {
      const item = document.createElement("li");
      item.textContent = error.message;
      errorList.appendChild(item);
      const row = grid.querySelector(`tr[data-code="${CSS.escape(error.student_code || "")}"]`);
      const cell = row && row.querySelector(`input[data-column="${CSS.escape(error.column || "")}"]`);
      if (cell) {
        cell.classList.add("is-invalid");
        cell.title = error.message;
      }
    });
  }

  function shown(value) {
    return value === null || value === undefined ? "" : String(value).replace(".", ",");
  }

  function refresh(body) {
    body.items.forEach((item) => {
      const row = grid.querySelector(`tr[data-code="${CSS.escape(item.student_code || "")}"]`);
      if (!row) {
        return;
      }
      const result = RESULT_LABELS[item.result] || "";
      row.querySelector(".gb-average").textContent = result || shown(item.average);
      row.querySelector(".gb-status").textContent =
        item.status === "complete" ? grid.dataset.statusComplete : grid.dataset.statusIncomplete;
    });
    cells.forEach((cell) => {
      cell.value = cell.value.trim();
      cell.dataset.original = cell.value;
      cell.classList.remove("gb-dirty", "is-invalid");
    });
  }

  async function save() {
    errorList.replaceChildren();
    const invalid = cells.filter((cell) => !check(cell));
    if (invalid.length) {
      setStatus(grid.dataset.msgInvalid, true);
      invalid[0].focus();
      return;
    }
    const changed = cells.filter((cell) => cell.value.trim() !== cell.dataset.original);
    if (!changed.length) {
      setStatus(grid.dataset.msgNothing, false);
      return;
    }
    const reason = reasonBox ? reasonBox.value.trim() : "";
    const entries = changed.map((cell) => ({
      student_code: cell.closest("tr").dataset.code,
      column: cell.dataset.column,
      score: cell.value.trim() === "" ? null : cell.value.trim(),
      reason,
    }));
    saveButton.disabled = true;
    setStatus(grid.dataset.msgSaving, false);
    try {
      const response = await fetch(grid.dataset.api, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": grid.dataset.csrf },
        body: JSON.stringify({ semester: Number(grid.dataset.semester), entries }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        refresh(body);
        setStatus(grid.dataset.msgSaved.replace("{n}", String(body.changed)), false);
      } else {
        const error = body.error || {};
        const errors = (error.details && error.details.errors) || [];
        showErrors(Array.isArray(errors) ? errors : []);
        setStatus(`${grid.dataset.msgFailed} ${error.message || ""}`.trim(), true);
      }
    } catch (_err) {
      setStatus(grid.dataset.msgFailed, true);
    } finally {
      saveButton.disabled = false;
    }
  }

  cells.forEach((cell) => {
    cell.addEventListener("keydown", onKey);
    cell.addEventListener("paste", onPaste);
    cell.addEventListener("input", () => check(cell));
    cell.addEventListener("focus", () => cell.select());
  });
  if (saveButton) {
    saveButton.addEventListener("click", save);
  }
})();
