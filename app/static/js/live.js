/* The live room (namespace /live): presence, chat, hands, reactions, polls, board.
   WebSocket first (a phone moving from Wi-Fi to 4G keeps no HTTP long-polling affinity to
   lose), long-polling only if WebSocket is blocked; socket.io's randomised exponential
   back-off so that 40 phones coming back after a school Wi-Fi drop do not arrive as one
   spike; every (re)connect re-joins the room and redraws from the server's state. */
(function () {
  "use strict";
  var root = document.getElementById("live-room");
  if (!root || typeof io === "undefined" || root.dataset.ended === "true") return;

  var sessionId = Number(root.dataset.sessionId);
  var isTeacher = root.dataset.teacher === "true";
  var msg = root.dataset;
  var $ = function (id) { return document.getElementById(id); };
  var me = null, state = { present: [], hands: [], muted: [], muted_room: false, poll: null };
  var lastPoll = null;

  var socket = io("/live", {
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 15000,
    randomizationFactor: 0.5,
    timeout: 10000
  });
  window.liveSocket = socket; // for tests and the browser console

  var board = new window.LiveBoard($("board-canvas"), $("board-image"), isTeacher ? function (stroke) {
    send("board_stroke", { stroke: stroke });
  } : null);

  function status(text, cls) {
    var el = $("live-status");
    el.textContent = text;
    el.className = "badge " + cls;
  }

  function showError(err) {
    var el = $("live-error");
    el.textContent = err.message || err.code;
    el.classList.remove("d-none");
    clearTimeout(showError.timer);
    showError.timer = setTimeout(function () { el.classList.add("d-none"); }, 5000);
  }

  function send(event, data, done) {
    data = data || {};
    data.session_id = sessionId;
    socket.timeout(10000).emit(event, data, function (err, ack) {
      if (err) return showError({ message: msg.msgOffline });
      if (done && ack && ack.ok) done(ack);
    });
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function nameOf(id) {
    var p = state.present.find(function (x) { return x.id === id; });
    return p ? p.name : "#" + id;
  }

  /* ---- presence and hands ---- */
  function renderPresence() {
    var list = $("presence");
    list.replaceChildren();
    $("presence-count").textContent = state.present.length;
    state.present.forEach(function (p) {
      var li = el("li", null, "list-group-item d-flex align-items-center gap-1 py-1");
      li.dataset.userId = p.id;
      li.appendChild(el("span", p.name, "me-auto"));
      var hand = state.hands.indexOf(p.id);
      if (hand >= 0) li.appendChild(el("span", "✋ " + (hand + 1), "badge text-bg-warning hand"));
      if (p.role !== "student") li.appendChild(el("span", "GV", "badge text-bg-primary"));
      if (isTeacher && p.role === "student") {
        var muted = state.muted.indexOf(p.id) >= 0;
        var b = el("button", muted ? msg.msgUnmute : msg.msgMute, "btn btn-sm btn-link p-0 mute");
        b.type = "button";
        b.addEventListener("click", function () { send("mute", { user_id: p.id, muted: !muted }); });
        li.appendChild(b);
      }
      list.appendChild(li);
    });
    var toggle = $("hand-toggle");
    if (toggle && me) toggle.textContent = state.hands.indexOf(me.id) >= 0 ? msg.msgHandDown : msg.msgHandUp;
    var room = $("mute-room");
    if (room) room.classList.toggle("active", !!state.muted_room);
  }

  /* ---- chat ---- */
  function addChat(m) {
    var list = $("chat");
    if (list.querySelector('[data-id="' + m.id + '"]')) return;
    var li = el("li");
    li.dataset.id = m.id;
    li.appendChild(el("span", m.user.name, "who"));
    li.appendChild(el("span", m.text, "text"));
    if (isTeacher) {
      var del = el("button", msg.msgDelete, "btn btn-sm btn-link p-0 ms-1 delete");
      del.type = "button";
      del.addEventListener("click", function () { send("chat_delete", { message_id: m.id }); });
      li.appendChild(del);
    }
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
  }

  /* ---- polls ---- */
  function renderPoll(poll) {
    var box = $("poll");
    box.replaceChildren();
    lastPoll = poll;
    if (!poll) { box.appendChild(el("p", "—", "text-muted small mb-0")); return; }
    var prompt = el("div", null, "mb-2 fw-semibold");
    prompt.innerHTML = poll.prompt_html; // cleaned by the server (bleach) when written
    box.appendChild(prompt);
    var counts = poll.counts || {}, answered = poll.answered || 0;
    var mine = poll.my_choice || [];
    (poll.options || []).forEach(function (o) {
      var row = el("div", null, "live-bar-row");
      row.dataset.option = o.id;
      var label;
      if (!isTeacher && poll.is_open) {
        label = el("button", null, "btn btn-sm " + (mine.indexOf(o.id) >= 0 ? "btn-primary" : "btn-outline-primary"));
        label.type = "button";
        label.addEventListener("click", function () {
          var choice = poll.multiple ? toggleChoice(mine, o.id) : [o.id];
          send("poll_answer", { poll_id: poll.poll_id, choice: choice }, function () {
            poll.my_choice = choice;
            renderPoll(poll);
          });
        });
      } else {
        label = el("span");
      }
      var text = el("span");
      text.innerHTML = o.html; // cleaned by the server
      label.appendChild(text);
      row.appendChild(label);
      var bar = el("div", null, "live-bar");
      bar.style.width = (answered ? Math.round(100 * (counts[o.id] || 0) / answered) : 0) + "%";
      var track = el("div");
      track.appendChild(bar);
      row.appendChild(track);
      row.appendChild(el("span", String(counts[o.id] || 0), "count"));
      if ((poll.correct || []).indexOf(o.id) >= 0) row.classList.add("live-correct");
      box.appendChild(row);
    });
    box.appendChild(el("p", msg.msgAnswered.replace("{n}", answered), "small text-muted mb-0 answered"));
    var save = $("poll-save");
    if (save) save.classList.toggle("d-none", poll.is_open || poll.kind !== "question");
  }

  function toggleChoice(list, id) {
    var copy = list.slice(), i = copy.indexOf(id);
    if (i >= 0) copy.splice(i, 1); else copy.push(id);
    return copy;
  }

  /* ---- board ---- */
  function slideUrl(id) { return msg.slideBase + id; }

  function renderBoard(b) {
    board.show(b, slideUrl);
    $("board-page").textContent = b && b.slide_id ? "" : msg.msgBlank;
  }

  function renderSlides(slides) {
    var list = $("slide-list");
    if (!list) return;
    list.replaceChildren();
    (slides || []).forEach(function (s) {
      var b = el("button", String(s.position), "btn btn-sm btn-outline-secondary");
      b.type = "button";
      b.title = s.filename;
      b.addEventListener("click", function () { send("board_set", { slide_id: s.id }); });
      list.appendChild(b);
    });
  }

  /* ---- the full state, on every (re)join ---- */
  function applyState(s) {
    me = s.me;
    state = s;
    renderPresence();
    $("chat").replaceChildren();
    (s.chat || []).forEach(addChat);
    renderPoll(s.poll);
    renderBoard(s.board);
    renderSlides(s.slides);
    root.dataset.joined = "true";
  }

  socket.on("connect", function () {
    status(msg.msgOnline, "text-bg-success");
    send("join_session", {}, function (ack) { applyState(ack.state); });
  });
  socket.on("disconnect", function () {
    root.dataset.joined = "false";
    status(msg.msgOffline, "text-bg-warning");
  });
  socket.on("connect_error", function () { status(msg.msgOffline, "text-bg-warning"); });
  socket.on("error", showError);
  socket.on("presence", function (p) {
    // Lists sent by two server processes can arrive out of order: keep the newest one.
    if (p.version < (state.presence_version || 0)) return;
    state.present = p.present;
    state.presence_version = p.version;
    renderPresence();
  });
  socket.on("hands", function (p) { state.hands = p.hands; renderPresence(); });
  socket.on("mutes", function (p) { state.muted = p.muted; state.muted_room = p.muted_room; renderPresence(); });
  socket.on("chat_message", addChat);
  socket.on("chat_deleted", function (p) {
    var li = $("chat").querySelector('[data-id="' + p.id + '"]');
    if (li) li.remove();
  });
  socket.on("reaction", function (p) {
    var show = $("reaction-show");
    show.textContent = p.emoji + " " + p.user.name;
    clearTimeout(show.timer);
    show.timer = setTimeout(function () { show.textContent = ""; }, 3000);
  });
  socket.on("poll", function (p) { p.my_choice = []; renderPoll(p); });
  socket.on("poll_counts", function (p) {
    if (lastPoll && lastPoll.poll_id === p.poll_id) {
      lastPoll.counts = p.counts;
      lastPoll.answered = p.answered;
      renderPoll(lastPoll);
    }
  });
  socket.on("poll_closed", function (p) { p.my_choice = lastPoll ? lastPoll.my_choice : []; renderPoll(p); });
  socket.on("board", function (p) { renderBoard(p.board); });
  socket.on("board_stroke", function (p) { board.add(p.stroke); });
  socket.on("session_ended", function () {
    $("live-ended").classList.remove("d-none");
    status(msg.msgEnded, "text-bg-secondary");
    socket.io.reconnection(false);
    socket.disconnect();
  });

  /* ---- controls ---- */
  $("chat-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = $("chat-text");
    var text = input.value.trim();
    if (!text) return;
    send("chat_message", { text: text }, function () { input.value = ""; });
  });
  document.querySelectorAll("#reactions [data-emoji]").forEach(function (b) {
    b.addEventListener("click", function () { send("reaction", { emoji: b.dataset.emoji }); });
  });
  if ($("hand-toggle")) $("hand-toggle").addEventListener("click", function () {
    send("raise_hand", { raised: state.hands.indexOf(me && me.id) < 0 });
  });
  if ($("hand-next")) $("hand-next").addEventListener("click", function () { send("lower_hand", {}); });
  if ($("mute-room")) $("mute-room").addEventListener("click", function () {
    send("mute", { user_id: null, muted: !state.muted_room });
  });
  if ($("board-blank")) $("board-blank").addEventListener("click", function () {
    send("board_set", { slide_id: null });
  });
  if ($("slide-file")) $("slide-file").addEventListener("change", function (ev) {
    var file = ev.target.files[0];
    if (!file) return;
    var form = new FormData();
    form.append("file", file);
    fetch(msg.slidesUrl, { method: "POST", body: form, headers: { "X-CSRFToken": msg.csrf }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) return showError(res.body.error);
        renderSlides(res.body.slides);
        // a PDF adds all its pages: show its first one
        var first = (res.body.added && res.body.added[0]) || res.body.slides[res.body.slides.length - 1].id;
        send("board_set", { slide_id: first });
      });
    ev.target.value = "";
  });
  var pollForm = $("poll-form");
  if (pollForm) {
    pollForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var qid = pollForm.question_id.value.trim();
      var data = qid ? { question_id: Number(qid) } : {
        prompt: pollForm.prompt.value,
        options: pollForm.options.value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean)
      };
      send("poll_open", data, function () { pollForm.reset(); });
    });
    $("poll-close").addEventListener("click", function () { send("poll_close", {}); });
    $("poll-save").addEventListener("click", function () {
      if (!lastPoll) return;
      send("poll_save", { poll_id: lastPoll.poll_id }, function (ack) {
        showError({ message: msg.msgSaved.replace("{n}", ack.written) });
        $("poll-save").classList.add("d-none");
      });
    });
  }
  status(msg.msgConnecting, "text-bg-secondary");
})();
