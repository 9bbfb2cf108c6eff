/* The lead funnel and conversion-time charts. The figures come from a JSON block the page carries
   (json_script) and are also printed as tables under the charts, so nothing depends on this script.
   ECharts is loaded from the vendored copy once the page is ready. A file, not inline code: the
   Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  var COLOURS = ["#0b3d75", "#1f5fa8", "#3f7fc4", "#6b9fd6", "#16693a", "#b3132b", "#7a4d00", "#5b3a8c"];

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

  function base(quiet) {
    return {
      animation: !quiet,
      color: COLOURS,
      textStyle: { fontFamily: "inherit", color: "#17212b" },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true }
    };
  }

  function funnelOptions(data, quiet) {
    var options = base(quiet);
    options.tooltip = { trigger: "item", confine: true };
    options.legend = { top: 0, textStyle: { color: "#17212b" } };
    options.series = [
      {
        name: data.text.leads,
        type: "funnel",
        top: 64,
        sort: "none",
        left: "10%",
        width: "80%",
        minSize: "8%",
        label: { formatter: "{c}", color: "#ffffff", position: "inside" },
        data: data.funnel.labels.map(function (label, index) {
          return { name: label, value: data.funnel.values[index] };
        })
      }
    ];
    return options;
  }

  function groupsOptions(data, quiet) {
    var options = base(quiet);
    options.legend = { top: 0, textStyle: { color: "#17212b" } };
    options.grid.top = 56;
    options.xAxis = { type: "value", minInterval: 1, axisLabel: { color: "#4f5b67" } };
    options.yAxis = {
      type: "category",
      inverse: true,
      data: data.groups.labels,
      axisLabel: { interval: 0, width: 140, overflow: "truncate", color: "#17212b" }
    };
    options.series = data.stages.map(function (stage, index) {
      return { name: stage, type: "bar", data: data.groups.series[index], barMaxWidth: 10 };
    });
    return options;
  }

  function timesOptions(data, quiet) {
    var options = base(quiet);
    options.xAxis = { type: "value", name: data.text.days, nameLocation: "middle", nameGap: 24 };
    options.grid.bottom = 28;
    options.yAxis = {
      type: "category",
      inverse: true,
      data: data.times.labels,
      axisLabel: { interval: 0, width: 140, overflow: "truncate", color: "#17212b" }
    };
    options.series = [{ name: data.text.days, type: "bar", data: data.times.median, barMaxWidth: 18 }];
    return options;
  }

  var BUILDERS = { funnel: funnelOptions, groups: groupsOptions, times: timesOptions };

  function draw(data) {
    var quiet = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var charts = [];
    document.querySelectorAll("[data-lead-chart]").forEach(function (element) {
      var name = element.getAttribute("data-lead-chart");
      var labels = name === "funnel" ? data.funnel.labels : data[name].labels;
      var empty = name === "funnel" ? !data.funnel.values[0] : !labels.length;
      if (empty) {
        element.classList.add("chart-empty");
        element.textContent = data.text.empty;
        return;
      }
      if (name !== "funnel") {
        // CSSOM, not a style attribute: the Content-Security-Policy allows this.
        element.style.height = Math.max(240, 80 + labels.length * (name === "groups" ? 60 : 34)) + "px";
      }
      var chart = window.echarts.init(element, null, { renderer: "canvas" });
      chart.setOption(BUILDERS[name](data, quiet));
      element.classList.add("chart-drawn");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) {
        chart.resize();
      });
    });
  }

  function start() {
    var section = document.querySelector("[data-echarts]");
    var block = document.getElementById("lead-chart-data");
    if (!section || !block) {
      return;
    }
    var data = JSON.parse(block.textContent);
    load(section.getAttribute("data-echarts"), function () {
      draw(data);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
