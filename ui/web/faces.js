/* SPDX-License-Identifier: AGPL-3.0-or-later */
// faces.js — the five rating faces (好差评: 5 非常满意 … 1 非常不满意) drawn
// as SVG, for the window's citizen-facing screen and the status page.
(function () {
  'use strict';
  const WORDS = {
    zh: { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' },
    en: { 5: 'Very satisfied', 4: 'Satisfied', 3: 'Fair', 2: 'Dissatisfied', 1: 'Very dissatisfied' },
  };
  function face(level) {
    const k = { 5: 22, 4: 12, 3: 0, 2: -12, 1: -22 }[level];
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 100 100');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    const add = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [a, v] of Object.entries(attrs)) e.setAttribute(a, v); svg.append(e); };
    add('circle', { cx: 50, cy: 50, r: 45, fill: '#ffd84d', stroke: '#111', 'stroke-width': 5 });
    add('circle', { cx: 35, cy: 40, r: 6, fill: '#111' });
    add('circle', { cx: 65, cy: 40, r: 6, fill: '#111' });
    add('path', { d: 'M 28 ' + (66 - k / 2) + ' Q 50 ' + (66 + k) + ' 72 ' + (66 - k / 2), fill: 'none', stroke: '#111', 'stroke-width': 6, 'stroke-linecap': 'round' });
    return svg;
  }
  // pad is a group of five face buttons, 5 first; onRate(level) is called
  // on a tap. label names the group (its element id).
  function pad(labelledBy, onRate, disabled) {
    const { h } = App;
    return h('div', { class: 'faces', role: 'group', 'aria-labelledby': labelledBy }, [5, 4, 3, 2, 1].map((lvl) =>
      h('button', { type: 'button', dataset: { level: lvl }, disabled: !!disabled, onclick: () => onRate(lvl) },
        face(lvl), h('span', { class: 'lvl' }, lvl + ' ' + words(lvl)))));
  }
  function words(lvl) { return (WORDS[App.lang] || WORDS.zh)[lvl]; }
  window.Faces = { face, pad, words };
})();
