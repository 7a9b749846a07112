// admin.js — the centre manager's page: waiting per area, the open cases
// by their supervision light (督办, GET /api/v1/cases?open=1: overdue and
// due soon first, said in words), today's figures per area and per window
// (GET /api/v1/stats), and the last 50 audit entries
// (GET /api/v1/audit?limit=50). Refreshed by events and every 30 s.
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
      h('td', { class: 'n' }, mins(f.mean_service_s)), h('td', { class: 'n' }, ratingCell(f.ratings)));
  }
  function figuresHead(first) {
    return h('thead', {}, h('tr', {}, [first, 'a.issued', 'a.served', 'a.noshow', 'a.expired', 'a.meanwait', 'a.p90', 'a.meanservice', 'a.ratings']
      .map((k) => h('th', { scope: 'col' }, t(k)))));
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
    const zones = App.CFG.zones || [];
    const parts = [h('div', { class: 'alert', role: 'alert' }, error)];
    parts.push(h('section', { 'aria-labelledby': 'q-title' },
      h('h2', { id: 'q-title' }, t('a.waiting')),
      wrap(t('a.waiting'), h('table', { id: 'waiting', class: 'narrow' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('a.zone')), h('th', { scope: 'col' }, t('a.count')))),
        h('tbody', {}, zones.map((z) => h('tr', { dataset: { zone: z.id } }, h('th', { scope: 'row' }, zoneLabel(z.id)),
          h('td', { class: 'n' }, queue ? queue.waiting[z.id] || 0 : '…'))))))));
    parts.push(oversight());
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
      const [q, s, a] = await Promise.all([api('GET', '/api/v1/queue'), api('GET', '/api/v1/stats'), lastAudit(), openCases()]);
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
    setInterval(refresh, 30000);
    App.events = new App.Events(() => refreshSoon(), { since: seq, onOpen: (again) => { if (again) refreshSoon(); } });
  })();
})();
