/* SPDX-License-Identifier: AGPL-3.0-or-later */
(function () {
  'use strict';
  // The public status page of one ticket: the link's ?token= is the
  // ticket's status key (not a terminal token), so it stays in the address.
  App.init({ token: false });
  document.getElementById('top').append(App.header({ persist: true }));
  App.loadPrefs();
  var parts = location.pathname.split('/');
  var id = parts[parts.length - 1];
  var key = new URLSearchParams(location.search).get('token') || '';
  var last = null;
  var failed = false;
  document.getElementById('hall').textContent = (window.KIOSKD && KIOSKD.hall) || App.t('title.status');
  function show() {
    var state = document.getElementById('state');
    if (failed || !last) { state.textContent = failed ? App.t('s.error') : App.t('s.querying'); return; }
    var tk = last;
    document.getElementById('number').textContent = tk.number;
    var z = App.zoneByID(tk.zone);
    document.getElementById('zone').textContent = z ? App.zoneName(z) : (tk.zone_name || tk.zone);
    var s = App.t('status.' + tk.status);
    if (tk.status === 'waiting') s = App.t('s.waiting', { n: tk.waiting_ahead });
    if (tk.status === 'called' || tk.status === 'serving') s = App.t('s.go', { window: tk.window });
    state.textContent = s;
  }
  App.onLang(show);
  function poll() {
    fetch('/api/v1/tickets/' + encodeURIComponent(id) + '?token=' + encodeURIComponent(key), { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (tk) { last = tk; failed = false; show(); })
      .catch(function () { failed = true; show(); });
  }
  show();
  poll();
  setInterval(poll, 10000);
})();
