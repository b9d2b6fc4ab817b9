// The scores-over-time chart of a progress page (Chart.js, served by the app); the data is
// canvas's data-chart attribute, never inline script (CSP).
"use strict";
(() => {
  const canvas = document.getElementById("progress-chart");
  if (!canvas || !canvas.dataset.chart || typeof Chart !== "function") {
    return;
  }
  const data = JSON.parse(canvas.dataset.chart);
  const datasets = [
    {
      label: data.labels_text.student,
      data: data.scores,
      borderColor: "#0d6efd",
      backgroundColor: "#0d6efd",
      tension: 0.2,
    },
  ];
  if (data.shows_class_average && data.class_average.some((v) => v !== null)) {
    datasets.push({
      label: data.labels_text.class,
      data: data.class_average,
      borderColor: "#6c757d",
      backgroundColor: "#6c757d",
      borderDash: [6, 4],
      spanGaps: true,
    });
  }
  const chart = new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { min: 0, max: 10, ticks: { stepSize: 2 } } },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => `${items[0].label} (${data.dates[items[0].dataIndex]})`,
            label: (item) => `${item.dataset.label}: ${String(item.parsed.y).replace(".", ",")}`,
          },
        },
      },
    },
  });
  canvas.dataset.ready = String(chart.data.datasets.length);
})();
