/* cgtk report: draws the loss curves as inline SVG from the JSON embedded in the page,
   and checks that the sample images decode. No library, no network.
   For tests, it records on <body>: data-charts (charts drawn), data-paths (SVG paths
   with points), data-images-decoded / data-images-failed, data-js-errors. */
(function () {
  "use strict";
  var body = document.body;
  var errors = [];
  function noteError(msg) {
    errors.push(String(msg));
    body.setAttribute("data-js-errors", String(errors.length));
    body.setAttribute("data-js-error-text", errors.join(" | ").slice(0, 500));
  }
  window.addEventListener("error", function (e) { noteError(e.message || "error"); });
  body.setAttribute("data-js-errors", "0");

  var SVG = "http://www.w3.org/2000/svg";
  var W = 320, H = 170, L = 46, R = 8, T = 8, B = 22;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function smooth(values, weight) {    // TensorBoard's debiased EMA, skipping nulls
    var out = [], acc = 0, norm = 0;
    for (var i = 0; i < values.length; i++) {
      var v = values[i];
      if (v === null || !isFinite(v)) { out.push(null); continue; }
      acc = weight * acc + (1 - weight) * v;
      norm = weight * norm + (1 - weight);
      out.push(acc / norm);
    }
    return out;
  }

  function finite(values) {
    return values.filter(function (v) { return v !== null && isFinite(v); });
  }

  function percentile(sorted, q) {
    if (!sorted.length) return NaN;
    var pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }

  function limits(raw, shown) {       // 1st-99th percentile, so one GAN spike does not flatten the rest
    var vals = finite(raw).sort(function (a, b) { return a - b; });
    var tail = finite(shown.slice(Math.floor(shown.length / 20)));
    var lo, hi;
    if (vals.length >= 10) {
      lo = percentile(vals, 0.01); hi = percentile(vals, 0.99);
      tail.forEach(function (v) { lo = Math.min(lo, v); hi = Math.max(hi, v); });
    } else {
      var all = vals.concat(finite(shown));
      lo = Math.min.apply(null, all); hi = Math.max.apply(null, all);
    }
    var pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    return [lo - pad, hi + pad];
  }

  function fmt(v) {
    if (v === null || !isFinite(v)) return "nan";
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
    return String(Number(v.toPrecision(4)));
  }

  function pathData(xs, ys, sx, sy, lo, hi) {
    var d = "", pen = false, n = 0;
    for (var i = 0; i < xs.length; i++) {
      var y = ys[i];
      if (y === null || !isFinite(y) || xs[i] === null) { pen = false; continue; }
      y = Math.min(hi, Math.max(lo, y));
      d += (pen ? "L" : "M") + sx(xs[i]).toFixed(1) + " " + sy(y).toFixed(1);
      pen = true; n++;
    }
    return {d: d, n: n};
  }

  function chart(container, title, steps, epochs, lines) {
    var card = document.createElement("div");
    card.className = "chart";
    var head = document.createElement("div");
    head.className = "title";
    var name = document.createElement("span");
    name.textContent = title;
    var now = document.createElement("span");
    now.className = "now";
    head.appendChild(name); head.appendChild(now);
    card.appendChild(head);
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title});
    card.appendChild(svg);
    container.appendChild(card);

    var xs = steps, xlo = Math.min.apply(null, finite(xs)), xhi = Math.max.apply(null, finite(xs));
    if (!(xhi > xlo)) { xlo -= 1; xhi += 1; }
    var shownAll = [], rawAll = [];
    lines.forEach(function (line) { rawAll = rawAll.concat(line.raw || line.shown); shownAll = shownAll.concat(line.shown); });
    var lim = line0Limits(lines, rawAll, shownAll), lo = lim[0], hi = lim[1];
    var sx = function (x) { return L + (x - xlo) / (xhi - xlo) * (W - L - R); };
    var sy = function (y) { return T + (hi - y) / (hi - lo) * (H - T - B); };
    for (var t = 0; t <= 3; t++) {                       // y grid and labels
      var yv = lo + (hi - lo) * t / 3, yy = sy(yv);
      el("line", {x1: L, x2: W - R, y1: yy, y2: yy, "class": "grid"}, svg);
      el("text", {x: L - 4, y: yy + 3, "text-anchor": "end"}, svg).textContent = fmt(yv);
    }
    [xlo, (xlo + xhi) / 2, xhi].forEach(function (xv, i) {
      el("text", {x: sx(xv), y: H - 6, "text-anchor": ["start", "middle", "end"][i]}, svg)
        .textContent = String(Math.round(xv));
    });
    var boundaries = [];
    for (var i = 1; i < epochs.length; i++) {
      if (epochs[i] !== null && epochs[i - 1] !== null && epochs[i] > epochs[i - 1]) {
        boundaries.push((xs[i] + xs[i - 1]) / 2);
      }
    }
    if (boundaries.length <= 40) {
      boundaries.forEach(function (bx) {
        el("line", {x1: sx(bx), x2: sx(bx), y1: T, y2: H - B, "class": "epoch"}, svg);
      });
    }
    var drawn = 0;
    lines.forEach(function (line) {
      if (line.raw) {
        var r = pathData(xs, line.raw, sx, sy, lo, hi);
        if (r.n) { el("path", {d: r.d, "class": "raw"}, svg); }
      }
      var s = pathData(xs, line.shown, sx, sy, lo, hi);
      if (s.n) { el("path", {d: s.d, "class": line.cls, "data-points": s.n}, svg); drawn++; }
      if (s.n === 1) {
        var j = line.shown.findIndex(function (v) { return v !== null && isFinite(v); });
        el("circle", {cx: sx(xs[j]), cy: sy(line.shown[j]), r: 3, "class": line.cls}, svg);
      }
    });
    var main = finite(lines[0].shown);
    now.textContent = main.length ? "now " + fmt(main[main.length - 1]) : "no finite values";
    svg.setAttribute("data-paths", String(drawn));
    return drawn;
  }

  function line0Limits(lines, rawAll, shownAll) {
    if (lines[0].cls.indexOf("lr") === 0) {
      var v = finite(shownAll);
      var hi = v.length ? Math.max.apply(null, v) : 1;
      return [0, (hi || 1) * 1.08];
    }
    return limits(rawAll, shownAll);
  }

  function draw() {
    var data = JSON.parse(document.getElementById("cgtk-data").textContent);
    var losses = data.losses, root = document.getElementById("loss-charts");
    var toggle = document.getElementById("smooth-on"), slider = document.getElementById("smooth-weight");
    var label = document.getElementById("smooth-label");
    var steps = losses.steps;
    if (!steps.length) {
      root.innerHTML = '<p class="empty">no losses logged yet (metrics.csv is empty)</p>';
      body.setAttribute("data-charts", "0"); body.setAttribute("data-paths", "0");
      return;
    }
    var weight = parseFloat(slider.value), on = toggle.checked;
    label.textContent = on ? weight.toFixed(2) : "off";
    root.innerHTML = "";
    var charts = 0, paths = 0;
    losses.groups.forEach(function (group) {
      var h = document.createElement("h3");
      h.textContent = "phase: " + group.phase;
      root.appendChild(h);
      var grid = document.createElement("div");
      grid.className = "charts";
      root.appendChild(grid);
      group.series.forEach(function (s) {
        var line = on && weight > 0 && steps.length >= 3
          ? {raw: s.values, shown: smooth(s.values, weight), cls: "smooth"}
          : {shown: s.values, cls: "smooth"};
        var title = s.name + (s.total ? " (phase total)" : "") + (s.alias ? " (= " + s.alias + ")" : "");
        paths += chart(grid, title, steps, losses.epochs, [line]);
        charts++;
      });
    });
    if (losses.lr.length) {
      var h = document.createElement("h3");
      h.textContent = "learning rate";
      root.appendChild(h);
      var grid = document.createElement("div");
      grid.className = "charts";
      root.appendChild(grid);
      var lines = losses.lr.map(function (s, i) { return {shown: s.values, cls: i % 2 ? "lr2" : "lr1"}; });
      paths += chart(grid, losses.lr.map(function (s, i) { return s.name + (i % 2 ? " (dashed)" : ""); }).join(", "),
                     steps, losses.epochs, lines);
      charts++;
    }
    body.setAttribute("data-charts", String(charts));
    body.setAttribute("data-paths", String(paths));
  }

  function checkImages() {
    var imgs = Array.prototype.slice.call(document.querySelectorAll("img.sample"));
    var pending = imgs.length;
    function settle() {
      var ok = imgs.filter(function (im) { return im.complete && im.naturalWidth > 0; });
      body.setAttribute("data-images-total", String(imgs.length));
      body.setAttribute("data-images-decoded", String(ok.length));
      body.setAttribute("data-images-failed", String(imgs.length - ok.length));
    }
    imgs.forEach(function (im) {
      function done() {
        im.setAttribute("data-natural-width", String(im.naturalWidth));
        pending--; settle();
      }
      if (im.complete) { done(); } else {
        im.addEventListener("load", done); im.addEventListener("error", done);
      }
    });
    settle();
  }

  try {
    draw();
    var redraw = function () {
      try { draw(); } catch (e) { noteError(e && e.message || e); }
    };
    document.getElementById("smooth-on").addEventListener("change", redraw);
    document.getElementById("smooth-weight").addEventListener("input", redraw);
  } catch (e) {
    noteError(e && e.message || e);
  }
  try { checkImages(); } catch (e) { noteError(e && e.message || e); }
  var only = document.getElementById("changed-only");
  if (only) {
    only.addEventListener("change", function () {
      document.querySelectorAll("#config-table tr.is-default").forEach(function (tr) {
        tr.style.display = only.checked ? "none" : "";
      });
    });
  }
})();
