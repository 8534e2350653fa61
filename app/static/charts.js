/* Draws every element with data-chart (a JSON spec written by the server) with the vendored ECharts.
   Specs: {kind: "funnel", labels, values, rates, note} (log scale: small stages stay visible next to big ones),
   {kind: "bar" | "line", labels, series: [{name, values}], horizontal}, {kind: "pie", labels, values}.
   The same figures are always in a table beside the chart, which is what screen readers and no-JS users get. */
(function () {
  "use strict";
  var COLORS = ["#0b5394", "#e69138", "#6aa84f", "#a64d79", "#45818e", "#cc0000", "#674ea7", "#999999"];
  var FONT = "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";

  function fmt(n) {
    return Number(n).toLocaleString("zh-CN");
  }

  function narrow(el) {
    return el.clientWidth < 520;
  }

  // Bar length on a log scale: 1 + log10(n), so 1 is one unit long (visible), 10 two units, 8,889 about five;
  // 0 has no bar. The labels carry the real counts.
  function logLength(n) {
    return n > 0 ? 1 + Math.log10(n) : 0;
  }

  function funnel(spec, el) {
    var data = spec.values.map(function (v, i) {
      return { value: logLength(v), count: v, rate: spec.rates[i] };
    });
    var small = narrow(el);
    return {
      color: COLORS,
      textStyle: { fontFamily: FONT },
      grid: { left: 8, right: small ? 96 : 150, top: 8, bottom: 28, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var d = p.data;
          return p.name + "：" + fmt(d.count) + (d.rate ? "<br>相对上一环节 " + d.rate : "");
        }
      },
      xAxis: {
        type: "value",
        min: 0,
        max: function (extent) { return Math.max(Math.ceil(extent.max), 2); },
        interval: 1, // one grid line per power of ten
        axisLabel: { show: false },
        splitLine: { lineStyle: { color: "#eef1f5" } },
        name: spec.note ? "对数刻度" : "",
        nameLocation: "end",
        nameGap: 4,
        nameTextStyle: { color: "#6c757d", fontSize: 11, verticalAlign: "top", padding: [12, 0, 0, 0] }
      },
      yAxis: {
        type: "category",
        inverse: true,
        data: spec.labels,
        axisTick: { show: false },
        axisLabel: { color: "#212529", fontSize: small ? 12 : 13 }
      },
      series: [{
        type: "bar",
        data: data,
        barMaxWidth: 30,
        itemStyle: { borderRadius: [0, 3, 3, 0] },
        label: {
          show: true,
          position: "right",
          formatter: function (p) {
            var d = p.data;
            return "{n|" + fmt(d.count) + "}" + (d.rate ? " {r|(" + d.rate + ")}" : "");
          },
          rich: { n: { fontWeight: "bold", fontSize: 13, color: "#212529" }, r: { color: "#6c757d", fontSize: 12 } }
        }
      }]
    };
  }

  function cartesian(spec, el) {
    var horizontal = !!spec.horizontal;
    var category = {
      type: "category",
      data: spec.labels,
      inverse: horizontal,
      axisTick: { alignWithLabel: true },
      axisLabel: { hideOverlap: true, fontSize: 12 }
    };
    var value = { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eef1f5" } } };
    var many = spec.series.length > 1;
    return {
      color: COLORS,
      textStyle: { fontFamily: FONT },
      legend: many ? { top: 0, type: "scroll" } : undefined,
      grid: { left: 8, right: horizontal ? 40 : 16, top: many ? 32 : 12, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: spec.kind === "line" ? "line" : "shadow" } },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: spec.kind === "line" ? "line" : "bar",
          data: s.values,
          barMaxWidth: 28,
          smooth: false,
          showSymbol: s.values.length < 40,
          areaStyle: spec.kind === "line" && !many ? { opacity: 0.12 } : undefined,
          // Values on the bars where there is room for them (always beside horizontal bars).
          label: { show: spec.kind === "bar" && (horizontal || !narrow(el)), position: horizontal ? "right" : "top" }
        };
      })
    };
  }

  function pie(spec, el) {
    var small = narrow(el);
    return {
      color: COLORS,
      textStyle: { fontFamily: FONT },
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: small ? { bottom: 0, type: "scroll" } : undefined,
      series: [{
        type: "pie",
        radius: small ? ["32%", "58%"] : ["38%", "68%"],
        center: ["50%", small ? "44%" : "50%"],
        data: spec.labels.map(function (name, i) { return { name: name, value: spec.values[i] }; }),
        label: { show: !small, formatter: "{b}\n{c}（{d}%）" }
      }]
    };
  }

  var BUILDERS = { funnel: funnel, bar: cartesian, line: cartesian, pie: pie };

  function draw(el) {
    var spec;
    try {
      spec = JSON.parse(el.getAttribute("data-chart"));
    } catch (e) {
      return;
    }
    var build = BUILDERS[spec && spec.kind];
    if (!build || !window.echarts) return;
    el.classList.add("is-on");
    var chart = window.echarts.init(el, null, { renderer: "canvas", locale: "ZH" });
    // Marked once drawn (animation over), for the browser tests and their screenshots.
    chart.on("finished", function () { el.setAttribute("data-chart-drawn", ""); });
    chart.setOption(build(spec, el));
    var width = el.clientWidth;
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (el.clientWidth === width) return;
        width = el.clientWidth;
        chart.setOption(build(spec, el), true);
        chart.resize();
      }).observe(el);
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
