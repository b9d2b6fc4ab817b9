// The proctor's live view of one exam: who is in, progress, time left and integrity events,
// pushed over Socket.IO (/proctor); actions (pause, extra time, close, reopen, move, accept
// offline answers) go through the JSON API and are logged with their reason.
"use strict";
(() => {
  const root = document.getElementById("proctor-app");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const T = $("proctor-text").dataset;
  const EVENTS = JSON.parse(T.events || "{}");
  const EXAM_ID = Number(root.dataset.examId);
  const API = root.dataset.api;
  const STATE_TEXT = {
    not_started: T.notStarted,
    in_progress: T.inProgress,
    paused: T.paused,
    submitted: T.submitted,
  };
  const ACTIONS = {
    in_progress: ["pause", "extend", "close", "move"],
    paused: ["resume", "extend", "close", "move"],
    submitted: ["reopen", "accept_offline"],
    not_started: [],
  };
  const NEEDS_MINUTES = new Set(["extend", "reopen"]);
  let rows = [];
  let receivedAt = Date.now();
  let pending = null;
  let chosen = null;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function clockText(total) {
    const s = Math.max(0, total);
    const m = Math.floor(s / 60);
    return `${m}:${String(s % 60).padStart(2, "0")}`;
  }

  function notice(text, kind) {
    const box = $("proctor-notice");
    box.className = `alert alert-${kind || "info"}${text ? "" : " d-none"}`;
    box.textContent = text || "";
  }

  function render(snapshot) {
    rows = snapshot.rows || [];
    receivedAt = Date.now();
    const c = snapshot.counts || {};
    $("proctor-counts").textContent = T.summary
      .replace("{a}", c.not_started || 0)
      .replace("{b}", c.in_progress || 0)
      .replace("{c}", c.paused || 0)
      .replace("{d}", c.submitted || 0);
    const body = $("proctor-table").querySelector("tbody");
    body.replaceChildren(...rows.map(renderRow));
  }

  function renderRow(row) {
    const events = (row.events || [])
      .map((e) => EVENTS[e.kind] || e.kind)
      .join(", ");
    const state = el("td", {}, [
      el("span", { className: `badge proctor-${row.state}`, text: STATE_TEXT[row.state] }),
    ]);
    if (row.variant_code) state.appendChild(el("span", { className: "small ms-1", text: `${T.code} ${row.variant_code}` }));
    if (row.offline_accepted) state.appendChild(el("span", { className: "small ms-1 text-warning", text: T.offlineOpen }));
    const buttons = (ACTIONS[row.state] || []).map((action) =>
      el("button", {
        type: "button",
        className: "btn btn-sm btn-outline-primary me-1 mb-1",
        "data-action": action,
        "data-attempt": row.attempt_id,
        text: T[camel(action)],
      })
    );
    return el("tr", { "data-attempt": row.attempt_id || "", "data-student": row.student_code }, [
      el("td", { text: row.student_code }),
      el("td", { text: row.full_name }),
      state,
      el("td", { text: row.attempt_id ? `${row.answered}/${row.question_count}` : "" }),
      el("td", { className: "proctor-left", "data-left": row.seconds_left || 0, "data-state": row.state, text: row.state === "in_progress" || row.state === "paused" ? clockText(row.seconds_left) : "" }),
      el("td", { className: "small" }, [
        row.warnings ? el("span", { className: "badge text-bg-warning me-1", text: `${row.warnings} ${T.warnings}` }) : null,
        el("span", { text: events }),
      ]),
      el("td", {}, buttons),
    ]);
  }

  function camel(name) {
    return name.replace(/_([a-z])/g, (_m, c) => c.toUpperCase());
  }

  function tick() {
    const gone = Math.floor((Date.now() - receivedAt) / 1000);
    document.querySelectorAll(".proctor-left").forEach((cell) => {
      if (cell.dataset.state !== "in_progress") return;
      cell.textContent = clockText(Number(cell.dataset.left) - gone);
    });
  }

  async function post(path, body) {
    const response = await fetch(API + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": root.dataset.csrf },
      body: JSON.stringify(body),
    });
    let data = {};
    try {
      data = await response.json();
    } catch (_err) {
      data = {};
    }
    return { ok: response.ok, data };
  }

  $("proctor-table").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const row = rows.find((r) => String(r.attempt_id) === button.dataset.attempt);
    chosen = { action: button.dataset.action, attemptId: Number(button.dataset.attempt) };
    $("proctor-form-title").textContent = button.textContent;
    $("proctor-form-student").textContent = row ? `${row.student_code} ${row.full_name}` : "";
    $("proctor-form-minutes").hidden = !NEEDS_MINUTES.has(chosen.action);
    $("proctor-form-minutes").required = NEEDS_MINUTES.has(chosen.action);
    $("proctor-form").hidden = false;
    $("proctor-form-reason").focus();
  });

  $("proctor-form-cancel").addEventListener("click", () => {
    $("proctor-form").hidden = true;
    chosen = null;
  });

  $("proctor-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chosen) return;
    const minutes = Number($("proctor-form-minutes").value) || null;
    const result = await post(`/attempts/${chosen.attemptId}/proctor`, {
      action: chosen.action,
      reason: $("proctor-form-reason").value,
      minutes,
    });
    if (result.ok) {
      notice(T.done, "success");
      $("proctor-form").hidden = true;
      $("proctor-form").reset();
      chosen = null;
      askSnapshot();
    } else {
      notice((result.data.error || {}).message || "Error", "danger");
    }
  });

  $("proctor-extend-all").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const result = await post(`/exams/${EXAM_ID}/proctor`, {
      action: "extend",
      minutes: Number(form.minutes.value),
      reason: form.reason.value,
    });
    if (result.ok) {
      notice(T.done, "success");
      form.reset();
      askSnapshot();
    } else {
      notice((result.data.error || {}).message || "Error", "danger");
    }
  });

  // ------------------------------------------------------------ the live link

  const socket = typeof window.io === "function"
    ? window.io("/proctor", {
        transports: ["websocket", "polling"],
        tryAllTransports: true,
        randomizationFactor: 0.5,
      })
    : null;

  function link(on) {
    const badge = $("proctor-link");
    badge.textContent = on ? badge.dataset.on : badge.dataset.off;
    badge.className = `badge ${on ? "text-bg-success" : "text-bg-warning"}`;
  }

  function askSnapshot() {
    if (socket && socket.connected) {
      socket.emit("snapshot", { exam_id: EXAM_ID }, (ack) => ack && ack.ok && render(ack.snapshot));
    }
  }

  if (socket) {
    socket.on("connect", () => {
      link(true);
      socket.emit("watch_exam", { exam_id: EXAM_ID }, (ack) => {
        if (ack && ack.ok) render(ack.snapshot);
        else notice(((ack || {}).error || {}).message || "", "danger");
      });
    });
    socket.on("disconnect", () => link(false));
    // Many changes arrive together at a synchronised start: one snapshot per 300 ms at most.
    socket.on("attempt_changed", () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        askSnapshot();
      }, 300);
    });
  }
  setInterval(askSnapshot, 5000); // progress (answers saved) is refreshed every 5 s
  setInterval(tick, 1000);
})();
