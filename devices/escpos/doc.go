// SPDX-License-Identifier: AGPL-3.0-or-later

// Package escpos drives ESC/POS receipt and ticket printers.
//
// It has five parts, each usable alone:
//
//   - Builder encodes ESC/POS commands: initialise, Chinese (GB18030) text,
//     alignment, character sizes, bold, feeds, cuts, raster images and QR
//     codes (as a raster image every printer prints, or as the printer's
//     native GS ( k symbol).
//   - LayoutTicket and LayoutReceipt turn a devices.Ticket or a generic
//     Receipt into a job for 58 mm (384 dots) or 80 mm (576 dots) paper.
//   - Dev prints a job through a transport (any io.Writer) and, where the
//     transport reads back and supports read deadlines, asks the printer for
//     its real-time status (DLE EOT) first, so a failed print is known.
//   - ParseURI and Open make transports from the config's printer URIs:
//     serial, USB printer class (usblp, found by VID:PID in sysfs), raw TCP
//     9100 and append-to-file.
//   - Render turns ESC/POS bytes back into an image for golden tests (with
//     placeholder boxes for Chinese, the same on every machine) and the
//     admin page's ticket preview (PreviewTicket: with the glyphs of a CJK
//     font, a Face from OpenFace or ParseFace).
//
// The package never logs; errors carry the "escpos: " prefix and wrap the
// sentinel errors below so callers can test them with errors.Is.
package escpos
