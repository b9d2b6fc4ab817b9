// The score histogram of an exam's results page (Chart.js, served by the app).
"use strict";
(() => {
  const canvas = document.getElementById("histogram");
  if (!canvas || typeof Chart !== "function") {
    return;
  }
  const counts = JSON.parse(canvas.dataset.counts || "[]");
  const labels = counts.map((_, i) => (i === counts.length - 1 ? `${i}–${i + 1}` : `${i}–<${i + 1}`));
  new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [{ label: canvas.dataset.label, data: counts, backgroundColor: "#0d6efd" }] },
    options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
})();
