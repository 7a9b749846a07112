/* SPDX-License-Identifier: AGPL-3.0-or-later */
// status-rate.js — the public status page's rating: once the ticket is
// done, the citizen rates the service on the phone (five faces), with the
// status link's key and no terminal token, once per ticket (a second
// rating is refused with already_rated). Words in the page's language.
(function () {
  'use strict';
  const { h } = App;
  const RT = {
    zh: { title: '请您对本次服务进行评价', thanks: '感谢您的评价！', already: '本次服务已评价，感谢您！', sending: '正在提交…' },
    en: { title: 'Please rate this service', thanks: 'Thank you for your rating!', already: 'This service has been rated. Thank you!', sending: 'Sending…' },
  };
  const rt = (k) => (RT[App.lang] || RT.zh)[k];
  const id = location.pathname.split('/').pop();
  const key = new URLSearchParams(location.search).get('token') || '';
  const doneKey = 'kioskd.rated.' + id;
  const box = h('section', { class: 'rating', id: 'rate', 'aria-labelledby': 'rate-title', hidden: true });
  (document.querySelector('main') || document.body).append(box);
  const S = { done: false, state: '', sending: false, error: '' };
  try { if (localStorage.getItem(doneKey)) S.state = 'already'; } catch (e) { /* private mode */ }

  function render() {
    if (!S.done) { box.hidden = true; return; }
    box.hidden = false;
    if (S.state) {
      App.put(box, h('h2', { id: 'rate-title', role: 'status', class: 'thanks' }, rt(S.state)));
      return;
    }
    App.put(box, h('h2', { id: 'rate-title' }, rt('title')),
      Faces.pad('rate-title', rate, S.sending),
      S.sending ? h('p', { role: 'status' }, rt('sending')) : null,
      h('p', { class: 'alert', role: 'alert', id: 'rate-error' }, S.error));
  }
  App.onLang(render);

  async function rate(level) {
    if (S.sending) return;
    S.sending = true;
    S.error = '';
    render();
    let res = null;
    let data = null;
    try {
      res = await fetch('/api/v1/tickets/' + encodeURIComponent(id) + '/rating?token=' + encodeURIComponent(key), {
        method: 'POST', cache: 'no-store', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ level }),
      });
      try { data = await res.json(); } catch (e) { data = null; }
    } catch (e) { res = null; }
    S.sending = false;
    if (res && res.ok) S.state = 'thanks';
    else if (res && res.status === 409 && (!data || !data.code || data.code === 'already_rated')) S.state = 'already';
    else if (res && res.status === 401 && !(data && data.code && App.codeText(data.code))) S.error = App.t('s.error'); // the link's key: not a terminal's token
    else S.error = App.errorText(new App.ApiError(res ? res.status : 0, data && data.field, (data && data.error) || '', data));
    if (S.state) { try { localStorage.setItem(doneKey, '1'); } catch (e) { /* private mode */ } }
    render();
  }

  // the ticket's status, as the page polls it: the rating once it is done
  async function poll() {
    try {
      const r = await fetch('/api/v1/tickets/' + encodeURIComponent(id) + '?token=' + encodeURIComponent(key), { cache: 'no-store' });
      if (!r.ok) return;
      const tk = await r.json();
      const done = tk.status === 'done';
      if (tk.rated === true && !S.state) S.state = 'already';
      if (done !== S.done) { S.done = done; render(); } else if (tk.rated === true) render();
    } catch (e) { /* the page says it cannot reach the server */ }
  }
  poll();
  setInterval(poll, 10000);
})();
