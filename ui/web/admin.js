/* SPDX-License-Identifier: AGPL-3.0-or-later */
// admin.js — the centre manager's page: waiting per area, the open cases
// by their supervision light (督办, GET /api/v1/cases?open=1: overdue and
// due soon first, said in words), today's figures per area and per window
// (GET /api/v1/stats), and the last 50 audit entries
// (GET /api/v1/audit?limit=50). Refreshed by events and every 30 s.
// Also: satisfaction, on-time and mail/pickup figures in the tables; the
// open 差评 follow-ups, closed here with a note (GET /api/v1/followups,
// POST /api/v1/followups/{ticket}/close); charts for today, the last 7 or
// 30 days (GET /api/v1/stats/chart.svg, inline SVG) and the CSV export.
// 小票预览: a sample ticket of a zone as this terminal's printer gets it
// (GET /api/v1/print/preview.png, an <img> of the rendered job).
(function () {
  'use strict';
  const { t, h, api, errorText } = App;

  App.init();
  document.getElementById('top').append(App.header({ persist: true }));
  App.loadPrefs();
  const main = document.getElementById('app');

  let queue = null;
  let stats = null;
  let audit = [];
  let cases = null;         // open cases, red and yellow first
  let casesError = '';
  let error = '';
  let updated = '';
  let followUps = null;     // open 差评 follow-ups (all, with closed ones, when showAllFollowUps)
  let followUpsError = '';
  let showAllFollowUps = false;
  const notes = {};         // ticket id → the note being written
  let period = 'day';       // the charts' period: day | week | month
  const charts = {};        // kind → inline <svg>, or words saying why not
  let pending = false;      // a render waits until the manager stops typing
  const preview = { zone: '', priority: false, url: '', error: '' }; // the ticket preview: an object URL of its PNG

  // words this page adds to App.t's
  const AL = {
    zh: {
      satisfaction: '满意率（评价条数）', ontime: '按时办结率（办结件数）', delivery: '办件 邮寄 / 自取',
      peryear: '年化受理件数（目标 {target}）',
      'f.title': '差评回访', 'f.none': '暂无待办的差评回访', 'f.all': '显示已办结的回访', 'f.state': '状态', 'f.ticket': '号码',
      'f.level': '评价', 'f.window': '窗口 / 工号', 'f.at': '评价时间', 'f.due': '回访期限', 'f.cases': '办件', 'f.comment': '评价意见',
      'f.action': '办结回访', 'f.note': '核实、整改和答复情况', 'f.noteFor': '{number} 的回访情况', 'f.close': '办结',
      'f.closeFor': '办结 {number} 的回访', 'f.overdue': '已超期', 'f.open': '待回访', 'f.closed': '已办结', 'f.needNote': '请先填写回访情况',
      'f.done': '{number} 的回访已办结', 'f.sum': '待回访 {open} 条，其中已超期 {overdue} 条',
      'c.title': '统计图', 'c.period': '统计期间', 'c.day': '今日', 'c.week': '近 7 天', 'c.month': '近 30 天', 'c.csv': '导出 CSV',
      'p.title': '小票预览', 'p.zone': '取号区域', 'p.priority': '优先号', 'p.refresh': '刷新预览',
      'p.alt': '{zone} 的取号小票预览，按本机打印机的纸宽和二维码方式排版', 'p.hint': '与本机打印机收到的打印数据相同，按纸宽逐点绘出。',
    },
    en: {
      satisfaction: 'Satisfaction (ratings)', ontime: 'On time (cases closed)', delivery: 'Cases mail / pickup',
      peryear: 'Cases a year, projected (target {target})',
      'f.title': 'Poor-rating follow-ups', 'f.none': 'No open follow-ups', 'f.all': 'Show closed follow-ups too', 'f.state': 'State', 'f.ticket': 'Ticket',
      'f.level': 'Rating', 'f.window': 'Window / staff', 'f.at': 'Rated at', 'f.due': 'Due', 'f.cases': 'Cases', 'f.comment': 'Comment',
      'f.action': 'Close', 'f.note': 'Verified, rectified and answered', 'f.noteFor': 'Follow-up of {number}', 'f.close': 'Close',
      'f.closeFor': 'Close the follow-up of {number}', 'f.overdue': 'Overdue', 'f.open': 'Open', 'f.closed': 'Closed', 'f.needNote': 'Write what was done first',
      'f.done': 'Follow-up of {number} closed', 'f.sum': '{open} open, {overdue} of them overdue',
      'c.title': 'Charts', 'c.period': 'Period', 'c.day': 'Today', 'c.week': 'Last 7 days', 'c.month': 'Last 30 days', 'c.csv': 'Export CSV',
      'p.title': 'Ticket preview', 'p.zone': 'Zone', 'p.priority': 'Priority ticket', 'p.refresh': 'Refresh preview',
      'p.alt': 'Preview of a {zone} ticket, laid out for this terminal\'s printer (paper width, QR mode)', 'p.hint': 'The very job this terminal\'s printer gets, drawn dot for dot.',
    },
  };
  function at(k, p) {
    const w = (AL[App.lang] || AL.zh)[k] ?? AL.zh[k] ?? k;
    return w.replace(/\{(\w+)\}/g, (m, n) => (p && p[n] != null ? String(p[n]) : m));
  }
  const pct = (rate, of) => (of ? Math.round(rate * 100) + '%（' + of + '）' : '—');

  const mins = (s) => (s ? (s / 60).toFixed(1) : '0');
  function ratingCell(r) {
    r = r || {};
    let n = 0;
    let sum = 0;
    for (let l = 1; l <= 5; l++) { n += r[l] || 0; sum += l * (r[l] || 0); }
    const bad = (r[1] || 0) + (r[2] || 0);
    return n ? n + ' / ' + (sum / n).toFixed(2) + ' / ' + bad : '0';
  }
  function zoneLabel(id) { const z = App.zoneByID(id); return z ? (z.prefix || z.id) + ' ' + App.zoneName(z) : id; }

  function figuresRow(label, f, cls) {
    return h('tr', { class: cls || '' },
      h('th', { scope: 'row' }, label),
      h('td', { class: 'n' }, f.issued), h('td', { class: 'n' }, f.served), h('td', { class: 'n' }, f.no_show),
      h('td', { class: 'n' }, f.expired), h('td', { class: 'n' }, mins(f.mean_wait_s)), h('td', { class: 'n' }, mins(f.p90_wait_s)),
      h('td', { class: 'n' }, mins(f.mean_service_s)), h('td', { class: 'n' }, ratingCell(f.ratings)),
      h('td', { class: 'n' }, pct(f.satisfaction_rate, f.rated)), h('td', { class: 'n' }, pct(f.on_time_rate, f.cases_closed)),
      h('td', { class: 'n' }, (f.cases_mail || 0) + ' / ' + (f.cases_pickup || 0)),
      h('td', { class: 'n' }, String(Math.round(f.cases_per_year_projected || 0))));
  }
  function figuresHead(first) {
    return h('thead', {}, h('tr', {}, [first, 'a.issued', 'a.served', 'a.noshow', 'a.expired', 'a.meanwait', 'a.p90', 'a.meanservice', 'a.ratings']
      .map((k) => h('th', { scope: 'col' }, t(k))), ['satisfaction', 'ontime', 'delivery'].map((k) => h('th', { scope: 'col' }, at(k))),
    h('th', { scope: 'col' }, at('peryear', { target: 6000 }))));
  }
  function wrap(label, table) {
    return h('div', { class: 'table-wrap', role: 'group', 'aria-label': label, tabindex: '0' }, table);
  }

  const LIGHTS = { red: 0, yellow: 1, green: 2 };
  const MAX_CASES = 200;
  function sortCases(cs) {
    const rank = (c) => (c.light in LIGHTS ? LIGHTS[c.light] : 3);
    return cs.slice().sort((a, b) => rank(a) - rank(b) || String(a.due).localeCompare(String(b.due)) || String(a.number).localeCompare(String(b.number)));
  }
  // lightBadge says a light in words, with a shape, not by colour alone.
  function lightBadge(l) {
    if (!(l in LIGHTS)) return h('span', {}, t('light.none'));
    return h('span', { class: 'light light-' + l }, h('span', { class: 'light-mark', 'aria-hidden': 'true' }, { red: '■', yellow: '▲', green: '●' }[l]), ' ', t('light.' + l));
  }
  function caseState(c) {
    const k = 'case.' + c.state;
    const s = t(k) === k ? c.state : t(k); // a state without words shows as it is
    return c.suspended ? s + '，' + t('case.suspended', { date: c.suspended }) : s;
  }

  function oversight() {
    const head = h('h2', { id: 'o-title' }, t('a.oversight'));
    if (casesError) return h('section', { 'aria-labelledby': 'o-title' }, head, h('p', { class: 'alert' }, casesError));
    if (!cases) return h('section', { 'aria-labelledby': 'o-title' }, head, h('p', { class: 'hint' }, '…'));
    if (!cases.length) return h('section', { 'aria-labelledby': 'o-title' }, head, h('p', { id: 'oversight-none' }, t('a.oversight.none')));
    const n = { red: 0, yellow: 0, green: 0 };
    for (const c of cases) if (c.light in n) n[c.light]++;
    const rows = cases.slice(0, MAX_CASES);
    return h('section', { 'aria-labelledby': 'o-title' }, head,
      h('p', { id: 'oversight-sum' }, t('a.oversight.sum', n)),
      wrap(t('a.oversight'), h('table', { id: 'oversight' },
        h('thead', {}, h('tr', {}, ['a.light', 'a.case', 'a.matter', 'a.dept', 'a.due', 'a.state'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, rows.map((c) => h('tr', { dataset: { case: c.number, light: c.light || '' } },
          h('td', {}, lightBadge(c.light)),
          h('th', { scope: 'row' }, c.number),
          h('td', {}, c.matter_name || c.matter, c.parent ? h('span', { class: 'hint sub' }, t('case.part', { parent: c.parent })) : null),
          h('td', {}, c.department), h('td', {}, c.due), h('td', {}, caseState(c))))))),
      cases.length > MAX_CASES ? h('p', { class: 'hint' }, t('a.oversight.more', { n: MAX_CASES })) : null);
  }

  function render() {
    const a = document.activeElement;
    if (a && a.tagName === 'INPUT' && a.type === 'text' && main.contains(a)) { pending = true; return; }
    pending = false;
    const zones = App.CFG.zones || [];
    const parts = [h('div', { class: 'alert', role: 'alert' }, error)];
    parts.push(h('section', { 'aria-labelledby': 'q-title' },
      h('h2', { id: 'q-title' }, t('a.waiting')),
      wrap(t('a.waiting'), h('table', { id: 'waiting', class: 'narrow' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('a.zone')), h('th', { scope: 'col' }, t('a.count')))),
        h('tbody', {}, zones.map((z) => h('tr', { dataset: { zone: z.id } }, h('th', { scope: 'row' }, zoneLabel(z.id)),
          h('td', { class: 'n' }, queue ? queue.waiting[z.id] || 0 : '…'))))))));
    parts.push(oversight());
    parts.push(followUpSection());
    if (stats) {
      const wins = Object.keys(stats.windows || {}).map(Number).sort((a, b) => a - b)
        .filter((w) => { const f = stats.windows[w]; return f.issued || f.served || f.no_show || Object.values(f.ratings || {}).some(Boolean); });
      parts.push(h('section', { 'aria-labelledby': 's-title' },
        h('h2', { id: 's-title' }, t('a.stats', { date: stats.date })),
        wrap(t('a.stats', { date: stats.date }), h('table', { id: 'stats' }, figuresHead('a.zone'),
          h('tbody', {}, zones.map((z) => figuresRow(zoneLabel(z.id), stats.zones[z.id] || {})),
            figuresRow(t('a.total'), stats.total || {}, 'total')))),
        h('h3', { id: 'w-title' }, t('a.windows')),
        wins.length ? wrap(t('a.windows'), h('table', { id: 'window-stats' }, figuresHead('a.window'),
          h('tbody', {}, wins.map((w) => figuresRow(t('w.choose.n', { n: w }), stats.windows[w]))))) : h('p', {}, t('a.windows.none'))));
    }
    parts.push(chartSection());
    parts.push(previewSection());
    parts.push(h('section', { 'aria-labelledby': 'a-title' },
      h('h2', { id: 'a-title' }, t('a.audit')),
      audit.length ? wrap(t('a.audit'), h('table', { id: 'audit' },
        h('thead', {}, h('tr', {}, ['a.time', 'a.actor', 'a.action', 'a.number', 'a.detail'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, audit.map((e) => h('tr', {},
          h('td', {}, App.hallTime(e.at)), h('td', {}, e.actor + (e.staff ? ' / ' + e.staff : '')),
          h('td', {}, e.action), h('td', {}, e.number || ''), h('td', {}, e.detail || '')))))) : h('p', {}, t('a.audit.none'))));
    parts.push(h('p', { class: 'hint', role: 'status' }, updated ? t('a.updated', { time: updated }) : ''));
    App.put(main, h('h1', {}, t('title.admin')), ...parts);
  }
  App.onLang(() => render());

  // ---- 差评 follow-ups ------------------------------------------------------
  function followUpState(f) {
    const k = f.closed ? 'closed' : f.overdue ? 'overdue' : 'open';
    const mark = { closed: '●', overdue: '■', open: '▲' }[k];
    const cls = { closed: 'light-green', overdue: 'light-red', open: 'light-yellow' }[k];
    return h('span', { class: 'light ' + cls }, h('span', { 'aria-hidden': 'true' }, mark), ' ', at('f.' + k));
  }
  function followUpRow(f) {
    const id = 'note-' + f.ticket_id;
    return h('tr', { dataset: { followup: f.ticket_id, overdue: f.overdue ? '1' : '' } },
      h('td', {}, followUpState(f)), h('th', { scope: 'row' }, f.number),
      h('td', {}, f.level + ' · ' + App.t('r.' + f.level)),
      h('td', {}, f.window + (f.staff ? ' / ' + f.staff : '')), h('td', {}, String(f.at || '').slice(0, 16).replace('T', ' ')),
      h('td', {}, f.follow_up_due), h('td', {}, (f.cases || []).join('、')), h('td', {}, f.comment || ''),
      h('td', {}, f.closed ? (f.note || '') + (f.closed_by ? '（' + f.closed_by + '）' : '') : h('div', { class: 'row' },
        h('input', { id, type: 'text', maxlength: '500', value: notes[f.ticket_id] || '', 'aria-label': at('f.noteFor', { number: f.number }),
          placeholder: at('f.note'), oninput: (e) => { notes[f.ticket_id] = e.target.value; },
          onblur: () => { if (pending) setTimeout(render, 0); } }),
        h('button', { type: 'button', dataset: { close: f.ticket_id }, 'aria-label': at('f.closeFor', { number: f.number }),
          onclick: () => closeFollowUp(f) }, at('f.close')))));
  }
  function followUpSection() {
    const head = h('h2', { id: 'f-title' }, at('f.title'));
    const toggle = h('label', { class: 'check', for: 'f-all' },
      h('input', { id: 'f-all', type: 'checkbox', checked: showAllFollowUps, onchange: (e) => { showAllFollowUps = e.target.checked; loadFollowUps().then(render); } }),
      at('f.all'));
    const parts = [head, toggle, followUpsError ? h('p', { class: 'alert', role: 'alert' }, followUpsError) : null];
    if (!followUps) return h('section', { 'aria-labelledby': 'f-title' }, parts, h('p', { class: 'hint' }, '…'));
    const open = followUps.filter((f) => !f.closed);
    parts.push(h('p', { id: 'followup-sum' }, at('f.sum', { open: open.length, overdue: open.filter((f) => f.overdue).length })));
    if (!followUps.length) parts.push(h('p', { id: 'followup-none' }, at('f.none')));
    else {
      parts.push(wrap(at('f.title'), h('table', { id: 'followups' },
        h('thead', {}, h('tr', {}, ['f.state', 'f.ticket', 'f.level', 'f.window', 'f.at', 'f.due', 'f.cases', 'f.comment', 'f.action']
          .map((k) => h('th', { scope: 'col' }, at(k))))),
        h('tbody', {}, followUps.map(followUpRow)))));
    }
    return h('section', { 'aria-labelledby': 'f-title' }, parts);
  }
  async function loadFollowUps() {
    try {
      const r = await api('GET', '/api/v1/followups' + (showAllFollowUps ? '' : '?open=1'));
      followUps = r.data.followups || [];
      followUpsError = '';
    } catch (err) {
      followUpsError = errorText(err);
    }
  }
  async function closeFollowUp(f) {
    const note = (notes[f.ticket_id] || '').trim();
    if (!note) {
      followUpsError = at('f.needNote');
      render();
      const el = document.getElementById('note-' + f.ticket_id);
      if (el) el.focus();
      return;
    }
    try {
      await api('POST', '/api/v1/followups/' + encodeURIComponent(f.ticket_id) + '/close', { note });
      delete notes[f.ticket_id];
      followUpsError = '';
      updated = at('f.done', { number: f.number });
    } catch (err) {
      followUpsError = errorText(err);
    }
    await loadFollowUps();
    render();
  }

  // ---- ticket preview (GET /api/v1/print/preview.png: this terminal's
  // printer's job for a sample ticket of a zone, rendered back) ------------
  async function loadPreview() {
    const zones = App.CFG.zones || [];
    if (!preview.zone && zones.length) preview.zone = zones[0].id;
    if (!preview.zone) return;
    try {
      const q = new URLSearchParams({ zone: preview.zone });
      if (preview.priority) q.set('priority', '1');
      const blob = await App.apiBlob('/api/v1/print/preview.png?' + q);
      if (preview.url) URL.revokeObjectURL(preview.url);
      preview.url = URL.createObjectURL(blob);
      preview.error = '';
    } catch (err) {
      preview.error = errorText(err);
    }
  }
  function previewSection() {
    const zones = App.CFG.zones || [];
    const sel = h('select', { id: 'p-zone', onchange: (e) => { preview.zone = e.target.value; loadPreview().then(render); } },
      zones.map((z) => h('option', { value: z.id, selected: preview.zone === z.id }, zoneLabel(z.id))));
    const prio = h('label', { class: 'check', for: 'p-priority' },
      h('input', { id: 'p-priority', type: 'checkbox', checked: preview.priority, onchange: (e) => { preview.priority = e.target.checked; loadPreview().then(render); } }),
      at('p.priority'));
    return h('section', { 'aria-labelledby': 'p-title', id: 'ticket-preview' },
      h('h2', { id: 'p-title' }, at('p.title')),
      h('div', { class: 'row' }, h('label', { for: 'p-zone' }, at('p.zone')), sel, prio,
        h('button', { type: 'button', class: 'secondary', id: 'p-refresh', onclick: () => loadPreview().then(render) }, at('p.refresh'))),
      preview.error ? h('p', { class: 'alert', role: 'alert' }, preview.error) : null,
      preview.url ? h('img', { id: 'p-image', class: 'ticket-preview', src: preview.url, alt: at('p.alt', { zone: zoneLabel(preview.zone) }) })
        : (preview.error ? null : h('p', { class: 'hint' }, '…')),
      h('p', { class: 'hint' }, at('p.hint')));
  }

  // ---- charts (server-drawn SVG, put inline so screen readers read their
  // titles and descriptions) ------------------------------------------------
  const KINDS = ['hourly', 'waits', 'satisfaction', 'ontime'];
  function periodQuery() {
    const day = App.hallDay();
    if (period === 'day') return 'date=' + day;
    const back = period === 'week' ? 6 : 29;
    return 'from=' + App.hallDay(App.serverNow() - back * 86400000) + '&to=' + day;
  }
  async function loadCharts() {
    const q = periodQuery();
    await Promise.all(KINDS.map(async (kind) => {
      try {
        const blob = await App.apiBlob('/api/v1/stats/chart.svg?kind=' + kind + '&' + q);
        // the SVG's <style> is dropped before parsing (its rules are in admin.css):
        // the page's Content-Security-Policy admits no inline style
        const text = (await blob.text()).replace(/<style[\s\S]*?<\/style>/g, '');
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        const svg = doc.documentElement;
        if (svg.nodeName !== 'svg') throw new Error('not SVG');
        svg.style.cssText = 'max-width:100%;height:auto'; // CSSOM: the CSP admits no style attribute
        charts[kind] = document.importNode(svg, true);
      } catch (err) {
        charts[kind] = errorText(err);
      }
    }));
  }
  async function exportCSV() {
    try {
      const blob = await App.apiBlob('/api/v1/stats?format=csv&' + periodQuery());
      const url = URL.createObjectURL(blob);
      h('a', { href: url, download: 'kioskd-stats-' + periodQuery().replace(/[^0-9-]+/g, '_') + '.csv' }).click();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      error = errorText(err);
      render();
    }
  }
  function chartSection() {
    const sel = h('select', { id: 'c-period', onchange: (e) => { period = e.target.value; loadCharts().then(render); } },
      ['day', 'week', 'month'].map((p) => h('option', { value: p, selected: period === p }, at('c.' + p))));
    return h('section', { 'aria-labelledby': 'c-title', id: 'charts' },
      h('h2', { id: 'c-title' }, at('c.title')),
      h('div', { class: 'row' }, h('label', { for: 'c-period' }, at('c.period')), sel,
        h('button', { type: 'button', class: 'secondary', id: 'c-csv', onclick: exportCSV }, at('c.csv'))),
      h('div', { class: 'chart-grid' }, KINDS.map((k) => h('figure', { class: 'chart', dataset: { chart: k } },
        charts[k] instanceof Node ? charts[k] : h('p', { class: 'hint' }, charts[k] || '…')))));
  }

  // lastAudit returns the newest 50 entries, newest first. The server's
  // ?limit= keeps the oldest entries, so when 50 come back there may be
  // newer ones: then today's entries are read and the newest 50 kept.
  async function lastAudit() {
    const a = await api('GET', '/api/v1/audit?limit=50');
    let es = a.data.entries || [];
    if (es.length >= 50) {
      const d = await api('GET', '/api/v1/audit?date=' + App.hallDay() + '&limit=10000');
      if ((d.data.entries || []).length) es = d.data.entries;
    }
    return es.map((e, i) => [e, i]).sort((x, y) => (Date.parse(y[0].at) - Date.parse(x[0].at)) || (y[1] - x[1])).slice(0, 50).map((x) => x[0]);
  }

  async function openCases() {
    try {
      const r = await api('GET', '/api/v1/cases?open=1');
      cases = sortCases(r.data.cases || []);
      casesError = '';
    } catch (err) {
      casesError = errorText(err);
    }
  }

  async function refresh() {
    try {
      const [q, s, a] = await Promise.all([api('GET', '/api/v1/queue'), api('GET', '/api/v1/stats'), lastAudit(), openCases(), loadFollowUps(), loadCharts()]);
      queue = q.data;
      stats = s.data;
      audit = a;
      error = '';
      updated = App.hallTime();
      render();
      return queue.seq;
    } catch (err) {
      error = errorText(err);
      render();
      return null;
    }
  }
  const refreshSoon = App.debounce(refresh, 1000);

  render();
  (async () => {
    const seq = await refresh();
    loadPreview().then(render);
    setInterval(refresh, 30000);
    App.events = new App.Events(() => refreshSoon(), { since: seq, onOpen: (again) => { if (again) refreshSoon(); } });
  })();
})();
