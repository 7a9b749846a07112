// SPDX-License-Identifier: AGPL-3.0-or-later

package ui

import (
	"bytes"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// TestTicketQR: GET /api/v1/tickets/{id}/qr.png is the ticket's status link
// as a QR code, for a terminal or the link's own key; nobody else.
func TestTicketQR(t *testing.T) {
	e := newEnv(t)
	tk := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"A"}`), 201)
	id, status := str(tk.body, "id"), str(tk.body, "status_url")
	u, err := url.Parse(status)
	if err != nil || status == "" {
		t.Fatalf("status_url %q: %v", status, err)
	}
	key := u.Query().Get("token")
	other := e.want(e.do("POST", "/api/v1/tickets", tokKiosk, `{"zone":"B"}`), 201)
	otherKey := ""
	if ou, err := url.Parse(str(other.body, "status_url")); err == nil {
		otherKey = ou.Query().Get("token")
	}
	for _, c := range []struct {
		name, id, bearer, query string
		status                  int
	}{
		{"the issuing kiosk", id, tokKiosk, "", 200},
		{"a display", id, tokDisplay, "", 200},
		{"the status link's key", id, "", "?token=" + key, 200},
		{"no token", id, "", "", 401},
		{"another ticket's key", id, "", "?token=" + otherKey, 401},
		{"a made-up key", id, "", "?token=0123456789abcdef01234567", 401},
		{"no such ticket, a terminal", "00000000000000000000000000000000", tokKiosk, "", 404},
		{"no such ticket, no token", "00000000000000000000000000000000", "", "?token=" + key, 401},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/tickets/"+c.id+"/qr.png"+c.query, nil)
			if c.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+c.bearer)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != c.status {
				t.Fatalf("%d, want %d: %s", res.StatusCode, c.status, body)
			}
			if c.status != 200 {
				if strings.Contains(string(body), key) {
					t.Error("a refusal shows the status key")
				}
				return
			}
			if ct := res.Header.Get("Content-Type"); ct != "image/png" {
				t.Fatalf("Content-Type %q", ct)
			}
			img, err := png.Decode(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			got, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("the QR code does not read: %v", err)
			}
			if got.GetText() != status {
				t.Errorf("the QR code says %q, want the status link %q", got.GetText(), status)
			}
		})
	}
}
