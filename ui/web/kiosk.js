/* SPDX-License-Identifier: AGPL-3.0-or-later */
// kiosk.js — the citizen's self-service kiosk: swipe the ID card (or take a
// number without one), pick a matter by area or by pinyin initials, check
// the materials (and scan them when the kiosk has a scanner), choose pickup
// or free mail, confirm, and see the number.
// Personal data (the card's full number and name, the mail address, the
// scanned materials' ids) lives only in memory, in S, and is dropped by
// forget(): after a ticket, on "返回首页" and after 60 s without a touch.
(function () {
  'use strict';
  const { t, tNodes, h, api, errorText } = App;

  // words of the visit's newer screens (appointments, collecting a result,
  // the result's QR code, the simulated card panel)
  const KT = {
    zh: {
      'take': '请取走下方出票口打印的排队凭条',
      'qr': '排队进度二维码',
      'qr.hint': '用手机扫描二维码，随时查看排队进度',
      'wait.est': '预计等候约 {m} 分钟',
      'checkin': '预约签到',
      'checkin.lead': '请将预约二维码对准扫码口，或输入预约码',
      'checkin.code': '预约码',
      'checkin.keys': '预约码键盘',
      'checkin.go': '签到取号',
      'checkin.empty': '请输入预约码',
      'appts': '您今天的预约',
      'appt.line': '{matter}，{start}–{end}',
      'appt.go': '签到取号：{matter}',
      'pickup': '领取办理结果',
      'pickup.lead': '请刷身份证，或将受理回执上的二维码对准扫码口',
      'pickup.code': '办件编号或回执上的领取码',
      'pickup.keys': '办件编号键盘',
      'pickup.go': '查找可领取的结果',
      'pickup.card': '用已刷的身份证领取',
      'pickup.looking': '正在查找可领取的办理结果…',
      'pickup.none': '您暂时没有可领取的办理结果，无需取号。办理进度可查看受理回执上的二维码。',
      'pickup.ticket': '您已领取{number}号（领取办理结果）',
      'pickup.cases': '可领取的办件',
      'pickup.go.window': '请留意叫号，到窗口出示身份证或受理回执领取',
      'sim': '模拟身份证（演示用，仅在模拟设备下显示）',
      'sim.resident': '放居民身份证',
      'sim.foreign15': '放外国人永久居留证（15位）',
      'sim.foreign18': '放外国人永久居留证（18位）',
      'sim.permit': '放港澳台居民居住证',
      'sim.remove': '取走卡片',
      'sim.failed': '模拟读卡失败：{msg}',
      'key.backspace': '退格',
      'key.clear': '清空',
    },
    en: {
      'take': 'Please take your ticket from the printer slot below',
      'qr': 'QR code of your place in the queue',
      'qr.hint': 'Scan the QR code with your phone to follow the queue',
      'wait.est': 'Estimated wait: about {m} min',
      'checkin': 'Appointment check-in',
      'checkin.lead': 'Hold the appointment QR code to the scanner, or type the appointment code',
      'checkin.code': 'Appointment code',
      'checkin.keys': 'Appointment code keyboard',
      'checkin.go': 'Check in and take a number',
      'checkin.empty': 'Enter the appointment code',
      'appts': 'Your appointments today',
      'appt.line': '{matter}, {start}–{end}',
      'appt.go': 'Check in: {matter}',
      'pickup': 'Collect a result',
      'pickup.lead': 'Place your ID card, or hold the QR code on your receipt to the scanner',
      'pickup.code': 'Case number or the code on your receipt',
      'pickup.keys': 'Case number keyboard',
      'pickup.go': 'Find results to collect',
      'pickup.card': 'Collect with the ID card placed',
      'pickup.looking': 'Looking for results to collect…',
      'pickup.none': 'Nothing is ready to collect yet, so no number is given. The QR code on your receipt shows the progress.',
      'pickup.ticket': 'Your number is {number} (collecting a result)',
      'pickup.cases': 'Results to collect',
      'pickup.go.window': 'Watch for your number and show your ID card or receipt at the window',
      'sim': 'Simulated ID card (demo: shown only with simulated devices)',
      'sim.resident': 'Place a resident ID card',
      'sim.foreign15': 'Place a foreign permanent resident card (15)',
      'sim.foreign18': 'Place a foreign permanent resident card (18)',
      'sim.permit': 'Place a HK/Macau/Taiwan residence permit',
      'sim.remove': 'Remove the card',
      'sim.failed': 'Simulated card failed: {msg}',
      'key.backspace': 'Delete',
      'key.clear': 'Clear',
    },
  };
  function kt(k, p) {
    const s = (KT[App.lang] || KT.zh)[k] ?? KT.zh[k] ?? k;
    return s.replace(/\{(\w+)\}/g, (m, n) => (p && p[n] != null ? String(p[n]) : m));
  }

  function ktNodes(key, params) {
    const s = (KT[App.lang] || KT.zh)[key] ?? KT.zh[key] ?? key;
    const out = [];
    let last = 0;
    s.replace(/\{(\w+)\}/g, (m, k, off) => {
      if (off > last) out.push(document.createTextNode(s.slice(last, off)));
      const v = params ? params[k] : undefined;
      out.push(v instanceof Node ? v : document.createTextNode(v == null ? m : String(v)));
      last = off + m.length;
      return m;
    });
    if (last < s.length) out.push(document.createTextNode(s.slice(last)));
    return out;
  }

  App.init();
  document.getElementById('top').append(App.header({}));
  const main = document.getElementById('app');

  const params = new URLSearchParams(location.search);
  const IDLE_S = Math.max(5, parseInt(params.get('idle') || '60', 10) || 60); // NORMS: enough time to act
  const WARN_S = Math.min(10, IDLE_S - 1);
  const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

  let catalog = { zones: App.CFG.zones || [], matters: [] };
  let waiting = {};
  // whether this kiosk has a scanner: GET /api/v1/me says, config.js
  // (some terminal of the hall has one) until it answers
  let hasScanner = !!App.CFG.scanner;

  function fresh() {
    return {
      screen: 'welcome', history: [],
      card: null,            // {name, nameMasked, idMasked, idNumber} — memory only
      zone: null, matter: null,
      query: '', results: null, searchSeq: 0,
      checked: {},           // materials ticked on the checklist
      materials: [],         // scanned materials [{id, pages}], in the submission unless removed
      scan: idleScan(),      // the scanner's state on the matter screen
      delivery: null,
      mail: { recipient: '', phone: '', address: '', postcode: '' },
      fieldErrors: {}, error: '', retry: null,
      idemKey: null, plainKey: null, plainZone: null, sending: false,
      result: null,
      code: '',              // typed appointment code or case number
      appointments: null,    // today's appointments of the card's ID
      looking: false,
    };
  }
  let S = fresh();
  function idleScan(note, error) {
    return { running: false, pages: 0, note: note || null, error: error || '' };
  }

  // forget drops everything about the citizen and shows the welcome screen;
  // the visit's language and elder mode go too, unless keep (a card placed
  // after choosing them: the same visit).
  function forget(keep) {
    S.card = null;
    S.mail = { recipient: '', phone: '', address: '', postcode: '' };
    S = fresh();
    hideIdle();
    if (keep !== true) {
      App.setElder(false);
      if (App.lang !== 'zh') App.setLang('zh'); // re-renders
    }
    render();
    refreshCatalog();
  }
  const endVisit = () => forget(false);

  function go(screen) {
    S.history.push(S.screen);
    S.screen = screen;
    S.error = '';
    S.retry = null;
    render(true);
  }
  function back() {
    S.screen = S.history.pop() || 'welcome';
    S.error = '';
    S.retry = null;
    if (S.screen === 'welcome') { forget(true); return; }
    render(true);
  }

  // ---- rendering ------------------------------------------------------
  function render(focus) {
    main.replaceChildren();
    const screen = { welcome: welcomeScreen, picker: pickerScreen, zone: zoneScreen, matter: matterScreen, delivery: deliveryScreen, result: resultScreen,
      checkin: checkinScreen, pickup: pickupScreen }[S.screen];
    main.append(h('div', { class: 'kiosk-screen', dataset: { screen: S.screen } }, screen()));
    main.dataset.screen = S.screen;
    if (S.screen === 'matter') showScan();
    if (focus) {
      const hd = main.querySelector('h1');
      if (hd) { hd.setAttribute('tabindex', '-1'); hd.focus({ preventScroll: true }); }
      window.scrollTo(0, 0);
      guide();
    }
  }

  // guide speaks a new screen's heading and first line in elder mode (the
  // same words the screen shows): with the hall's voice engine when it has
  // one, else the browser's speech.
  let guideAudio = null;
  function guide() {
    if (!App.isElder()) return;
    const hd = main.querySelector('h1');
    const lead = main.querySelector('.lead, .hint');
    const text = [hd && hd.textContent, lead && lead.textContent].filter(Boolean).join('。').slice(0, 200);
    if (!text) return;
    if (guideAudio) { try { guideAudio.pause(); } catch (e) { /* ignore */ } }
    if (App.CFG.speak) {
      guideAudio = new Audio(App.authURL('/api/v1/say?text=' + encodeURIComponent(text)));
      const p = guideAudio.play();
      if (p && p.catch) p.catch(() => {});
    } else if (window.speechSynthesis) {
      try {
        window.speechSynthesis.cancel();
        const u = new SpeechSynthesisUtterance(text);
        u.lang = App.lang === 'en' ? 'en' : 'zh-CN';
        window.speechSynthesis.speak(u);
      } catch (e) { /* no speech here */ }
    }
  }
  App.onElder((on) => { if (on) guide(); });
  App.onLang(() => { S.error = ''; S.retry = null; S.fieldErrors = {}; render(false); }); // words said in the other language go

  function homeButton() {
    return h('button', { type: 'button', class: 'secondary', dataset: { action: 'home' }, 'aria-label': t('k.home.aria'), onclick: endVisit }, t('k.home'));
  }
  function backButton() {
    return h('button', { type: 'button', class: 'secondary', dataset: { action: 'back' }, onclick: back }, t('back'));
  }
  function errorBox() {
    return h('div', { class: 'alert', role: 'alert', id: 'error' }, S.error || '',
      S.retry ? [' ', h('button', { type: 'button', dataset: { action: 'retry' }, onclick: S.retry }, t('retry'))] : null);
  }
  function greeting() {
    if (!S.card) return h('p', { class: 'hint' }, t('k.pick.nocard'));
    return h('div', { class: 'greeting-box' },
      h('p', { class: 'greeting', id: 'greeting' }, t('k.hello', { name: S.card.nameMasked })),
      h('p', { class: 'hint' }, t('k.idline', { id: S.card.idMasked })));
  }

  // printerDown: this kiosk has a printer and it cannot print (paper out,
  // offline, error): no ticket is offered; the citizen goes to the guide desk.
  let printerDown = false;
  let hasPrinter = false; // GET /api/v1/me: this kiosk prints its tickets
  function printerNotice() {
    return printerDown ? h('div', { class: 'alert printer-down', role: 'alert', id: 'printer-down' }, t('k.printer.down')) : null;
  }
  async function checkPrinter() {
    try {
      const m = await App.me();
      if (!m || !m.printer) return;
      const res = await fetch('/healthz', { cache: 'no-store' });
      const d = await res.json();
      const p = d && d.devices && d.devices.printer;
      setPrinter(p && p.state);
    } catch (e) { /* the event stream says it later */ }
  }
  function setPrinter(state) {
    const down = !!state && state !== 'ok';
    if (down === printerDown) return;
    printerDown = down;
    render(false);
  }

  function welcomeScreen() {
    if (printerDown) {
      return h('section', { class: 'welcome', 'aria-labelledby': 'welcome-title' },
        h('h1', { id: 'welcome-title' }, t('k.welcome')), printerNotice());
    }
    return h('section', { class: 'welcome', 'aria-labelledby': 'welcome-title' },
      h('h1', { id: 'welcome-title' }, t('k.welcome')),
      h('p', { class: 'lead' }, t('k.welcome.hint')),
      h('div', { class: 'card-demo', role: 'img', 'aria-label': t('k.reader') },
        h('div', { class: 'reader', 'aria-hidden': 'true' }, t('k.reader')),
        h('div', { class: 'idcard', 'aria-hidden': 'true' })),
      h('div', { class: 'welcome-more' },
        h('button', { type: 'button', class: 'nocard', dataset: { action: 'nocard' }, onclick: () => go('picker') }, t('k.nocard')),
        h('button', { type: 'button', class: 'nocard secondary', dataset: { action: 'checkin' }, onclick: () => { S.code = ''; go('checkin'); } }, kt('checkin')),
        h('button', { type: 'button', class: 'nocard secondary', dataset: { action: 'pickup' }, onclick: () => { S.code = ''; go('pickup'); } }, kt('pickup'))));
  }

  // codeKeys is an on-screen keyboard for a code (letters, digits, '-').
  function codeKeys(label, out) {
    const typeCode = (k) => {
      if (k === '⌫') S.code = S.code.slice(0, -1);
      else if (k === '') S.code = '';
      else if (S.code.length < 40) S.code += k;
      S.error = '';
      out.textContent = S.code;
      const err = document.getElementById('error');
      if (err) err.textContent = '';
    };
    const keys = '1234567890ABCDEFGHIJKLMNOPQRSTUVWXYZ-'.split('');
    return h('div', { class: 'keyboard code-keys', role: 'group', 'aria-label': label },
      keys.map((k) => h('button', { type: 'button', class: 'secondary', dataset: { key: k }, onclick: () => typeCode(k) }, k)),
      h('button', { type: 'button', class: 'secondary wide', dataset: { key: 'backspace' }, onclick: () => typeCode('⌫') }, kt('key.backspace')),
      h('button', { type: 'button', class: 'secondary wide', dataset: { key: 'clear' }, onclick: () => typeCode('') }, kt('key.clear')));
  }

  // appointmentsBox offers today's appointments of the card's ID (found by
  // POST /api/v1/appointments/lookup when the card was placed).
  function appointmentsBox() {
    const list = (S.appointments || []).filter((a) => !a.state || a.state === 'booked' || a.state === 'pending');
    if (!list.length) return null;
    return h('section', { class: 'panel appointments', id: 'appointments', 'aria-labelledby': 'appts-title' },
      h('h2', { id: 'appts-title' }, kt('appts')),
      h('ul', { class: 'choice-list' }, list.map((a) => h('li', {},
        h('p', {}, kt('appt.line', { matter: a.matter_name || a.matter, start: a.start || '', end: a.end || '' })),
        h('button', { type: 'button', class: 'primary', dataset: { checkin: a.code }, disabled: S.sending,
          'aria-label': kt('appt.go', { matter: a.matter_name || a.matter }), onclick: () => checkIn(a.code) }, kt('checkin.go'))))));
  }

  function checkinScreen() {
    const out = h('output', { class: 'query code', id: 'code', 'aria-live': 'polite', 'aria-label': kt('checkin.code') }, S.code);
    return h('section', { 'aria-labelledby': 'checkin-title' },
      S.card ? greeting() : null,
      h('h1', { id: 'checkin-title' }, kt('checkin')),
      h('p', { class: 'lead' }, kt('checkin.lead')),
      appointmentsBox(),
      h('p', { class: 'field-label', id: 'code-label' }, kt('checkin.code')), out,
      codeKeys(kt('checkin.keys'), out),
      errorBox(),
      h('div', { class: 'nav' }, backButton(), homeButton(),
        h('button', { type: 'button', class: 'primary', dataset: { action: 'checkin-go' }, disabled: S.sending, onclick: () => {
          if (!S.code) { S.error = kt('checkin.empty'); render(false); return; }
          checkIn(S.code);
        } }, kt('checkin.go'))));
  }

  function pickupScreen() {
    const out = h('output', { class: 'query code', id: 'code', 'aria-live': 'polite', 'aria-label': kt('pickup.code') }, S.code);
    return h('section', { 'aria-labelledby': 'pickup-title' },
      S.card ? greeting() : null,
      h('h1', { id: 'pickup-title' }, kt('pickup')),
      h('p', { class: 'lead' }, kt('pickup.lead')),
      S.card ? h('button', { type: 'button', class: 'primary wide-button', dataset: { action: 'pickup-card' }, disabled: S.sending,
        onclick: () => pickup({ id_number: S.card.idNumber }) }, kt('pickup.card')) : null,
      h('p', { class: 'field-label' }, kt('pickup.code')), out,
      codeKeys(kt('pickup.keys'), out),
      S.looking ? h('p', { class: 'hint', role: 'status' }, kt('pickup.looking')) : null,
      errorBox(),
      h('div', { class: 'nav' }, backButton(), homeButton(),
        h('button', { type: 'button', class: 'primary', dataset: { action: 'pickup-go' }, disabled: S.sending, onclick: () => {
          const c = S.code.trim();
          if (!c) { S.error = kt('pickup.code'); render(false); return; }
          pickup({ case: c });
        } }, kt('pickup.go'))));
  }

  // pickup asks for a ticket to collect ready results (POST /api/v1/tickets
  // {"pickup":{...}}): by the card's ID, a case number or the receipt's
  // code. Nothing ready: said in words, and no ticket.
  async function pickup(by) {
    if (S.sending) return;
    S.pickupKey = S.pickupKey || App.uuid();
    S.sending = true;
    S.looking = true;
    S.error = '';
    render(false);
    try {
      const r = await api('POST', '/api/v1/tickets', { pickup: by }, { 'Idempotency-Key': S.pickupKey });
      S.pickupKey = null;
      S.sending = false;
      S.looking = false;
      S.result = Object.assign({ again: r.status === 200, purpose: 'pickup' }, r.data);
      go('result');
    } catch (err) {
      S.sending = false;
      S.looking = false;
      S.pickupKey = null;
      S.error = err.status === 404 && !(err.data && err.data.code && App.codeText(err.data.code)) && by.id_number ? kt('pickup.none') : errorText(err);
      if (S.screen !== 'pickup') go('pickup'); else render(false);
    }
  }

  function zoneButton(z) {
    const n = waiting[z.id] || 0;
    return h('button', { type: 'button', class: 'secondary', dataset: { zone: z.id },
      onclick: () => { S.zone = z.id; go('zone'); } },
    h('span', { class: 'zone-name' }, h('span', { class: 'prefix' }, z.prefix || z.id), ' ', App.zoneName(z)),
    h('span', { class: 'zone-count', dataset: { countFor: z.id } }, t('zone.waiting', { n })));
  }

  function pickerScreen() {
    const out = h('output', { class: 'query', id: 'query', 'aria-live': 'polite', 'aria-label': t('k.query') });
    const results = h('div', { id: 'results', 'aria-live': 'polite' });
    const kb = h('div', { class: 'keyboard', role: 'group', 'aria-label': t('k.keyboard') },
      LETTERS.map((L) => h('button', { type: 'button', class: 'secondary', dataset: { key: L }, onclick: () => type(L) }, L)),
      h('button', { type: 'button', class: 'secondary', dataset: { key: 'backspace' }, 'aria-label': t('k.backspace.aria'), onclick: () => type('⌫') }, t('k.backspace')),
      h('button', { type: 'button', class: 'secondary', dataset: { key: 'clear' }, 'aria-label': t('k.clear.aria'), onclick: () => type('') }, t('k.clear')));
    const el = h('section', { 'aria-labelledby': 'pick-title' },
      greeting(),
      appointmentsBox(),
      h('h1', { id: 'pick-title' }, t('k.pick')),
      h('h2', {}, t('k.zones')),
      h('div', { class: 'zone-grid' }, catalog.zones.map(zoneButton)),
      h('h2', { id: 'search-title' }, t('k.search')),
      out, kb,
      h('h3', {}, t('k.results')), results,
      errorBox(),
      h('div', { class: 'nav' }, homeButton()));
    showQuery(out);
    showResults(results);
    return el;
  }

  function showQuery(out) {
    out = out || document.getElementById('query');
    if (!out) return;
    out.classList.toggle('empty', !S.query);
    out.textContent = S.query || t('k.query.empty');
  }

  function showResults(box) {
    box = box || document.getElementById('results');
    if (!box) return;
    box.replaceChildren();
    if (!S.query) return;
    if (S.results == null) { box.append(h('p', { class: 'hint' }, t('k.searching'))); return; }
    if (S.results.length === 0) { box.append(h('p', {}, t('k.noresults'))); return; }
    box.append(h('ul', { class: 'choice-list' }, S.results.slice(0, 20).map((m) => h('li', {}, matterButton(m, true)))));
  }

  // mName is a matter's name in the visit's language (the catalog's name_en in English)
  function mName(m) { return (App.lang === 'en' && m && m.name_en) || (m && m.name) || ''; }

  function matterButton(m, withZone) {
    const z = App.zoneByID(m.zone);
    return h('button', { type: 'button', class: 'secondary', dataset: { matter: m.code }, onclick: () => pickMatter(m) },
      mName(m),
      h('span', { class: 'sub' }, withZone && z ? App.zoneName(z) + ' · ' : '', m.department));
  }

  const search = App.debounce(async () => {
    const q = S.query;
    const seq = ++S.searchSeq;
    if (!q) return;
    try {
      const r = await api('GET', '/api/v1/catalog?q=' + encodeURIComponent(q.toLowerCase()));
      if (seq !== S.searchSeq) return; // a newer search is on its way
      S.results = r.data.matters || [];
      S.error = '';
    } catch (err) {
      if (seq !== S.searchSeq) return;
      S.results = [];
      S.error = errorText(err);
      const box = document.getElementById('error');
      if (box) box.textContent = S.error;
    }
    showResults();
  }, 250);

  function type(key) {
    if (key === '⌫') S.query = S.query.slice(0, -1);
    else if (key === '') S.query = '';
    else if (S.query.length < 12) S.query += key;
    S.results = null;
    showQuery();
    showResults();
    if (S.query) search(); else S.searchSeq++;
  }

  function pickMatter(m) {
    if (!S.matter || S.matter.code !== m.code) {
      S.checked = {};
      S.delivery = null;
      S.idemKey = null;
      S.materials = [];
      S.scan = idleScan();
    }
    S.matter = m;
    go('matter');
  }

  function zoneScreen() {
    const z = App.zoneByID(S.zone) || { id: S.zone, name: S.zone };
    const ms = catalog.matters.filter((m) => m.zone === z.id);
    return h('section', { 'aria-labelledby': 'zone-title' },
      greeting(),
      h('h1', { id: 'zone-title' }, (z.prefix || z.id) + ' ' + App.zoneName(z)),
      h('p', {}, h('span', { dataset: { countFor: z.id } }, t('zone.waiting', { n: waiting[z.id] || 0 }))),
      h('button', { type: 'button', class: 'primary wide-button', dataset: { action: 'plain' }, disabled: S.sending, onclick: () => issuePlain(z.id) }, t('k.plain')),
      errorBox(),
      h('h2', {}, t('k.zone.matters')),
      ms.length ? h('ul', { class: 'choice-list' }, ms.map((m) => h('li', {}, matterButton(m, false)))) : h('p', {}, t('k.zone.none')),
      h('div', { class: 'nav' }, backButton(), homeButton()));
  }

  function matterScreen() {
    const m = S.matter;
    const z = App.zoneByID(m.zone);
    const mats = m.materials || [];
    const scanOn = hasScanner; // this kiosk's scanner: POST /api/v1/scans
    return h('section', { 'aria-labelledby': 'matter-title' },
      greeting(),
      h('h1', { id: 'matter-title' }, mName(m)),
      h('p', {}, t('k.dept', { dept: m.department })),
      h('p', {}, m.promise_days > 0 ? t('k.promise', { n: m.promise_days }) : t('k.instant')),
      z ? h('p', {}, t('k.in_zone', { zone: (z.prefix || z.id) + ' ' + App.zoneName(z) })) : null,
      h('h2', { id: 'materials-title' }, t('k.materials')),
      mats.length
        ? [h('p', { class: 'hint' }, t('k.materials.hint')),
          h('ul', { class: 'materials', 'aria-labelledby': 'materials-title' }, mats.map((name, i) => h('li', {},
            h('label', {}, h('input', { type: 'checkbox', checked: !!S.checked[i], onchange: (e) => { S.checked[i] = e.target.checked; } }), name))))]
        : h('p', {}, t('k.materials.none')),
      h('section', { id: 'scan', class: 'panel', 'aria-labelledby': 'scan-title', hidden: !scanOn },
        h('h2', { id: 'scan-title' }, t('k.scan')),
        scanOn ? scanPart() : null),
      h('div', { class: 'nav' }, backButton(),
        h('button', { type: 'button', class: 'primary', dataset: { action: 'next' }, onclick: () => go('delivery') }, t('k.next'))));
  }

  // scanPart drives POST /api/v1/scans: progress from the scan.* events,
  // then each material's pages as thumbnails; a material may be removed
  // from the submission before confirming. Without a card there is no
  // submission to carry materials, so the scanner is not offered.
  function scanPart() {
    if (!S.card) return h('p', { class: 'hint', id: 'scan-needcard' }, t('k.scan.needcard'));
    return [
      h('p', { class: 'hint' }, t('k.scan.hint')),
      h('button', { type: 'button', class: 'scan-button', dataset: { action: 'scan' }, onclick: startScan }),
      h('p', { id: 'scan-status', role: 'status', class: 'scan-status' }),
      h('div', { id: 'scan-error', role: 'alert', class: 'alert' }),
      h('div', { id: 'scan-progress' }),
      h('div', { id: 'scan-list' }),
    ];
  }

  // showScan brings the scan part up to date in place (the live regions
  // stay, so a screen reader says each change).
  function showScan() {
    const btn = main.querySelector('#scan [data-action=scan]');
    if (!btn) return;
    const sc = S.scan;
    btn.disabled = sc.running;
    btn.setAttribute('aria-busy', sc.running ? 'true' : 'false');
    btn.textContent = t(S.materials.length ? 'k.scan.again' : 'k.scan.start');
    let note = '';
    if (sc.running) note = sc.pages ? t('k.scan.page', { n: sc.pages }) : t('k.scan.running');
    else if (sc.note) note = t(sc.note[0], sc.note[1]);
    document.getElementById('scan-status').textContent = note;
    document.getElementById('scan-error').textContent = sc.error ? t('k.scan.failed', { msg: sc.error }) : '';
    const pages = [];
    for (let n = 1; sc.running && n <= sc.pages; n++) pages.push(n);
    App.put(document.getElementById('scan-progress'), pages.length
      ? h('ul', { class: 'thumbs pending', 'aria-hidden': 'true' }, pages.map((n) => h('li', {}, h('span', { class: 'thumb-empty' }, t('page.scanned', { n })))))
      : null);
    const mats = S.materials;
    App.put(document.getElementById('scan-list'), mats.length ? [
      h('h3', { id: 'scan-list-title' }, t('k.scan.list', { n: mats.length })),
      h('ul', { class: 'scanned', 'aria-labelledby': 'scan-list-title' }, mats.map((m, i) => h('li', { dataset: { material: m.id } },
        h('div', { class: 'scanned-head' },
          h('span', { class: 'scanned-name', id: 'scanned-' + i }, t('k.scan.material', { i: i + 1, n: m.pages })),
          h('button', { type: 'button', class: 'secondary', dataset: { action: 'remove-material', index: i },
            'aria-label': t('k.scan.remove.aria', { i: i + 1 }), disabled: sc.running, onclick: () => removeMaterial(i) }, t('k.scan.remove'))),
        h('ul', { class: 'thumbs', 'aria-labelledby': 'scanned-' + i }, pageList(m.pages).map((n) => h('li', {},
          h('img', { src: App.pageURL(m.id, n, { thumb: true }), alt: t('page.n', { n }), dataset: { page: n } }),
          h('span', { class: 'thumb-cap', 'aria-hidden': 'true' }, t('page.n', { n })))))))),
    ] : null);
  }
  function pageList(n) { return Array.from({ length: Math.max(0, n | 0) }, (_, i) => i + 1); }

  function startScan() {
    if (S.scan.running) return;
    const mine = S; // a scan that ends after forget() belongs to nobody
    S.scan = { running: true, pages: 0, note: null, error: '' };
    lastTouch = Date.now();
    showScan();
    App.runScan({
      page: (n) => {
        if (S !== mine) return;
        S.scan.pages = Math.max(S.scan.pages, n);
        lastTouch = Date.now();
        showScan();
      },
      done: (m) => {
        if (S !== mine) return;
        if (!S.materials.some((x) => x.id === m.material_id)) S.materials.push({ id: m.material_id, pages: m.pages });
        S.scan = idleScan(['k.scan.done', { i: S.materials.length, n: m.pages }]);
        lastTouch = Date.now();
        showScan();
      },
      failed: (words) => {
        if (S !== mine) return;
        S.scan = idleScan(null, words);
        showScan();
      },
    });
  }

  function removeMaterial(i) {
    if (S.scan.running || !S.materials[i]) return;
    S.materials.splice(i, 1);
    S.scan = idleScan(['k.scan.removed', { i: i + 1 }]);
    showScan();
    const btn = main.querySelector('#scan [data-action=scan]');
    if (btn) btn.focus();
  }

  function field(name, label, attrs, textarea) {
    const id = 'mail-' + name;
    const err = S.fieldErrors[name] || '';
    const input = h(textarea ? 'textarea' : 'input', Object.assign({
      id, name, 'aria-invalid': err ? 'true' : null, 'aria-describedby': err ? id + '-err' : null,
      oninput: (e) => { S.mail[name] = e.target.value; },
    }, attrs));
    input.value = S.mail[name];
    return h('label', { class: 'field', for: id },
      h('span', {}, label), input,
      h('span', { class: 'err', id: id + '-err' }, err));
  }

  function deliveryScreen() {
    const m = S.matter;
    const mailPossible = m.mail_ok && !!S.card;
    if (S.delivery === 'mail' && !mailPossible) S.delivery = null;
    const choose = (mode) => { S.delivery = mode; S.error = ''; render(false); const r = document.getElementById('dlv-' + mode); if (r) r.focus(); };
    const radios = [
      h('label', { class: 'radio-card', for: 'dlv-pickup' },
        h('input', { type: 'radio', name: 'delivery', id: 'dlv-pickup', value: 'pickup', checked: S.delivery === 'pickup', onchange: () => choose('pickup') }),
        t('k.pickup')),
    ];
    if (mailPossible) {
      radios.push(h('label', { class: 'radio-card', for: 'dlv-mail' },
        h('input', { type: 'radio', name: 'delivery', id: 'dlv-mail', value: 'mail', checked: S.delivery === 'mail', onchange: () => choose('mail') }),
        t('k.mail')));
    }
    const note = !m.mail_ok ? t('k.mail.no') : (!S.card ? t('k.mail.needcard') : '');
    const summary = h('div', { class: 'summary', 'aria-labelledby': 'sum-title', role: 'group' },
      h('h2', { id: 'sum-title' }, t('k.summary')),
      h('p', {}, t('k.sum.matter', { m: mName(m) })),
      h('p', {}, S.card ? t('k.sum.applicant', { name: S.card.nameMasked, id: S.card.idMasked }) : t('k.sum.noapplicant')),
      S.card && hasScanner ? h('p', { id: 'sum-materials' }, S.materials.length
        ? t('k.sum.materials', { n: S.materials.length, p: S.materials.reduce((a, m) => a + (m.pages || 0), 0) })
        : t('k.sum.nomaterials')) : null);
    return h('section', { 'aria-labelledby': 'dlv-title' },
      greeting(),
      h('h1', { id: 'dlv-title' }, t('k.delivery')),
      h('fieldset', {}, h('legend', {}, t('k.delivery')), radios, note ? h('p', { class: 'hint', id: 'mail-note' }, note) : null),
      S.delivery === 'mail' ? h('fieldset', { id: 'mail-form' }, h('legend', {}, t('k.mail')),
        field('recipient', t('k.recipient'), { maxlength: 16, autocomplete: 'off' }),
        field('phone', t('k.phone'), { maxlength: 11, inputmode: 'numeric', autocomplete: 'off' }),
        field('address', t('k.address'), { maxlength: 200, rows: 2, autocomplete: 'off' }, true),
        field('postcode', t('k.postcode'), { maxlength: 6, inputmode: 'numeric', autocomplete: 'off' })) : null,
      summary,
      errorBox(),
      h('div', { class: 'nav' }, backButton(),
        h('button', { type: 'button', class: 'primary', dataset: { action: 'confirm' }, 'aria-busy': S.sending ? 'true' : null, disabled: S.sending, onclick: confirm },
          S.sending ? t('k.sending') : t('k.confirm'))));
  }

  function validateMail() {
    const e = {};
    const d = S.mail;
    const rec = d.recipient.trim();
    if (!rec || Array.from(rec).length > 16) e.recipient = t('v.recipient');
    if (!/^1[3-9][0-9]{9}$/.test(d.phone.trim())) e.phone = t('v.phone');
    if (!d.address.trim()) e.address = t('v.address');
    if (!/^[0-9]{6}$/.test(d.postcode.trim())) e.postcode = t('v.postcode');
    return e;
  }

  async function confirm() {
    if (S.sending) return;
    S.fieldErrors = {};
    S.error = '';
    S.retry = null;
    if (!S.delivery) {
      S.error = t('k.choose.delivery');
      render(false);
      return;
    }
    if (S.delivery === 'mail') {
      S.fieldErrors = validateMail();
      if (Object.keys(S.fieldErrors).length) {
        S.error = t('k.fix');
        render(false);
        const bad = main.querySelector('[aria-invalid=true]');
        if (bad) bad.focus();
        return;
      }
    }
    const body = { matter: S.matter.code };
    if (S.card) {
      const delivery = S.delivery === 'mail'
        ? { mode: 'mail', recipient: S.mail.recipient.trim(), phone: S.mail.phone.trim(), address: S.mail.address.trim(), postcode: S.mail.postcode.trim() }
        : { mode: 'pickup' };
      body.submission = {
        applicant: Object.assign({ id_number: S.card.idNumber, name: S.card.name }, idType(S.card) ? { id_type: idType(S.card) } : {}),
        materials: S.materials.map((m) => m.id),
        delivery,
      };
    }
    await issue(body);
  }

  // idType names the card's document for the server (applicant.id_type)
  function idType(card) {
    return { resident: 'resident', foreign: 'foreign', foreign2023: 'foreign', residence_permit: 'residence_permit' }[card && card.type] || '';
  }

  function issuePlain(zone) {
    const body = { zone };
    if (S.card) { body.id_number = S.card.idNumber; if (idType(S.card)) body.id_type = idType(S.card); } // one active ticket per ID per zone
    if (S.plainZone !== zone) { S.plainKey = null; S.plainZone = zone; }
    return issue(body, 'plainKey');
  }

  // issue POSTs a ticket. The Idempotency-Key is made once per confirmation
  // and reused when the citizen retries, so a retry never makes a second ticket.
  async function issue(body, keyName) {
    keyName = keyName || 'idemKey';
    S[keyName] = S[keyName] || App.uuid();
    S.sending = true;
    render(false);
    try {
      const r = await api('POST', '/api/v1/tickets', body, { 'Idempotency-Key': S[keyName] });
      S.sending = false;
      S.result = Object.assign({ again: r.status === 200 }, r.data);
      App.upstreamTicket(r.data);
      S[keyName] = null;
      go('result');
    } catch (err) {
      S.sending = false;
      S.error = errorText(err);
      if (err.field && err.field.startsWith('submission.delivery.')) {
        const f = err.field.slice('submission.delivery.'.length);
        if (f in S.mail) S.fieldErrors[f] = S.error;
      }
      if (err.status === 503) {
        // the ticket could not be printed and was voided: the server's
        // words, and the way to the guide desk; a retry would not print either
        S.error = (App.codeText('ticket_print_failed') || errorText(err)) + ' ' + t('k.print.void');
        S[keyName] = null;
      } else if (err.status === 0 || err.status >= 500) S.retry = () => issue(body, keyName);
      render(false);
      const box = document.getElementById('error');
      if (box) box.scrollIntoView({ block: 'center' });
    }
  }

  function resultScreen() {
    const r = S.result;
    const z = App.zoneByID(r.zone);
    const pickupTicket = r.purpose === 'pickup';
    const printed = hasPrinter && r.printed !== false && !r.again;
    const cases = (r.cases || []).map((c) => (typeof c === 'string' ? { number: c } : c));
    return h('section', { class: 'result', 'aria-labelledby': 'result-title' },
      printed ? h('p', { class: 'take-ticket', id: 'take-ticket', role: 'status' }, kt('take')) : null,
      h('h1', { id: 'result-title', class: 'result-line', dataset: { number: r.number } },
        r.offline ? tNodes('k.result.offline', { number: h('span', { class: 'big-number' }, r.number) })
          : pickupTicket ? ktNodes('pickup.ticket', { number: h('span', { class: 'big-number' }, r.number) })
            : tNodes('k.result', { number: h('span', { class: 'big-number' }, r.number), ahead: h('strong', {}, String(r.waiting_ahead)) })),
      pickupTicket && !r.offline ? h('p', { class: 'ahead', id: 'ahead' }, t('s.waiting', { n: r.waiting_ahead || 0 })) : null,
      typeof r.estimated_wait_minutes === 'number' && r.estimated_wait_minutes > 0 ? h('p', { id: 'est-wait' }, kt('wait.est', { m: r.estimated_wait_minutes })) : null,
      cases.length ? h('section', { class: 'panel pickup-cases', 'aria-labelledby': 'pickup-cases-title' },
        h('h2', { id: 'pickup-cases-title' }, kt('pickup.cases')),
        h('ul', { id: 'pickup-cases' }, cases.map((c) => h('li', { dataset: { case: c.number } }, c.number + (c.matter_name || c.matter_name_en ? ' ' + (App.lang === 'en' && c.matter_name_en ? c.matter_name_en : c.matter_name) : '')))),
        h('p', {}, kt('pickup.go.window'))) : null,
      r.again ? h('p', { class: 'notice' }, t('k.result.again')) : null,
      r.printed === false ? h('div', { class: 'alert print-failed', role: 'alert', id: 'print-error' },
        // the server words it in Chinese, with English in parentheses: the page's language only
        h('p', {}, App.lang === 'zh' && r.print_error ? r.print_error.replace(/\s*\([^)]*\)\s*$/, '') : t('k.print.failed')),
        h('p', {}, t('k.print.valid', { number: r.number }))) : null,
      h('p', {}, t('k.result.zone', { zone: z ? (z.prefix || z.id) + ' ' + App.zoneName(z) : r.zone_name || r.zone })),
      h('p', { class: 'hint' }, t('k.result.hint')),
      r.id && !r.offline ? h('figure', { class: 'status-qr' },
        h('img', { src: App.authURL('/api/v1/tickets/' + encodeURIComponent(r.id) + '/qr.png'), alt: kt('qr'), width: 240, height: 240, id: 'status-qr' }),
        h('figcaption', {}, kt('qr.hint'))) : null,
      h('div', { class: 'nav center' },
        h('button', { type: 'button', class: 'primary', dataset: { action: 'done' }, onclick: endVisit }, t('k.done'))));
  }

  // ---- idle: back to the welcome after IDLE_S without a touch -----------
  let lastTouch = Date.now();
  const idleBar = h('div', { class: 'idle', id: 'idle', role: 'status', hidden: true });
  document.body.append(idleBar);
  let idleShown = -1;
  function hideIdle() { idleBar.hidden = true; idleBar.replaceChildren(); idleShown = -1; }
  ['pointerdown', 'keydown', 'input', 'touchstart'].forEach((ev) => document.addEventListener(ev, () => {
    lastTouch = Date.now();
    if (!idleBar.hidden) hideIdle();
  }, { capture: true, passive: true }));
  setInterval(() => {
    if (S.screen === 'welcome' || S.scan.running) { lastTouch = Date.now(); return; }
    const left = Math.ceil(IDLE_S - (Date.now() - lastTouch) / 1000);
    if (left <= 0) { forget(false); return; }
    if (left <= WARN_S && left !== idleShown) {
      idleShown = left;
      idleBar.hidden = false;
      idleBar.replaceChildren(...tNodes('k.idle', { n: h('span', { class: 'secs' }, String(left)) }));
    }
  }, 250);

  // ---- data ---------------------------------------------------------------
  async function refreshCatalog() {
    try {
      const r = await api('GET', '/api/v1/catalog');
      catalog = { zones: r.data.zones || [], matters: r.data.matters || [] };
      if (S.screen === 'picker' || S.screen === 'zone') render(false);
    } catch (err) {
      if (S.screen === 'welcome') App.showPageAlert(errorText(err));
      setTimeout(refreshCatalog, 10000);
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
  const refreshQueueSoon = App.debounce(() => refreshQueue().catch(() => {}), 400);

  // checkIn turns an appointment's QR code (read by the kiosk's HID reader
  // and sent as qr.scanned) into its ticket, answered as a ticket issue.
  async function checkIn(code) {
    if (S.sending) return;
    S.checkinKey = S.checkinKey || App.uuid();
    S.sending = true;
    try {
      const r = await api('POST', '/api/v1/appointments/' + encodeURIComponent(code) + '/check-in', undefined, { 'Idempotency-Key': S.checkinKey });
      S.checkinKey = null;
      S.sending = false;
      showTicket(Object.assign({ again: r.status === 200 }, r.data));
    } catch (err) {
      S.checkinKey = null;
      S.sending = false;
      S.error = errorText(err);
      if (S.screen === 'welcome') { S.code = code; go('checkin'); S.error = errorText(err); render(false); } else render(false);
    }
  }
  // showTicket shows a ticket this kiosk issued (once: a check-in's answer
  // and its event may both come).
  function showTicket(tk) {
    if (!tk || !tk.number) return;
    if (S.screen === 'result' && S.result && S.result.id === tk.id) return;
    S.result = tk;
    go('result');
  }

  // lookupAppointments finds today's appointments of the card's ID, to
  // offer their check-in (POST /api/v1/appointments/lookup).
  async function lookupAppointments(mine) {
    try {
      const r = await api('POST', '/api/v1/appointments/lookup', { id_number: mine.card.idNumber });
      if (S !== mine) return;
      S.appointments = (r.data && r.data.appointments) || [];
      if (S.appointments.length && (S.screen === 'picker' || S.screen === 'checkin')) render(false);
    } catch (err) { /* no appointments to offer: the visit goes on */ }
  }

  // ---- the simulated card reader (default run: no real reader) -----------
  // A small panel places and lifts a sample card of each kind (POST
  // /api/v1/sim/idcard), shown only when GET /api/v1/me says sim_idcard.
  function simPanel() {
    const status = h('p', { class: 'alert', role: 'alert', id: 'sim-error' });
    const place = (kind) => async () => {
      status.textContent = '';
      try { await api('POST', '/api/v1/sim/idcard', { kind }); } catch (err) { status.textContent = kt('sim.failed', { msg: errorText(err) }); }
    };
    const btn = (kind, key) => h('button', { type: 'button', class: 'secondary', dataset: { sim: kind || 'remove' }, onclick: place(kind) }, kt(key));
    const panel = h('aside', { class: 'sim-panel', id: 'sim-panel', 'aria-labelledby': 'sim-title' });
    const draw = () => App.put(panel, h('h2', { id: 'sim-title' }, kt('sim')),
      h('div', { class: 'row' }, btn('resident', 'sim.resident'), btn('foreign15', 'sim.foreign15'), btn('foreign18', 'sim.foreign18'),
        btn('permit', 'sim.permit'), btn('', 'sim.remove')), status);
    draw();
    App.onLang(draw);
    main.after(panel);
  }

  function onEvent(e) {
    if (App.upstreamEvent(e)) return;
    if (e.type && e.type.startsWith('scan.')) { App.scanEvent(e); return; }
    if (e.type === 'device.status' && e.device === 'printer') { setPrinter(e.state); return; }
    if (e.type === 'qr.scanned' && e.data && !(App.serverNow() - Date.parse(e.at) > 30000)) {
      if (printerDown) return;
      const raw = String(e.data).trim();
      if (S.screen === 'pickup' || /\/c\//.test(raw)) { // a receipt's QR: the case's progress link
        if (S.screen !== 'pickup') { forget(true); S.history.push('welcome'); S.screen = 'pickup'; }
        pickup({ code: raw });
        return;
      }
      const code = raw.split('/').pop().split('?')[0];
      if (/^[A-Za-z0-9-]{4,40}$/.test(code)) checkIn(code);
      return;
    }
    if (e.type === 'appointment.checked_in' && e.ticket && !(App.serverNow() - Date.parse(e.at) > 30000)) {
      showTicket(e.ticket); // a QR read at this kiosk checked in: its ticket
      return;
    }
    if (e.type === 'card.read') {
      // Only the live event carries the full number (and this terminal
      // alone gets it); a replayed card.read cannot fill a submission.
      if (!e.id_number || printerDown) return;
      const card = {
        name: e.name || '', nameMasked: App.maskName(e.name || ''),
        idMasked: e.id_number_masked || App.maskID(e.id_number), idNumber: e.id_number, type: e.card_type || '',
      };
      lastTouch = Date.now();
      if (S.screen === 'pickup' && !S.card) { // collecting a result: the card says who
        S.card = card;
        pickup({ id_number: card.idNumber });
        return;
      }
      const onCheckin = S.screen === 'checkin';
      forget(true); // a new visitor's card, or this visitor's: the language and elder mode stay
      S.card = card;
      if (onCheckin) { S.history.push('welcome'); S.screen = 'checkin'; render(true); } else go('picker');
      lookupAppointments(S);
      return;
    }
    if (e.type && e.type.startsWith('ticket.')) refreshQueueSoon();
  }

  render(false);
  checkPrinter();
  App.me().then((m) => {
    if (m && m.sim_idcard) simPanel();
    if (m) hasPrinter = !!m.printer;
    if (!m || !!m.scanner === hasScanner) return;
    hasScanner = !!m.scanner;
    if (S.screen === 'matter' || S.screen === 'delivery') render(false);
  });
  (async () => {
    let seq = null;
    try { seq = await refreshQueue(); } catch (err) { /* the stream still comes up */ }
    refreshCatalog();
    App.events = new App.Events(onEvent, { since: seq, onOpen: (again) => { if (again) refreshQueueSoon(); } });
    App.watchUpstream(true);
  })();
})();
