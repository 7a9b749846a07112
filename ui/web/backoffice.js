/* SPDX-License-Identifier: AGPL-3.0-or-later */
// backoffice.js — a department's back office (后台审批, terminal role
// "department"): its own department's cases (GET /api/v1/cases, the server
// keeps it to the terminal's department) with their supervision lights (督办),
// overdue and due soon first, said in words and marked with a shape; the
// steps a back office takes (POST /api/v1/cases/{number}/approve, reject,
// ready, suspend, resume); each case's acceptance receipt and, once ready,
// its result notice as A4 PDF. Refreshed by case events and every 30 s.
(function () {
  'use strict';
  const { h, api, errorText } = App;

  const L = {
    zh: {
      title: '后台审批', heading: '后台审批：{dept}', show: '显示', 'show.open': '未办结的办件', 'show.all': '全部办件',
      light: '督办状态', 'light.all': '全部', none: '暂无办件', sum: '已超期 {red} 件，即将到期 {yellow} 件，正常 {green} 件',
      accepted: '受理时间', due: '承诺办结', state: '状态', delivery: '取件方式', mail: '免费邮寄', pickup: '窗口领取',
      reason: '理由（不予批准、挂起时填写）', reasonFor: '办件 {number} 的理由',
      approve: '批准', reject: '不予批准', ready: '办结，待领取', suspend: '挂起', resume: '恢复办理',
      receipt: '受理回执 PDF', notice: '结果通知 PDF', waiting: '等待窗口转办后审批', part: '属于一件事 {parent}',
      actFor: '{action}：办件 {number}', done: '办件 {number}：{action}完成', needReason: '请先填写不予批准的理由',
      updated: '更新于 {time}', refresh: '刷新', busy: '正在处理…', cases: '办件列表', suspended: '已挂起（自 {date}）', waybill: '运单号 {waybill}',
    },
    en: {
      title: 'Back office', heading: 'Back office: {dept}', show: 'Show', 'show.open': 'Open cases', 'show.all': 'All cases',
      light: 'Supervision', 'light.all': 'All', none: 'No cases', sum: '{red} overdue, {yellow} due soon, {green} on time',
      accepted: 'Accepted', due: 'Promised by', state: 'State', delivery: 'Delivery', mail: 'Free mail', pickup: 'Pickup at a window',
      reason: 'Reason (for refusing or suspending)', reasonFor: 'Reason for case {number}',
      approve: 'Approve', reject: 'Refuse', ready: 'Done: ready to collect', suspend: 'Suspend', resume: 'Resume',
      receipt: 'Receipt PDF', notice: 'Result notice PDF', waiting: 'Waiting for the window to route it', part: 'Part of {parent}',
      actFor: '{action}: case {number}', done: 'Case {number}: {action} done', needReason: 'Give the reason for refusing first',
      updated: 'Updated {time}', refresh: 'Refresh', busy: 'Working…', cases: 'Cases', suspended: 'Suspended since {date}', waybill: 'Waybill {waybill}',
    },
  };
  function tt(k, p) {
    const s = (L[App.lang] || L.zh)[k] ?? L.zh[k] ?? k;
    return s.replace(/\{(\w+)\}/g, (m, n) => (p && p[n] != null ? String(p[n]) : m));
  }

  App.init();
  document.getElementById('top').append(App.header({ persist: true }));
  App.loadPrefs();
  const main = document.getElementById('app');

  const S = { cases: null, error: '', loadError: '', msg: '', open: true, light: '', busy: '', reasons: {}, dept: '', updated: '', pending: false };
  const LIGHTS = { red: 0, yellow: 1, green: 2 };
  const NEXT = { // the steps a back office takes from each state
    routed: (c) => (c.suspended ? ['resume'] : ['approve', 'reject', 'suspend']),
    approved: () => ['ready'], rejected: () => ['ready'],
  };
  const READY = ['ready', 'handed_out', 'mailed', 'closed'];

  function sortCases(cs) {
    const rank = (c) => (c.light in LIGHTS ? LIGHTS[c.light] : 3);
    return cs.slice().sort((a, b) => rank(a) - rank(b) || String(a.due).localeCompare(String(b.due)) || String(a.number).localeCompare(String(b.number)));
  }
  function lightBadge(l) {
    if (!(l in LIGHTS)) return h('span', {}, App.t('light.none'));
    return h('span', { class: 'light light-' + l }, h('span', { class: 'light-mark', 'aria-hidden': 'true' }, { red: '■', yellow: '▲', green: '●' }[l]), ' ', App.t('light.' + l));
  }
  function stateWords(c) {
    const k = 'case.' + c.state;
    const s = App.t(k) === k ? c.state : App.t(k);
    return c.suspended ? s + '，' + tt('suspended', { date: c.suspended }) : s;
  }
  function localTime(iso) { return String(iso || '').slice(0, 16).replace('T', ' '); }
  function typing() { const a = document.activeElement; return a && a.tagName === 'INPUT' && main.contains(a); }

  function setTitle() {
    document.title = (App.CFG.hall ? App.CFG.hall + ' · ' : '') + tt('title');
    document.querySelectorAll('.page-name').forEach((el) => { el.textContent = tt('title'); });
  }

  function filters() {
    const showSel = h('select', { id: 'bo-show', onchange: (e) => { S.open = e.target.value === 'open'; refresh(); } },
      h('option', { value: 'open', selected: S.open }, tt('show.open')), h('option', { value: 'all', selected: !S.open }, tt('show.all')));
    const lightSel = h('select', { id: 'bo-light', onchange: (e) => { S.light = e.target.value; render(); } },
      h('option', { value: '', selected: !S.light }, tt('light.all')),
      ['red', 'yellow', 'green'].map((l) => h('option', { value: l, selected: S.light === l }, App.t('light.' + l))));
    return h('div', { class: 'bo-filters', role: 'group', 'aria-label': tt('show') },
      h('label', { class: 'field', for: 'bo-show' }, h('span', {}, tt('show')), showSel),
      h('label', { class: 'field', for: 'bo-light' }, h('span', {}, tt('light')), lightSel),
      h('button', { type: 'button', class: 'secondary', id: 'bo-refresh', onclick: () => refresh() }, tt('refresh')));
  }

  function actionButton(c, action) {
    const cls = { approve: 'ok', reject: 'danger', ready: 'ok', suspend: 'secondary', resume: '' }[action];
    const label = tt(action);
    return h('button', { type: 'button', class: cls, dataset: { action, for: c.number }, disabled: !!S.busy,
      'aria-label': tt('actFor', { action: label, number: c.number }), onclick: () => act(c, action) }, label);
  }
  function pdfButton(c, doc) {
    return h('button', { type: 'button', class: 'secondary', dataset: { pdf: doc, for: c.number },
      'aria-label': tt('actFor', { action: tt(doc), number: c.number }), onclick: () => openPDF(c, doc) }, tt(doc));
  }

  function caseItem(c) {
    const next = NEXT[c.state] ? NEXT[c.state](c) : [];
    const id = 'reason-' + c.number;
    const needsReason = next.includes('reject') || next.includes('suspend');
    return h('li', { class: 'bo-case' + (c.light === 'red' || c.light === 'yellow' ? ' light-' + c.light + '-case' : ''), dataset: { case: c.number, light: c.light || '' } },
      h('h3', {}, lightBadge(c.light), h('span', { class: 'case-no' }, c.number), h('span', {}, c.matter_name || c.matter)),
      h('dl', {},
        h('dt', {}, tt('state')), h('dd', { class: 'case-state' }, stateWords(c)),
        h('dt', {}, tt('due')), h('dd', {}, c.due),
        h('dt', {}, tt('accepted')), h('dd', {}, localTime(c.accepted_at)),
        h('dt', {}, tt('delivery')), h('dd', {}, tt(c.delivery === 'mail' ? 'mail' : 'pickup'), c.waybill ? '，' + tt('waybill', { waybill: c.waybill }) : ''),
        c.parent ? [h('dt', {}, '一件事'), h('dd', {}, tt('part', { parent: c.parent }))] : null),
      needsReason ? h('label', { class: 'field', for: id }, h('span', {}, tt('reason')),
        h('input', { id, type: 'text', maxlength: '200', value: S.reasons[c.number] || '', 'aria-label': tt('reasonFor', { number: c.number }),
          oninput: (e) => { S.reasons[c.number] = e.target.value; }, onblur: () => { if (S.pending) setTimeout(render, 0); } })) : null,
      c.state === 'accepted' ? h('p', { class: 'hint' }, tt('waiting')) : null,
      h('div', { class: 'row', role: 'group', 'aria-label': c.number },
        next.map((a) => actionButton(c, a)),
        pdfButton(c, 'receipt'),
        READY.includes(c.state) ? pdfButton(c, 'notice') : null));
  }

  function list() {
    if (!S.cases) return [h('h2', { id: 'bo-cases-title' }, tt('cases')), h('p', { class: 'hint' }, '…')];
    const shown = S.cases.filter((c) => !S.light || c.light === S.light);
    const n = { red: 0, yellow: 0, green: 0 };
    for (const c of S.cases) if (c.light in n) n[c.light]++;
    return [h('h2', { id: 'bo-cases-title' }, tt('cases')), h('p', { id: 'bo-sum' }, tt('sum', n)),
      shown.length ? h('ul', { class: 'bo-list', id: 'bo-cases', 'aria-labelledby': 'bo-cases-title' }, shown.map(caseItem)) : h('p', { id: 'bo-none' }, tt('none'))];
  }

  function render() {
    if (typing()) { S.pending = true; return; }
    S.pending = false;
    setTitle();
    App.put(main,
      h('h1', {}, tt('heading', { dept: S.dept || '…' })),
      h('div', { class: 'alert', role: 'alert' }, S.error || S.loadError),
      h('p', { class: 'notice', role: 'status' }, S.busy ? tt('busy') : S.msg),
      filters(),
      list(),
      h('p', { class: 'hint' }, S.updated ? tt('updated', { time: S.updated }) : ''));
  }
  App.onLang(() => render());

  async function act(c, action) {
    const reason = (S.reasons[c.number] || '').trim();
    if (action === 'reject' && !reason) {
      S.error = tt('needReason');
      render();
      const el = document.getElementById('reason-' + c.number);
      if (el) el.focus();
      return;
    }
    S.busy = action;
    S.error = '';
    render();
    try {
      const body = (action === 'reject' || action === 'suspend') && reason ? { reason } : undefined;
      await api('POST', '/api/v1/cases/' + encodeURIComponent(c.number) + '/' + action, body);
      delete S.reasons[c.number];
      S.msg = tt('done', { number: c.number, action: tt(action) });
    } catch (err) {
      S.error = errorText(err);
    }
    S.busy = '';
    await refresh();
  }

  async function openPDF(c, doc) {
    try {
      const blob = await App.apiBlob('/api/v1/cases/' + encodeURIComponent(c.number) + '/' + doc + '.pdf');
      const url = URL.createObjectURL(blob);
      h('a', { href: url, target: '_blank', rel: 'noopener' }).click();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      S.error = '';
    } catch (err) {
      S.error = errorText(err);
    }
    render();
  }

  async function refresh() {
    try {
      const r = await api('GET', '/api/v1/cases' + (S.open ? '?open=1' : ''));
      S.cases = sortCases(r.data.cases || []);
      if (S.cases.length && !S.dept) S.dept = S.cases[0].department;
      S.updated = App.hallTime();
      S.loadError = '';
    } catch (err) {
      S.loadError = errorText(err);
    }
    render();
  }
  const refreshSoon = App.debounce(refresh, 800);

  render();
  (async () => {
    const me = await App.me();
    if (me) S.dept = me.department || S.dept || me.id || '';
    let seq = null;
    try { seq = (await api('GET', '/api/v1/queue')).data.seq; } catch (err) { /* the stream comes up anyway */ }
    await refresh();
    setInterval(refresh, 30000);
    App.events = new App.Events((e) => { if (String(e.type).startsWith('case.')) refreshSoon(); },
      { since: seq, onOpen: (again) => { if (again) refreshSoon(); } });
  })();
})();
