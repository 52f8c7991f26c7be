// Charts of the inspection dashboard, drawn with the vendored Chart.js from the page's own JSON.
(function () {
  "use strict";
  var holder = document.getElementById("chart-data");
  if (!holder || typeof Chart === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var palette = ["#1f4e79", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#2c3e50",
                 "#f39c12", "#7f8c8d", "#2980b9", "#e84393", "#6c5ce7", "#00b894"];
  var volume = document.getElementById("chart-volume");
  if (volume) {
    new Chart(volume, {
      type: "bar",
      data: {
        labels: data.months.map(function (m) { return m.slice(5) + "/" + m.slice(0, 4); }),
        datasets: data.fields.map(function (f, i) {
          return { label: f.label, data: f.data, backgroundColor: palette[i % palette.length] };
        })
      },
      options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
                 plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } } }
    });
  }
  var ontime = document.getElementById("chart-ontime");
  if (ontime) {
    new Chart(ontime, {
      type: "bar",
      data: {
        labels: data.on_time.map(function (r) { return r.label; }),
        datasets: [{
          label: "Tỷ lệ đúng hạn (%)",
          data: data.on_time.map(function (r) { return r.value; }),
          backgroundColor: data.on_time.map(function (r) { return r.value < 80 ? "#c0392b" : "#27ae60"; })
        }]
      },
      options: { indexAxis: "y", responsive: true, scales: { x: { min: 0, max: 100 } },
                 plugins: { legend: { display: false } } }
    });
  }
})();
