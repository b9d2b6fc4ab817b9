// Render LaTeX (\( … \), \[ … \], $$ … $$) with the vendored KaTeX inside [data-math] blocks.
"use strict";
document.querySelectorAll("[data-math]").forEach((element) => {
  if (typeof renderMathInElement === "function") {
    renderMathInElement(element, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
      ],
      throwOnError: false,
    });
  }
});
