/* SPDX-License-Identifier: AGPL-3.0-or-later */
// guide.js — the guide desk (导办台): a ticket for a walk-in in two taps,
// the area then "普通" or a priority reason; waiting counts per area kept
// current by the event stream; "补打" prints again a ticket issued here
// (shown only when GET /api/v1/me says this desk has a printer).
(function () {
  'use strict';
  const { t, h, api, errorText } = App;

  // words of the desk's printer notice, check-in and collecting a result
  const GT = {
    zh: {
      noprinter: '本导办台没有连接打印机，取号后不能打印凭条：请把号码告诉群众（或写给他），也可请群众到自助终端取号。',
      desk: '预约签到 · 领取办理结果',
      what: '预约码、身份证号码或办件编号',
      idtype: '证件类型',
      idauto: '按号码识别（身份证、永久居留身份证、居住证）',
      passport: '护照（号码由工作人员录入）',
      checkin: '预约签到',
      find: '按身份证查今天的预约',
      pickup: '领取办理结果',
      empty: '请先输入预约码、身份证号码或办件编号',
      appts: '今天的预约',
      appt: '{code} · {matter} · {start}–{end}',
      noappts: '该证件今天没有预约',
      none: '没有可领取的办理结果，未取号',
      cases: '领取办件：{cases}',
      pickupTag: '领取办理结果',
    },
    en: {
      noprinter: 'This guide desk has no printer, so tickets are not printed: tell the citizen the number (or write it down), or send them to a kiosk.',
      desk: 'Appointment check-in · Collecting a result',
      what: 'Appointment code, ID number or case number',
      idtype: 'Document',
      idauto: 'Recognised from the number (ID card, permanent residence card, residence permit)',
      passport: 'Passport (number typed by staff)',
      checkin: 'Check in',
      find: "Find today's appointments by ID",
      pickup: 'Collect a result',
      empty: 'Enter an appointment code, an ID number or a case number first',
      appts: "Today's appointments",
      appt: '{code} · {matter} · {start}–{end}',
      noappts: 'No appointment today for this ID',
      none: 'Nothing is ready to collect; no number was given',
      cases: 'Cases to collect: {cases}',
      pickupTag: 'collecting a result',
    },
  };
  function gt(k, p) {
    const s = (GT[App.lang] || GT.zh)[k] ?? GT.zh[k] ?? k;
    return s.replace(/\{(\w+)\}/g, (m, n) => (p && p[n] != null ? String(p[n]) : m));
  }

  App.init();
  App.staffGate();
  document.getElementById('top').append(App.header({ persist: true }));
  App.loadPrefs();
  const main = document.getElementById('app');

  const zones = () => App.CFG.zones || [];
  let waiting = {};
  let step = { zone: null };
  let last = null;          // the last ticket issued here
  let recent = [];          // the last few, newest first
  let error = '';
  let retry = null;
  let pending = null;       // {body, key} of a request in flight or to retry
  let sending = false;
  let hasPrinter = false;   // GET /api/v1/me
  let reprint = { msg: '', error: '', busy: '' }; // the last reprint: words, and the number being printed
  let reprintNo = '';       // a waiting number typed in to reprint (a kiosk's unprinted ticket)
  let meKnown = false;      // GET /api/v1/me has answered
  const desk = { what: '', idType: '', msg: '', error: '', appts: null, busy: false }; // check-in and collecting a result

  function render(focusSel) {
    App.put(main,
      meKnown && !hasPrinter ? h('p', { class: 'alert printer-none', role: 'status', id: 'no-printer' }, gt('noprinter')) : null,
      h('div', { class: 'guide-grid' }, h('section', { 'aria-labelledby': 'step-title' }, stepPart(), deskPart()), sidePart()));
    if (focusSel) {
      const el = main.querySelector(focusSel);
      if (el) el.focus({ preventScroll: true });
    }
  }
  // words already on screen were said in the other language: they go
  App.onLang(() => { error = ''; desk.msg = ''; desk.error = ''; reprint = { msg: '', error: '', busy: reprint.busy }; render(); });

  function stepPart() {
    const err = h('div', { class: 'alert', role: 'alert', id: 'error' }, error,
      retry ? [' ', h('button', { type: 'button', dataset: { action: 'retry' }, onclick: retry }, t('retry'))] : null);
    if (!step.zone) {
      return [h('h1', { id: 'step-title', tabindex: '-1' }, t('g.step1')), err,
        h('div', { class: 'zone-grid' }, zones().map((z) => h('button', { type: 'button', class: 'secondary', dataset: { zone: z.id },
          onclick: () => { step.zone = z.id; error = ''; retry = null; render('#step-title'); } },
        h('span', { class: 'zone-name' }, h('span', { class: 'prefix' }, z.prefix || z.id), ' ', App.zoneName(z)),
        h('span', { class: 'zone-count', dataset: { countFor: z.id } }, t('zone.waiting', { n: waiting[z.id] || 0 })))))];
    }
    const z = App.zoneByID(step.zone) || { id: step.zone, name: step.zone };
    const kinds = [h('button', { type: 'button', class: 'ok', dataset: { kind: 'normal' }, disabled: sending, onclick: () => issue(z.id, '') }, t('g.normal'))];
    for (const r of App.CFG.priority_reasons || []) {
      kinds.push(h('button', { type: 'button', dataset: { kind: r }, disabled: sending, onclick: () => issue(z.id, r) }, t('g.priority', { reason: App.reasonName(r) })));
    }
    return [h('h1', { id: 'step-title', tabindex: '-1' }, t('g.step2', { zone: (z.prefix || z.id) + ' ' + App.zoneName(z) })),
      h('p', {}, h('span', { dataset: { countFor: z.id } }, t('zone.waiting', { n: waiting[z.id] || 0 }))),
      err,
      h('div', { class: 'kinds' }, kinds),
      sending ? h('p', { role: 'status' }, t('g.sending')) : null,
      h('div', { class: 'nav' }, h('button', { type: 'button', class: 'secondary', dataset: { action: 'back' },
        onclick: () => { step.zone = null; error = ''; retry = null; render('#step-title'); } }, t('back')))];
  }

  // deskPart checks a citizen in for an appointment (its code, or today's
  // appointments of an ID number) or gives a ticket to collect a ready
  // result (by ID number or case number; nothing ready: no ticket).
  function deskPart() {
    const v = () => desk.what.trim();
    const need = (fn) => () => { if (!v()) { desk.error = gt('empty'); desk.msg = ''; render('#desk-what'); return; } fn(v()); };
    return h('section', { class: 'panel', id: 'desk', 'aria-labelledby': 'desk-title' },
      h('h2', { id: 'desk-title' }, gt('desk')),
      h('label', { class: 'field', for: 'desk-what' }, h('span', {}, gt('what')),
        h('input', { id: 'desk-what', autocomplete: 'off', maxlength: 64, value: desk.what, oninput: (e) => { desk.what = e.target.value; } })),
      h('label', { class: 'field', for: 'desk-idtype' }, h('span', {}, gt('idtype')),
        h('select', { id: 'desk-idtype', onchange: (e) => { desk.idType = e.target.value; } },
          h('option', { value: '', selected: desk.idType === '' }, gt('idauto')),
          h('option', { value: 'passport', selected: desk.idType === 'passport' }, gt('passport')))),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'secondary', dataset: { action: 'desk-checkin' }, disabled: desk.busy || sending, onclick: need((c) => checkIn(c.toUpperCase())) }, gt('checkin')),
        h('button', { type: 'button', class: 'secondary', dataset: { action: 'desk-find' }, disabled: desk.busy, onclick: need(findAppointments) }, gt('find')),
        h('button', { type: 'button', class: 'secondary', dataset: { action: 'desk-pickup' }, disabled: desk.busy || sending, onclick: need(pickup) }, gt('pickup'))),
      desk.appts ? h('div', { id: 'desk-appts' }, h('h3', {}, gt('appts')), desk.appts.length
        ? h('ul', { class: 'recent' }, desk.appts.map((a) => h('li', {},
          h('span', {}, gt('appt', { code: a.code, matter: a.matter_name || a.matter, start: a.start || '', end: a.end || '' })),
          h('button', { type: 'button', class: 'secondary', dataset: { checkin: a.code }, onclick: () => checkIn(a.code) }, gt('checkin')))))
        : h('p', {}, gt('noappts'))) : null,
      h('p', { class: 'notice', role: 'status', id: 'desk-msg' }, desk.msg),
      h('p', { class: 'alert', role: 'alert', id: 'desk-error' }, desk.error));
  }
  async function deskCall(fn) {
    desk.busy = true;
    desk.error = '';
    desk.msg = '';
    render();
    try { await fn(); } catch (err) { desk.error = errorText(err); }
    desk.busy = false;
    render();
  }
  function issued(r) {
    last = Object.assign({ again: r.status === 200 }, r.data);
    recent = [last].concat(recent.filter((x) => x.id !== last.id)).slice(0, 8);
    desk.what = '';
    desk.appts = null;
  }
  function checkIn(code) {
    return deskCall(async () => {
      const r = await api('POST', '/api/v1/appointments/' + encodeURIComponent(code) + '/check-in', undefined, { 'Idempotency-Key': App.uuid() });
      issued(r);
    });
  }
  function findAppointments(id) {
    return deskCall(async () => {
      const r = await api('POST', '/api/v1/appointments/lookup', idOf(id));
      desk.appts = (r.data && r.data.appointments) || [];
    });
  }
  // idOf is an ID number as the API takes it: a passport says so, every
  // other document is recognised from its number's form
  function idOf(number) {
    const id = { id_number: number.toUpperCase() };
    if (desk.idType) id.id_type = desk.idType;
    return id;
  }
  function pickup(what) {
    const by = desk.idType || /^[0-9]{17}[0-9Xx]$|^[A-Za-z]{3}[0-9]{12}$|^9[0-9]{16}[0-9Xx]$/.test(what) ? idOf(what) : { case: what };
    return deskCall(async () => {
      try {
        issued(await api('POST', '/api/v1/tickets', { pickup: by }, { 'Idempotency-Key': App.uuid() }));
      } catch (err) {
        if (err.status === 404 && !(err.data && App.codeText(err.data.code))) { desk.error = gt('none'); return; }
        throw err;
      }
    });
  }

  function sidePart() {
    return h('aside', { 'aria-labelledby': 'issued-title' },
      h('h2', { id: 'issued-title' }, t('g.issued')),
      h('div', { class: 'issued', id: 'issued', role: 'status' },
        last
          ? [h('p', {}, h('span', { class: 'big-number', dataset: { number: last.number } }, last.number)),
            last.priority ? h('p', {}, h('span', { class: 'tag' }, t('w.priority'))) : null,
            last.purpose === 'pickup' ? h('p', { id: 'issued-cases' }, h('span', { class: 'tag' }, gt('pickupTag')), ' ',
              gt('cases', { cases: (last.cases || []).map((c) => (typeof c === 'string' ? c : c.number)).join('、') })) : null,
            h('p', {}, t('g.issued.line', { zone: zoneLabel(last.zone), ahead: last.waiting_ahead })),
            last.again ? h('p', {}, t('g.issued.again')) : null,
            last.printed === false ? h('p', { class: 'alert', id: 'issued-print-error' }, App.lang === 'zh' && last.print_error ? last.print_error.replace(/\s*\([^)]*\)\s*$/, '') : t('k.print.failed')) : null]
          : h('p', {}, t('g.none'))),
      h('h2', { id: 'recent-title' }, t('g.recent')),
      h('div', { class: 'notice', role: 'status', id: 'reprint-msg' }, reprint.msg),
      h('div', { class: 'alert', role: 'alert', id: 'reprint-error' }, reprint.error),
      h('ul', { class: 'recent', 'aria-labelledby': 'recent-title' }, recent.map((r) => h('li', { dataset: { number: r.number } },
        h('span', {}, r.number + (r.priority ? '（' + t('w.priority') + '）' : '') + ' · ' + zoneLabel(r.zone) + ' · ' + App.hallTime(r.issued_at)),
        hasPrinter ? h('button', { type: 'button', class: 'secondary', id: 'reprint-' + r.id, dataset: { action: 'reprint', number: r.number },
          'aria-label': t('g.reprint.aria', { number: r.number }), disabled: !!reprint.busy, onclick: () => reprintTicket(r) }, t('g.reprint')) : null))),
      hasPrinter ? h('form', { class: 'row reprint-form', id: 'reprint-form', onsubmit: (e) => { e.preventDefault(); reprintNumber(); } },
        h('label', { for: 'reprint-number' }, t('g.reprint.number')),
        h('input', { id: 'reprint-number', size: 6, maxlength: 8, autocomplete: 'off', value: reprintNo, oninput: (e) => { reprintNo = e.target.value; } }),
        h('button', { type: 'submit', class: 'secondary', dataset: { action: 'reprint-number' }, disabled: !!reprint.busy }, t('g.reprint'))) : null);
  }

  // reprintNumber reprints a waiting ticket by its number, e.g. one a kiosk
  // issued but could not print.
  async function reprintNumber() {
    const number = reprintNo.trim().toUpperCase();
    if (!/^[A-Z][0-9]{3,}$/.test(number)) {
      reprint = { msg: '', error: t('v.number'), busy: '' };
      render('#reprint-number');
      return;
    }
    let tk = null;
    try {
      const r = await api('GET', '/api/v1/tickets');
      tk = (r.data.tickets || []).find((x) => x.number === number) || null;
    } catch (err) {
      reprint = { msg: '', error: errorText(err), busy: '' };
      render('#reprint-number');
      return;
    }
    if (!tk) {
      reprint = { msg: '', error: t('g.reprint.notfound', { number }), busy: '' };
      render('#reprint-number');
      return;
    }
    reprintNo = '';
    await reprintTicket(tk, '#reprint-number');
  }

  // reprintTicket prints a ticket issued here again: POST /api/v1/tickets/{id}/print.
  async function reprintTicket(r, focusSel) {
    if (reprint.busy) return;
    focusSel = focusSel || '#reprint-' + r.id;
    reprint = { msg: t('g.reprinting', { number: r.number }), error: '', busy: r.number };
    render();
    try {
      await api('POST', '/api/v1/tickets/' + encodeURIComponent(r.id) + '/print');
      reprint = { msg: t('g.reprinted', { number: r.number }), error: '', busy: '' };
    } catch (err) {
      let words = errorText(err);
      const code = err.data && err.data.code;
      if (code === 'no_printer' || (err.status === 409 && /no printer/i.test(err.message))) words = t('g.reprint.noprinter');
      else if (code === 'ticket_not_waiting' || (err.status === 409 && /not waiting/i.test(err.message))) words = t('g.reprint.notwaiting', { number: r.number });
      reprint = { msg: '', error: words, busy: '' };
    }
    render(focusSel);
  }

  function zoneLabel(id) {
    const z = App.zoneByID(id);
    return z ? (z.prefix || z.id) + ' ' + App.zoneName(z) : id;
  }

  async function issue(zone, reason) {
    if (sending) return;
    const body = { zone };
    if (reason) body.priority_reason = reason;
    // one key per tap; a retry of the same request keeps it
    pending = { body, key: App.uuid() };
    await send();
  }

  async function send() {
    sending = true;
    error = '';
    retry = null;
    render();
    try {
      const r = await api('POST', '/api/v1/tickets', pending.body, { 'Idempotency-Key': pending.key });
      last = Object.assign({ again: r.status === 200 }, r.data);
      recent = [last].concat(recent.filter((x) => x.id !== last.id)).slice(0, 8);
      step.zone = null; // ready for the next walk-in
      pending = null;
      sending = false;
      render('#step-title');
    } catch (err) {
      sending = false;
      error = errorText(err);
      if (err.status === 503) {
        // not printed, so voided: said in the desk's language; a retry is a new ticket
        retry = () => { pending.key = App.uuid(); send(); };
      } else if (err.status === 0 || err.status >= 500) retry = () => send();
      render();
    }
  }

  async function refreshQueue() {
    const r = await api('GET', '/api/v1/queue');
    waiting = r.data.waiting || {};
    document.querySelectorAll('[data-count-for]').forEach((el) => {
      el.textContent = t('zone.waiting', { n: waiting[el.dataset.countFor] || 0 });
    });
    return r.data.seq;
  }
  const refreshSoon = App.debounce(() => refreshQueue().catch(() => {}), 300);

  render();
  App.me().then((m) => { if (m) { meKnown = true; hasPrinter = !!m.printer; render(); } });
  (async () => {
    let seq = null;
    try { seq = await refreshQueue(); } catch (err) { App.showPageAlert(errorText(err)); }
    App.watchUpstream(true);
    App.events = new App.Events((e) => { if (!App.upstreamEvent(e) && e.type && e.type.startsWith('ticket.')) refreshSoon(); },
      { since: seq, onOpen: (again) => { if (again) refreshSoon(); } });
  })();
})();
