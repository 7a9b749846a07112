// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

// contentSecurityPolicy goes on every answer, pages and API alike. Scripts
// and styles come only from the server's own files (no inline script, no
// inline style, no eval); images also as data: and blob: URLs (QR codes,
// scanned pages, previews); media as blob: (spoken calls); connections, the
// WebSocket included, to the same host ('self' covers ws: and wss: there);
// a PDF may open from a blob:; nothing may frame a page.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'self' blob:; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
