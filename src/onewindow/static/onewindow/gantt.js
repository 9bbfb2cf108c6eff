/* The Gantt chart of a project's approval plan, drawn with the vendored ECharts from the JSON data
   block the page carries (<script type="application/json" id="plan-gantt-data">). A file, not an
   inline script: the Content-Security-Policy allows neither inline scripts nor inline styles. Sizes
   set here go through the CSSOM (element.style), which the policy allows; the tooltip's HTML carries
   no style attributes, only classes from plan.css. The table below the chart holds the same data for
   screen readers, for print, and for browsers without JavaScript. */
(function () {
  "use strict";

  var DAY = 86400000;
  var COLORS = {
    planned: "#4f7cb8",
    critical: "#b3261e",
    actual: "#17212b",
    forecast: "#c08a00",
    today: "#16693a",
    target: "#7a4d00",
    start: "#0b3d75",
    axis: "#4f5b67",
    line: "#d5dce4",
    text: "#17212b",
  };
  var NARROW = 640;

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function day(iso) {
    var parts = iso.split("-");
    return Date.UTC(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
  }

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  function shorten(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  /* A bar from the first day to the end of the last day. ``lane`` puts planned bars in the upper
     part of a row and actual or forecast bars in the lower part, when the plan has any. */
  function barRenderer(color, lane, hasSecondLane) {
    return function (params, api) {
      var row = api.value(0);
      var from = api.coord([api.value(1), row]);
      var to = api.coord([api.value(2), row]);
      var band = api.size([0, 1])[1];
      var height;
      var top;
      if (!hasSecondLane) {
        height = band * 0.6;
        top = from[1] - height / 2;
      } else if (lane === "upper") {
        height = band * 0.42;
        top = from[1] - band * 0.4;
      } else {
        height = band * 0.3;
        top = from[1] + band * 0.08;
      }
      var system = params.coordSys;
      var shape = window.echarts.graphic.clipRectByRect(
        { x: from[0], y: top, width: Math.max(to[0] - from[0], 2), height: height },
        { x: system.x, y: system.y, width: system.width, height: system.height }
      );
      if (!shape) {
        return null;
      }
      var fill = typeof color === "function" ? color(api) : color;
      return { type: "rect", shape: shape, style: { fill: fill } };
    };
  }

  function tooltip(rows, labels) {
    return function (params) {
      var row = rows[params.value[0]];
      var lines = [
        "<strong>" + escapeHtml(row.code + " " + row.name) + "</strong>",
        escapeHtml(labels.department + ": " + row.department),
        escapeHtml(labels.stage + ": " + row.stage_label),
        escapeHtml(labels.planned + ": " + row.start + " → " + row.finish) +
          " · " +
          escapeHtml(labels.limit.replace("%(n)s", row.limit_workdays)),
      ];
      if (row.critical) {
        lines.push('<span class="tip-critical">' + escapeHtml(labels.critical) + "</span>");
      }
      if (row.actual) {
        lines.push(escapeHtml(labels.actual + ": " + row.actual[0] + " → " + row.actual[1]));
      }
      if (row.forecast) {
        lines.push(escapeHtml(labels.forecast + ": " + row.forecast[0] + " → " + row.forecast[1]));
      }
      return lines.join("<br>");
    };
  }

  function marks(data) {
    var lines = [];
    function add(date, label, color, type) {
      if (date) {
        lines.push({
          xAxis: day(date),
          name: label,
          lineStyle: { color: color, type: type, width: 2 },
          // The legend above the chart names each line with its date; labels here would collide.
          label: { show: false },
        });
      }
    }
    add(data.construction_start, data.labels.construction_start, COLORS.start, "dashed");
    add(data.target, data.labels.target, COLORS.target, "dotted");
    add(data.today, data.labels.today, COLORS.today, "solid");
    return lines;
  }

  function option(data, width) {
    var rows = data.rows;
    var labels = data.labels;
    var narrow = width < NARROW;
    var hasSecondLane = rows.some(function (row) {
      return row.actual || row.forecast;
    });
    var planned = [];
    var actual = [];
    var forecast = [];
    rows.forEach(function (row, index) {
      planned.push([index, day(row.start), day(row.finish) + DAY, row.critical ? 1 : 0]);
      if (row.actual) {
        actual.push([index, day(row.actual[0]), day(row.actual[1]) + DAY]);
      }
      if (row.forecast) {
        forecast.push([index, day(row.forecast[0]), day(row.forecast[1]) + DAY]);
      }
    });
    var first = day(data.range[0]) - 3 * DAY;
    var last = day(data.range[1]) + 4 * DAY;
    var fullLast = Math.max(last, day(data.full_range[1]) + 4 * DAY);
    // The forecast of an old plan may run far ahead: open on the plan's own dates, slide to the rest.
    var zoom = fullLast > last;
    var oneYear = new Date(first).getUTCFullYear() === new Date(last).getUTCFullYear();
    var series = [
      {
        name: labels.planned,
        type: "custom",
        renderItem: barRenderer(
          function (api) {
            return api.value(3) ? COLORS.critical : COLORS.planned;
          },
          "upper",
          hasSecondLane
        ),
        encode: { x: [1, 2], y: 0 },
        data: planned,
        markLine: { symbol: "none", silent: true, animation: false, data: marks(data) },
      },
    ];
    if (actual.length) {
      series.push({
        name: labels.actual,
        type: "custom",
        renderItem: barRenderer(COLORS.actual, "lower", true),
        encode: { x: [1, 2], y: 0 },
        data: actual,
      });
    }
    if (forecast.length) {
      series.push({
        name: labels.forecast,
        type: "custom",
        renderItem: barRenderer(COLORS.forecast, "lower", true),
        encode: { x: [1, 2], y: 0 },
        data: forecast,
      });
    }
    return {
      animation: false,
      aria: { enabled: false },
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
      grid: { left: narrow ? 8 : 16, right: narrow ? 12 : 36, top: 36, bottom: zoom ? 64 : 28 },
      dataZoom: zoom
        ? [
            {
              type: "slider",
              xAxisIndex: 0,
              filterMode: "none",
              startValue: first,
              endValue: last,
              bottom: 12,
              height: 22,
              showDetail: false,
              brushSelect: false,
            },
          ]
        : [],
      tooltip: {
        trigger: "item",
        confine: true,
        className: "gantt-tip",
        borderColor: COLORS.line,
        textStyle: { color: COLORS.text },
        formatter: tooltip(rows, labels),
      },
      xAxis: {
        type: "time",
        position: "top",
        min: first,
        max: fullLast,
        splitLine: { show: true, lineStyle: { color: COLORS.line } },
        axisLine: { lineStyle: { color: COLORS.axis } },
        axisLabel: {
          color: COLORS.axis,
          hideOverlap: true,
          formatter: oneYear
            ? { year: "{yyyy}", month: "{MM}-{dd}", day: "{MM}-{dd}" }
            : { year: "{yyyy}", month: "{yyyy}-{MM}", day: "{MM}-{dd}" },
        },
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: rows.map(function (row) {
          return row.code;
        }),
        axisTick: { show: false },
        axisLine: { lineStyle: { color: COLORS.axis } },
        splitLine: { show: true, lineStyle: { color: "#eef1f5" } },
        axisLabel: {
          interval: 0,
          color: COLORS.text,
          fontSize: narrow ? 11 : 12,
          formatter: function (value, index) {
            var row = rows[index];
            var text = narrow ? row.code : row.code + " " + shorten(row.name, 14);
            return row.critical ? "{critical|" + text + "}" : text;
          },
          rich: { critical: { color: COLORS.critical, fontWeight: "bold", fontSize: narrow ? 11 : 12 } },
        },
      },
      series: series,
    };
  }

  function draw() {
    var holder = document.getElementById("plan-gantt");
    var source = document.getElementById("plan-gantt-data");
    if (!holder || !source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.rows.length) {
      return;
    }
    holder.textContent = "";
    holder.classList.add("gantt-ready");
    var width = holder.clientWidth;
    var rowHeight = width < NARROW ? 24 : 28;
    var extra = data.full_range[1] > data.range[1] ? 108 : 72;
    holder.style.height = data.rows.length * rowHeight + extra + "px";
    var chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption(option(data, width));
    holder.setAttribute("data-drawn", String(data.rows.length));
    holder.setAttribute(
      "data-critical",
      String(
        data.rows.filter(function (row) {
          return row.critical;
        }).length
      )
    );

    var narrow = width < NARROW;
    function resize() {
      var now = holder.clientWidth;
      if (now < NARROW !== narrow) {
        narrow = now < NARROW;
        holder.style.height = data.rows.length * (narrow ? 24 : 28) + extra + "px";
        chart.setOption(option(data, now), { notMerge: true });
      }
      chart.resize();
    }
    window.addEventListener("resize", resize);
    // Printing lays the page out anew (narrower): redraw once the print layout applies, and back.
    var print = window.matchMedia("print");
    if (print.addEventListener) {
      print.addEventListener("change", resize);
    }
    window.addEventListener("afterprint", resize);
  }

  function printButton() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  ready(function () {
    printButton();
    draw();
  });
})();
