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
    };
  }
  let S = fresh();
  function idleScan(note, error) {
    return { running: false, pages: 0, note: note || null, error: error || '' };
  }

  // forget drops everything about the citizen and shows the welcome screen.
  function forget() {
    S.card = null;
    S.mail = { recipient: '', phone: '', address: '', postcode: '' };
    S = fresh();
    hideIdle();
    App.setElder(false);
    if (App.lang !== 'zh') App.setLang('zh'); // re-renders
    render();
    refreshCatalog();
  }

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
    if (S.screen === 'welcome') { forget(); return; }
    render(true);
  }

  // ---- rendering ------------------------------------------------------
  function render(focus) {
    main.replaceChildren();
    const screen = { welcome: welcomeScreen, picker: pickerScreen, zone: zoneScreen, matter: matterScreen, delivery: deliveryScreen, result: resultScreen }[S.screen];
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
  App.onLang(() => render(false));

  function homeButton() {
    return h('button', { type: 'button', class: 'secondary', dataset: { action: 'home' }, 'aria-label': t('k.home.aria'), onclick: forget }, t('k.home'));
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
      h('button', { type: 'button', class: 'nocard', dataset: { action: 'nocard' }, onclick: () => go('picker') }, t('k.nocard')));
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

  function matterButton(m, withZone) {
    const z = App.zoneByID(m.zone);
    return h('button', { type: 'button', class: 'secondary', dataset: { matter: m.code }, onclick: () => pickMatter(m) },
      m.name,
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
      h('button', { type: 'button', class: 'primary', style: 'width:100%;font-size:1.3rem;padding:.8rem', dataset: { action: 'plain' }, disabled: S.sending, onclick: () => issuePlain(z.id) }, t('k.plain')),
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
      h('h1', { id: 'matter-title' }, m.name),
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
      h('p', {}, t('k.sum.matter', { m: m.name })),
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
        applicant: { id_number: S.card.idNumber, name: S.card.name },
        materials: S.materials.map((m) => m.id),
        delivery,
      };
    }
    await issue(body);
  }

  function issuePlain(zone) {
    const body = { zone };
    if (S.card) body.id_number = S.card.idNumber; // one active ticket per ID per zone
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
        S.error = (err.message ? err.message + ' ' : '') + t('k.print.void');
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
    return h('section', { class: 'result', 'aria-labelledby': 'result-title' },
      h('h1', { id: 'result-title', class: 'result-line', dataset: { number: r.number } },
        r.offline ? tNodes('k.result.offline', { number: h('span', { class: 'big-number' }, r.number) })
          : tNodes('k.result', { number: h('span', { class: 'big-number' }, r.number), ahead: h('strong', {}, String(r.waiting_ahead)) })),
      r.again ? h('p', { class: 'notice' }, t('k.result.again')) : null,
      r.printed === false ? h('div', { class: 'alert print-failed', role: 'alert', id: 'print-error' },
        h('p', {}, r.print_error || t('k.print.failed')),
        h('p', {}, t('k.print.valid', { number: r.number }))) : null,
      h('p', {}, t('k.result.zone', { zone: z ? (z.prefix || z.id) + ' ' + App.zoneName(z) : r.zone_name || r.zone })),
      h('p', { class: 'hint' }, t('k.result.hint')),
      h('div', { class: 'nav', style: 'justify-content:center' },
        h('button', { type: 'button', class: 'primary', dataset: { action: 'done' }, onclick: forget }, t('k.done'))));
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
    if (left <= 0) { forget(); return; }
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
    S.checkinKey = S.checkinKey || App.uuid();
    try {
      const r = await api('POST', '/api/v1/appointments/' + encodeURIComponent(code) + '/check-in', undefined, { 'Idempotency-Key': S.checkinKey });
      S.checkinKey = null;
      S.result = Object.assign({ again: r.status === 200 }, r.data);
      go('result');
    } catch (err) {
      S.checkinKey = null;
      S.error = errorText(err);
      if (S.screen === 'welcome') App.showPageAlert(S.error); else render(false);
    }
  }

  function onEvent(e) {
    if (App.upstreamEvent(e)) return;
    if (e.type && e.type.startsWith('scan.')) { App.scanEvent(e); return; }
    if (e.type === 'device.status' && e.device === 'printer') { setPrinter(e.state); return; }
    if (e.type === 'qr.scanned' && e.data && !(App.serverNow() - Date.parse(e.at) > 30000)) {
      if (printerDown) return;
      const code = String(e.data).trim().split('/').pop().split('?')[0];
      if (/^[A-Za-z0-9-]{4,40}$/.test(code)) checkIn(code);
      return;
    }
    if (e.type === 'card.read') {
      // Only the live event carries the full number (and this terminal
      // alone gets it); a replayed card.read cannot fill a submission.
      if (!e.id_number || printerDown) return;
      forget();
      S.card = {
        name: e.name || '', nameMasked: App.maskName(e.name || ''),
        idMasked: e.id_number_masked || App.maskID(e.id_number), idNumber: e.id_number,
      };
      lastTouch = Date.now();
      go('picker');
      return;
    }
    if (e.type && e.type.startsWith('ticket.')) refreshQueueSoon();
  }

  render(false);
  checkPrinter();
  App.me().then((m) => {
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
