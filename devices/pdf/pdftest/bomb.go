// SPDX-License-Identifier: AGPL-3.0-or-later

// Package pdftest makes hostile PDF files for tests, in memory: nothing
// large is kept in the repository.
package pdftest

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
)

// Bomb returns a small, well-formed one-page PDF whose page shows a w×h
// DeviceGray image of zeros, Flate-compressed: 40000×40000 (1.6 GB decoded)
// comes to a few megabytes. w*h must be a multiple of 1,000,000.
func Bomb(w, h int) []byte {
	total := int64(w) * int64(h)
	const chunk = 1_000_000
	if total%chunk != 0 {
		panic("pdftest: w*h must be a multiple of 1,000,000")
	}
	// A deflate block of a million zeros, sync-flushed so it ends on a
	// byte: repeated, each copy still refers only to zeros, so the
	// concatenation is one valid stream of total zeros.
	var blk bytes.Buffer
	fw, _ := flate.NewWriter(&blk, flate.BestSpeed)
	fw.Write(make([]byte, chunk))
	fw.Flush()
	var z bytes.Buffer
	z.Write([]byte{0x78, 0x01})
	for range total / chunk {
		z.Write(blk.Bytes())
	}
	z.Write([]byte{0x03, 0x00}) // the final, empty block
	// adler-32 of zeros: a stays 1, b grows by one a byte
	binary.Write(&z, binary.BigEndian, uint32(total%65521)<<16|1)

	var b bytes.Buffer
	var offs []int
	obj := func(body string, stream []byte) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offs), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	content := []byte("q 595 0 0 842 0 0 cm /Im0 Do Q")
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>", nil)
	obj(fmt.Sprintf("<< /Length %d >>", len(content)), content)
	obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>",
		w, h, z.Len()), z.Bytes())
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}
