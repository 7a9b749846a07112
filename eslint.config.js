/* SPDX-License-Identifier: AGPL-3.0-or-later */
// ESLint for the embedded web app: plain browser scripts (no modules, no
// build step) that share App (app.js) and KIOSKD (/config.js).
const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  { ignores: ['node_modules/**', 'ui/testdata/**', 'bin/**', 'dist/**', 'data/**'] },
  {
    files: ['ui/web/**/*.js'],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'script',
      globals: { ...globals.browser, App: 'writable', KIOSKD: 'readonly' },
    },
    rules: {
      // `catch (e) {}` where the error is not needed is the code's idiom
      'no-unused-vars': ['error', { caughtErrors: 'none' }],
    },
  },
  {
    files: ['eslint.config.js'],
    ...js.configs.recommended,
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
];
