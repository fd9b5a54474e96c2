// probe.js -- loaded by a copy of the class dashboard (browser_test.sh):
// at the load event, records the render time, the horizontal overflow and
// what the page's own script does when the students are sorted, searched
// and filtered, as JSON in <pre id="probe">, which Chromium's --dump-dom
// then shows.
window.addEventListener('load', function () {
  var r = {}, E = document.documentElement;
  r.overflow = E.scrollWidth - window.innerWidth;      // forces the layout first
  r.render_ms = Math.round(performance.now());          // navigation start to here
  r.js = E.className.indexOf('js') >= 0;
  var t = document.getElementById('students-table'), rows = t.tBodies[0].rows;
  r.rows = rows.length;
  var th = t.tHead.rows[0].cells[3];                    // "%"
  th.click();                                           // ascending
  th.click();                                           // descending
  var v = [];
  for (var i = 0; i < rows.length; i++)
    v.push(parseFloat(rows[i].cells[3].getAttribute('data-v')));
  r.sorted_desc = v.every(function (x, k) { return k === 0 || v[k - 1] >= x; });
  r.sort_mark = th.getAttribute('aria-sort');
  function shown() {
    var n = 0;
    for (var k = 0; k < rows.length; k++)
      n += rows[k].hidden ? 0 : 1;
    return n;
  }
  var q = document.getElementById('search'), sel = document.getElementById('status-filter');
  q.value = 's0042';
  q.dispatchEvent(new Event('input'));
  r.search_s0042 = shown();
  q.value = '';
  q.dispatchEvent(new Event('input'));
  sel.value = 'ungradable';
  sel.dispatchEvent(new Event('change'));
  r.ungradable = shown();
  r.shown_text = document.getElementById('shown').textContent;
  var pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(r);
  document.body.appendChild(pre);
});
