/* SPDX-License-Identifier: AGPL-3.0-or-later */
// agent.js — the agent desk (帮办代办, a guide terminal with a member of
// staff whom config flags agent signed in). The agent takes over a
// citizen's matter with the citizen's consent recorded (POST
// /api/v1/agent/takeovers): a new ticket taken on the citizen's behalf, or
// the ticket the citizen already holds; scanned or photographed documents
// are uploaded (POST /api/v1/agent/materials) as the consent form or handed
// in with the matter (POST /api/v1/agent/matters/{id}/materials). The list
// beside it is the agent's current matters and their cases' states (GET
// /api/v1/agent/matters), kept current by the event stream and every 30 s.
// Citizens are shown masked only; a card placed on the desk's reader fills
// the citizen in.
(function () {
  'use strict';
  const { h, api, errorText } = App;

  const L = {
    zh: {
      title: '帮办代办', heading: '帮办代办：{name}', headingNone: '帮办代办',
      notAgent: '当前登录的工作人员不是代办员，请退出后由代办员登录', signIn: '请代办员登录工号后使用本页',
      newTitle: '新的代办', citizen: '委托人（群众）', idNumber: '身份证号码', name: '姓名', cardHint: '请群众将身份证放在读卡器上，或手工输入',
      cardRead: '已读取身份证：{name}（{id}）', what: '办理方式', whatNew: '代群众取号', whatHeld: '接办群众已取的号',
      zone: '办事区域', matter: '事项（可不选）', matterNone: '不选事项，只取号', number: '群众手中的号码（如 A012）', priority: '优先（可不选）', priorityNone: '普通',
      consent: '委托方式', signedForm: '签字委托书', verbal: '口头委托（另一名工作人员见证）', idCard: '群众本人刷身份证确认',
      witness: '见证人工号', consentFile: '委托书扫描件或照片（可选）', materials: '申请材料（可选，可多选）',
      submit: '确认代办', sending: '正在提交…', uploading: '正在上传 {name}…',
      done: '已代办：{number}号，前方等待 {ahead} 人', doneHeld: '已接办 {number}号（群众手中的号码），前方等待 {ahead} 人',
      vId: '请填写 18 位身份证号码', vName: '请填写委托人姓名', vZone: '请选择办事区域', vNumber: '请填写号码，例如 A012', vWitness: '请填写见证人的工号', vConsent: '请选择委托方式',
      listTitle: '我的代办事项', none: '暂无代办事项', refresh: '刷新', updated: '更新于 {time}',
      ahead: '前方等待 {n} 人', window: '{n} 号窗口', consentIs: '委托方式：{m}', since: '接办时间：{t}',
      cases: '办件', caseLine: '{number} · {matter} · {state} · 承诺办结 {due}', noCases: '尚未受理',
      handIn: '补交材料', handInFor: '为 {number} 补交材料', formFor: '为 {number} 上传委托书', formBtn: '上传委托书',
      handedIn: '{number}：已补交材料', formDone: '{number}：已上传委托书', chooseFile: '选择文件',
    },
    en: {
      title: 'Agent desk', heading: 'Agent desk: {name}', headingNone: 'Agent desk',
      notAgent: 'The member of staff signed in is not an agent: sign out and let an agent sign in', signIn: 'An agent signs in to use this page',
      newTitle: 'Take over a matter', citizen: 'The citizen', idNumber: 'ID number', name: 'Name', cardHint: 'Ask the citizen to place the ID card on the reader, or key it in',
      cardRead: 'ID card read: {name} ({id})', what: 'How', whatNew: 'Take a ticket for the citizen', whatHeld: 'Take over the ticket the citizen holds',
      zone: 'Area', matter: 'Matter (optional)', matterNone: 'No matter: a ticket only', number: 'The citizen\'s number (e.g. A012)', priority: 'Priority (optional)', priorityNone: 'Normal',
      consent: 'Consent', signedForm: 'Signed power of attorney', verbal: 'Verbal, witnessed by another member of staff', idCard: 'The citizen placed the ID card',
      witness: 'Witness staff ID', consentFile: 'The consent form, scanned or photographed (optional)', materials: 'Materials (optional, several)',
      submit: 'Take over', sending: 'Sending…', uploading: 'Uploading {name}…',
      done: 'Taken over: {number}, {ahead} waiting ahead', doneHeld: 'Taken over the citizen\'s {number}, {ahead} waiting ahead',
      vId: 'Give the 18-character ID number', vName: 'Give the citizen\'s name', vZone: 'Choose an area', vNumber: 'Give the number, e.g. A012', vWitness: 'Give the witness\'s staff ID', vConsent: 'Choose how the citizen consented',
      listTitle: 'My matters', none: 'No matters', refresh: 'Refresh', updated: 'Updated {time}',
      ahead: '{n} waiting ahead', window: 'Window {n}', consentIs: 'Consent: {m}', since: 'Taken over: {t}',
      cases: 'Cases', caseLine: '{number} · {matter} · {state} · due {due}', noCases: 'Not accepted yet',
      handIn: 'Hand in materials', handInFor: 'Hand in materials for {number}', formFor: 'Upload the consent form for {number}', formBtn: 'Upload consent form',
      handedIn: '{number}: materials handed in', formDone: '{number}: consent form uploaded', chooseFile: 'Choose files',
    },
  };
  function tt(k, p) {
    const s = (L[App.lang] || L.zh)[k] ?? L.zh[k] ?? k;
    return s.replace(/\{(\w+)\}/g, (m, n) => (p && p[n] != null ? String(p[n]) : m));
  }
  const CONSENTS = { signed_form: 'signedForm', verbal_witnessed: 'verbal', id_card_placed: 'idCard' };

  App.init();
  document.getElementById('top').append(App.header({ persist: true }));
  App.loadPrefs();
  const main = document.getElementById('app');

  // the file choosers live across renders, so a choice survives them
  const DOCS = 'application/pdf,image/jpeg,image/png';
  const consentInput = h('input', { id: 'consent-file', type: 'file', accept: DOCS });
  const materialInput = h('input', { id: 'material-files', type: 'file', multiple: true, accept: DOCS });

  const S = {
    agent: null, matters: null, listError: '', forbidden: false, updated: '', msg: '', matterMsg: '', matterError: '',
    form: { idNumber: '', name: '', what: 'new', zone: '', matter: '', number: '', priority: '', consent: '', witness: '' },
    formError: '', sending: false, result: null, card: null, catalog: [],
  };

  // ---- uploads: the document as the body, with the bearer and the staff session
  function staffSession() {
    try { return sessionStorage.getItem('kioskd.staff.agent') || ''; } catch (e) { return ''; }
  }
  async function upload(file) {
    const hdr = { Authorization: 'Bearer ' + App.token, 'Content-Type': file.type || 'application/octet-stream' };
    const sess = staffSession();
    if (sess) hdr['X-Staff-Session'] = sess;
    let res;
    try {
      res = await fetch('/api/v1/agent/materials', { method: 'POST', headers: hdr, body: file, cache: 'no-store' });
    } catch (e) {
      throw new App.ApiError(0, '', '', null);
    }
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      if (res.status === 401 && data && data.field === 'X-Staff-Session') App.staffGate(true);
      throw new App.ApiError(res.status, data && data.field, (data && data.error) || res.statusText, data);
    }
    return data.material_id;
  }
  async function uploadAll(files, say) {
    const ids = [];
    for (const f of Array.from(files || [])) {
      say(tt('uploading', { name: f.name }));
      ids.push(await upload(f));
    }
    return ids;
  }

  // ---- the page ----------------------------------------------------------
  function setTitle() {
    document.title = (App.CFG.hall ? App.CFG.hall + ' · ' : '') + tt('title');
    document.querySelectorAll('.page-name').forEach((el) => { el.textContent = tt('title'); });
  }

  function render(focusSel) {
    setTitle();
    const heading = S.agent ? tt('heading', { name: S.agent.name + '（' + S.agent.id + '）' }) : tt('headingNone');
    App.put(main,
      h('h1', { id: 'agent-title', tabindex: '-1' }, heading),
      S.forbidden ? h('p', { class: 'alert', role: 'alert', id: 'not-agent' }, tt('notAgent')) : null,
      h('div', { class: 'agent-grid' },
        h('section', { class: 'panel agent-form', 'aria-labelledby': 'new-title' }, formPart()),
        h('section', { class: 'panel', 'aria-labelledby': 'list-title', id: 'list' }, listPart())));
    if (focusSel) {
      const el = main.querySelector(focusSel);
      if (el) el.focus({ preventScroll: true });
    }
  }
  App.onLang(() => render());

  function field(id, label, input, hint) {
    return h('label', { class: 'field', for: id }, h('span', {}, label), input, hint ? h('span', { class: 'hint' }, hint) : null);
  }
  function bind(key) {
    return (e) => { S.form[key] = e.target.value; };
  }
  function radio(name, value, label, checked, onchange) {
    const id = name + '-' + value;
    return h('label', { class: 'radio-card', for: id },
      h('input', { type: 'radio', id, name, value, checked, onchange }), h('span', {}, label));
  }

  function formPart() {
    const F = S.form;
    const zones = App.CFG.zones || [];
    const matters = S.catalog.filter((m) => m.zone === F.zone);
    return [
      h('h2', { id: 'new-title' }, tt('newTitle')),
      resultPart(),
      h('form', { id: 'takeover-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); takeOver(); } },
        h('fieldset', {}, h('legend', {}, tt('citizen')),
          h('p', { class: 'hint', id: 'card-hint' }, tt('cardHint')),
          S.card ? h('p', { class: 'notice', role: 'status', id: 'card-read' }, tt('cardRead', { name: App.maskName(S.card.name), id: App.maskID(S.card.idNumber) })) : null,
          field('citizen-id', tt('idNumber'), h('input', { id: 'citizen-id', name: 'id_number', autocomplete: 'off', maxlength: 18, value: F.idNumber,
            type: 'password', 'aria-describedby': 'card-hint', oninput: bind('idNumber') })),
          field('citizen-name', tt('name'), h('input', { id: 'citizen-name', name: 'name', autocomplete: 'off', maxlength: 64, value: F.name, oninput: bind('name') }))),
        h('fieldset', {}, h('legend', {}, tt('what')),
          radio('what', 'new', tt('whatNew'), F.what === 'new', () => { F.what = 'new'; render('#what-new'); }),
          radio('what', 'held', tt('whatHeld'), F.what === 'held', () => { F.what = 'held'; render('#what-held'); }),
          F.what === 'new' ? [
            field('zone', tt('zone'), h('select', { id: 'zone', onchange: (e) => { F.zone = e.target.value; F.matter = ''; render('#zone'); } },
              h('option', { value: '', selected: !F.zone }, '—'),
              zones.map((z) => h('option', { value: z.id, selected: F.zone === z.id }, (z.prefix || z.id) + ' ' + App.zoneName(z))))),
            F.zone ? field('matter', tt('matter'), h('select', { id: 'matter', onchange: bind('matter') },
              h('option', { value: '', selected: !F.matter }, tt('matterNone')),
              matters.map((m) => h('option', { value: m.code, selected: F.matter === m.code }, m.name + '（' + m.code + '）')))) : null,
            field('priority', tt('priority'), h('select', { id: 'priority', onchange: bind('priority') },
              h('option', { value: '', selected: !F.priority }, tt('priorityNone')),
              (App.CFG.priority_reasons || []).map((r) => h('option', { value: r, selected: F.priority === r }, App.reasonName(r))))),
          ] : field('held-number', tt('number'), h('input', { id: 'held-number', autocomplete: 'off', maxlength: 8, value: F.number, oninput: bind('number') }))),
        h('fieldset', {}, h('legend', {}, tt('consent')),
          Object.keys(CONSENTS).map((m) => radio('consent', m, tt(CONSENTS[m]), F.consent === m, () => { F.consent = m; render('#consent-' + m); })),
          F.consent === 'verbal_witnessed' ? field('witness', tt('witness'), h('input', { id: 'witness', autocomplete: 'off', maxlength: 40, value: F.witness, oninput: bind('witness') })) : null,
          field('consent-file', tt('consentFile'), consentInput)),
        field('material-files', tt('materials'), materialInput),
        h('div', { class: 'alert', role: 'alert', id: 'form-error' }, S.formError),
        h('p', { role: 'status', id: 'form-status' }, S.msg),
        h('button', { type: 'submit', class: 'ok', id: 'takeover-submit', disabled: S.sending || S.forbidden }, tt('submit'))),
    ];
  }

  function resultPart() {
    const r = S.result;
    if (!r) return null;
    return h('div', { class: 'issued', id: 'takeover-result', role: 'status', tabindex: '-1' },
      h('p', {}, h('span', { class: 'big-number', dataset: { number: r.number } }, r.number)),
      h('p', {}, tt(r.held ? 'doneHeld' : 'done', { number: r.number, ahead: r.waiting_ahead })),
      r.print_error ? h('p', { class: 'alert' }, r.print_error) : null);
  }

  function stateWords(c) {
    const k = 'case.' + c.state;
    return App.t(k) === k ? c.state : App.t(k);
  }
  function lightWords(l) { return l ? App.t('light.' + l) : ''; }

  function listPart() {
    const out = [h('h2', { id: 'list-title' }, tt('listTitle')),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'secondary', id: 'list-refresh', onclick: () => refresh(true) }, tt('refresh')),
        S.updated ? h('span', { class: 'hint', role: 'status' }, tt('updated', { time: S.updated })) : null),
      h('div', { class: 'notice', role: 'status', id: 'matter-msg' }, S.matterMsg),
      h('div', { class: 'alert', role: 'alert', id: 'matter-error' }, S.matterError || S.listError)];
    if (S.matters === null) return out;
    if (S.matters.length === 0) return out.concat(h('p', { id: 'no-matters' }, tt('none')));
    return out.concat(h('ul', { class: 'agent-list', 'aria-labelledby': 'list-title' }, S.matters.map(matterItem)));
  }

  function matterItem(m) {
    const tk = m.ticket;
    const active = ['waiting', 'called', 'serving'].includes(tk.status);
    const g = tk.agent || {};
    const a = tk.applicant || {};
    const mt = S.catalog.find((x) => x.code === tk.matter);
    const rows = [];
    const kv = (k, v) => rows.push(h('dt', {}, k), h('dd', {}, v));
    kv(tt('citizen'), (a.name_masked || g.citizen_name_masked || '') + '（' + (a.id_number_masked || g.citizen_id_masked || '') + '）');
    kv(App.t('field.matter'), mt ? mt.name : tk.matter || tk.package || App.zoneName(App.zoneByID(tk.zone)));
    kv(tt('consent'), tt(CONSENTS[g.consent] || g.consent) + (g.witness ? '（' + g.witness + '）' : ''));
    kv(tt('cases'), m.cases.length ? h('ul', { class: 'agent-cases' }, m.cases.map((c) => h('li', { dataset: { case: c.number } },
      tt('caseLine', { number: c.number, matter: c.matter_name, state: stateWords(c), due: c.due }), c.light ? ' · ' + lightWords(c.light) : ''))) : tt('noCases'));
    const n = tk.number;
    return h('li', { class: 'agent-matter' + (active ? ' active' : ''), dataset: { number: n } },
      h('h3', {}, h('span', { class: 'big-number' }, n),
        h('span', { class: 'tag' }, App.t('status.' + tk.status)),
        tk.status === 'waiting' ? h('span', {}, tt('ahead', { n: tk.waiting_ahead })) : null,
        tk.window ? h('span', {}, tt('window', { n: tk.window })) : null),
      h('dl', {}, rows),
      active ? h('div', { class: 'row' },
        fileButton('hand-' + tk.id, tt('handIn'), tt('handInFor', { number: n }), (files) => handIn(m, files, false)),
        g.consent_form ? null : fileButton('form-' + tk.id, tt('formBtn'), tt('formFor', { number: n }), (files) => handIn(m, files, true))) : null);
  }

  // fileButton is a large button that opens the file chooser; its name says
  // which matter it is for.
  function fileButton(id, label, aria, onFiles) {
    const input = h('input', { type: 'file', id: id + '-file', hidden: true, multiple: true, accept: DOCS,
      'aria-label': aria, onchange: (e) => { if (e.target.files.length) onFiles(e.target.files); } });
    return h('span', {}, input, h('button', { type: 'button', class: 'secondary', id, 'aria-label': aria, onclick: () => input.click() }, label));
  }

  // ---- actions -----------------------------------------------------------
  function validate() {
    const F = S.form;
    F.idNumber = F.idNumber.trim().toUpperCase();
    F.name = F.name.trim();
    if (!/^[0-9]{17}[0-9X]$/.test(F.idNumber)) return ['citizen-id', tt('vId')];
    if (!F.name) return ['citizen-name', tt('vName')];
    if (F.what === 'new' && !F.zone) return ['zone', tt('vZone')];
    if (F.what === 'held' && !/^[A-Za-z][0-9]{3,}$/.test(F.number.trim())) return ['held-number', tt('vNumber')];
    if (!F.consent) return ['consent-signed_form', tt('vConsent')];
    if (F.consent === 'verbal_witnessed' && !F.witness.trim()) return ['witness', tt('vWitness')];
    return null;
  }

  async function takeOver() {
    if (S.sending) return;
    const bad = validate();
    if (bad) {
      S.formError = bad[1];
      render('#' + bad[0]);
      return;
    }
    const F = S.form;
    const consentFile = Array.from(consentInput.files || []);
    const materialFiles = Array.from(materialInput.files || []);
    S.sending = true;
    S.formError = '';
    S.msg = tt('sending');
    render();
    const say = (m) => { const el = document.getElementById('form-status'); if (el) el.textContent = m; };
    try {
      const [form] = await uploadAll(consentFile, say);
      const materials = await uploadAll(materialFiles, say);
      const body = { applicant: { id_number: F.idNumber, name: F.name }, consent: { method: F.consent } };
      if (F.consent === 'verbal_witnessed') body.consent.witness = F.witness.trim();
      if (form) body.consent.material = form;
      if (materials.length) body.materials = materials;
      if (F.what === 'held') body.number = F.number.trim().toUpperCase();
      else {
        if (F.matter) body.matter = F.matter; else body.zone = F.zone;
        if (F.priority) body.priority_reason = F.priority;
      }
      say(tt('sending'));
      const r = await api('POST', '/api/v1/agent/takeovers', body, { 'Idempotency-Key': App.uuid() });
      S.result = Object.assign({ held: F.what === 'held' }, r.data);
      S.form = { idNumber: '', name: '', what: 'new', zone: '', matter: '', number: '', priority: '', consent: '', witness: '' };
      S.card = null;
      consentInput.value = '';
      materialInput.value = '';
      S.msg = '';
      S.sending = false;
      render('#takeover-result');
      window.scrollTo(0, 0);
      refresh();
    } catch (err) {
      S.sending = false;
      S.msg = '';
      S.formError = errorText(err);
      render('#form-error');
    }
  }

  async function handIn(m, files, consentForm) {
    const n = m.ticket.number;
    S.matterMsg = '';
    S.matterError = '';
    try {
      const ids = await uploadAll(files, (msg) => { const el = document.getElementById('matter-msg'); if (el) el.textContent = msg; });
      for (const id of ids) {
        await api('POST', '/api/v1/agent/matters/' + encodeURIComponent(m.ticket.id) + '/materials', { material_id: id, consent_form: consentForm });
      }
      S.matterMsg = tt(consentForm ? 'formDone' : 'handedIn', { number: n });
    } catch (err) {
      S.matterError = errorText(err);
    }
    await refresh();
  }

  async function refresh(focusButton) {
    try {
      const r = await api('GET', '/api/v1/agent/matters');
      S.agent = r.data.agent;
      S.matters = r.data.matters || [];
      S.forbidden = false;
      S.listError = '';
      S.updated = App.hallTime();
    } catch (err) {
      S.forbidden = err.status === 403;
      S.listError = err.status === 401 ? tt('signIn') : S.forbidden ? '' : errorText(err);
      // nobody signed in: the sign-in panel is up; look again shortly
      if (err.status === 401 && !retryTimer) retryTimer = setTimeout(() => { retryTimer = null; refresh(); }, 1500);
    }
    const typing = document.activeElement && main.contains(document.activeElement) && /^(INPUT|SELECT)$/.test(document.activeElement.tagName);
    if (typing) {
      const list = document.getElementById('list');
      if (list) App.put(list, listPart());
      return;
    }
    render(focusButton === true ? '#list-refresh' : null);
  }
  let retryTimer = null;
  const refreshSoon = App.debounce(() => refresh(), 400);

  async function loadCatalog() {
    try {
      const r = await api('GET', '/api/v1/catalog');
      S.catalog = r.data.matters || [];
    } catch (err) { /* the list works without names */ }
  }

  function onEvent(e) {
    if (App.upstreamEvent(e)) return;
    if (e.type === 'card.read') {
      // only the live event carries the full number, to this terminal alone
      if (!e.id_number) return;
      S.card = { name: e.name || '', idNumber: e.id_number };
      S.form.idNumber = e.id_number;
      S.form.name = e.name || '';
      if (!S.form.consent) S.form.consent = 'id_card_placed';
      render('#card-read');
      return;
    }
    if (e.type === 'staff.signed_in') { refreshSoon(); return; }
    if (e.type && (e.type.startsWith('ticket.') || e.type.startsWith('case.') || e.type.startsWith('agent.'))) refreshSoon();
  }

  render();
  App.staffGate();
  (async () => {
    await loadCatalog();
    await refresh();
    App.watchUpstream(false);
    App.events = new App.Events(onEvent, { onOpen: (again) => { if (again) refreshSoon(); } });
    setInterval(() => refresh(), 30000);
  })();
})();
