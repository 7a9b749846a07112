// SPDX-License-Identifier: AGPL-3.0-or-later

package escpos

import (
	"fmt"
	"testing"
	"time"

	"yichuang/devices"
)

// BenchmarkLayoutTicket lays out a queue ticket as kioskd prints it (a
// status link of kioskd's length and kind as the QR code) and reports the
// job's size and its time on a 9600 baud serial line.
func BenchmarkLayoutTicket(b *testing.B) {
	t := devices.Ticket{
		Hall: "涵江区行政服务中心", Zone: "A", ZoneName: "商事登记区", Number: "A123", Matter: "企业设立登记",
		WaitingAhead: 17, IssuedAt: time.Date(2026, 11, 27, 9, 30, 5, 0, time.FixedZone("CST", 8*3600)),
		StatusURL: "http://192.168.1.10:8080/s/9f1c2e7ab04d4e13a8c6f05b2d7e91aa?token=5b0e7c3fa19d62e8c4b7a0f1", // random hex, as kioskd makes
		Notices:   []string{"请留意叫号屏和语音提示，过号请到导办台咨询。", "本票仅限当日使用。"},
	}
	for _, p := range []Paper{Paper80, Paper58} {
		for _, native := range []bool{true, false} {
			name := "raster"
			if native {
				name = "native"
			}
			b.Run(fmt.Sprintf("%dmm/%sQR", int(p), name), func(b *testing.B) {
				o := DefaultLayout(p)
				o.NativeQR = native
				var job []byte
				for b.Loop() {
					var err error
					if job, err = LayoutTicket(t, &o); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(job)), "bytes/job")
				b.ReportMetric(float64(len(job))*10/9600*1000, "ms@9600baud")
			})
		}
	}
}
