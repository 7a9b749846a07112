// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"io"

	"yichuang/devices"
)

// PrinterLayout returns the layout a printer configured with this roll
// width in millimetres (58; anything else is 80, the config's default) and
// QR mode prints tickets with. kioskd's printer and the admin page's ticket
// preview both take it from here, so the preview is what the printer gets.
func PrinterLayout(widthMM int, nativeQR bool) LayoutOpts {
	paper := Paper80
	if widthMM == 58 {
		paper = Paper58
	}
	o := DefaultLayout(paper)
	o.NativeQR = nativeQR
	return o
}

// PreviewTicket writes a PNG of t as a printer with layout o prints it: the
// job Dev.PrintTicket would send (LayoutTicket), rendered back by Render on
// o's paper, with face's glyphs (nil: placeholder boxes).
func PreviewTicket(w io.Writer, t devices.Ticket, o LayoutOpts, face *Face) error {
	job, err := LayoutTicket(t, &o)
	if err != nil {
		return err
	}
	return RenderPNG(w, job, &RenderOpts{Paper: o.Paper, Face: face})
}
