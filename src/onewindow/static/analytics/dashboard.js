/* The dashboard's charts, drawn with the vendored ECharts from the JSON block the page carries
   (json_script "dashboard-data"). A file, not an inline script: the Content-Security-Policy allows no
   inline code. Clicking a bar opens the register with the filters that list exactly that segment's
   projects (the links come with the data); a month's bars open the projects taken in, started or gone
   into production in that month. The tables under the charts hold the same figures. */
(function () {
  "use strict";

  var COLOURS = ["#0b3d75", "#b3132b", "#16693a", "#7a4d00", "#5b3a8c"];

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function base() {
    return {
      animation: false,
      color: COLOURS,
      textStyle: { fontFamily: "inherit", color: "#17212b" },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, renderMode: "richText" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true }
    };
  }

  function barsOptions(set, text) {
    var options = base();
    options.xAxis = { type: "category", data: set.labels, axisLabel: { interval: 0, rotate: set.labels.length > 6 ? 30 : 0 } };
    options.yAxis = [{ type: "value", minInterval: 1 }, { type: "value", splitLine: { show: false } }];
    options.series = [
      { name: text.projects, type: "bar", data: set.projects, barMaxWidth: 28 },
      { name: text.started, type: "bar", data: set.started, barMaxWidth: 28 },
      { name: text.investment, type: "bar", data: set.investment_yi, yAxisIndex: 1, barMaxWidth: 28 }
    ];
    return options;
  }

  function yearsOptions(set, text) {
    var options = barsOptions(set, text);
    options.series[2].type = "line";
    return options;
  }

  function monthsOptions(set, text) {
    var options = base();
    options.xAxis = { type: "category", data: set.labels };
    options.yAxis = { type: "value", minInterval: 1 };
    options.series = [
      { name: text.taken_in, type: "bar", data: set.taken_in, barMaxWidth: 24 },
      { name: text.started, type: "bar", data: set.started, barMaxWidth: 24 },
      { name: text.produced, type: "bar", data: set.produced, barMaxWidth: 24 }
    ];
    return options;
  }

  ready(function () {
    var block = document.getElementById("dashboard-data");
    if (!block || !window.echarts) {
      return;
    }
    var data = JSON.parse(block.textContent);
    var charts = [];
    document.querySelectorAll(".chart[data-set]").forEach(function (holder) {
      var name = holder.getAttribute("data-set");
      var set = data[name];
      if (!set) {
        return;
      }
      var chart = window.echarts.init(holder, null, { renderer: "svg" });
      var options = name === "months" ? monthsOptions(set, data.text)
        : name === "years" ? yearsOptions(set, data.text) : barsOptions(set, data.text);
      chart.setOption(options);
      chart.on("click", function (params) {
        // The "started" bars open the started projects only, the months' "in production" bars those
        // that went into production; the others the whole segment.
        var links = params.seriesIndex === 1 && set.started_links ? set.started_links
          : params.seriesIndex === 2 && set.produced_links ? set.produced_links : set.links;
        var link = links[params.dataIndex];
        if (link) {
          window.location.assign(link);
        }
      });
      holder.setAttribute("data-ready", "true");
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  });
})();
