#include "scaler/live_page.h"

#include "common/time_chart_script.h"

namespace phas {
namespace {

const char* kHead = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>phas scaler</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #222;
       background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 6px; }
.meta { color: #666; font-size: 12px; margin-bottom: 12px; }
.group { border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px;
         margin: 0 0 18px; }
.bad { color: #b3261e; font-weight: 600; }
.ok { color: #1e7b34; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
td, th { border-bottom: 1px solid #eee; padding: 3px 10px 3px 0;
         text-align: left; vertical-align: top; }
th { color: #555; font-weight: 600; }
.kv td:first-child { color: #555; width: 130px; }
.cond-bad { color: #b3261e; font-weight: 600; } .cond-ok { color: #1e7b34; }
.tc-bar button { margin-right: 6px; font-size: 12px; }
.tc-hint { color: #777; font-size: 12px; margin-left: 8px; }
.tc-legend span { margin-right: 14px; font-size: 12px; }
.timechart { position: relative; }
.tc-tip { position: absolute; display: none; background: #fff;
          border: 1px solid #bbb; padding: 6px 8px; font-size: 12px;
          pointer-events: none; box-shadow: 0 2px 6px rgba(0,0,0,.15); }
</style></head>
<body>
<h1>phas scaler</h1>
<div class="meta"><span id="stamp">loading /status ...</span>
 <label><input type="checkbox" id="auto" checked> refresh every 15 s</label>
</div>
<div id="loop"></div>
<div id="groups"></div>
<script type="text/plain" id="chart-script">)HTML";

const char* kTail = R"HTML(</script>
<script>
(function () {
  'use strict';
  function esc(s) {
    return String(s === null || s === undefined ? '' : s)
        .replace(/&/g, '&amp;').replace(/</g, '&lt;')
        .replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }
  function row(k, v) { return '<tr><td>' + esc(k) + '</td><td>' + v + '</td></tr>'; }
  function group(g, i) {
    var h = '<div class="group" id="group-' + i + '"><h2>' + esc(g.name) +
        ' <small>(' + esc(g.policy) + (g.dry_run ? ', dry run' : '') +
        ')</small></h2>';
    h += '<table class="kv">';
    h += row('read', g.ready ? '<span class="ok">' + esc(g.last_read) + '</span>'
        : '<span class="bad">NOT READY: ' + esc(g.not_ready) + '</span>');
    var c = g.capacity;
    if (c) {
      h += row('capacity', 'desired <b>' + esc(c.desired) + '</b>, in service ' +
          esc(c.in_service) + ', pending ' + esc(c.pending) + ' (min ' +
          esc(c.min) + ', max ' + esc(c.max) + ')');
    }
    // "(5 instance(s) at 60 %)": what a load in instance-units needs.
    function needs(n) {
      return n === null || n === undefined ? '' : ' (' + esc(n) +
          ' instance(s) at target ' + esc(g.signal_target) +
          (g.signal_unit ? ' ' + esc(g.signal_unit) : '') + ')';
    }
    h += row('signal', (g.signal_name ? esc(g.signal_name) + ' ' : '') +
        (g.signal === null ? '-' : esc(g.signal) +
            (g.signal_unit ? ' ' + esc(g.signal_unit) : '')) +
        ' per instance; load ' + esc(g.load === null ? '-' : g.load) +
        ' instance-units' + needs(g.load_needs));
    if (g.forecast) {
      h += row('forecast', esc(g.forecast.model) + ' at ' +
          esc(g.forecast.time) + ': mean ' + esc(g.forecast.mean) +
          ', upper ' + esc(g.forecast.upper) + ' instance-units' +
          needs(g.forecast.upper_needs));
    }
    var d = g.decision;
    if (d) {
      h += row('last decision', esc(d.kind) + ' ' + esc(d.from) + ' &rarr; ' +
          esc(d.to) + ' (wanted ' + esc(d.wanted) + ') [' + esc(d.code) +
          ']: ' + esc(d.reason));
    }
    h += '</table><table class="conditions"><tr><th>Condition</th>' +
        '<th>Status</th><th>Reason</th><th>Since</th><th>Message</th></tr>';
    g.conditions.forEach(function (k) {
      // ScalingLimited is the one condition that is bad when True.
      var bad = k.type === 'ScalingLimited' ? k.status === 'True'
                                             : k.status !== 'True';
      h += '<tr><td>' + esc(k.type) + '</td><td class="' +
          (bad ? 'cond-bad' : 'cond-ok') + '">' + esc(k.status) + '</td><td>' +
          esc(k.reason) + '</td><td>' + esc(k.since) + '</td><td>' +
          esc(k.message) + '</td></tr>';
    });
    h += '</table>';
    h += '<table class="actions"><tr><th>Action</th><th></th><th>Result</th>' +
        '<th>Reason</th></tr>';
    if (!g.actions.length) {
      h += '<tr><td colspan="4">no action since the daemon started</td></tr>';
    }
    g.actions.forEach(function (a) {
      h += '<tr><td>' + esc(a.time) + '</td><td>' + esc(a.kind) + ' ' +
          esc(a.from) + ' &rarr; ' + esc(a.to) + '</td><td>' +
          esc(a.result) + '</td><td>' + esc(a.reason) + '</td></tr>';
    });
    h += '</table>';
    if (g.chart && g.chart.n > 0) {
      h += '<div class="timechart" data-src="chart-data-' + i + '"></div>';
    } else {
      h += '<div class="nochart">no load read yet</div>';
    }
    return h + '</div>';
  }
  function render(st) {
    document.getElementById('stamp').textContent = 'status of ' + st.time +
        ' UTC, loop interval ' + st.interval_seconds + ' s';
    document.getElementById('loop').innerHTML = st.alive ? '' :
        '<p class="bad">loop NOT ALIVE: ' + esc(st.not_alive) + '</p>';
    var box = document.getElementById('groups');
    var html = '';
    st.groups.forEach(function (g, i) { html += group(g, i); });
    box.innerHTML = html;
    st.groups.forEach(function (g, i) {
      if (!g.chart || !(g.chart.n > 0)) return;
      var data = document.createElement('script');
      data.type = 'application/json';
      data.id = 'chart-data-' + i;
      data.textContent = JSON.stringify(g.chart);
      box.appendChild(data);
    });
    var draw = document.createElement('script');
    draw.textContent = document.getElementById('chart-script').textContent;
    box.appendChild(draw);
  }
  function load() {
    fetch('status', {cache: 'no-store'})
        .then(function (r) { return r.json(); })
        .then(render)
        .catch(function (e) {
          document.getElementById('stamp').textContent =
              'cannot read /status: ' + e;
        });
  }
  load();
  setInterval(function () {
    if (document.getElementById('auto').checked) load();
  }, 15000);
})();
</script>
</body></html>
)HTML";

}  // namespace

std::string LivePageHtml() {
  return std::string(kHead) + TimeChartScript() + kTail;
}

}  // namespace phas
