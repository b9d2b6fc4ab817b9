// Question editor: show only the parts that belong to the chosen type (all stay in the page,
// so the form still works without JavaScript).
"use strict";
(() => {
  const type = document.getElementById("type");
  if (!type) return;
  const update = () => {
    document.querySelectorAll("#question-editor [data-for]").forEach((part) => {
      part.hidden = !part.dataset.for.split(" ").includes(type.value);
    });
  };
  type.addEventListener("change", update);
  update();
})();
