// window.js — a window's terminal (窗口多功能一体机): call, recall, no-show,
// start, finish (受理 / 不予受理 / 咨询), transfer, call a chosen number; the
// held ticket with its pre-filled submission; the waiting list; and after a
// finish the citizen-facing rating panel (好差评, five levels, once).
(function () {
  'use strict';
  const { t, tNodes, h, api, errorText } = App;

  App.init();
  document.getElementById('top').append(App.header({ persist: true }));
  App.loadPrefs();
  const main = document.getElementById('app');

  const S = {
    n: 0, info: null, ticket: null, waiting: [], catalog: { matters: [] },
    reveal: false, msg: '', error: '', busy: false,
    rateFor: null, rated: '', rateError: '', rating: false,
    finishMatter: '', transferZone: '', transferWindow: '', pickNumber: '', pickReason: '',
  };

  // ---- which window is this? ---------------------------------------------
  // ?window=N in the address (kept for later loads), else the server's
  // answer about this token's terminal (GET /api/v1/me, when it exists),
  // else the officer picks it once. The server still checks every action.
  async function whichWindow() {
    const q = new URLSearchParams(location.search).get('window');
    if (q && /^[0-9]+$/.test(q)) { store(q); return parseInt(q, 10); }
    try {
      const r = await api('GET', '/api/v1/me');
      if (r.data && r.data.window) return r.data.window;
    } catch (err) { /* not offered by this server */ }
    let saved = '';
    try { saved = localStorage.getItem('kioskd.window') || ''; } catch (err) { /* ignore */ }
    return saved ? parseInt(saved, 10) : 0;
  }
  function store(n) { try { localStorage.setItem('kioskd.window', String(n)); } catch (err) { /* ignore */ } }

  function chooser(msg) {
    const all = [];
    for (const z of App.CFG.zones || []) for (const w of z.windows || []) all.push({ w, z });
    all.sort((a, b) => a.w - b.w);
    App.put(main, h('section', { 'aria-labelledby': 'choose-title' },
      h('h1', { id: 'choose-title' }, t('w.choose')),
      msg ? h('p', { class: 'alert', role: 'alert' }, msg) : null,
      h('div', { class: 'zone-grid' }, all.map(({ w, z }) => h('button', { type: 'button', class: 'secondary', dataset: { window: w },
        onclick: () => { store(w); start(w); } },
      h('span', { class: 'zone-name' }, t('w.choose.n', { n: w })), h('span', { class: 'zone-count' }, App.zoneName(z)))))));
    App.onLangOnce = () => chooser(msg);
  }

  // ---- rendering --------------------------------------------------------
  function matterOf(code) { return S.catalog.matters.find((m) => m.code === code) || null; }
  function zoneLabel(id) { const z = App.zoneByID(id); return z ? (z.prefix || z.id) + ' ' + App.zoneName(z) : id; }

  function render() {
    if (!S.n) return;
    const info = S.info || {};
    const helps = (info.helps || []).map(zoneLabel).join('、');
    App.put(main, 
      h('h1', { id: 'win-title' }, t('w.title', { n: S.n }), ' · ', zoneLabel(info.zone)),
      helps ? h('p', { class: 'hint' }, t('w.helps', { zones: helps })) : null,
      h('div', { class: 'notice', role: 'status', id: 'msg' }, S.msg),
      h('div', { class: 'alert', role: 'alert', id: 'error' }, S.error),
      h('div', { class: 'window-grid' },
        h('div', {}, S.rateFor ? ratingPanel() : null, heldPanel()),
        actionsPanel(),
        waitingPanel()));
  }
  App.onLang(() => { if (S.n) render(); else if (App.onLangOnce) App.onLangOnce(); });

  function heldPanel() {
    const tk = S.ticket;
    if (!tk) {
      return h('section', { class: 'panel', id: 'held', 'aria-labelledby': 'held-title' },
        h('h2', { id: 'held-title' }, t('w.held')), h('p', {}, t('w.held.none')));
    }
    const m = matterOf(tk.matter || (tk.submission && tk.submission.matter));
    const sub = tk.submission;
    const rows = [];
    const kv = (k, ...v) => rows.push(h('dt', {}, k), h('dd', {}, v));
    kv(t('w.matter'), m ? m.name + '（' + m.code + '）' : tk.matter || tk.package || t('w.matter.none'));
    if (sub) {
      const a = sub.applicant || {};
      kv(t('w.applicant'), a.name || '');
      kv(t('w.idnumber'),
        h('span', { id: 'idnum', class: 'idnum' }, S.reveal ? a.id_number : App.maskID(a.id_number)), ' ',
        h('button', { type: 'button', class: 'secondary', dataset: { action: 'reveal' }, 'aria-pressed': S.reveal ? 'true' : 'false',
          onclick: () => { S.reveal = !S.reveal; render(); const b = main.querySelector('[data-action=reveal]'); if (b) b.focus(); } },
        t(S.reveal ? 'w.hide' : 'w.show')));
      const d = sub.delivery || {};
      if (d.mode === 'mail') {
        kv(t('w.delivery'), h('span', {}, t('w.delivery.mail')), h('br'),
          t('w.recipient') + '：' + d.recipient, h('br'),
          t('w.phone') + '：' + (S.reveal ? d.phone : App.maskPhone(d.phone)), h('br'),
          t('w.address') + '：' + d.address, h('br'),
          t('w.postcode') + '：' + d.postcode);
      } else {
        kv(t('w.delivery'), t('w.delivery.pickup'));
      }
      kv(t('w.materials'), t('w.materials.submitted', { n: (sub.materials || []).length }));
    } else {
      rows.push(h('dt', {}, t('w.sub')), h('dd', {}, t('w.sub.none')));
    }
    const mats = m ? m.materials || [] : [];
    return h('section', { class: 'panel', id: 'held', 'aria-labelledby': 'held-title' },
      h('h2', { id: 'held-title' }, t('w.held')),
      h('div', { class: 'held-head' },
        h('span', { class: 'big-number', dataset: { number: tk.number } }, tk.number),
        h('span', { class: 'tag', id: 'held-status' }, t('status.' + tk.status)),
        tk.priority ? h('span', { class: 'tag' }, t('w.priority')) : null,
        tk.transferred ? h('span', { class: 'tag' }, t('w.transferred')) : null,
        tk.recalls ? h('span', {}, t('w.recalls', { n: tk.recalls })) : null),
      h('h3', {}, t('w.sub')),
      h('dl', { class: 'kv', id: 'submission' }, rows),
      mats.length ? [h('h3', { id: 'req-title' }, t('w.materials.required')),
        h('ul', { class: 'materials', 'aria-labelledby': 'req-title' }, mats.map((name) => h('li', {}, h('label', {}, h('input', { type: 'checkbox' }), name))))] : null);
  }

  function actionsPanel() {
    const tk = S.ticket;
    const called = tk && tk.status === 'called';
    const held = !!tk;
    const b = (action, label, enabled, fn, cls) => h('button', { type: 'button', class: cls || '', dataset: { action }, disabled: !enabled || S.busy, onclick: fn }, label);
    const needMatter = held && !tk.matter && !tk.package;
    const zoneMatters = needMatter ? S.catalog.matters.filter((m) => m.zone === tk.zone) : [];
    const windows = [];
    for (const z of App.CFG.zones || []) for (const w of z.windows || []) if (w !== S.n) windows.push(w);
    windows.sort((a, c) => a - c);
    return h('section', { class: 'panel actions', 'aria-labelledby': 'actions-title' },
      h('h2', { id: 'actions-title' }, t('w.actions')),
      h('div', { class: 'row' },
        b('call', t('w.call'), true, () => act('call')),
        b('recall', t('w.recall'), called, () => act('recall'), 'secondary'),
        b('no-show', t('w.noshow'), called, () => act('no-show'), 'secondary'),
        b('start', t('w.start'), called, () => act('start'), 'secondary')),
      h('h3', { id: 'finish-title' }, t('w.finish')),
      needMatter && zoneMatters.length ? h('label', { class: 'field', for: 'finish-matter' }, h('span', {}, t('w.matter')),
        h('select', { id: 'finish-matter', onchange: (e) => { S.finishMatter = e.target.value; } },
          h('option', { value: '' }, '—'),
          zoneMatters.map((m) => h('option', { value: m.code, selected: S.finishMatter === m.code }, m.name)))) : null,
      h('div', { class: 'row', role: 'group', 'aria-labelledby': 'finish-title' },
        b('accepted', t('w.accepted'), held, () => finish('accepted'), 'ok'),
        b('rejected', t('w.rejected'), held, () => finish('rejected'), 'danger'),
        b('consulted', t('w.consulted'), held, () => finish('consulted'), 'secondary')),
      h('h3', {}, t('w.transfer')),
      h('div', { class: 'row' },
        h('label', { for: 'transfer-zone' }, t('w.transfer.zone')),
        h('select', { id: 'transfer-zone', disabled: !held, onchange: (e) => { S.transferZone = e.target.value; } },
          h('option', { value: '' }, '—'),
          (App.CFG.zones || []).map((z) => h('option', { value: z.id, selected: S.transferZone === z.id }, (z.prefix || z.id) + ' ' + App.zoneName(z)))),
        b('transfer-zone', t('w.transfer.zone.btn'), held, () => transfer('zone'), 'secondary')),
      h('div', { class: 'row' },
        h('label', { for: 'transfer-window' }, t('w.transfer.window')),
        h('select', { id: 'transfer-window', disabled: !held, onchange: (e) => { S.transferWindow = e.target.value; } },
          h('option', { value: '' }, '—'),
          windows.map((w) => h('option', { value: String(w), selected: S.transferWindow === String(w) }, t('w.choose.n', { n: w })))),
        b('transfer-window', t('w.transfer.window.btn'), held, () => transfer('window'), 'secondary')),
      h('h3', {}, t('w.pick')),
      h('div', { class: 'row' },
        h('label', { for: 'pick-number' }, t('w.pick.number')),
        h('input', { id: 'pick-number', size: 6, maxlength: 8, autocomplete: 'off', value: S.pickNumber, oninput: (e) => { S.pickNumber = e.target.value; } }),
        h('label', { for: 'pick-reason' }, t('w.pick.reason')),
        h('input', { id: 'pick-reason', maxlength: 200, autocomplete: 'off', value: S.pickReason, oninput: (e) => { S.pickReason = e.target.value; } }),
        b('call-number', t('w.pick.btn'), true, callChosen, 'secondary')));
  }

  function face(level) {
    const k = { 5: 22, 4: 12, 3: 0, 2: -12, 1: -22 }[level];
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 100 100');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const add = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [a, v] of Object.entries(attrs)) e.setAttribute(a, v); svg.append(e); };
    add('circle', { cx: 50, cy: 50, r: 45, fill: '#ffd84d', stroke: '#111', 'stroke-width': 5 });
    add('circle', { cx: 35, cy: 40, r: 6, fill: '#111' });
    add('circle', { cx: 65, cy: 40, r: 6, fill: '#111' });
    add('path', { d: 'M 28 ' + (66 - k / 2) + ' Q 50 ' + (66 + k) + ' 72 ' + (66 - k / 2), fill: 'none', stroke: '#111', 'stroke-width': 6, 'stroke-linecap': 'round' });
    return svg;
  }

  function ratingPanel() {
    const done = S.rated === 'ok' || S.rated === 'already';
    return h('section', { class: 'rating', id: 'rating', 'aria-labelledby': 'rating-title' },
      h('h2', { id: 'rating-title' }, t('r.title')),
      h('p', {}, t('r.for', { number: S.rateFor.number })),
      done
        ? h('p', { class: 'notice', role: 'status', id: 'rating-done' }, t(S.rated === 'ok' ? 'r.thanks' : 'r.already'))
        : h('div', { class: 'faces', role: 'group', 'aria-labelledby': 'rating-title' }, [5, 4, 3, 2, 1].map((lvl) =>
          h('button', { type: 'button', dataset: { level: lvl }, disabled: S.rating, onclick: () => rate(lvl) },
            face(lvl), h('span', { class: 'lvl' }, lvl + ' ' + t('r.' + lvl))))),
      S.rateError ? h('p', { class: 'alert', role: 'alert' }, S.rateError) : null);
  }

  function waitingPanel() {
    const list = S.waiting;
    return h('section', { class: 'panel', id: 'waiting', 'aria-labelledby': 'waiting-title' },
      h('h2', { id: 'waiting-title' }, t('w.waiting', { n: list.length })),
      list.length === 0 ? h('p', {}, t('w.waiting.none')) : h('ul', { class: 'waiting-list' }, list.map((tk) => {
        const m = matterOf(tk.matter);
        const mins = Math.max(0, Math.floor((App.serverNow() - Date.parse(tk.issued_at)) / 60000));
        return h('li', { dataset: { number: tk.number } },
          h('span', { class: 'num' }, tk.number),
          tk.priority ? h('span', { class: 'tag' }, t('w.priority')) : null,
          tk.transferred ? h('span', { class: 'tag' }, t('w.transferred')) : null,
          h('span', {}, m ? m.name : zoneLabel(tk.zone)),
          h('span', { class: 'hint' }, t('w.waited', { m: mins })));
      })));
  }

  // ---- actions -----------------------------------------------------------
  function say(msg, err) { S.msg = msg || ''; S.error = err || ''; }

  async function post(op, body) {
    S.busy = true;
    say('', '');
    render();
    try {
      return await api('POST', '/api/v1/windows/' + S.n + '/' + op, body);
    } finally {
      S.busy = false;
    }
  }

  async function act(op) {
    try {
      const r = await post(op, op === 'call' ? {} : undefined);
      if (op === 'call') {
        if (r.status === 204) { S.ticket = null; say(t('w.m.nobody')); }
        else { S.ticket = r.data.ticket; S.reveal = false; S.rateFor = null; S.finishMatter = ''; say(t('w.m.called', { number: S.ticket.number })); }
      } else {
        const tk = r.data.ticket;
        S.ticket = tk.status === 'called' || tk.status === 'serving' ? tk : null;
        say(t({ recall: tk.status === 'no_show' ? 'w.m.noshow' : 'w.m.recalled', 'no-show': 'w.m.noshow', start: 'w.m.started' }[op], { number: tk.number }));
      }
    } catch (err) {
      say('', errorText(err));
    }
    await refresh();
  }

  async function finish(result) {
    const body = { result };
    if (result === 'accepted' && S.ticket && !S.ticket.matter && !S.ticket.package && S.finishMatter) body.matter = S.finishMatter;
    try {
      const r = await post('finish', body);
      const tk = r.data.ticket;
      S.ticket = null;
      S.reveal = false;
      S.rateFor = { id: tk.id, number: tk.number };
      S.rated = '';
      S.rateError = '';
      let msg = t('w.m.finished', { number: tk.number, result: t('result.' + result) });
      for (const c of r.data.cases || []) msg += '；' + t('w.m.case', { case: c.number, due: c.due });
      say(msg);
    } catch (err) {
      say('', errorText(err));
    }
    await refresh();
  }

  async function transfer(kind) {
    const body = {};
    if (kind === 'zone') {
      if (!S.transferZone) { say('', t('v.zone')); render(); return; }
      body.zone = S.transferZone;
    } else {
      if (!S.transferWindow) { say('', t('v.window')); render(); return; }
      body.window = parseInt(S.transferWindow, 10);
    }
    try {
      const r = await post('transfer', body);
      S.ticket = null;
      say(t('w.m.transferred', { number: r.data.ticket.number }));
    } catch (err) {
      say('', errorText(err));
    }
    await refresh();
  }

  async function callChosen() {
    const number = S.pickNumber.trim().toUpperCase();
    const reason = S.pickReason.trim();
    if (!/^[A-Z][0-9]{3,}$/.test(number)) { say('', t('v.number')); render(); main.querySelector('#pick-number').focus(); return; }
    if (!reason) { say('', t('v.reason')); render(); main.querySelector('#pick-reason').focus(); return; }
    try {
      const r = await post('call', { number, reason });
      if (r.status === 204) { say(t('w.m.nobody')); } else {
        S.ticket = r.data.ticket;
        S.reveal = false;
        S.rateFor = null;
        S.pickNumber = '';
        S.pickReason = '';
        say(t('w.m.called', { number: S.ticket.number }));
      }
    } catch (err) {
      say('', errorText(err));
    }
    await refresh();
  }

  // rate posts the citizen's rating once (一次一评).
  async function rate(level) {
    if (S.rating || !S.rateFor) return;
    S.rating = true;
    render();
    try {
      await api('POST', '/api/v1/tickets/' + encodeURIComponent(S.rateFor.id) + '/rating', { level });
      S.rated = 'ok';
    } catch (err) {
      if (err.status === 409) S.rated = 'already';
      else S.rateError = errorText(err);
    }
    S.rating = false;
    render();
  }

  // ---- data ---------------------------------------------------------------
  async function refresh() {
    try {
      const [w, l] = await Promise.all([api('GET', '/api/v1/windows/' + S.n), api('GET', '/api/v1/tickets')]);
      S.info = w.data;
      S.ticket = w.data.ticket || null;
      S.waiting = l.data.tickets || [];
    } catch (err) {
      if (!S.error) S.error = errorText(err);
    }
    const focused = document.activeElement && document.activeElement.id;
    render();
    if (focused) { const el = document.getElementById(focused); if (el) el.focus(); }
  }
  const refreshSoon = App.debounce(refresh, 300);

  async function start(n) {
    S.n = 0;
    try {
      const r = await api('GET', '/api/v1/windows/' + n);
      S.n = n;
      S.info = r.data;
      S.ticket = r.data.ticket || null;
    } catch (err) {
      if (err.status === 403 || err.status === 404) { chooser(t('w.notmine', { n })); return; }
      chooser(errorText(err));
      return;
    }
    try { S.catalog = (await api('GET', '/api/v1/catalog')).data; } catch (err) { /* names fall back to codes */ }
    await refresh();
    if (!App.events) {
      let seq = null;
      try { seq = (await api('GET', '/api/v1/queue')).data.seq; } catch (err) { /* stream comes up anyway */ }
      App.events = new App.Events((e) => { if (e.type && e.type.startsWith('ticket.')) refreshSoon(); },
        { since: seq, onOpen: (again) => { if (again) refreshSoon(); } });
    }
  }

  (async () => {
    const n = await whichWindow();
    if (n) start(n); else chooser('');
  })();
})();
