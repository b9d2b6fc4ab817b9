// SCORM player page (app origin): follows the navigation requests a SCO makes on Terminate
// (continue, previous, choice, exitAll), sent by the content-origin wrapper with postMessage.
(function () {
  "use strict";
  var frame = document.getElementById("scorm-frame");
  if (!frame) { return; }
  var origin = frame.dataset.contentOrigin;
  function go(href) { if (href) { window.location.assign(href); } }
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) { return; }
    var data = event.data || {};
    var link = null;
    if (data.lophocScorm === "continue") { link = document.getElementById("sco-next"); }
    if (data.lophocScorm === "previous") { link = document.getElementById("sco-prev"); }
    if (link) { go(link.getAttribute("href")); return; }
    if (data.lophocScorm === "choice" && typeof data.target === "string") {
      var items = document.querySelectorAll("#scorm-toc li[data-identifier]");
      for (var i = 0; i < items.length; i++) {
        if (items[i].dataset.identifier === data.target) { go(items[i].dataset.href); return; }
      }
    }
    if (data.lophocScorm === "exitAll") {
      go(frame.dataset.courseUrl);
    }
  });
})();
