/* SPDX-License-Identifier: AGPL-3.0-or-later */
// display.js — the hall display (a 1920×1080 TV): the newest call large,
// the current call of every window, the last 10 calls and the waiting
// counts per area. Driven by ticket.called events (recalls too) and
// /api/v1/queue; it rebuilds today's calls from the stored event stream at
// start and heals after a reconnect (?since=). Each call is spoken once, in
// order, never overlapping, and always shown as text. No personal data.
(function () {
  'use strict';
  const { t, h, api } = App;

  App.init();
  const clock = h('span', { class: 'clock', id: 'clock' });
  document.getElementById('top').append(App.header({ elder: false, persist: true, extra: [clock] }));
  App.loadPrefs();
  const main = document.getElementById('app');

  const calls = new Map();  // window → {number, window, at, seq, recall}
  let recent = [];          // newest first, at most 10
  let latest = null;
  let waiting = {};
  let bootSeq = 0;          // events up to this seq rebuild the screen silently
  const today = () => App.hallDay();

  // ---- speech: one call at a time, in order ---------------------------
  const synth = window.speechSynthesis || null;
  let voiceOn = true;
  let voiceBlocked = false;
  const speech = [];
  let speaking = false;
  function zhVoice() {
    if (!synth) return null;
    const vs = synth.getVoices() || [];
    return vs.find((v) => /^zh[-_]CN/i.test(v.lang)) || vs.find((v) => /^zh/i.test(v.lang)) || null;
  }
  function say(text) {
    if (!synth || !voiceOn) return;
    speech.push(text);
    if (!speaking) next();
  }
  function next() {
    const text = speech.shift();
    if (text == null) { speaking = false; return; }
    speaking = true;
    const u = new SpeechSynthesisUtterance(text);
    u.lang = 'zh-CN';
    const v = zhVoice();
    if (v) u.voice = v;
    u.rate = 0.9;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      setTimeout(next, 600); // a short pause between calls
    };
    // a stuck engine must not hold the queue: give up after 12 s
    const guard = setTimeout(() => { try { synth.cancel(); } catch (e) { /* ignore */ } finish(); }, 12000);
    u.onend = finish;
    u.onerror = (e) => {
      if (e && e.error === 'not-allowed') soundBlocked();
      finish();
    };
    try { synth.speak(u); } catch (e) { finish(); }
  }

  // ---- the hall's own voice ------------------------------------------------
  // With a voice engine on the server (config.js voice: true), every call is
  // spoken by kioskd (espeak-ng or recorded clips) in order; the display
  // plays each WAV announced by voice.ready, one at a time, and never
  // speaks a call itself. Without it, the browser's speech synthesis speaks.
  const serverVoice = !!App.CFG.voice;
  const audioQueue = [];
  let playing = false;
  function play(url) {
    if (!voiceOn) return;
    audioQueue.push(url);
    if (!playing) playNext();
  }
  function playNext() {
    const url = audioQueue.shift();
    if (url == null) { playing = false; return; }
    playing = true;
    const a = new Audio(App.authURL(url));
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(guard);
      setTimeout(playNext, 600);
    };
    const guard = setTimeout(() => { try { a.pause(); } catch (e) { /* ignore */ } finish(); }, 20000);
    a.onended = finish;
    a.onerror = finish;
    const p = a.play();
    if (p && p.catch) {
      p.catch((e) => {
        if (e && e.name === 'NotAllowedError') soundBlocked();
        finish();
      });
    }
  }

  // ---- may this browser speak without a tap? -----------------------------
  // A hall display runs unattended: its kiosk browser is started with
  // autoplay allowed. probeSound checks it at start (a silent clip through
  // the same path the calls take) and says on screen when sound is
  // blocked; the first touch anywhere unblocks it.
  // (the browser's speech falls under the same autoplay rule as media)
  function probeSound() {
    if (!serverVoice && !synth) return; // no speech here: said by d.voice.none
    const a = new Audio('/static/silence.wav');
    a.volume = 0;
    const p = a.play();
    if (p && p.then) p.then(() => soundOK(), (e) => { if (e && e.name === 'NotAllowedError') soundBlocked(); });
  }
  function soundOK() { if (voiceBlocked) { voiceBlocked = false; renderFoot(); } }
  function soundBlocked() {
    if (voiceBlocked) return;
    voiceBlocked = true;
    renderFoot();
  }
  document.addEventListener('pointerdown', () => { if (voiceBlocked) { voiceBlocked = false; voiceOn = true; probeSound(); renderFoot(); } }, { capture: true });

  // ---- state from events ------------------------------------------------
  function callText(c, forLang) {
    return forLang === 'zh' ? '请' + c.number + '号到' + c.window + '号窗口办理' : t('d.call', { number: c.number, window: c.window });
  }

  function apply(e) {
    const boot = e.seq <= bootSeq;
    switch (e.type) {
      case 'ticket.called': {
        if (String(e.at || '').slice(0, 10) !== today()) return; // an earlier hall day
        const c = { number: e.number, window: e.window, at: e.at, seq: e.seq, recall: !!e.recall };
        calls.set(c.window, c);
        recent = [c].concat(recent.filter((x) => !(x.number === c.number && x.window === c.window))).slice(0, 10); // a recall moves its call up
        latest = c;
        if (!boot) {
          // a call missed during a network blip is still announced if recent
          const age = App.serverNow() - Date.parse(e.at);
          if (!(age > 120000) && !serverVoice) say(callText(c, 'zh'));
        }
        if (typeof e.waiting === 'number' && e.zone) waiting[e.zone] = e.waiting;
        scheduleRender(!boot);
        break;
      }
      case 'ticket.finished':
      case 'ticket.no_show': {
        const c = calls.get(e.window);
        if (c && c.number === e.number) { calls.delete(e.window); scheduleRender(false); }
        break;
      }
      case 'ticket.transferred': {
        const c = calls.get(e.from_window);
        if (c && c.number === e.number) { calls.delete(e.from_window); scheduleRender(false); }
        break;
      }
      case 'voice.ready':
        if (!boot && serverVoice && e.audio && !(App.serverNow() - Date.parse(e.at) > 120000)) play(e.audio);
        break;
      case 'ticket.issued':
        if (typeof e.waiting === 'number' && e.zone) { waiting[e.zone] = e.waiting; scheduleRender(false); }
        break;
    }
    if (!boot && e.type && e.type.startsWith('ticket.')) refreshQueueSoon();
  }

  // ---- rendering ---------------------------------------------------------
  let renderTimer = null;
  let freshCall = false;
  function scheduleRender(fresh) {
    freshCall = freshCall || fresh;
    if (renderTimer) return;
    renderTimer = setTimeout(() => { renderTimer = null; render(); }, 30);
  }

  const foot = h('div', { class: 'display-foot' });
  function render() {
    const zones = App.CFG.zones || [];
    const byWindow = Array.from(calls.values()).sort((a, b) => a.window - b.window);
    const latestPanel = h('section', { class: 'latest' + (freshCall ? ' fresh' : ''), id: 'latest', 'aria-labelledby': 'latest-title' },
      h('h2', { id: 'latest-title' }, t('d.latest')),
      latest
        ? [h('div', { class: 'latest-num', dataset: { number: latest.number } }, latest.number),
          h('div', { class: 'latest-win' }, t('d.win', { n: latest.window })),
          h('p', { class: 'latest-text', id: 'latest-text', 'aria-live': 'polite' }, callText(latest, App.lang))]
        : h('p', { class: 'latest-text', id: 'latest-text', 'aria-live': 'polite' }, t('d.none')));
    freshCall = false;
    App.put(main, h('h1', { class: 'visually-hidden' }, (App.CFG.hall ? App.CFG.hall + ' · ' : '') + t('title.display')),
      h('div', { class: 'display-grid' },
      latestPanel,
      h('section', { 'aria-labelledby': 'windows-title' },
        h('h2', { id: 'windows-title' }, t('d.windows')),
        h('div', { class: 'calls-grid' }, byWindow.map((c) => h('div', {
          class: 'current-call' + (latest && c.seq === latest.seq ? ' newest' : ''), role: 'group',
          'aria-label': t('d.call.aria', { number: c.number, window: c.window }), dataset: { window: c.window, number: c.number },
        }, h('span', { class: 'num' }, c.number), h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
        h('span', { class: 'win' }, t('d.win', { n: c.window })))))),
      h('section', { 'aria-labelledby': 'recent-title' },
        h('h2', { id: 'recent-title' }, t('d.recent')),
        h('ol', { class: 'recent-calls', id: 'recent' }, recent.map((c) => h('li', { dataset: { number: c.number, window: c.window } },
          h('span', { class: 'num' }, c.number), h('span', { class: 'to' }, '→ ' + t('d.win', { n: c.window })),
          c.recall ? h('span', { class: 'again' }, t('d.recall')) : null,
          h('span', { class: 'time' }, App.hallTime(c.at).slice(0, 5)))))),
      h('section', { class: 'zone-strip-wrap', 'aria-labelledby': 'waiting-title' },
        h('h2', { id: 'waiting-title' }, t('d.waiting')),
        h('div', { class: 'zone-strip' }, zones.map((z) => h('div', { dataset: { zone: z.id } },
          h('span', { class: 'z' }, (z.prefix || z.id) + ' ' + App.zoneName(z)),
          h('span', { class: 'n' }, t('zone.waiting', { n: waiting[z.id] || 0 }))))))),
    foot);
    renderFoot();
  }
  App.onLang(() => render());

  function renderFoot() {
    const btn = h('button', { type: 'button', class: 'secondary', dataset: { action: 'voice' }, 'aria-pressed': voiceOn && !voiceBlocked ? 'true' : 'false',
      disabled: !synth && !serverVoice,
      onclick: () => {
        // a tap is the user activation browsers want before speaking
        voiceOn = voiceBlocked ? true : !voiceOn;
        voiceBlocked = false;
        if (voiceOn && synth) { try { synth.cancel(); synth.speak(new SpeechSynthesisUtterance('')); } catch (e) { /* ignore */ } }
        renderFoot();
      } }, t(voiceOn && !voiceBlocked ? 'd.voice.on' : 'd.voice'));
    const note = !synth && !serverVoice ? t('d.voice.none') : voiceBlocked ? t('d.voice.blocked') : '';
    foot.classList.toggle('blocked', voiceBlocked);
    App.put(foot, btn, note ? h('span', { class: voiceBlocked ? 'sound-blocked' : 'hint', id: 'sound-note', role: 'status' }, note) : null);
  }

  function tick() { clock.textContent = App.hallTime().slice(0, 5); }
  setInterval(tick, 5000);

  async function refreshQueue() {
    const r = await api('GET', '/api/v1/queue');
    waiting = r.data.waiting || {};
    scheduleRender(false);
    return r.data.seq;
  }
  const refreshQueueSoon = App.debounce(() => refreshQueue().catch(() => {}), 500);

  render();
  probeSound();
  (async () => {
    let seq = 0;
    try { seq = await refreshQueue(); } catch (e) { /* the stream still comes up and heals */ }
    tick();
    bootSeq = seq || 0;
    // Replay recent stored events to rebuild today's calls; only what comes
    // after bootSeq is announced.
    App.events = new App.Events(apply, { since: Math.max(0, bootSeq - 2000), onOpen: (again) => { if (again) refreshQueueSoon(); } });
  })();
})();
