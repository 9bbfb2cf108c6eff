/* The home page's charts. The figures come from a JSON block the page carries (json_script), the
   ECharts library is loaded only when the charts come near the screen, and every chart has the same
   figures as a table under it, so nothing depends on this script. A file, not inline code: the
   Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var COLOURS = ["#0b3d75", "#b3132b", "#16693a", "#7a4d00", "#5b3a8c", "#00707a", "#9c4f00", "#44546a"];

  function data() {
    var block = document.getElementById("chart-data");
    return block ? JSON.parse(block.textContent) : null;
  }

  function load(src, done) {
    if (window.echarts) {
      done();
      return;
    }
    var script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = done;
    document.head.appendChild(script);
  }

  function axisLabel(width) {
    return { interval: 0, width: width, overflow: "truncate", color: "#17212b" };
  }

  function base(quiet) {
    return {
      animation: !quiet,
      color: COLOURS,
      textStyle: { fontFamily: "inherit", color: "#17212b" },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true }
    };
  }

  function barsOptions(set, text, quiet, narrow) {
    var options = base(quiet);
    options.legend = { top: 0, textStyle: { color: "#17212b" } };
    options.yAxis = {
      type: "category",
      inverse: true,
      data: set.labels,
      axisLabel: axisLabel(narrow ? 88 : 150)
    };
    options.grid.top = 56;
    options.grid.bottom = 24;
    options.xAxis = [
      {
        type: "value",
        minInterval: 1,
        name: text.projects,
        nameLocation: "middle",
        nameGap: 24,
        nameTextStyle: { color: "#4f5b67" },
        axisLabel: { color: "#4f5b67" }
      },
      {
        type: "value",
        name: text.investment,
        nameLocation: "middle",
        nameGap: 24,
        nameTextStyle: { color: "#4f5b67" },
        axisLabel: { color: "#4f5b67" },
        splitLine: { show: false }
      }
    ];
    options.series = [
      { name: text.projects, type: "bar", data: set.projects, xAxisIndex: 0, barMaxWidth: 18 },
      { name: text.investment, type: "bar", data: set.investment_yi, xAxisIndex: 1, barMaxWidth: 18 }
    ];
    return options;
  }

  function stagesOptions(set, text, quiet) {
    var options = base(quiet);
    options.tooltip = { trigger: "item", confine: true };
    options.legend = { bottom: 0, left: "center", width: "94%", textStyle: { color: "#17212b" } };
    options.series = [
      {
        name: text.projects,
        type: "pie",
        radius: ["34%", "58%"],
        center: ["50%", "42%"],
        label: { formatter: "{c}", color: "#17212b" },
        data: set.labels.map(function (label, index) {
          return { name: label, value: set.projects[index] };
        })
      }
    ];
    return options;
  }

  function monthsOptions(set, text, quiet) {
    var options = base(quiet);
    options.legend = { top: 0, textStyle: { color: "#17212b" } };
    options.xAxis = {
      type: "category",
      data: set.labels.map(function (month) {
        return String(month);
      }),
      name: text.month,
      nameLocation: "middle",
      nameGap: 28,
      axisLabel: { color: "#4f5b67" }
    };
    options.grid.bottom = 28;
    options.yAxis = { type: "value", minInterval: 1, axisLabel: { color: "#4f5b67" } };
    options.series = [
      { name: text.intakes, type: "line", data: set.intakes, symbolSize: 7 },
      { name: text.starts, type: "line", data: set.starts, symbolSize: 7 }
    ];
    return options;
  }

  function draw(figures) {
    var quiet = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var name = element.getAttribute("data-chart");
      var set = figures[name];
      if (!set) {
        return;
      }
      if (!set.labels.length) {
        element.classList.add("chart-empty");
        element.textContent = figures.text.empty;
        return;
      }
      var narrow = element.clientWidth < 420;
      var options;
      if (name === "stages") {
        options = stagesOptions(set, figures.text, quiet);
      } else if (name === "months") {
        options = monthsOptions(set, figures.text, quiet);
      } else {
        options = barsOptions(set, figures.text, quiet, narrow);
      }
      if (name === "regions" || name === "industries") {
        // One row per bar pair, so that a long list stays readable on a phone (CSSOM, not an inline
        // style attribute: the Content-Security-Policy allows this).
        element.style.height = Math.max(240, 70 + set.labels.length * 34) + "px";
      }
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(options);
      element.classList.add("chart-drawn");
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) {
          chart.resize();
        });
      }, 150);
    });
  }

  function start() {
    var section = document.querySelector("[data-echarts]");
    var figures = data();
    if (!section || !figures) {
      return;
    }
    var src = section.getAttribute("data-echarts");
    function go() {
      load(src, function () {
        draw(figures);
      });
    }
    if (!("IntersectionObserver" in window)) {
      go();
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          go();
        }
      },
      { rootMargin: "300px 0px" }
    );
    observer.observe(section);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
