/* SPDX-License-Identifier: AGPL-3.0-or-later */
// counter.js — a window's citizen-facing screen (a second screen or a
// tablet at the window, role counter, its own token): the number being
// served at its window and, when the service ends, five large rating faces
// for the citizen (好差评, once per ticket); thanks, then back to idle.
// Driven by the event stream of its window: ticket.called / serving,
// ticket.finished, ticket.rated (a rating given on the pad or a phone).
(function () {
  'use strict';
  const { h, api, errorText } = App;
  const CT = {
    zh: {
      idle: '欢迎来到 {n} 号窗口', 'idle.hint': '办理结束后，请在本屏为我们的服务评价',
      serving: '正在为 {number} 号办理', 'serving.hint': '办理结束后，请在本屏评价',
      rate: '请您对本次服务进行评价', 'rate.for': '号码 {number}',
      thanks: '感谢您的评价！', already: '本次服务已评价，感谢您！', sending: '正在提交…',
      nowindow: '本屏幕未绑定窗口：请以 /counter?token=… 打开（令牌的 window 指明窗口）',
    },
    en: {
      idle: 'Welcome to window {n}', 'idle.hint': 'When your service is done, please rate it on this screen',
      serving: 'Now serving number {number}', 'serving.hint': 'When it is done, please rate the service here',
      rate: 'Please rate this service', 'rate.for': 'Number {number}',
      thanks: 'Thank you for your rating!', already: 'This service has been rated. Thank you!', sending: 'Sending…',
      nowindow: 'This screen belongs to no window: open it as /counter?token=… (the token names the window)',
    },
  };
  function ct(k, p) {
    const s = (CT[App.lang] || CT.zh)[k] ?? CT.zh[k] ?? k;
    return s.replace(/\{(\w+)\}/g, (m, n) => (p && p[n] != null ? String(p[n]) : m));
  }

  App.init();
  document.getElementById('top').append(App.header({}));
  const main = document.getElementById('app');
  const RATE_S = 90;   // the faces stay this long after a service
  const THANKS_S = 6;  // then back to idle

  const S = { n: 0, mode: 'idle', ticket: null, sending: false, error: '', until: 0 };

  function render() {
    if (!S.n) { App.put(main, h('h1', {}, App.t('title.counter')), h('p', { class: 'alert', role: 'alert' }, ct('nowindow'))); return; }
    const tk = S.ticket;
    let body;
    if (S.mode === 'serving') {
      body = [h('h1', { id: 'counter-title' }, ct('serving', { number: tk.number })),
        h('p', { class: 'big-number', id: 'counter-number', dataset: { number: tk.number } }, tk.number),
        h('p', { class: 'lead' }, ct('serving.hint'))];
    } else if (S.mode === 'rate') {
      body = [h('h1', { id: 'counter-title' }, ct('rate')),
        h('p', { class: 'lead', id: 'counter-number', dataset: { number: tk.number } }, ct('rate.for', { number: tk.number })),
        Faces.pad('counter-title', rate, S.sending),
        S.sending ? h('p', { role: 'status' }, ct('sending')) : null,
        h('p', { class: 'alert', role: 'alert', id: 'counter-error' }, S.error)];
    } else if (S.mode === 'thanks' || S.mode === 'already') {
      body = [h('h1', { id: 'counter-title', class: 'thanks', role: 'status' }, ct(S.mode === 'thanks' ? 'thanks' : 'already'))];
    } else {
      body = [h('h1', { id: 'counter-title' }, ct('idle', { n: S.n })), h('p', { class: 'lead' }, ct('idle.hint'))];
    }
    App.put(main, h('section', { class: 'counter-screen', dataset: { mode: S.mode }, 'aria-labelledby': 'counter-title' }, body));
  }
  App.onLang(render);

  function setMode(mode, tk, seconds) {
    S.mode = mode;
    if (tk) S.ticket = tk;
    S.error = '';
    S.sending = false;
    S.until = seconds ? Date.now() + seconds * 1000 : 0;
    render();
  }
  setInterval(() => {
    if (S.until && Date.now() > S.until) {
      S.ticket = null;
      setMode('idle');
      App.setElder(false);
      if (App.lang !== 'zh') App.setLang('zh');
    }
  }, 500);

  async function rate(level) {
    if (S.sending || S.mode !== 'rate') return;
    S.sending = true;
    render();
    try {
      await api('POST', '/api/v1/tickets/' + encodeURIComponent(S.ticket.id) + '/rating', { level });
      setMode('thanks', null, THANKS_S);
    } catch (err) {
      if (err.status === 409 && (!err.data || !err.data.code || err.data.code === 'already_rated')) { setMode('already', null, THANKS_S); return; }
      S.sending = false;
      S.error = errorText(err);
      render();
    }
  }

  function onEvent(e, boot) {
    if (!e || e.window !== S.n) return;
    const recent = !(App.serverNow() - Date.parse(e.at) > RATE_S * 1000);
    switch (e.type) {
      case 'ticket.called':
      case 'ticket.serving':
        setMode('serving', { id: e.id, number: e.number });
        break;
      case 'ticket.finished':
        if (e.result === 'no_show' || !recent) { setMode('idle'); break; }
        setMode('rate', { id: e.id, number: e.number }, RATE_S);
        break;
      case 'ticket.no_show':
      case 'ticket.transferred':
        if (S.ticket && S.ticket.number === e.number) setMode('idle');
        break;
      case 'ticket.rated':
        if (!boot && S.mode === 'rate' && S.ticket && (e.ticket === S.ticket.id || e.number === S.ticket.number)) setMode('already', null, THANKS_S);
        break;
    }
  }

  (async () => {
    const q = new URLSearchParams(location.search).get('window');
    const m = await App.me();
    S.n = (m && m.window) || (q && /^[0-9]+$/.test(q) ? parseInt(q, 10) : 0);
    render();
    if (!S.n) return;
    let seq = 0;
    try { seq = (await api('GET', '/api/v1/queue')).data.seq || 0; } catch (err) { /* the stream still comes up */ }
    // the last few events put the screen where its window is
    App.events = new App.Events((e) => onEvent(e, e.seq <= seq), { since: Math.max(0, seq - 200) });
  })();
})();
