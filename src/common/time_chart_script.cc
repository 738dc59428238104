// The time charts' inline script (common/time_chart_script.h): draws each
// <div class="timechart" data-src="ID"> from the JSON of TimeChartData in
// <script type="application/json" id="ID">, as SVG: capacity per policy
// (steps) and the demand in instances needed at the target on one axis, the
// forecast and its band, utilisation per policy in a panel below; drag
// across it to zoom, buttons to zoom out, a tooltip on hover. Vanilla
// JavaScript, no network.
#include "common/time_chart_script.h"

namespace phas {

const char* TimeChartScript() {
  return R"JS(
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var W = 960, T = 10, H1 = 250, GAP = 30, H2 = 100, L = 46, R = 12;
  var H = T + H1 + GAP + H2 + 24;
  var DEMAND = '#e4572e';
  function el(tag, attrs, parent) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(parent, x, y, s, attrs) {
    var t = el('text', attrs || {}, parent);
    t.setAttribute('x', x);
    t.setAttribute('y', y);
    if (!t.getAttribute('font-size')) t.setAttribute('font-size', '11');
    if (!t.getAttribute('fill')) t.setAttribute('fill', '#555');
    t.textContent = s;
    return t;
  }
  // A name as HTML text: a run's or a forecast's name (an AWS scaling
  // policy's, "aws:" and its name) is not markup.
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;',
              "'": '&#39;'}[c];
    });
  }
  function pad(v) { return (v < 10 ? '0' : '') + v; }
  function when(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' +
        pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' +
        pad(d.getUTCMinutes());
  }
  function nice(span) {
    if (!(span > 0)) return 1;
    var raw = span / 5, p = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var k = 0; k < steps.length; k++) {
      if (steps[k] * p >= raw) return steps[k] * p;
    }
    return 10 * p;
  }
  function setup(box) {
    var key = box.getAttribute('data-src');
    var d = JSON.parse(document.getElementById(key).textContent);
    var view = {lo: 0, hi: d.n};
    // What the reader chose on this chart before the page drew it again
    // (the live page every 15 s): the time range zoomed to, by time, as
    // the newest minutes come in, and the series hidden, by name.
    var memo = window.phasChartViews || (window.phasChartViews = {});
    var ms = d.step * 60000, was = memo[key];
    if (was && was.step !== d.step) was = null;
    if (was && !was.whole) {
      var lo = Math.max(0, Math.round((was.lo - d.t0) / ms));
      var hi = Math.min(d.n, Math.round((was.hi - d.t0) / ms));
      if (hi - lo >= 2) { view.lo = lo; view.hi = hi; }
    }
    var entries = [];  // the legend's {label, series}
    function remember() {
      memo[key] = {step: d.step, whole: view.lo === 0 && view.hi === d.n,
                   lo: d.t0 + view.lo * ms, hi: d.t0 + view.hi * ms,
                   hidden: entries.filter(function (e) {
                     return e.series.hidden;
                   }).map(function (e) { return e.label; })};
    }
    var bar = document.createElement('div');
    bar.className = 'tc-bar';
    box.appendChild(bar);
    function button(label, act) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.addEventListener('click', function () { act(); draw(); });
      bar.appendChild(b);
    }
    function zoom(factor) {
      var mid = (view.lo + view.hi) / 2;
      var half = Math.max(2, (view.hi - view.lo) * factor / 2);
      var lo = Math.max(0, Math.round(mid - half));
      var hi = Math.min(d.n, Math.round(mid + half));
      if (hi - lo >= 2) { view.lo = lo; view.hi = hi; }
    }
    button('whole range', function () { view.lo = 0; view.hi = d.n; });
    button('zoom out', function () { zoom(2); });
    button('zoom in', function () { zoom(0.5); });
    var hint = document.createElement('span');
    hint.className = 'tc-hint';
    hint.textContent = 'drag across the chart to zoom; each point is the ' +
        'highest value of its ' + d.step + ' minute' +
        (d.step > 1 ? 's' : '') + '; click a legend entry to hide it';
    bar.appendChild(hint);
    var legend = document.createElement('div');
    legend.className = 'tc-legend';
    // A legend entry; a click hides or shows its series (the axis follows).
    function swatch(color, label, dash, series) {
      var s = document.createElement('span');
      entries.push({label: label, series: series});
      if (was && was.hidden.indexOf(label) >= 0) series.hidden = true;
      s.style.opacity = series.hidden ? 0.35 : 1;
      s.style.cursor = 'pointer';
      s.title = 'click to hide or show';
      s.addEventListener('click', function () {
        series.hidden = !series.hidden;
        s.style.opacity = series.hidden ? 0.35 : 1;
        draw();
      });
      s.innerHTML = '<svg width="22" height="8"><line x1="0" x2="22" y1="4" ' +
          'y2="4" stroke="' + esc(color) + '" stroke-width="2.5"' +
          (dash ? ' stroke-dasharray="4 3"' : '') + '/></svg> ';
      s.appendChild(document.createTextNode(label));
      legend.appendChild(s);
    }
    var need = {hidden: false};
    swatch(DEMAND, 'demand: instances needed at ' +
           (d.target_words || d.target + ' %'), false,
           need);
    d.runs.forEach(function (r) {
      swatch(r.color, 'capacity: ' + r.name, false, r);
    });
    d.forecasts.forEach(function (f) {
      swatch(f.color, 'forecast ' + f.name + ' saw (band: to its upper bound)',
             true, f);
    });
    function shown(list) {
      return list.filter(function (x) { return !x.hidden; });
    }
    box.appendChild(legend);
    var svg = el('svg', {viewBox: '0 0 ' + W + ' ' + H, width: '100%',
                         'class': 'tc-svg'}, box);
    var tip = document.createElement('div');
    tip.className = 'tc-tip';
    box.appendChild(tip);
    var drag = null, hover = null, sel = null;

    function x(i) { return L + (W - L - R) * (i - view.lo) / (view.hi - view.lo); }
    function bucketAt(e) {
      var rect = svg.getBoundingClientRect();
      var px = (e.clientX - rect.left) * W / rect.width;
      var i = view.lo + Math.floor((px - L) / (W - L - R) * (view.hi - view.lo));
      return Math.max(view.lo, Math.min(view.hi - 1, i));
    }
    function stepPath(arr, fy) {
      var s = '', pen = false;
      for (var i = view.lo; i < view.hi; i++) {
        var v = arr[i];
        if (v === null || v === undefined) { pen = false; continue; }
        s += (pen ? 'L' : 'M') + x(i).toFixed(1) + ',' + fy(v).toFixed(1) +
            'H' + x(i + 1).toFixed(1);
        pen = true;
      }
      return s;
    }
    function band(f, fy) {
      var s = '', i = view.lo;
      while (i < view.hi) {
        while (i < view.hi && (f.upper[i] === null || f.mean[i] === null)) i++;
        var j = i;
        while (j < view.hi && f.upper[j] !== null && f.mean[j] !== null) j++;
        if (j > i) {
          var up = '', back = '';
          for (var k = i; k < j; k++) {
            var cx = ((x(k) + x(k + 1)) / 2).toFixed(1);
            up += (k === i ? 'M' : 'L') + cx + ',' + fy(f.upper[k]).toFixed(1);
            back = 'L' + cx + ',' + fy(f.mean[k]).toFixed(1) + back;
          }
          s += up + back + 'Z';
        }
        i = j;
      }
      return s;
    }
    function line(arr, fy) {
      var s = '', pen = false;
      for (var i = view.lo; i < view.hi; i++) {
        var v = arr[i];
        if (v === null || v === undefined) { pen = false; continue; }
        s += (pen ? 'L' : 'M') + ((x(i) + x(i + 1)) / 2).toFixed(1) + ',' +
            fy(v).toFixed(1);
        pen = true;
      }
      return s;
    }
    function draw() {
      remember();
      while (svg.firstChild) svg.removeChild(svg.firstChild);
      var top = 1, utop = 100;
      var runs = shown(d.runs), forecasts = shown(d.forecasts);
      for (var i = view.lo; i < view.hi; i++) {
        if (!need.hidden && d.demand[i] !== null) top = Math.max(top, d.demand[i]);
        runs.forEach(function (r) {
          if (r.cap[i] !== null) top = Math.max(top, r.cap[i]);
          if (r.util[i] !== null) utop = Math.max(utop, r.util[i]);
        });
        forecasts.forEach(function (f) {
          if (f.upper[i] !== null) top = Math.max(top, f.upper[i]);
        });
      }
      top *= 1.1;
      utop = Math.min(utop * 1.05, 300);
      var y = function (v) { return T + H1 - H1 * v / top; };
      var u0 = T + H1 + GAP;
      var uy = function (v) { return u0 + H2 - H2 * Math.min(v, utop) / utop; };
      el('rect', {x: 0, y: 0, width: W, height: H, fill: '#fbfbfd'}, svg);
      var ys = Math.max(1, nice(top));
      for (var v = 0; v <= top; v += ys) {
        el('line', {x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e4e4e4'}, svg);
        text(svg, L - 6, y(v) + 4, String(v), {'text-anchor': 'end'});
      }
      text(svg, L, T + 10, 'instances', {'font-size': '11', fill: '#333'});
      [[d.target, '#999', 'target ' + d.target + ' %'],
       [90, '#c0392b', '90 %']].forEach(function (g) {
        el('line', {x1: L, x2: W - R, y1: uy(g[0]), y2: uy(g[0]), stroke: g[1],
                    'stroke-dasharray': '4 3'}, svg);
        text(svg, L - 6, uy(g[0]) + 4, String(g[0]), {'text-anchor': 'end'});
      });
      el('line', {x1: L, x2: W - R, y1: u0 + H2, y2: u0 + H2, stroke: '#ccc'}, svg);
      text(svg, L, u0 - 4, 'utilisation, % (demand / capacity)',
           {fill: '#333'});
      var n = view.hi - view.lo;
      var xs = Math.max(1, Math.ceil(n / 8));
      for (var k = view.lo; k < view.hi; k += xs) {
        text(svg, x(k), H - 6, when(d.t0 + k * d.step * 60000),
             {'text-anchor': 'start', 'font-size': '10'});
        el('line', {x1: x(k), x2: x(k), y1: T, y2: u0 + H2, stroke: '#eee'}, svg);
      }
      forecasts.forEach(function (f) {
        el('path', {d: band(f, y), fill: f.color, 'fill-opacity': 0.15,
                    stroke: 'none', 'class': 'tc-band'}, svg);
        el('path', {d: line(f.mean, y), fill: 'none', stroke: f.color,
                    'stroke-dasharray': '4 3', 'stroke-width': 1.2,
                    'class': 'tc-forecast'}, svg);
      });
      if (!need.hidden) {
        el('path', {d: stepPath(d.demand, y), fill: 'none', stroke: DEMAND,
                    'stroke-width': 1.6, 'class': 'tc-demand'}, svg);
      }
      runs.forEach(function (r) {
        el('path', {d: stepPath(r.cap, y), fill: 'none', stroke: r.color,
                    'stroke-width': 1.4, 'class': 'tc-cap'}, svg);
        el('path', {d: line(r.util, uy), fill: 'none', stroke: r.color,
                    'stroke-width': 1, 'class': 'tc-util'}, svg);
      });
      hover = el('line', {x1: 0, x2: 0, y1: T, y2: u0 + H2, stroke: '#333',
                          visibility: 'hidden'}, svg);
      sel = el('rect', {x: 0, y: T, width: 0, height: u0 + H2 - T,
                        fill: '#1f6fb2', 'fill-opacity': 0.12,
                        visibility: 'hidden'}, svg);
    }
    function show(i, e) {
      var cx = (x(i) + x(i + 1)) / 2;
      hover.setAttribute('x1', cx);
      hover.setAttribute('x2', cx);
      hover.setAttribute('visibility', 'visible');
      var f = function (v, unit) { return v === null ? 'no data' : v + unit; };
      var h = '<b>' + when(d.t0 + i * d.step * 60000) + ' UTC</b>' +
          (d.step > 1 ? ' (' + d.step + ' min, highest)' : '') +
          '<br>demand: ' + f(d.demand[i], ' instances needed');
      shown(d.runs).forEach(function (r) {
        h += '<br><span style="color:' + esc(r.color) + '">' + esc(r.name) +
            '</span>: ' + f(r.cap[i], ' in service') + ', ' +
            f(r.util[i], ' % utilised');
      });
      shown(d.forecasts).forEach(function (fc) {
        h += '<br>forecast (' + esc(fc.name) + '): ' + f(fc.mean[i], '') +
            ', upper ' + f(fc.upper[i], '');
      });
      tip.innerHTML = h;
      tip.style.display = 'block';
      var rect = box.getBoundingClientRect();
      var left = e.clientX - rect.left + 14;
      if (left + 280 > rect.width) left = Math.max(0, left - 300);
      tip.style.left = left + 'px';
      tip.style.top = (e.clientY - rect.top + 12) + 'px';
    }
    svg.addEventListener('mousedown', function (e) {
      drag = bucketAt(e);
      e.preventDefault();
    });
    svg.addEventListener('mousemove', function (e) {
      var i = bucketAt(e);
      if (drag !== null) {
        var a = Math.min(drag, i), b = Math.max(drag, i) + 1;
        sel.setAttribute('x', x(a));
        sel.setAttribute('width', x(b) - x(a));
        sel.setAttribute('visibility', 'visible');
      }
      show(i, e);
    });
    svg.addEventListener('mouseup', function (e) {
      if (drag === null) return;
      var i = bucketAt(e), a = Math.min(drag, i), b = Math.max(drag, i) + 1;
      drag = null;
      if (b - a >= 2) { view.lo = a; view.hi = b; }
      draw();
    });
    svg.addEventListener('mouseleave', function () {
      tip.style.display = 'none';
      if (hover) hover.setAttribute('visibility', 'hidden');
    });
    draw();
  }
  var boxes = document.querySelectorAll('.timechart');
  for (var b = 0; b < boxes.length; b++) setup(boxes[b]);
})();
)JS";
}

}  // namespace phas
