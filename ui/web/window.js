/* SPDX-License-Identifier: AGPL-3.0-or-later */
// window.js — a window's terminal (窗口多功能一体机): call, recall, no-show,
// start, finish (受理 / 不予受理 / 咨询), transfer, call a chosen number; the
// held ticket with its pre-filled submission, its scanned pages (thumbnails,
// a page large in an in-page viewer) beside the matter's checklist, more
// scans at the window; the waiting list; and after a finish the cases it
// opened and the citizen-facing rating panel (好差评, five levels, once).
(function () {
  'use strict';
  const { t, h, api, errorText } = App;

  App.init();
  App.staffGate();
  document.getElementById('top').append(App.header({ persist: true }));
  App.loadPrefs();
  const main = document.getElementById('app');

  const S = {
    n: 0, info: null, ticket: null, waiting: [], catalog: { matters: [] },
    reveal: false, msg: '', error: '', busy: false,
    rateFor: null, rated: '', rateError: '', rating: false,
    finishMatter: '', transferZone: '', transferWindow: '', pickNumber: '', pickReason: '',
    me: null,          // GET /api/v1/me: {scanner, ...}
    pages: {},         // material id → {state: loading|ok|error, urls: [blob URLs of the thumbnails], error}
    extra: {},         // ticket id → [{id, pages}]: materials scanned at this window
    wscan: { running: false, pages: 0, note: null, error: '' },
    cases: null,       // {number, list}: the cases the last acceptance opened
    rejecting: false, rejectReason: '',
    mine: null,        // GET /api/v1/cases?window=N: this window's cases, newest first
    departments: [],   // the hall's departments, for routing
    routeTo: {},       // case number → the department chosen
    verify: {},        // case number → card | receipt
    waybill: {},       // case number → the waybill typed
    pickupCases: null, // the held pickup ticket's cases
    chainMsg: '', chainError: '',
  };
  const idleScan = (note, error) => ({ running: false, pages: 0, note: note || null, error: error || '' });

  // ---- case slips (受理回执, 结果通知): printed on this window's receipt
  // printer right after an acceptance, reprinted or opened as A4 PDF from
  // the cases panel.
  const SL = {
    zh: { reprint: '补打受理回执', pdf: '受理回执 PDF', printed: '已打印受理回执：{case}', failed: '受理回执未打印（{msg}），请补打或打印 PDF',
      slipFor: '{action}：办件 {case}', lookup: '回执与结果通知', number: '办件编号', 'print.receipt': '打印受理回执',
      'print.notice': '打印结果通知', 'pdf.receipt': '受理回执 PDF', 'pdf.notice': '结果通知 PDF', 'printed.notice': '已打印结果通知：{case}',
      needNumber: '请输入办件编号' },
    en: { reprint: 'Reprint receipt', pdf: 'Receipt PDF', printed: 'Receipt printed: {case}', failed: 'Receipt not printed ({msg}): reprint it or print the PDF',
      slipFor: '{action}: case {case}', lookup: 'Receipts and result notices', number: 'Case number', 'print.receipt': 'Print receipt',
      'print.notice': 'Print result notice', 'pdf.receipt': 'Receipt PDF', 'pdf.notice': 'Result notice PDF', 'printed.notice': 'Result notice printed: {case}',
      needNumber: 'Enter a case number' },
  };
  // words of the chain at the window: routing, rejection with a reason,
  // the one-time correction notice, this window's cases, handing out
  const CW = {
    zh: {
      route: '转办', 'route.to': '转办部门', 'route.btn': '转办到该部门', 'route.done': '办件 {case} 已转办：{dept}',
      'route.for': '转办到该部门：办件 {case}', 'route.default': '（事项主管部门）',
      reject: '不予受理', 'reject.reason': '不予受理的理由（必填，写入不予受理告知书）', 'reject.confirm': '确认不予受理并出具告知书', 'reject.cancel': '取消',
      'reject.need': '请填写不予受理的理由',
      correction: '需补正（一次性告知）', 'correction.need': '请先在材料清单中标出需补正的材料',
      'doc.rejection': '不予受理告知书', 'doc.correction': '一次性告知书', 'doc.print': '打印{doc}', 'doc.pdf': '{doc} PDF', 'doc.printed': '已打印{doc}：{case}',
      mine: '本窗口的办件', 'mine.none': '本窗口还没有受理的办件', 'mine.refresh': '刷新',
      'case.state': '状态', due: '承诺办结 {due}', dept: '部门', applicant: '申请人',
      pickupTicket: '领取办理结果', 'pickup.finish': '出件完毕，办结本号', 'pickup.cases': '本号领取的办件', 'pickup.verify': '核验方式', 'verify.card': '已刷身份证核验',
      'verify.receipt': '已核验受理回执', handout: '核验并出件', 'handout.done': '办件 {case} 已出件', 'handout.for': '核验并出件：办件 {case}',
      waybill: '快递单号', mail: '登记寄出', 'mail.done': '办件 {case} 已寄出，单号 {waybill}', label: '打印地址标签', 'label.done': '已打印地址标签：{case}',
      'waybill.need': '请填写快递单号', 'mail.for': '登记寄出：办件 {case}',
      'rate.wait': '请群众在窗口评价器、评价屏或手机上评价本次服务',
      'rate.got': '{number} 号群众的评价：{level} {words}',
      'case.correction': '需补正', 'case.rejected.front': '不予受理', 'card.read': '已读取身份证：{name}，核验方式已选“已刷身份证核验”',
    },
    en: {
      route: 'Route', 'route.to': 'Route to department', 'route.btn': 'Route to this department', 'route.done': 'Case {case} routed to {dept}',
      'route.for': 'Route to this department: case {case}', 'route.default': ' (the matter\'s department)',
      reject: 'Reject', 'reject.reason': 'Reason for rejecting (required; printed on the rejection notice)', 'reject.confirm': 'Reject and issue the notice', 'reject.cancel': 'Cancel',
      'reject.need': 'Enter the reason for rejecting',
      correction: 'Needs correction (one-time notice)', 'correction.need': 'First mark the materials to correct in the checklist',
      'doc.rejection': 'rejection notice', 'doc.correction': 'one-time correction notice', 'doc.print': 'Print the {doc}', 'doc.pdf': '{doc} PDF', 'doc.printed': '{doc} printed: {case}',
      mine: "This window's cases", 'mine.none': 'No cases accepted at this window yet', 'mine.refresh': 'Refresh',
      'case.state': 'State', due: 'due {due}', dept: 'Department', applicant: 'Applicant',
      pickupTicket: 'Collecting a result', 'pickup.finish': 'Handed out: finish this number', 'pickup.cases': 'Cases this number collects', 'pickup.verify': 'Identity checked by', 'verify.card': 'ID card placed',
      'verify.receipt': 'Receipt checked', handout: 'Check and hand out', 'handout.done': 'Case {case} handed out', 'handout.for': 'Check and hand out: case {case}',
      waybill: 'Waybill number', mail: 'Record as mailed', 'mail.done': 'Case {case} mailed, waybill {waybill}', label: 'Print the address label', 'label.done': 'Address label printed: {case}',
      'waybill.need': 'Enter the waybill number', 'mail.for': 'Record as mailed: case {case}',
      'rate.wait': 'The citizen rates this service on the rating pad, the counter screen or a phone',
      'rate.got': 'Rating of number {number}: {level} {words}',
      'case.correction': 'Needs correction', 'case.rejected.front': 'Rejected', 'card.read': 'ID card read: {name}; identity checked by the card',
    },
  };
  function cw(k, p) {
    const s = (CW[App.lang] || CW.zh)[k] ?? CW.zh[k] ?? k;
    return s.replace(/\{(\w+)\}/g, (m, n) => (p && p[n] != null ? String(p[n]) : m));
  }
  function caseState(st) {
    if (st === 'correction') return cw('case.correction');
    const k = 'case.' + st;
    const s = t(k);
    return s === k ? st : s;
  }

  function st(k, p) {
    const s = (SL[App.lang] || SL.zh)[k] ?? SL.zh[k] ?? k;
    return s.replace(/\{(\w+)\}/g, (m, n) => (p && p[n] != null ? String(p[n]) : m));
  }
  // topCases are the cases that get a receipt: a package case, not its parts.
  function topCases(list) {
    const numbers = new Set(list.map((c) => c.number));
    return list.filter((c) => !c.parent || !numbers.has(c.parent));
  }
  async function printReceipt(c) {
    try {
      await api('POST', '/api/v1/cases/' + encodeURIComponent(c.number) + '/receipt/print');
      S.slipMsg = st('printed', { case: c.number });
      S.slipError = '';
    } catch (err) {
      S.slipMsg = '';
      S.slipError = st('failed', { msg: errorText(err) });
    }
    renderKeep();
  }
  // slipLookupPanel prints or opens any case's receipt, or its result
  // notice once ready (结果通知, when the result is handed out here).
  function slipLookupPanel() {
    const print = S.me && S.me.printer;
    const go = (fn, doc) => () => {
      const number = (S.slipNumber || '').trim();
      if (!number) { S.lookupError = st('needNumber'); S.lookupMsg = ''; renderKeep(); return; }
      fn({ number }, doc);
    };
    return h('section', { class: 'panel', id: 'slips', 'aria-labelledby': 'slips-title' },
      h('h2', { id: 'slips-title' }, st('lookup')),
      h('label', { class: 'field', for: 'slip-number' }, h('span', {}, st('number')),
        h('input', { id: 'slip-number', type: 'text', autocomplete: 'off', value: S.slipNumber || '', oninput: (e) => { S.slipNumber = e.target.value; } })),
      h('div', { class: 'row', role: 'group', 'aria-labelledby': 'slips-title' },
        print ? h('button', { type: 'button', class: 'secondary', id: 'slip-print-receipt', onclick: go(printSlip, 'receipt') }, st('print.receipt')) : null,
        print ? h('button', { type: 'button', class: 'secondary', id: 'slip-print-notice', onclick: go(printSlip, 'notice') }, st('print.notice')) : null,
        h('button', { type: 'button', class: 'secondary', id: 'slip-pdf-receipt', onclick: go(openSlipPDF, 'receipt') }, st('pdf.receipt')),
        h('button', { type: 'button', class: 'secondary', id: 'slip-pdf-notice', onclick: go(openSlipPDF, 'notice') }, st('pdf.notice'))),
      h('p', { class: 'notice', role: 'status', id: 'lookup-status' }, S.lookupMsg || ''),
      h('p', { class: 'alert', role: 'alert', id: 'lookup-error' }, S.lookupError || ''));
  }
  async function printSlip(c, doc) {
    try {
      await api('POST', '/api/v1/cases/' + encodeURIComponent(c.number) + '/' + doc + '/print');
      S.lookupMsg = st(doc === 'notice' ? 'printed.notice' : 'printed', { case: c.number });
      S.lookupError = '';
    } catch (err) {
      S.lookupMsg = '';
      S.lookupError = errorText(err);
    }
    renderKeep();
  }
  async function openSlipPDF(c, doc) {
    try {
      const blob = await App.apiBlob('/api/v1/cases/' + encodeURIComponent(c.number) + '/' + doc + '.pdf');
      const url = URL.createObjectURL(blob);
      h('a', { href: url, target: '_blank', rel: 'noopener' }).click();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
      S.lookupError = '';
    } catch (err) {
      S.lookupError = errorText(err);
    }
    renderKeep();
  }
  async function openReceiptPDF(c) {
    try {
      const blob = await App.apiBlob('/api/v1/cases/' + encodeURIComponent(c.number) + '/receipt.pdf');
      const url = URL.createObjectURL(blob);
      h('a', { href: url, target: '_blank', rel: 'noopener' }).click();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      S.slipError = errorText(err);
      renderKeep();
    }
  }
  function slipButtons(c) {
    const print = S.me && S.me.printer;
    return h('span', { class: 'row case-slips' },
      print ? h('button', { type: 'button', class: 'secondary', dataset: { slip: 'print', slipCase: c.number },
        'aria-label': st('slipFor', { action: st('reprint'), case: c.number }), onclick: () => printReceipt(c) }, st('reprint')) : null,
      h('button', { type: 'button', class: 'secondary', dataset: { slip: 'pdf', slipCase: c.number },
        'aria-label': st('slipFor', { action: st('pdf'), case: c.number }), onclick: () => openReceiptPDF(c) }, st('pdf')));
  }

  // ---- which window is this? ---------------------------------------------
  // ?window=N in the address (kept for later loads), else the server's
  // answer about this token's terminal (GET /api/v1/me, when it exists),
  // else the officer picks it once. The server still checks every action.
  async function whichWindow() {
    const q = new URLSearchParams(location.search).get('window');
    if (q && /^[0-9]+$/.test(q)) { store(q); return parseInt(q, 10); }
    const me = await App.me();
    if (me && me.window) return me.window;
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
  function mName(m) { return (App.lang === 'en' && m && m.name_en) || (m && m.name) || ''; }
  function caseName(c) { const m = matterOf(c.matter); return (App.lang === 'en' && m && m.name_en) || c.matter_name || c.matter || ''; }
  function packageOf(code) { return (S.catalog.packages || []).find((p) => p.code === code) || null; }
  function zoneLabel(id) { const z = App.zoneByID(id); return z ? (z.prefix || z.id) + ' ' + App.zoneName(z) : id; }

  function render() {
    if (!S.n) return;
    syncMaterials();
    const info = S.info || {};
    const helps = (info.helps || []).map(zoneLabel).join('、');
    App.put(main, 
      h('h1', { id: 'win-title' }, t('w.title', { n: S.n }), ' · ', zoneLabel(info.zone)),
      helps ? h('p', { class: 'hint' }, t('w.helps', { zones: helps })) : null,
      h('div', { class: 'notice', role: 'status', id: 'msg' }, S.msg),
      h('div', { class: 'alert', role: 'alert', id: 'error' }, S.error),
      h('div', { class: 'window-grid' },
        h('div', {}, S.rateFor ? ratingPanel() : null, S.cases ? casesPanel() : null, heldPanel(), slipLookupPanel()),
        actionsPanel(),
        h('div', {}, waitingPanel(), minePanel())));
  }
  // words already on screen were said in the other language: they go
  App.onLang(() => {
    S.msg = ''; S.error = ''; S.slipMsg = ''; S.slipError = ''; S.lookupMsg = ''; S.lookupError = '';
    if (S.n) render(); else if (App.onLangOnce) App.onLangOnce();
  });

  function heldPanel() {
    const tk = S.ticket;
    if (!tk) {
      return h('section', { class: 'panel', id: 'held', 'aria-labelledby': 'held-title' },
        h('h2', { id: 'held-title' }, t('w.held')), h('p', {}, t('w.held.none')));
    }
    const m = matterOf(tk.matter || (tk.submission && tk.submission.matter));
    const pkg = tk.package ? packageOf(tk.package) : null;
    const sub = tk.submission;
    const rows = [];
    const kv = (k, ...v) => rows.push(h('dt', {}, k), h('dd', {}, v));
    kv(t('w.matter'), m ? mName(m) + '（' + m.code + '）' : pkg ? pkg.name + '（' + pkg.code + '）' : tk.matter || tk.package || t('w.matter.none'));
    if (tk.agent) { // an agent (代办员) handles it on the citizen's behalf
      const g = tk.agent;
      kv(t('w.agent.who'), h('span', { id: 'held-agent' }, t('w.agent.line', { name: g.agent_name, id: g.agent, citizen: g.citizen_name_masked,
        consent: t('consent.' + g.consent, { witness: g.witness || '' }) })));
    }
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
    const mats = (m ? m.materials : pkg ? pkg.materials : null) || [];
    return h('section', { class: 'panel', id: 'held', 'aria-labelledby': 'held-title' },
      h('h2', { id: 'held-title' }, t('w.held')),
      h('div', { class: 'held-head' },
        h('span', { class: 'big-number', dataset: { number: tk.number } }, tk.number),
        h('span', { class: 'tag', id: 'held-status' }, t('status.' + tk.status)),
        tk.priority ? h('span', { class: 'tag' }, t('w.priority')) : null,
        tk.transferred ? h('span', { class: 'tag' }, t('w.transferred')) : null,
        tk.agent ? h('span', { class: 'tag', dataset: { agent: tk.agent.agent } }, t('w.agent')) : null,
        tk.purpose === 'pickup' ? h('span', { class: 'tag', id: 'held-pickup' }, cw('pickupTicket')) : null,
        tk.recalls ? h('span', {}, t('w.recalls', { n: tk.recalls })) : null),
      tk.purpose === 'pickup' ? pickupPart(tk) : [
        h('h3', {}, t('w.sub')),
        h('dl', { class: 'kv', id: 'submission' }, rows),
        h('div', { class: 'materials-grid' }, pagesPart(tk), mats.length ? checklistPart(tk, mats) : null)]);
  }

  // ---- materials: thumbnails, the viewer, the checklist, more scans --------
  // The thumbnails are fetched once per material (with the bearer header)
  // and kept as blob URLs, so the frequent re-renders of this page do not
  // ask the server to render them again; they are dropped with the ticket.
  function pagesPart(tk) {
    const ids = (tk.submission && tk.submission.materials) || [];
    const extra = S.extra[tk.id] || [];
    return h('section', { id: 'pages', class: 'pages', 'aria-labelledby': 'pages-title' },
      h('h3', { id: 'pages-title' }, t('w.pages')),
      ids.length ? h('p', { class: 'hint' }, t('w.page.open')) : h('p', {}, t('w.pages.none')),
      ids.map((id, i) => materialGroup(id, 'm' + i, t('w.material', { i: i + 1 }), (n) => t('w.material.pages', { i: i + 1, n }), i + 1)),
      S.me && S.me.scanner ? scanControls(tk) : null,
      extra.length ? h('div', { class: 'extra', id: 'extra' },
        h('h4', { id: 'extra-title' }, t('w.extra')),
        h('p', { class: 'hint' }, t('w.extra.hint')),
        extra.map((x, i) => materialGroup(x.id, 'x' + i, t('w.extra.material', { i: i + 1, n: x.pages }), () => t('w.extra.material', { i: i + 1, n: x.pages }), i + 1))) : null);
  }

  function materialGroup(id, key, short, label, i) {
    const rec = S.pages[id] || { state: 'loading', urls: [] };
    const n = rec.urls.length;
    return h('div', { class: 'material', dataset: { material: id } },
      h('p', { class: 'material-name', id: 'mat-' + key }, rec.state === 'ok' ? label(n) : short),
      rec.state === 'loading' ? h('p', { class: 'hint' }, t('w.pages.loading', { i })) : null,
      rec.state === 'error' ? h('p', { class: 'alert' }, t('w.pages.error', { i, msg: rec.error })) : null,
      n ? h('ul', { class: 'thumbs', 'aria-labelledby': 'mat-' + key }, rec.urls.map((u, k) => {
        const bid = 'pg-' + key + '-' + (k + 1);
        return h('li', {}, h('button', { type: 'button', class: 'thumb', id: bid, dataset: { material: id, page: k + 1 },
          onclick: () => openPage(id, k, short, bid) },
        h('img', { src: u, alt: t('page.n', { n: k + 1 }) }),
        h('span', { class: 'thumb-cap', 'aria-hidden': 'true' }, t('page.n', { n: k + 1 }))));
      })) : null);
  }

  // openPage shows page k (0-based) of a material 1200 px wide in the viewer.
  function openPage(id, k, name, openerID) {
    const total = (S.pages[id] || { urls: [] }).urls.length;
    const pages = [];
    for (let n = 1; n <= total; n++) pages.push({ src: App.pageURL(id, n, { width: 1200 }), alt: t('page.n', { n }) });
    App.viewer().open(pages, k, (i) => t('pv.title', { material: name, n: i + 1, total }), () => document.getElementById(openerID));
  }

  // syncMaterials loads the thumbnails of the held ticket's materials and
  // drops those of tickets no longer held.
  function syncMaterials() {
    const tk = S.ticket;
    const want = new Map();
    if (tk) {
      for (const id of (tk.submission && tk.submission.materials) || []) want.set(id, null);
      for (const x of S.extra[tk.id] || []) want.set(x.id, x.pages);
    }
    for (const id of Object.keys(S.pages)) {
      if (want.has(id)) continue;
      for (const u of S.pages[id].urls) URL.revokeObjectURL(u);
      delete S.pages[id];
    }
    for (const k of Object.keys(S.extra)) if (!tk || k !== tk.id) delete S.extra[k];
    for (const [id, pages] of want) if (!S.pages[id]) loadMaterial(id, pages);
  }

  async function loadMaterial(id, total) {
    const rec = { state: 'loading', urls: [], error: '' };
    S.pages[id] = rec;
    try {
      if (total == null) total = await pageCount(id);
      for (let n = 1; total == null ? n <= 500 : n <= total; n++) {
        let blob;
        try {
          blob = await App.apiBlob(App.pageURL(id, n, { thumb: true, token: false }));
        } catch (err) {
          if (err.status === 404 && total == null && n > 1) break; // past the last page
          throw err;
        }
        if (S.pages[id] !== rec) return; // the ticket went meanwhile
        rec.urls.push(URL.createObjectURL(blob));
        renderSoon();
      }
      rec.state = 'ok';
    } catch (err) {
      if (S.pages[id] !== rec) return;
      rec.state = 'error';
      rec.error = errorText(err);
    }
    renderSoon();
  }

  // pageCount asks GET /api/v1/materials/{id} for the number of pages; a
  // server without it answers 404, and then (null) the pages are asked for
  // one by one until a 404.
  async function pageCount(id) {
    try {
      const r = await api('GET', '/api/v1/materials/' + encodeURIComponent(id));
      return r.data && r.data.pages > 0 ? r.data.pages : null;
    } catch (err) {
      if (err.status === 404 || err.status === 405) return null;
      throw err;
    }
  }

  // checklistPart: the matter's required materials, each marked by the
  // window as checked (accepted) or to be corrected (补正, with what), saved
  // on the ticket (POST /api/v1/windows/{n}/checklist) so the marks survive
  // a reload and are in the audit.
  function checklistPart(tk, names) {
    const marks = tk.checklist || {};
    const done = names.filter((name) => marks[name] && marks[name].state === 'accepted').length;
    const mark = async (name, state, note) => {
      try {
        const r = await post('checklist', { material: name, state, note: note || '' });
        S.ticket = r.data.ticket;
        render();
      } catch (err) {
        say('', errorText(err));
        render();
      }
    };
    return h('section', { id: 'checklist', 'aria-labelledby': 'req-title' },
      h('h3', { id: 'req-title' }, t('w.materials.required')),
      h('p', { class: 'hint', id: 'checked-count' }, t('w.checked.count', { n: done, total: names.length })),
      h('ul', { class: 'checklist', 'aria-labelledby': 'req-title' }, names.map((name, i) => {
        const m = marks[name] || {};
        return h('li', { dataset: { state: m.state || '' } },
          h('span', { class: 'req-name', id: 'req-' + i }, name),
          h('label', { class: 'check', for: 'chk-' + i },
            h('input', { type: 'checkbox', id: 'chk-' + i, checked: m.state === 'accepted', 'aria-labelledby': 'chk-l-' + i + ' req-' + i,
              onchange: (e) => mark(name, e.target.checked ? 'accepted' : '') }),
            h('span', { id: 'chk-l-' + i }, t('w.checked'))),
          m.state === 'correction'
            ? h('span', { class: 'correction', role: 'note' }, t('w.correction.is', { note: m.note || '' }), ' ',
              h('button', { type: 'button', class: 'secondary', dataset: { action: 'uncorrect' }, 'aria-label': t('w.correction.clear') + ' ' + name, onclick: () => mark(name, '') }, t('w.correction.clear')))
            : h('button', { type: 'button', class: 'secondary', dataset: { action: 'correct', index: String(i) }, 'aria-label': t('w.correction') + ' ' + name,
              onclick: () => {
                S.correctFor = i;
                S.correctNote = '';
                render();
                const box = document.getElementById('corr-' + i);
                if (box) box.focus();
              } }, t('w.correction')),
          S.correctFor === i && m.state !== 'correction'
            ? h('form', { class: 'correction-form', onsubmit: (e) => { e.preventDefault(); const v = S.correctNote; S.correctFor = null; S.correctNote = ''; mark(name, 'correction', v); } },
              h('label', { for: 'corr-' + i }, t('w.correction.what')),
              // the typed words live in S, so a re-render (a queue event) keeps them
              h('input', { id: 'corr-' + i, maxlength: 200, autocomplete: 'off', value: S.correctNote || '', oninput: (e) => { S.correctNote = e.target.value; } }),
              h('button', { type: 'submit', class: 'primary' }, t('w.correction.save')))
            : null);
      })));
  }

  function scanControls(tk) {
    const sc = S.wscan;
    let note = '';
    if (sc.running) note = sc.pages ? t('w.scan.page', { n: sc.pages }) : t('w.scan.running');
    else if (sc.note) note = t(sc.note[0], sc.note[1]);
    return h('div', { class: 'wscan row' },
      h('button', { type: 'button', class: 'secondary', id: 'wscan-btn', dataset: { action: 'window-scan' },
        disabled: sc.running, 'aria-busy': sc.running ? 'true' : 'false', onclick: () => windowScan(tk.id) }, t('w.scan')),
      h('span', { role: 'status', id: 'wscan-status' }, note),
      sc.error ? h('p', { class: 'alert', role: 'alert', id: 'wscan-error' }, t('w.scan.failed', { msg: sc.error })) : null);
  }

  // windowScan scans more materials for the held ticket at this window.
  function windowScan(ticketID) {
    if (S.wscan.running) return;
    S.wscan = { running: true, pages: 0, note: null, error: '' };
    renderKeep();
    App.runScan({
      page: (n) => { S.wscan.pages = Math.max(S.wscan.pages, n); renderKeep(); },
      done: async (m) => {
        const list = S.extra[ticketID] || (S.extra[ticketID] = []);
        if (!list.some((x) => x.id === m.material_id)) list.push({ id: m.material_id, pages: m.pages });
        S.wscan = idleScan(['w.scan.done', { n: m.pages }]);
        renderKeep();
        // hand the pages to the ticket's submission (on a terminal node whose
        // hall node is away: kept here and sent when it is back, 202)
        try {
          const r = await api('POST', '/api/v1/windows/' + S.n + '/materials', { material_id: m.material_id });
          if (r.status === 202) S.wscan = idleScan(['w.scan.queued', { n: m.pages }]);
        } catch (err) {
          S.wscan = idleScan(null, errorText(err));
        }
        renderKeep();
      },
      failed: (words) => { S.wscan = idleScan(null, words); renderKeep(); },
    });
  }

  // casesPanel lists the cases an acceptance opened: a package case with
  // its parts under it.
  function casesPanel() {
    const list = S.cases.list;
    const numbers = new Set(list.map((c) => c.number));
    const item = (c) => {
      const parts = list.filter((k) => k.parent === c.number);
      return h('li', { dataset: { case: c.number, state: c.state || '' } },
        h('span', { class: 'case-no' }, c.number),
        parts.length ? h('span', { class: 'tag' }, t('w.case.package')) : null,
        c.state ? h('span', { class: 'tag case-state' }, caseState(c.state)) : null,
        h('span', { class: 'case-name' }, caseName(c)),
        h('span', { class: 'case-due' }, (c.department ? c.department + ' · ' : '') + t('w.case.due', { due: c.due })),
        c.state === 'accepted' && !parts.length ? routeControl(c) : null,
        parts.length ? h('ul', { class: 'case-parts', 'aria-label': t('w.case.parts', { name: c.matter_name || c.number }) }, parts.map(item)) : null);
    };
    const slips = (c) => {
      if (S.cases.result === 'rejected') return docButtons(c, 'rejection');
      if (S.cases.result === 'correction') return docButtons(c, 'correction');
      return slipButtons(c);
    };
    return h('section', { class: 'panel cases', id: 'cases', 'aria-labelledby': 'cases-title' },
      h('h2', { id: 'cases-title' }, t('w.cases', { number: S.cases.number })),
      h('ul', { class: 'case-list' }, list.filter((c) => !c.parent || !numbers.has(c.parent)).map((c) => { const li = item(c); li.append(slips(c)); return li; })),
      h('p', { class: 'notice', role: 'status', id: 'slip-status' }, S.slipMsg || ''),
      h('p', { class: 'alert', role: 'alert', id: 'slip-error' }, S.slipError || ''));
  }

  // ---- the chain: route, rejection and correction notices, this window's
  // cases, handing out a result ------------------------------------------
  function departments() {
    const set = new Set(S.departments);
    for (const m of S.catalog.matters || []) if (m.department) set.add(m.department);
    return Array.from(set);
  }
  // routeControl routes an accepted case to a back office: the matter's
  // department preselected, another of the hall's choosable.
  function routeControl(c) {
    const id = 'route-' + c.number;
    const chosen = S.routeTo[c.number] || c.department;
    return h('span', { class: 'row route' },
      h('label', { for: id }, cw('route.to')),
      h('select', { id, dataset: { routeFor: c.number }, onchange: (e) => { S.routeTo[c.number] = e.target.value; } },
        departments().map((d) => h('option', { value: d, selected: d === chosen }, d + (d === c.department ? cw('route.default') : '')))),
      h('button', { type: 'button', class: 'primary', dataset: { action: 'route', case: c.number }, 'aria-label': cw('route.for', { case: c.number }),
        disabled: S.busy, onclick: () => route(c) }, cw('route.btn')));
  }
  async function route(c) {
    const dept = S.routeTo[c.number] || c.department;
    try {
      const body = dept && dept !== c.department ? { department: dept } : undefined;
      const r = await api('POST', '/api/v1/cases/' + encodeURIComponent(c.number) + '/route', body);
      const k = r.data.case || {};
      if (S.cases) S.cases.list = S.cases.list.map((x) => (x.number === c.number ? Object.assign({}, x, k) : x));
      say(cw('route.done', { case: c.number, dept: k.department || dept }));
    } catch (err) {
      say('', errorText(err));
    }
    refreshMine();
    renderKeep();
  }
  // docButtons print or open a rejection notice (不予受理告知书) or a
  // one-time correction notice (一次性告知书).
  function docButtons(c, doc) {
    const name = cw('doc.' + doc);
    const print = S.me && S.me.printer;
    return h('span', { class: 'row case-slips' },
      print ? h('button', { type: 'button', class: 'secondary', dataset: { slip: 'print-' + doc, slipCase: c.number }, onclick: () => printDoc(c, doc) }, cw('doc.print', { doc: name })) : null,
      h('button', { type: 'button', class: 'secondary', dataset: { slip: 'pdf-' + doc, slipCase: c.number }, onclick: () => openSlipPDF(c, doc) }, cw('doc.pdf', { doc: name })));
  }
  async function printDoc(c, doc) {
    try {
      await api('POST', '/api/v1/cases/' + encodeURIComponent(c.number) + '/' + doc + '/print');
      S.slipMsg = cw('doc.printed', { doc: cw('doc.' + doc), case: c.number });
      S.slipError = '';
    } catch (err) {
      S.slipMsg = '';
      S.slipError = errorText(err);
    }
    renderKeep();
  }

  // minePanel: this window's cases and how far each has gone (GET
  // /api/v1/cases?window=N), kept current by case events; a ready case to
  // be mailed gets its waybill and address label here.
  function minePanel() {
    if (S.mine == null) return null;
    const row = (c) => h('li', { dataset: { case: c.number, state: c.state } },
      h('span', { class: 'case-no' }, c.number),
      h('span', { class: 'tag case-state' }, caseState(c.state)),
      c.light ? h('span', { class: 'light light-' + c.light }, t('light.' + c.light)) : null,
      h('span', { class: 'case-name' }, caseName(c)),
      h('span', { class: 'case-due' }, [c.department, c.ticket_number || c.ticket, cw('due', { due: c.due })].filter(Boolean).join(' · ')),
      c.state === 'ready' && c.delivery === 'mail' ? mailControl(c) : null);
    return h('section', { class: 'panel cases', id: 'mine', 'aria-labelledby': 'mine-title' },
      h('h2', { id: 'mine-title' }, cw('mine')),
      S.mine.length ? h('ul', { class: 'case-list' }, S.mine.slice(0, 30).map(row)) : h('p', {}, cw('mine.none')));
  }
  function mailControl(c) {
    const id = 'waybill-' + c.number;
    return h('span', { class: 'row mail' },
      h('label', { for: id }, cw('waybill')),
      h('input', { id, maxlength: 40, autocomplete: 'off', value: S.waybill[c.number] || '', oninput: (e) => { S.waybill[c.number] = e.target.value; } }),
      h('button', { type: 'button', class: 'primary', dataset: { action: 'mail', case: c.number }, 'aria-label': cw('mail.for', { case: c.number }), onclick: () => mail(c) }, cw('mail')));
  }
  async function mail(c) {
    const waybill = (S.waybill[c.number] || '').trim();
    if (!waybill) { say('', cw('waybill.need')); renderKeep(); return; }
    try {
      await api('POST', '/api/v1/cases/' + encodeURIComponent(c.number) + '/mail', { waybill });
      say(cw('mail.done', { case: c.number, waybill }));
      if (S.me && S.me.printer) {
        try {
          await api('POST', '/api/v1/cases/' + encodeURIComponent(c.number) + '/label/print');
          say(cw('mail.done', { case: c.number, waybill }) + '；' + cw('label.done', { case: c.number }));
        } catch (err) { S.error = errorText(err); }
      }
    } catch (err) {
      say('', errorText(err));
    }
    await refreshMine();
    renderKeep();
  }
  async function refreshMine() {
    try {
      const r = await api('GET', '/api/v1/cases?window=' + S.n);
      S.mine = (r.data && r.data.cases) || [];
    } catch (err) {
      if (err.status === 400 || err.status === 404) S.mine = null; // no such list on this hall node
    }
  }
  const refreshMineSoon = App.debounce(() => refreshMine().then(renderKeep), 400);

  // pickupPart: a pickup ticket's cases, each handed out once the officer
  // has checked who collects it (the card placed, or the receipt).
  function pickupPart(tk) {
    const list = S.pickupCases || (tk.cases || []).map((c) => (typeof c === 'string' ? { number: c } : c));
    return h('section', { class: 'pickup', id: 'pickup', 'aria-labelledby': 'pickup-title' },
      h('h3', { id: 'pickup-title' }, cw('pickup.cases')),
      h('ul', { class: 'case-list' }, list.map((c) => {
        const vid = 'verify-' + c.number;
        const done = c.state && c.state !== 'ready';
        return h('li', { dataset: { case: c.number, state: c.state || '' } },
          h('span', { class: 'case-no' }, c.number),
          c.state ? h('span', { class: 'tag case-state' }, caseState(c.state)) : null,
          h('span', { class: 'case-name' }, caseName(c)),
          done ? null : h('span', { class: 'row' },
            h('label', { for: vid }, cw('pickup.verify')),
            h('select', { id: vid, dataset: { verifyFor: c.number }, onchange: (e) => { S.verify[c.number] = e.target.value; } },
              h('option', { value: 'card', selected: (S.verify[c.number] || 'card') === 'card' }, cw('verify.card')),
              h('option', { value: 'receipt', selected: S.verify[c.number] === 'receipt' }, cw('verify.receipt'))),
            h('button', { type: 'button', class: 'ok', dataset: { action: 'hand-out', case: c.number }, 'aria-label': cw('handout.for', { case: c.number }),
              disabled: S.busy, onclick: () => handOut(c) }, cw('handout'))));
      })));
  }
  async function handOut(c) {
    try {
      const r = await api('POST', '/api/v1/cases/' + encodeURIComponent(c.number) + '/hand-out', { verified: S.verify[c.number] || 'card' });
      const k = r.data.case || { state: 'handed_out' };
      S.pickupCases = (S.pickupCases || (S.ticket.cases || []).map((x) => (typeof x === 'string' ? { number: x } : x)))
        .map((x) => (x.number === c.number ? Object.assign({}, x, { state: k.state || 'handed_out' }) : x));
      say(cw('handout.done', { case: c.number }));
    } catch (err) {
      say('', errorText(err));
    }
    refreshMine();
    renderKeep();
  }

  function actionsPanel() {
    const tk = S.ticket;
    const called = tk && tk.status === 'called';
    const held = !!tk;
    const b = (action, label, enabled, fn, cls) => h('button', { type: 'button', class: cls || '', dataset: { action }, disabled: !enabled || S.busy, onclick: fn }, label);
    const needMatter = held && !tk.matter && !tk.package && tk.purpose !== 'pickup';
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
          zoneMatters.map((m) => h('option', { value: m.code, selected: S.finishMatter === m.code }, mName(m))))) : null,
      held && tk.purpose === 'pickup' ? h('div', { class: 'row', role: 'group', 'aria-labelledby': 'finish-title' },
        b('finish-pickup', cw('pickup.finish'), held, () => finish('served'), 'ok')) : null,
      held && tk.purpose === 'pickup' ? null : h('div', { class: 'row', role: 'group', 'aria-labelledby': 'finish-title' },
        b('accepted', t('w.accepted'), held, () => finish('accepted'), 'ok'),
        b('rejected', t('w.rejected'), held, () => { S.rejecting = !S.rejecting; renderKeep(); const r = document.getElementById('reject-reason'); if (r) r.focus(); }, 'danger'),
        b('correction', cw('correction'), held && corrections(tk) > 0, () => finish('correction'), 'secondary'),
        b('consulted', t('w.consulted'), held, () => finish('consulted'), 'secondary')),
      held && tk.purpose !== 'pickup' && !corrections(tk) && (matterOf(tk.matter) || packageOf(tk.package)) ? h('p', { class: 'hint', id: 'correction-hint' }, cw('correction.need')) : null,
      held && S.rejecting ? h('form', { class: 'reject-form', id: 'reject-form', onsubmit: (e) => {
        e.preventDefault();
        if (!S.rejectReason.trim()) { say('', cw('reject.need')); renderKeep(); const r = document.getElementById('reject-reason'); if (r) r.focus(); return; }
        finish('rejected');
      } },
        h('label', { class: 'field', for: 'reject-reason' }, h('span', {}, cw('reject.reason')),
          h('textarea', { id: 'reject-reason', maxlength: 500, rows: 3, 'aria-required': 'true', oninput: (e) => { S.rejectReason = e.target.value; } }, S.rejectReason)),
        h('div', { class: 'row' },
          h('button', { type: 'submit', class: 'danger', dataset: { action: 'reject-confirm' }, disabled: S.busy }, cw('reject.confirm')),
          h('button', { type: 'button', class: 'secondary', dataset: { action: 'reject-cancel' }, onclick: () => { S.rejecting = false; S.rejectReason = ''; renderKeep(); } }, cw('reject.cancel')))) : null,
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

  function corrections(tk) {
    if (!tk || !tk.checklist) return 0;
    return Object.values(tk.checklist).filter((m) => m && m.state === 'correction').length;
  }

  // ratingPanel shows the citizen's rating of the service just finished
  // (a ticket.rated event: the rating pad, the counter screen or the
  // phone); the officer never rates his own service.
  function ratingPanel() {
    const lvl = S.rated;
    return h('section', { class: 'rating', id: 'rating', 'aria-labelledby': 'rating-title' },
      h('h2', { id: 'rating-title' }, t('r.for', { number: S.rateFor.number })),
      lvl ? h('p', { class: 'notice rated', role: 'status', id: 'rating-done', dataset: { level: lvl } }, Faces.face(lvl),
        h('span', {}, cw('rate.got', { number: S.rateFor.number, level: lvl, words: t('r.' + lvl) })))
        : h('p', { class: 'hint', id: 'rating-wait' }, cw('rate.wait')));
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
          tk.agent ? h('span', { class: 'tag', dataset: { agent: tk.agent.agent } }, t('w.agent')) : null,
          h('span', {}, m ? mName(m) : zoneLabel(tk.zone)),
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
        else { S.ticket = r.data.ticket; S.reveal = false; S.rateFor = null; S.cases = null; S.wscan = idleScan(); S.finishMatter = ''; say(t('w.m.called', { number: S.ticket.number })); }
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
    if (result !== 'consulted' && S.ticket && !S.ticket.matter && !S.ticket.package && S.finishMatter) body.matter = S.finishMatter;
    if (result === 'rejected') body.reason = S.rejectReason.trim();
    try {
      const r = await post('finish', body);
      const tk = r.data.ticket;
      S.ticket = null;
      S.reveal = false;
      S.rejecting = false;
      S.rejectReason = '';
      S.pickupCases = null;
      S.rateFor = { id: tk.id, number: tk.number };
      S.rated = '';
      S.cases = r.data.cases && r.data.cases.length ? { number: tk.number, list: r.data.cases, result } : null;
      S.slipMsg = '';
      S.slipError = '';
      if (S.cases && S.me && S.me.printer) {
        // at once: the acceptance receipt (受理回执), or the rejection or
        // one-time correction notice the citizen takes away
        if (result === 'rejected' || result === 'correction') topCases(S.cases.list).forEach((c) => { printDoc(c, result === 'rejected' ? 'rejection' : 'correction'); });
        else topCases(S.cases.list).forEach((c) => { printReceipt(c); });
      }
      refreshMine();
      S.wscan = idleScan();
      let msg = t('w.m.finished', { number: tk.number, result: result === 'correction' ? cw('case.correction') : result === 'served' ? cw('pickupTicket') : t('result.' + result) });
      const cs = r.data.cases || [];
      if (cs.length > 1) msg += '；' + t('w.m.cases', { n: cs.length }); // listed in the cases panel
      else for (const c of cs) msg += '；' + t('w.m.case', { case: c.number, due: c.due });
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

  // callScanned calls the ticket whose status link the window's QR reader
  // read (qr.scanned): an out-of-order call, recorded with its reason.
  async function callScanned(data) {
    const m = /\/s\/([0-9a-f]{32})/.exec(String(data));
    if (!m) return;
    try {
      const r = await post('call', { ticket: m[1], reason: t('w.qr.reason') });
      if (r.status !== 204) {
        S.ticket = r.data.ticket;
        S.reveal = false;
        S.rateFor = null;
        S.cases = null;
        S.wscan = idleScan();
        say(t('w.m.called', { number: S.ticket.number }));
      }
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
        S.cases = null;
        S.wscan = idleScan();
        S.pickNumber = '';
        S.pickReason = '';
        say(t('w.m.called', { number: S.ticket.number }));
      }
    } catch (err) {
      say('', errorText(err));
    }
    await refresh();
  }

  // ---- data ---------------------------------------------------------------
  async function refresh() {
    try {
      const [w, l] = await Promise.all([api('GET', '/api/v1/windows/' + S.n), api('GET', '/api/v1/tickets')]);
      S.info = w.data;
      S.ticket = w.data.ticket || null;
      S.waiting = l.data.tickets || [];
      await heldDetails();
    } catch (err) {
      if (!S.error) S.error = errorText(err);
    }
    renderKeep();
  }
  // heldDetails reads the held ticket whole (GET /api/v1/tickets/{id}): a
  // pickup ticket's cases with their states.
  async function heldDetails() {
    const tk = S.ticket;
    if (!tk) { S.pickupCases = null; S.heldID = ''; return; }
    if (S.heldID === tk.id && tk.purpose === 'pickup' && S.pickupCases) { tk.cases = S.pickupCases; return; }
    if (S.heldID !== tk.id) { S.pickupCases = null; S.verify = {}; }
    S.heldID = tk.id;
    try {
      const r = await api('GET', '/api/v1/tickets/' + encodeURIComponent(tk.id));
      const d = r.data || {};
      if (d.purpose) tk.purpose = d.purpose;
      if (d.purpose === 'pickup' && Array.isArray(d.cases)) {
        S.pickupCases = d.cases.map((c) => (typeof c === 'string' ? { number: c } : c));
        tk.cases = S.pickupCases;
      }
    } catch (err) { /* the held panel shows what the window answer had */ }
  }
  const refreshSoon = App.debounce(refresh, 300);

  // renderKeep renders and puts the focus back on the element that had it.
  function renderKeep() {
    const focused = document.activeElement && document.activeElement.id;
    render();
    if (focused) { const el = document.getElementById(focused); if (el && !el.disabled) el.focus(); }
  }
  const renderSoon = App.debounce(renderKeep, 60);

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
    S.departments = (S.catalog && S.catalog.departments) || [];
    if (!S.departments.length) {
      try { S.departments = ((await api('GET', '/api/v1/departments')).data || {}).departments || []; } catch (err) { /* the catalog's matters name them */ }
    }
    S.departments = S.departments.map((d) => (typeof d === 'string' ? d : d.name || d.id)).filter(Boolean);
    S.me = await App.me();
    await refreshMine();
    await refresh();
    if (!App.events) {
      let seq = null;
      try { seq = (await api('GET', '/api/v1/queue')).data.seq; } catch (err) { /* stream comes up anyway */ }
      App.watchUpstream(false);
      App.events = new App.Events((e) => {
        if (App.upstreamEvent(e)) return;
        if (e.type && e.type.startsWith('scan.')) App.scanEvent(e);
        else if (e.type === 'qr.scanned') { if (!(App.serverNow() - Date.parse(e.at) > 30000)) callScanned(e.data); }
        else if (e.type === 'card.read' && S.ticket && S.ticket.purpose === 'pickup') {
          // a card placed on this window's reader while a result is collected: the identity check
          for (const c of S.pickupCases || []) S.verify[c.number] = 'card';
          say(cw('card.read', { name: e.name || '' }));
          renderKeep();
        } else if (e.type === 'ticket.rated') {
          if (S.rateFor && (e.ticket === S.rateFor.id || e.number === S.rateFor.number) && (!e.window || e.window === S.n)) { S.rated = e.level; renderKeep(); }
        } else if (e.type && e.type.startsWith('case.')) refreshMineSoon();
        else if (e.type && e.type.startsWith('ticket.')) refreshSoon();
      },
        { since: seq, onOpen: (again) => { if (again) refreshSoon(); } });
    }
  }

  (async () => {
    const n = await whichWindow();
    if (n) start(n); else chooser('');
  })();
})();
