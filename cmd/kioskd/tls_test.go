// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"yichuang/config"
	"yichuang/internal/testcert"
)

// TestServeTLS runs kioskd with [tls]: HTTPS and WSS work for a client
// that trusts the hall's CA through upstream.ca_file, and are refused with
// another CA; plain HTTP gets no answer from the API.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	hall := testcert.Write(t, dir, "hall")
	other := testcert.Write(t, dir, "other")
	addr := freeAddr(t)
	cfgPath := filepath.Join(dir, "kioskd.toml")
	writeFile(t, cfgPath, terminalsConfig(addr, filepath.Join(dir, "data"), fmt.Sprintf(
		"  { id = \"kiosk-1\", role = \"kiosk\", token = %q },\n", tokKiosk))+
		fmt.Sprintf("[tls]\ncert = %q\nkey = %q\n", hall.Cert, hall.Key))

	trusting := func(ca string) *http.Client {
		tc, err := (&config.Upstream{CAFile: ca}).TLSConfig()
		if err != nil {
			t.Fatal(err)
		}
		return &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 5 * time.Second}
	}
	client := trusting(hall.CA)
	base := "https://" + addr
	startLogged(t, cfgPath, base, client)

	if got := status(t, client, base, "/api/v1/me", tokKiosk); got != 200 {
		t.Fatalf("GET /api/v1/me over https: %d", got)
	}
	// an issued ticket's status link is https too (public_url follows [tls])
	req, _ := http.NewRequest("POST", base+"/api/v1/tickets", strings.NewReader(`{"zone":"A"}`))
	req.Header.Set("Authorization", "Bearer "+tokKiosk)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || !strings.Contains(body.String(), `"status_url":"https://`+addr+`/s/`) {
		t.Fatalf("ticket over https: %d %s", res.StatusCode, body.String())
	}

	// WSS with the same trust
	tc, _ := (&config.Upstream{CAFile: hall.CA}).TLSConfig()
	ws, _, err := (&websocket.Dialer{TLSClientConfig: tc, HandshakeTimeout: 5 * time.Second}).Dial("wss://"+addr+"/api/v1/events?since=0&token="+tokKiosk, nil)
	if err != nil {
		t.Fatalf("wss: %v", err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var ev map[string]any
	if err := ws.ReadJSON(&ev); err != nil || ev["type"] == nil {
		t.Fatalf("wss event: %v %v", ev, err)
	}

	// another CA: refused
	var unknown x509.UnknownAuthorityError
	if _, err := trusting(other.CA).Get(base + "/healthz"); !errors.As(err, &unknown) {
		t.Fatalf("with another CA: %v, want an unknown authority", err)
	}
	// plain HTTP on the TLS port: no API answer
	if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Fatal("plain http answered 200 on the TLS port")
		}
	}
}

// TestCheckTLS: --check loads the key pair and says which key is wrong.
func TestCheckTLS(t *testing.T) {
	dir := t.TempDir()
	hall := testcert.Write(t, dir, "hall")
	other := testcert.Write(t, dir, "other")
	tests := []struct{ name, tls, want string }{
		{"a pair", fmt.Sprintf("cert = %q\nkey = %q\n", hall.Cert, hall.Key), "config ok"},
		{"another key", fmt.Sprintf("cert = %q\nkey = %q\n", hall.Cert, other.Key), "config: tls.key:"},
		{"no cert file", fmt.Sprintf("cert = %q\nkey = %q\n", filepath.Join(dir, "x.crt"), hall.Key), "config: tls.cert:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "k.toml")
			writeFile(t, path, terminalsConfig(freeAddr(t), filepath.Join(dir, "data"), fmt.Sprintf(
				"  { id = \"kiosk-1\", role = \"kiosk\", token = %q },\n", tokKiosk))+"[tls]\n"+tt.tls)
			out, err := exec.Command(kioskdBin, "serve", "--config", path, "--check").CombinedOutput()
			if (err == nil) != (tt.want == "config ok") || !strings.Contains(string(out), tt.want) {
				t.Fatalf("--check: %v %s, want %q", err, out, tt.want)
			}
			if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 1 {
				t.Fatalf("--check said more than one line: %q", out)
			}
		})
	}
}

func TestTokenCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := cmdToken(nil, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || len(lines[0]) != 32 {
		t.Fatalf("kioskd token printed %q", out.String())
	}
	if want := fmt.Sprintf("token_sha256 = %q", config.HashToken(lines[0])); lines[1] != want {
		t.Fatalf("second line %q, want %q", lines[1], want)
	}
	// the line pastes into a terminal entry that then admits the token
	c, err := config.Parse([]byte("terminals = [{ id = \"k\", role = \"kiosk\", " + lines[1] + " }]"))
	if err != nil {
		t.Fatal(err)
	}
	if sum, _ := c.Terminals[0].TokenHash(); fmt.Sprintf("%x", sum) != config.HashToken(lines[0]) {
		t.Fatal("pasted hash differs")
	}
	out.Reset()
	if err := cmdToken([]string{"--hash"}, strings.NewReader(lines[0]+"\n"), &out, &errOut); err != nil || strings.TrimSpace(out.String()) != lines[1] {
		t.Fatalf("--hash: %q %v", out.String(), err)
	}
	if err := cmdToken([]string{"--hash"}, strings.NewReader("short\n"), &out, &errOut); err == nil {
		t.Fatal("--hash took a short token")
	}
}

// TestWatchdogOverTLS: with [tls], the watchdog asks /healthz over HTTPS
// pinned to kioskd's own certificate; a server with another certificate
// gets no WATCHDOG=1 from it.
func TestWatchdogOverTLS(t *testing.T) {
	dir := t.TempDir()
	hall := testcert.Write(t, dir, "hall")
	other := testcert.Write(t, dir, "other")
	sock := filepath.Join(dir, "notify.sock")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	t.Setenv("WATCHDOG_USEC", "200000")

	serveWith := func(f testcert.Files) (string, *tls.Config) {
		cfg, err := config.Parse(fmt.Appendf(nil, "[tls]\ncert = %q\nkey = %q\n", f.Cert, f.Key))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, self, err := listenTLS(raw, cfg)
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/healthz" {
				w.WriteHeader(200)
			}
		}), ErrorLog: log.New(io.Discard, "", 0)}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { srv.Close() })
		return raw.Addr().String(), self
	}
	pings := func(addr string, self *tls.Config) bool {
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		go sdWatchdog(ctx, addr, self)
		buf := make([]byte, 64)
		_ = notify.SetReadDeadline(time.Now().Add(time.Second))
		n, err := notify.Read(buf)
		<-ctx.Done()
		// drain what came late
		for {
			_ = notify.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			if _, err := notify.Read(make([]byte, 64)); err != nil {
				break
			}
		}
		return err == nil && string(buf[:n]) == "WATCHDOG=1"
	}
	addr, self := serveWith(hall)
	if !pings(addr, self) {
		t.Fatal("no WATCHDOG=1 from kioskd's own HTTPS /healthz")
	}
	otherAddr, _ := serveWith(other)
	if pings(otherAddr, self) {
		t.Fatal("the watchdog trusted a server with another certificate")
	}
}
