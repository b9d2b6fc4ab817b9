// The student exam page: start or resume an attempt, autosave answers through a persisted,
// ordered queue, a countdown on the server's clock, question map, flags, confirm and submit.
"use strict";
(() => {
  const root = document.getElementById("exam-app");
  if (!root) return;

  const $ = (id) => document.getElementById(id);
  const T = $("exam-text").dataset;
  const API = root.dataset.api;
  const EXAM_ID = root.dataset.examId;
  const CSRF = root.dataset.csrf;
  const REFRESH_MS = 30000;
  const DEBOUNCE_MS = 600;
  const REQUEST_TIMEOUT_MS = 15000;

  const state = {
    attempt: null,
    questions: [],
    byId: {},
    answers: {},
    seqs: {},
    queue: [],
    flags: new Set(),
    current: 0,
    deadline: 0, // device-clock milliseconds at which the attempt ends
    offset: 0, // server clock minus device clock
    closed: false,
    timeUp: false,
    sending: false,
    backoff: 1000,
    retryTimer: null,
    onePerPage: root.dataset.onePerPage === "true",
    forward: root.dataset.navigation === "forward",
    accessCode: null,
    errors: {},
    paused: false,
    pausedLeft: 0,
    socket: null,
  };

  // ------------------------------------------------------------ small helpers

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "html") node.innerHTML = value; // server-cleaned (bleach) content
      else if (key === "className") node.className = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  function notice(text, kind) {
    const box = $("exam-notice");
    box.hidden = !text;
    box.textContent = text || "";
    box.className = `alert exam-notice alert-${kind || "info"}`;
  }

  function storageKey(name) {
    return `lophoc.exam.${state.attempt ? state.attempt.id : EXAM_ID}.${name}`;
  }

  function load(name, fallback) {
    try {
      const raw = window.localStorage.getItem(storageKey(name));
      return raw ? JSON.parse(raw) : fallback;
    } catch (_err) {
      return fallback;
    }
  }

  function store(name, value) {
    try {
      window.localStorage.setItem(storageKey(name), JSON.stringify(value));
    } catch (_err) {
      // Storage full or disabled: the in-memory queue still works for this page's life.
    }
  }

  function sessionKey() {
    let key = null;
    try {
      key = window.localStorage.getItem("lophoc.exam.session");
      if (!key) {
        const bytes = new Uint8Array(16);
        window.crypto.getRandomValues(bytes);
        key = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        window.localStorage.setItem("lophoc.exam.session", key);
      }
    } catch (_err) {
      key = "";
    }
    return key;
  }

  async function call(method, path, body) {
    const headers = { Accept: "application/json", "X-Exam-Session": sessionKey() };
    if (method !== "GET") {
      headers["X-CSRFToken"] = CSRF;
      headers["Content-Type"] = "application/json";
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const sentAt = Date.now();
    try {
      const response = await fetch(API + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
        signal: controller.signal,
      });
      let data = null;
      if (response.status !== 204) {
        try {
          data = await response.json();
        } catch (_err) {
          data = null;
        }
      }
      return { status: response.status, ok: response.ok, data, response, sentAt, at: Date.now() };
    } finally {
      clearTimeout(timer);
    }
  }

  function errorOf(result) {
    const error = (result.data && result.data.error) || {};
    return { code: error.code || "", message: error.message || "", details: error.details || {} };
  }

  function isAnswered(answer) {
    if (answer === null || answer === undefined) return false;
    if (typeof answer === "string") return answer.trim() !== "";
    if (Array.isArray(answer)) return answer.length > 0;
    if (typeof answer === "object") return Object.keys(answer).length > 0;
    return true;
  }

  function jitter() {
    return Math.random() * 2000;
  }

  function renderMath(node) {
    if (typeof window.renderMathInElement !== "function") return;
    window.renderMathInElement(node, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    });
  }

  // ------------------------------------------------------------ start / waiting room

  async function start() {
    let result;
    try {
      const body = state.accessCode ? { access_code: state.accessCode } : {};
      result = await call("POST", `/exams/${EXAM_ID}/attempts`, body);
    } catch (_err) {
      notice(T.network, "warning");
      setTimeout(start, 5000 + jitter());
      return;
    }
    if (result.ok) {
      begin(result);
      return;
    }
    const error = errorOf(result);
    if (result.status === 429 || result.status === 503) {
      const wait = parseInt(result.response.headers.get("Retry-After") || "3", 10);
      notice(T.queued, "info");
      setTimeout(start, (Number.isFinite(wait) ? wait : 3) * 1000 + jitter());
    } else if (error.code === "access_code_required" || error.code === "access_code_wrong") {
      askCode(error.code === "access_code_wrong" ? error.message || T.codeWrong : "");
    } else if (error.code === "exam_not_open") {
      waitingRoom(error.details.opens_at, result);
    } else {
      notice(error.message || T.network, "danger");
    }
  }

  function askCode(message) {
    notice("", "info");
    const form = $("exam-code-form");
    form.hidden = false;
    $("exam-code-error").hidden = !message;
    $("exam-code-error").textContent = message;
    $("exam-code").focus();
  }

  $("exam-code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    state.accessCode = $("exam-code").value.trim();
    $("exam-code-form").hidden = true;
    notice(T.entering, "info");
    start();
  });

  function waitingRoom(opensAtText, result) {
    const opensAt = Date.parse(opensAtText || "");
    if (!Number.isFinite(opensAt)) {
      notice(T.waitingSoon, "info");
      setTimeout(start, 5000);
      return;
    }
    // The Date header gives the server's clock to the second; good enough for a waiting room.
    const serverDate = Date.parse(result.response.headers.get("Date") || "");
    const offset = Number.isFinite(serverDate) ? serverDate - result.at : 0;
    const tick = () => {
      const left = opensAt - (Date.now() + offset);
      if (left <= 0) {
        notice(T.entering, "info");
        setTimeout(start, jitter());
        return;
      }
      notice(`${T.waiting} ${formatSeconds(Math.ceil(left / 1000))}`, "info");
      setTimeout(tick, Math.min(1000, left));
    };
    tick();
  }

  // ------------------------------------------------------------ attempt state and clock

  function applyClock(result) {
    const view = result.data;
    const serverNow = Date.parse(view.server_now || "");
    const deadline = Date.parse(view.deadline || "");
    const receivedAt = result.at;
    const halfTrip = (result.at - result.sentAt) / 2;
    if (Number.isFinite(serverNow)) state.offset = serverNow + halfTrip - receivedAt;
    if (Number.isFinite(deadline)) state.deadline = deadline - state.offset;
    else state.deadline = receivedAt + (view.seconds_left || 0) * 1000;
  }

  function begin(result) {
    const view = result.data;
    state.attempt = view;
    applyClock(result);
    state.questions = view.questions || [];
    state.byId = {};
    state.questions.forEach((q) => {
      state.byId[String(q.id)] = q;
    });
    state.answers = Object.assign({}, view.answers || {});
    state.seqs = Object.assign({}, view.seqs || {});
    state.queue = load("queue", []);
    state.flags = new Set(load("flags", []).map(String));
    // Answers typed but not yet confirmed by the server win over what it has (higher seq).
    state.queue.forEach((item) => {
      if (item.type !== "answer") return;
      const stored = state.seqs[item.qid] || 0;
      if (item.seq > stored) {
        state.answers[item.qid] = item.answer;
        state.seqs[item.qid] = item.seq;
      }
    });
    state.queue = state.queue.filter(
      (item) => item.type !== "answer" || item.seq > ((view.seqs || {})[item.qid] || 0)
    );
    notice("", "info");
    if (view.status !== "in_progress") {
      state.closed = true;
      keepLate(state.queue);
      state.queue = [];
      store("queue", []);
      showResult(view.result);
      connectLive();
      offerLate(view);
      return;
    }
    state.current = Math.min(load("current", 0), Math.max(0, state.questions.length - 1));
    renderAll();
    setPaused(view);
    setInterval(tick, 1000);
    setInterval(refresh, REFRESH_MS);
    tick();
    pump();
    connectLive();
    fullscreenPrompt(view);
  }

  async function refresh() {
    if (!state.attempt) return;
    let result;
    try {
      result = await call("GET", `/attempts/${state.attempt.id}`);
    } catch (_err) {
      return;
    }
    if (!result.ok || !result.data) return;
    if (state.closed) {
      // A closed page learns of a reopen, or that the proctor accepts its offline answers.
      if (result.data.status === "in_progress") window.location.reload();
      else offerLate(result.data);
      return;
    }
    applyClock(result);
    setPaused(result.data);
    questionsChanged(result.data.questions || []);
    if (result.data.status !== "in_progress") {
      closeAttempt(result.data.result);
      offerLate(result.data);
    }
  }

  // ------------------------------------------------------------ live changes, pause, offline

  function connectLive() {
    if (state.socket || typeof window.io !== "function") return;
    const socket = window.io("/exam", {
      transports: ["websocket", "polling"],
      tryAllTransports: true, // WebSocket first (no sticky sessions needed), polling if blocked
      reconnectionDelay: 1000 + jitter(),
      reconnectionDelayMax: 20000,
      randomizationFactor: 0.5,
    });
    socket.on("connect", () => {
      socket.emit("join_attempt", { attempt_id: state.attempt.id }, (ack) => {
        root.dataset.live = ack && ack.ok ? "on" : "off";
      });
      refresh(); // whatever changed while the link was down
    });
    socket.on("disconnect", () => {
      root.dataset.live = "off";
    });
    socket.on("exam_changed", () => refresh());
    // The device's own network is back: rejoin now (with a little jitter), not after the
    // back-off that grew while it was offline.
    window.addEventListener("online", () => {
      if (!socket.connected) setTimeout(() => socket.connect(), jitter());
    });
    state.socket = socket;
  }

  function setPaused(view) {
    const paused = Boolean(view.paused) && view.status === "in_progress";
    state.pausedLeft = view.seconds_left || 0;
    if (paused === state.paused) return;
    state.paused = paused;
    $("exam-paused").hidden = !paused;
    setInputsDisabled(paused);
    if (!paused) {
      state.backoff = 1000;
      pump();
    }
  }

  // A question dropped during the exam disappears from the page (its answer stays stored).
  function questionsChanged(questions) {
    const ids = (list) => list.map((q) => q.id).join(",");
    if (questions.length === 0 || ids(questions) === ids(state.questions)) return;
    state.questions = questions;
    state.byId = {};
    questions.forEach((q) => {
      state.byId[String(q.id)] = q;
    });
    state.current = Math.min(state.current, Math.max(0, questions.length - 1));
    renderAll();
  }

  function keepLate(items) {
    const late = load("late", []);
    items.filter((item) => item.type === "answer").forEach((item) => {
      const i = late.findIndex((old) => old.qid === item.qid);
      if (i < 0) late.push(item);
      else if (late[i].seq < item.seq) late[i] = item;
    });
    store("late", late);
    return late;
  }

  async function offerLate(view) {
    const late = load("late", []);
    if (late.length === 0) return;
    const box = $("exam-late");
    if (!view.offline_accepted) {
      box.textContent = T.offlineKept.replace("{n}", late.length);
      box.className = "alert alert-warning";
      box.hidden = false;
      return;
    }
    let result;
    try {
      result = await call("POST", `/attempts/${state.attempt.id}/offline-answers`, {
        answers: late.map((item) => ({
          question_id: Number(item.qid),
          answer: item.answer,
          seq: item.seq,
          answered_at: item.answeredAt || deviceAt(),
        })),
      });
    } catch (_err) {
      return;
    }
    if (!result.ok) return;
    store("late", []);
    box.textContent = T.offlineSent.replace("{n}", result.data.accepted);
    box.className = "alert alert-success";
    box.hidden = false;
    fetchResult();
  }

  function fullscreenPrompt(view) {
    const bar = $("exam-fullscreen");
    if (!view.fullscreen || !document.documentElement.requestFullscreen) return;
    const show = () => {
      bar.hidden = Boolean(document.fullscreenElement) || state.closed;
    };
    $("exam-fullscreen-go").addEventListener("click", () => {
      document.documentElement.requestFullscreen().catch(() => show());
    });
    document.addEventListener("fullscreenchange", show);
    show();
  }

  function formatSeconds(total) {
    const s = Math.max(0, total);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const sec = String(s % 60).padStart(2, "0");
    return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  function tick() {
    if (state.closed) return;
    const left = state.paused
      ? state.pausedLeft
      : Math.max(0, Math.ceil((state.deadline - Date.now()) / 1000));
    const timer = $("exam-timer");
    timer.textContent = formatSeconds(left);
    timer.classList.toggle("is-low", left <= 300);
    if (left <= 0 && !state.timeUp && !state.paused) timeUp();
  }

  async function timeUp() {
    state.timeUp = true;
    setInputsDisabled(true);
    notice(T.timeUpSaving, "warning");
    await flush(10000);
    await submitAttempt(true);
  }

  // ------------------------------------------------------------ the save queue

  function persistQueue() {
    store("queue", state.queue);
  }

  function enqueueAnswer(qid, answer) {
    if (state.closed || state.timeUp) return;
    const seq = (state.seqs[qid] || 0) + 1;
    state.seqs[qid] = seq;
    state.answers[qid] = answer;
    // An unsent older save of the same question is superseded (the server ignores it anyway).
    state.queue = state.queue.filter(
      (item, i) => !(item.type === "answer" && item.qid === qid && !(i === 0 && state.sending))
    );
    state.queue.push({ type: "answer", qid, answer, seq, answeredAt: deviceAt() });
    persistQueue();
    delete state.errors[qid];
    setStatus(qid, "saving");
    updateMap();
    pump();
  }

  function enqueueEvent(kind, detail) {
    if (!state.attempt || state.closed) return;
    state.queue.push({ type: "event", kind, detail: detail || {} });
    persistQueue();
    pump();
  }

  function pendingFor(qid) {
    return state.queue.some((item) => item.type === "answer" && item.qid === qid);
  }

  function scheduleRetry() {
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(pump, state.backoff);
    state.backoff = Math.min(state.backoff * 2, 30000);
  }

  async function pump() {
    if (state.sending || state.closed || state.paused || !state.attempt) return;
    if (state.queue.length === 0) return;
    state.sending = true;
    const item = state.queue[0];
    let result = null;
    try {
      if (item.type === "answer") {
        result = await call("PUT", `/attempts/${state.attempt.id}/answers/${item.qid}`, {
          answer: item.answer,
          seq: item.seq,
        });
      } else {
        result = await call("POST", `/attempts/${state.attempt.id}/events`, {
          kind: item.kind,
          detail: item.detail,
        });
      }
    } catch (_err) {
      result = null;
    }
    state.sending = false;
    if (result === null || result.status >= 500 || result.status === 429 || result.status === 401) {
      $("exam-net").hidden = false;
      state.queue.forEach((q) => q.type === "answer" && setStatus(q.qid, "offline"));
      scheduleRetry();
      return;
    }
    $("exam-net").hidden = true;
    state.backoff = 1000;
    const error = errorOf(result);
    if (result.status === 409 && error.code === "attempt_paused") {
      // Kept in the queue: it is sent when the proctor resumes the attempt.
      setStatus(item.qid, "saving");
      refresh();
      return;
    }
    state.queue = state.queue.filter((q) => q !== item);
    persistQueue();
    if (result.status === 409 && item.type === "answer") {
      keepLate([item]);
      closeAttempt(null, true);
      refresh(); // tells whether a proctor accepts the answers kept on the device
      setStatus(item.qid, "refused");
      return;
    }
    if (item.type === "answer") {
      if (result.ok) {
        if (!pendingFor(item.qid)) setStatus(item.qid, "saved");
      } else {
        state.errors[item.qid] = error.message || String(result.status);
        if (!pendingFor(item.qid)) setStatus(item.qid, "error");
      }
    }
    pump();
  }

  // Wait (at most `ms`) until everything queued has been sent.
  function flush(ms) {
    return new Promise((resolve) => {
      const until = Date.now() + ms;
      const check = () => {
        if (state.queue.length === 0 || state.closed || Date.now() > until) resolve();
        else {
          pump();
          setTimeout(check, 200);
        }
      };
      check();
    });
  }

  window.addEventListener("online", () => {
    state.backoff = 1000;
    clearTimeout(state.retryTimer);
    pump();
    refresh();
  });
  window.addEventListener("offline", () => {
    $("exam-net").hidden = false;
  });

  // ------------------------------------------------------------ submit and result

  function setInputsDisabled(disabled) {
    $("exam-questions")
      .querySelectorAll("input, select, textarea, button.exam-move")
      .forEach((input) => {
        input.disabled = disabled;
      });
    $("exam-review").disabled = disabled;
  }

  function closeAttempt(result, refused) {
    if (state.closed) return;
    state.closed = true;
    setInputsDisabled(true);
    state.queue
      .filter((item) => item.type === "answer")
      .forEach((item) => setStatus(item.qid, "refused"));
    // Answers that never reached the server stay on the device: a proctor may accept them.
    keepLate(state.queue);
    state.queue = [];
    persistQueue();
    $("exam-timer").textContent = "0:00";
    notice(`${T.timeUp}. ${T.closed}`, "warning");
    $("exam-actions").hidden = true;
    $("exam-confirm").hidden = true;
    if (result) showResult(result, true);
    else if (refused) fetchResult();
  }

  async function fetchResult() {
    try {
      const result = await call("GET", `/attempts/${state.attempt.id}`);
      if (result.ok && result.data && result.data.result) showResult(result.data.result, true);
    } catch (_err) {
      // Offline: the closed notice is already shown.
    }
  }

  function openConfirm() {
    const unanswered = [];
    const flagged = [];
    state.questions.forEach((q) => {
      const qid = String(q.id);
      if (q.type !== "description" && !isAnswered(state.answers[qid])) unanswered.push(q.number);
      if (state.flags.has(qid)) flagged.push(q.number);
    });
    $("exam-confirm-unanswered").textContent = unanswered.join(", ") || T.none;
    $("exam-confirm-flagged").textContent = flagged.join(", ") || T.none;
    $("exam-confirm-pending").hidden = true;
    $("exam-confirm").hidden = false;
    $("exam-actions").hidden = true;
    $("exam-confirm").scrollIntoView({ block: "start" });
  }

  async function submitAttempt(forced) {
    if (!state.attempt) return;
    const button = $("exam-submit");
    button.disabled = true;
    notice(forced ? T.timeUpSaving : T.submitting, forced ? "warning" : "info");
    if (!forced) {
      await flush(8000);
      if (state.queue.some((item) => item.type === "answer") && !state.closed) {
        $("exam-confirm-pending").hidden = false;
        button.disabled = false;
        notice("", "info");
        return;
      }
    }
    let result;
    try {
      result = await call("POST", `/attempts/${state.attempt.id}/submit`, {});
    } catch (_err) {
      result = null;
    }
    if (result === null || result.status >= 500) {
      notice(T.network, "warning");
      button.disabled = false;
      if (forced) setTimeout(() => submitAttempt(true), 3000 + jitter());
      return;
    }
    state.closed = true;
    keepLate(state.queue);
    state.queue = [];
    persistQueue();
    if (result.ok) showResult(result.data, forced);
    else notice(errorOf(result).message, "danger");
  }

  function showResult(result, timeWasUp) {
    ["exam-map", "exam-legend", "exam-questions", "exam-pager", "exam-actions", "exam-confirm"]
      .forEach((id) => {
        $(id).hidden = true;
      });
    $("exam-code-form").hidden = true;
    notice(timeWasUp ? T.timeUp : "", "warning");
    $("exam-timer").textContent = "0:00";
    const box = $("exam-result");
    box.hidden = false;
    const released = result && result.released && result.score10 !== null && result.score10 !== undefined;
    $("exam-result-score").hidden = !released;
    $("exam-result-pending").hidden = Boolean(released);
    if (released) {
      let text = `${T.score} ${result.score10}/10`;
      if (result.score !== null && result.max_score) text += ` (${result.score}/${result.max_score})`;
      $("exam-result-score").textContent = text;
    }
  }

  $("exam-review").addEventListener("click", openConfirm);
  $("exam-back").addEventListener("click", () => {
    $("exam-confirm").hidden = true;
    $("exam-actions").hidden = false;
  });
  $("exam-submit").addEventListener("click", () => submitAttempt(false));

  // ------------------------------------------------------------ rendering questions

  const STATUS_TEXT = {
    saving: () => T.saving,
    saved: () => T.saved,
    offline: () => T.offline,
    refused: () => T.notSaved,
  };

  function setStatus(qid, kind) {
    const node = document.querySelector(`.exam-q[data-qid="${qid}"] .exam-q-status`);
    if (!node) return;
    node.dataset.state = kind;
    node.textContent = kind === "error" ? state.errors[qid] : STATUS_TEXT[kind] ? STATUS_TEXT[kind]() : "";
  }

  function choiceRow(type, name, value, label, checked, isHtml) {
    const id = `${name}-${String(value).replace(/[^A-Za-z0-9_-]/g, "_")}`;
    const input = el("input", { type, name, id, value: String(value), className: "form-check-input" });
    input.checked = Boolean(checked);
    const text = el("label", { for: id, className: "form-check-label" });
    if (isHtml) text.innerHTML = label;
    else text.textContent = label;
    return { row: el("div", { className: "exam-choice form-check" }, [input, text]), input };
  }

  function selectOf(choices, value, label) {
    const select = el("select", { className: "form-select exam-select", "aria-label": label });
    select.appendChild(el("option", { value: "", text: T.choose }));
    choices.forEach((choice) => {
      const option = el("option", { value: choice.id });
      option.textContent = choice.text;
      option.selected = value === choice.id;
      select.appendChild(option);
    });
    return select;
  }

  function plainText(html) {
    const div = document.createElement("div");
    div.innerHTML = html || "";
    return div.textContent.trim();
  }

  function textInput(qid, value, multiline, numeric) {
    const input = multiline
      ? el("textarea", { className: "form-control exam-essay", rows: "6" })
      : el("input", {
          type: "text",
          className: "form-control exam-text",
          inputmode: numeric ? "decimal" : null,
          autocomplete: "off",
        });
    input.value = value === null || value === undefined ? "" : String(value);
    return input;
  }

  // Text answers: save ~600 ms after typing stops, and at once when leaving the field.
  function debounced(input, read) {
    let timer = null;
    let last = read();
    const fire = () => {
      clearTimeout(timer);
      const value = read();
      if (JSON.stringify(value) === JSON.stringify(last)) return;
      last = value;
      return value;
    };
    return (save) => {
      input.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          const v = fire();
          if (v !== undefined) save(v);
        }, DEBOUNCE_MS);
      });
      const now = () => {
        const v = fire();
        if (v !== undefined) save(v);
      };
      input.addEventListener("blur", now);
      input.addEventListener("change", now);
    };
  }

  const RENDER = {
    single_choice(q, answer, save) {
      const box = el("div", { className: "exam-choices", role: "radiogroup" });
      q.options.forEach((o) => {
        const { row, input } = choiceRow("radio", `q${q.id}`, o.id, o.html, answer === o.id, true);
        input.addEventListener("change", () => save(o.id));
        box.appendChild(row);
      });
      return box;
    },
    multiple_response(q, answer, save) {
      const box = el("div", { className: "exam-choices" });
      const chosen = new Set(Array.isArray(answer) ? answer : []);
      const inputs = [];
      q.options.forEach((o) => {
        const { row, input } = choiceRow("checkbox", `q${q.id}`, o.id, o.html, chosen.has(o.id), true);
        inputs.push([o.id, input]);
        input.addEventListener("change", () => {
          const ids = inputs.filter(([, i]) => i.checked).map(([id]) => id);
          save(ids.length ? ids : null);
        });
        box.appendChild(row);
      });
      return box;
    },
    true_false(q, answer, save) {
      const box = el("div", { className: "exam-choices exam-tf", role: "radiogroup" });
      [
        [true, T.true],
        [false, T.false],
      ].forEach(([value, label]) => {
        const { row, input } = choiceRow("radio", `q${q.id}`, String(value), label, answer === value);
        input.addEventListener("change", () => save(value));
        box.appendChild(row);
      });
      return box;
    },
    true_false_cluster(q, answer, save) {
      const current = Object.assign({}, answer && typeof answer === "object" ? answer : {});
      const box = el("div", { className: "exam-cluster" });
      q.options.forEach((o, i) => {
        const line = el("div", { className: "exam-cluster-row" });
        line.appendChild(el("div", { className: "exam-cluster-text", html: o.html }));
        const pair = el("div", { className: "exam-tf", role: "radiogroup" });
        [
          [true, T.true],
          [false, T.false],
        ].forEach(([value, label]) => {
          const name = `q${q.id}-s${i}`;
          const { row, input } = choiceRow("radio", name, String(value), label, current[o.id] === value);
          input.addEventListener("change", () => {
            current[o.id] = value;
            save(Object.assign({}, current));
          });
          pair.appendChild(row);
        });
        line.appendChild(pair);
        box.appendChild(line);
      });
      return box;
    },
    short_answer(q, answer, save) {
      const input = textInput(q.id, answer, false, false);
      debounced(input, () => input.value || null)(save);
      return input;
    },
    numeric(q, answer, save) {
      const input = textInput(q.id, answer, false, true);
      debounced(input, () => input.value || null)(save);
      return input;
    },
    essay(q, answer, save) {
      const input = textInput(q.id, answer, true, false);
      debounced(input, () => input.value || null)(save);
      return input;
    },
    matching(q, answer, save) {
      const current = Object.assign({}, answer && typeof answer === "object" ? answer : {});
      const choices = (q.choices || []).map((c) => ({ id: c.id, text: plainText(c.html) }));
      const box = el("div", { className: "exam-matching" });
      q.options.forEach((o) => {
        const line = el("div", { className: "exam-match-row" });
        const label = el("div", { className: "exam-match-left", html: o.html });
        const select = selectOf(choices, current[o.id], plainText(o.html));
        select.addEventListener("change", () => {
          if (select.value) current[o.id] = select.value;
          else delete current[o.id];
          save(Object.keys(current).length ? Object.assign({}, current) : null);
        });
        line.appendChild(label);
        line.appendChild(select);
        box.appendChild(line);
      });
      return box;
    },
    ordering(q, answer, save) {
      const byId = {};
      q.options.forEach((o) => {
        byId[o.id] = o;
      });
      let order = Array.isArray(answer) ? answer.filter((id) => byId[id]) : [];
      q.options.forEach((o) => order.includes(o.id) || order.push(o.id));
      const list = el("ol", { className: "exam-ordering" });
      const draw = () => {
        list.replaceChildren();
        order.forEach((id, i) => {
          const up = el("button", {
            type: "button",
            className: "btn btn-outline-secondary exam-move",
            "aria-label": T.up,
            text: "▲",
            disabled: i === 0,
          });
          const down = el("button", {
            type: "button",
            className: "btn btn-outline-secondary exam-move",
            "aria-label": T.down,
            text: "▼",
            disabled: i === order.length - 1,
          });
          const move = (delta) => {
            const j = i + delta;
            [order[i], order[j]] = [order[j], order[i]];
            order = order.slice();
            draw();
            renderMath(list);
            save(order.slice());
          };
          up.addEventListener("click", () => move(-1));
          down.addEventListener("click", () => move(1));
          list.appendChild(
            el("li", { className: "exam-order-item" }, [
              el("div", { className: "exam-order-text", html: byId[id].html }),
              el("div", { className: "exam-order-buttons" }, [up, down]),
            ])
          );
        });
      };
      draw();
      return list;
    },
    cloze(q, answer, save) {
      const current = Object.assign({}, answer && typeof answer === "object" ? answer : {});
      const box = el("div", { className: "exam-cloze" });
      const emit = () => {
        const clean = {};
        Object.entries(current).forEach(([k, v]) => {
          if (v !== "" && v !== null && v !== undefined) clean[k] = v;
        });
        save(Object.keys(clean).length ? clean : null);
      };
      (q.gaps || []).forEach((gap) => {
        const key = String(gap.number);
        const label = `${T.gap} (${gap.number})`;
        const line = el("label", { className: "exam-gap" }, [
          el("span", { className: "exam-gap-label", text: `(${gap.number})` }),
        ]);
        let input;
        if (Array.isArray(gap.options) && gap.options.length) {
          const choices = gap.options.map((o) => ({ id: o.id, text: plainText(o.html) }));
          input = selectOf(choices, current[key], label);
          input.addEventListener("change", () => {
            current[key] = input.value;
            emit();
          });
        } else {
          input = textInput(q.id, current[key], false, gap.type === "numeric");
          input.setAttribute("aria-label", label);
          debounced(input, () => input.value)((value) => {
            current[key] = value;
            emit();
          });
        }
        line.appendChild(input);
        box.appendChild(line);
      });
      return box;
    },
    description() {
      return null;
    },
  };

  function renderQuestion(q) {
    const qid = String(q.id);
    const card = el("article", {
      className: "exam-q card",
      "data-qid": qid,
      "data-number": String(q.number),
      id: `exam-q-${qid}`,
      "aria-labelledby": `exam-q-${qid}-title`,
    });
    const body = el("div", { className: "card-body" });
    const flag = el("button", { type: "button", className: "btn btn-sm exam-flag exam-btn" });
    const drawFlag = () => {
      const on = state.flags.has(qid);
      flag.textContent = on ? `★ ${T.unflag}` : `☆ ${T.flag}`;
      flag.setAttribute("aria-pressed", on ? "true" : "false");
      flag.classList.toggle("is-on", on);
    };
    drawFlag();
    flag.addEventListener("click", () => {
      if (state.flags.has(qid)) state.flags.delete(qid);
      else state.flags.add(qid);
      store("flags", Array.from(state.flags));
      drawFlag();
      updateMap();
    });
    const head = el("div", { className: "exam-q-head" }, [
      el("h2", {
        className: "h6 mb-0 exam-q-title",
        id: `exam-q-${qid}-title`,
        text: `${T.question} ${q.number}` + (q.type === "description" ? "" : ` (${q.points} ${T.points})`),
      }),
      q.type === "description" ? null : flag,
    ]);
    body.appendChild(head);
    body.appendChild(el("div", { className: "exam-stem", html: q.stem_html || "" }));
    const render = RENDER[q.type] || RENDER.short_answer;
    const input = render(q, state.answers[qid], (answer) => enqueueAnswer(qid, answer));
    if (input) body.appendChild(input);
    if (q.type !== "description") {
      body.appendChild(el("p", { className: "exam-q-status small", "aria-live": "polite" }));
    }
    card.appendChild(body);
    card.addEventListener("focusin", () => {
      if (!state.onePerPage) setCurrent(state.questions.indexOf(q), false);
    });
    return card;
  }

  function renderAll() {
    const area = $("exam-questions");
    area.replaceChildren();
    state.questions.forEach((q) => area.appendChild(renderQuestion(q)));
    state.questions.forEach((q) => {
      const qid = String(q.id);
      if (pendingFor(qid)) setStatus(qid, "saving");
      else if (isAnswered(state.answers[qid])) setStatus(qid, "saved");
    });
    renderMath(area);
    renderMap();
    $("exam-map").hidden = false;
    $("exam-legend").hidden = false;
    $("exam-actions").hidden = false;
    $("exam-pager").hidden = !state.onePerPage;
    showCurrent(false);
  }

  function renderMap() {
    const map = $("exam-map");
    map.replaceChildren();
    state.questions.forEach((q, i) => {
      const button = el("button", {
        type: "button",
        className: "exam-map-item",
        "data-qid": String(q.id),
        text: String(q.number),
        "aria-label": `${T.question} ${q.number}`,
      });
      button.addEventListener("click", () => setCurrent(i, true));
      map.appendChild(button);
    });
    updateMap();
  }

  function updateMap() {
    document.querySelectorAll(".exam-map-item").forEach((button, i) => {
      const q = state.questions[i];
      const qid = String(q.id);
      button.classList.toggle("is-answered", isAnswered(state.answers[qid]));
      button.classList.toggle("is-flagged", state.flags.has(qid));
      button.classList.toggle("is-current", i === state.current);
      if (i === state.current) button.setAttribute("aria-current", "step");
      else button.removeAttribute("aria-current");
      button.disabled = state.onePerPage && state.forward && i < state.current;
    });
  }

  function setCurrent(index, scroll) {
    if (index < 0 || index >= state.questions.length) return;
    if (state.onePerPage && state.forward && index < state.current) return;
    state.current = index;
    store("current", index);
    showCurrent(scroll);
  }

  function showCurrent(scroll) {
    const cards = document.querySelectorAll(".exam-q");
    cards.forEach((card, i) => {
      card.hidden = state.onePerPage && i !== state.current;
      card.classList.toggle("is-current", i === state.current);
    });
    if (state.onePerPage) {
      $("exam-prev").hidden = state.forward;
      $("exam-prev").disabled = state.current === 0;
      $("exam-next").disabled = state.current >= state.questions.length - 1;
    }
    updateMap();
    if (scroll && cards[state.current]) cards[state.current].scrollIntoView({ block: "start" });
  }

  $("exam-prev").addEventListener("click", () => setCurrent(state.current - 1, true));
  $("exam-next").addEventListener("click", () => setCurrent(state.current + 1, true));

  // ------------------------------------------------------------ integrity events

  const currentNumber = () => {
    const q = state.questions[state.current];
    return q ? q.number : null;
  };
  const deviceAt = () => new Date(Date.now() + state.offset).toISOString();
  window.addEventListener("blur", () => enqueueEvent("blur", { at: deviceAt(), q: currentNumber() }));
  window.addEventListener("focus", () => enqueueEvent("focus", { at: deviceAt(), q: currentNumber() }));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      enqueueEvent("visibility_hidden", { at: deviceAt(), q: currentNumber() });
    } else {
      refresh();
      pump();
    }
  });
  ["copy", "paste"].forEach((kind) =>
    document.addEventListener(kind, () => enqueueEvent(kind, { at: deviceAt(), q: currentNumber() }))
  );
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement) enqueueEvent("fullscreen_exit", { at: deviceAt() });
  });

  start();
})();
