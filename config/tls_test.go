// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"yichuang/internal/testcert"
)

func TestTLSKeys(t *testing.T) {
	dir := t.TempDir()
	hall := testcert.Write(t, dir, "hall")
	other := testcert.Write(t, dir, "other")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsTable := func(cert, key string) string { return fmt.Sprintf("[tls]\ncert = %q\nkey = %q\n", cert, key) }
	tests := []struct {
		name, toml, wantKey string
	}{
		{"a key pair", tlsTable(hall.Cert, hall.Key), ""},
		{"cert without key", fmt.Sprintf("[tls]\ncert = %q\n", hall.Cert), "tls.key"},
		{"key without cert", fmt.Sprintf("[tls]\nkey = %q\n", hall.Key), "tls.cert"},
		{"no such cert", tlsTable(filepath.Join(dir, "nope.crt"), hall.Key), "tls.cert"},
		{"no such key", tlsTable(hall.Cert, filepath.Join(dir, "nope.key")), "tls.key"},
		{"another pair's key", tlsTable(hall.Cert, other.Key), "tls.key"},
		{"cert and key swapped", tlsTable(hall.Key, hall.Cert), "tls.key"},
		{"a fifo (would block)", tlsTable(fifo, hall.Key), "tls.cert"},
		{"a directory", tlsTable(dir, hall.Key), "tls.cert"},
		{"upstream CA", fmt.Sprintf("[upstream]\nurl = \"https://hall.example:8443\"\ntoken = \"t\"\nca_file = %q\n", hall.CA), ""},
		{"upstream CA, no url yet", fmt.Sprintf("[upstream]\nca_file = %q\n", hall.CA), ""},
		{"upstream CA not PEM", fmt.Sprintf("[upstream]\nca_file = %q\n", garbage), "upstream.ca_file"},
		{"upstream CA missing", fmt.Sprintf("[upstream]\nca_file = %q\n", filepath.Join(dir, "nope.pem")), "upstream.ca_file"},
		{"upstream CA for http", fmt.Sprintf("[upstream]\nurl = \"http://hall.example:8080\"\ntoken = \"t\"\nca_file = %q\n", hall.CA), "upstream.ca_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.toml))
			if tt.wantKey == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Key != tt.wantKey {
				t.Fatalf("err = %v (config %v), want one naming %s", err, c, tt.wantKey)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is more than one line: %q", err)
			}
		})
	}
}

func TestTLSPublicURL(t *testing.T) {
	f := testcert.Write(t, t.TempDir(), "hall")
	c, err := Parse(fmt.Appendf(nil, "listen = \"0.0.0.0:8443\"\n[tls]\ncert = %q\nkey = %q\n", f.Cert, f.Key))
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "https://0.0.0.0:8443" || !c.TLS.Enabled() {
		t.Fatalf("public_url %s, tls %v", c.PublicURL, c.TLS.Enabled())
	}
}

// TestUpstreamTLSConfig makes real HTTPS requests to a server with the
// hall's certificate: trusted through ca_file, refused with another CA.
func TestUpstreamTLSConfig(t *testing.T) {
	dir := t.TempDir()
	hall := testcert.Write(t, dir, "hall")
	other := testcert.Write(t, dir, "other")
	srvTLS, err := (&TLS{Cert: hall.Cert, Key: hall.Key}).ServerConfig()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("hall"))
	}))
	srv.TLS = srvTLS
	srv.StartTLS()
	defer srv.Close()

	get := func(u Upstream) error {
		tc, err := u.TLSConfig()
		if err != nil {
			return err
		}
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}}
		res, err := client.Get(srv.URL)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	}
	if err := get(Upstream{CAFile: hall.CA}); err != nil {
		t.Fatalf("with the hall's CA: %v", err)
	}
	var unknown x509.UnknownAuthorityError
	if err := get(Upstream{CAFile: other.CA}); !errors.As(err, &unknown) {
		t.Fatalf("with another CA: err = %v, want an unknown authority", err)
	}
	// no ca_file: the system's roots, which do not know a test CA
	if err := get(Upstream{}); !errors.As(err, &unknown) {
		t.Fatalf("with the system's roots: err = %v, want an unknown authority", err)
	}
	tc, err := (&Upstream{}).TLSConfig()
	if err != nil || tc.RootCAs != nil {
		t.Fatalf("no ca_file: RootCAs %v, err %v", tc.RootCAs, err)
	}
}

func TestTokenSHA256Key(t *testing.T) {
	hash := HashToken("kiosk-token-0123456789")
	c, err := Parse(fmt.Appendf(nil, "terminals = [{ id = \"k\", role = \"kiosk\", token_sha256 = %q }]\n", hash))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.Terminals[0].TokenHash(); err != nil || fmt.Sprintf("%x", got) != hash {
		t.Fatalf("TokenHash = %x, %v", got, err)
	}
	tests := []struct{ name, toml, want string }{
		{"not hex", `terminals = [{ id = "k", role = "kiosk", token_sha256 = "zz" }]`, "config: terminals[0].token_sha256:"},
		{"short hash", `terminals = [{ id = "k", role = "kiosk", token_sha256 = "abcd" }]`, "config: terminals[0].token_sha256:"},
		{"both", fmt.Sprintf(`terminals = [{ id = "k", role = "kiosk", token = "kiosk-token-0123456789", token_sha256 = %q }]`, hash), "config: terminals[0].token_sha256:"},
		{"neither", `terminals = [{ id = "k", role = "kiosk" }]`, "config: terminals[0].token:"},
		{"a token and its hash", fmt.Sprintf(`terminals = [{ id = "a", role = "kiosk", token = "kiosk-token-0123456789" }, { id = "b", role = "guide", token_sha256 = %q }]`, hash),
			"config: terminals[1].token_sha256: the same token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.toml)); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v, want prefix %q", err, tt.want)
			}
		})
	}
}
