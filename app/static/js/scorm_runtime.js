// SCORM run-time wrapper (content origin): builds window.API (1.2) or window.API_1484_11 (2004)
// with scorm-again before the SCO frame loads, resumes the stored CMI, and commits to LopHoc
// on LMSCommit/Commit, on LMSFinish/Terminate, and when the page is hidden or closed.
(function () {
  "use strict";
  var config = JSON.parse(document.documentElement.dataset.scormConfig);
  var is12 = config.version === "1.2";
  var finished = false;
  var settings = {
    lmsCommitUrl: config.commit_url,
    dataCommitFormat: "flattened",
    autocommit: false,
    logLevel: 5,
    xhrHeaders: { Authorization: "Bearer " + config.token },
    requestHandler: function (data) { return { cmi: data, terminated: finished }; },
  };
  var api = is12 ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  api.loadFromFlattenedJSON(config.cmi, "");
  if (is12) { window.API = api; } else { window.API_1484_11 = api; }

  var lastSent = null;
  function send(force) {
    if (!api.isInitialized() && !finished) { return; }
    var flat = api.getFlattenedCMI();
    var body = JSON.stringify({ cmi: flat, terminated: finished });
    if (!force && body === lastSent) { return; }
    lastSent = body;
    // keepalive: the browser finishes the request even when the page is being closed.
    fetch(config.commit_url, {
      method: "POST",
      keepalive: true,
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + config.token },
      body: body,
    }).catch(function () { lastSent = null; });
  }
  api.on(is12 ? "LMSFinish" : "Terminate", function () { finished = true; send(true); });
  window.addEventListener("pagehide", function () { send(false); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { send(false); }
  });
  // SCORM 2004 navigation requests (adl.nav.request, processed by scorm-again on Terminate)
  // go to the player page, which owns previous/next and the table of contents.
  function navigate(request, target) {
    if (window.parent !== window) {
      window.parent.postMessage({ lophocScorm: request, target: target || null }, config.parent_origin);
    }
  }
  if (!is12) {
    api.on("SequenceNext", function () { navigate("continue"); });
    api.on("SequencePrevious", function () { navigate("previous"); });
    api.on("SequenceChoice", function (target) { navigate("choice", target); });
    api.on("SequenceExit", function () { navigate("exit"); });
    api.on("SequenceExitAll", function () { navigate("exitAll"); });
  }
  window.lophocScorm = { api: api, send: send };

  document.addEventListener("DOMContentLoaded", function () {
    document.getElementById("sco-frame").src = config.launch;
  });
})();
