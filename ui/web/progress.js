/* SPDX-License-Identifier: AGPL-3.0-or-later */
(function () {
  'use strict';
  // The public progress page of one case (办件), opened from the QR code
  // of its acceptance receipt: the link's ?token= is the case's progress
  // key (not a terminal token), so it stays in the address. It shows the
  // state and the promised date only.
  App.init({ token: false });
  document.getElementById('top').append(App.header({ persist: true }));
  App.loadPrefs();
  var L = {
    zh: { title: '办理进度', label: '办件编号', due: '承诺办结日期：{due}', part: '{number}：{state}，承诺 {due}',
      querying: '正在查询…', error: '链接无效或暂时无法查询，请稍后再试。',
      hint: '本页只显示办理状态和承诺办结日期，不显示任何个人信息；每 60 秒自动刷新。' },
    en: { title: 'Case progress', label: 'Case number', due: 'Promised by {due}', part: '{number}: {state}, promised by {due}',
      querying: 'Checking…', error: 'This link is not valid, or progress cannot be shown now. Please try later.',
      hint: 'This page shows the state and the promised date only, no personal data. It refreshes every 60 s.' }
  };
  function tt(k, p) {
    var s = (L[App.lang] || L.zh)[k] || L.zh[k];
    return s.replace(/\{(\w+)\}/g, function (m, n) { return p && p[n] != null ? String(p[n]) : m; });
  }
  function stateWords(s) { var k = 'case.' + s; var w = App.t(k); return w === k ? s : w; }
  var parts = location.pathname.split('/');
  var number = decodeURIComponent(parts[parts.length - 1]);
  var key = new URLSearchParams(location.search).get('token') || '';
  var last = null;
  var failed = false;
  function show() {
    document.title = ((window.KIOSKD && KIOSKD.hall) ? KIOSKD.hall + ' · ' : '') + tt('title');
    document.querySelectorAll('.page-name').forEach(function (el) { el.textContent = tt('title'); });
    document.getElementById('hall').textContent = (window.KIOSKD && KIOSKD.hall) || tt('title');
    document.getElementById('case-label').textContent = tt('label');
    document.getElementById('hint').textContent = tt('hint');
    document.getElementById('number').textContent = number;
    var state = document.getElementById('state');
    var list = document.getElementById('parts');
    if (failed || !last) {
      state.textContent = failed ? tt('error') : tt('querying');
      return;
    }
    state.textContent = stateWords(last.state);
    document.getElementById('due').textContent = tt('due', { due: last.due });
    list.replaceChildren();
    (last.parts || []).forEach(function (p) {
      var li = document.createElement('li');
      li.textContent = tt('part', { number: p.number, state: stateWords(p.state), due: p.due });
      list.append(li);
    });
    list.hidden = !(last.parts && last.parts.length);
  }
  App.onLang(show);
  function poll() {
    fetch('/api/v1/progress/' + encodeURIComponent(number) + '?token=' + encodeURIComponent(key), { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (p) { last = p; failed = false; show(); })
      .catch(function () { failed = true; show(); });
  }
  show();
  poll();
  setInterval(poll, 60000);
})();
