// SPDX-License-Identifier: AGPL-3.0-or-later

package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/url"
	"os"
)

// TLS is the certificate kioskd serves HTTPS (and WSS) with on listen;
// both empty: plain HTTP.
type TLS struct {
	Cert string `toml:"cert"` // PEM file: the certificate, then any intermediates
	Key  string `toml:"key"`  // PEM file: its private key
}

// Enabled says whether kioskd serves HTTPS.
func (t *TLS) Enabled() bool { return t.Cert != "" }

// Certificate loads the key pair; the error names the key at fault.
func (t *TLS) Certificate() (tls.Certificate, error) {
	certPEM, err := readPEMFile(t.Cert)
	if err != nil {
		return tls.Certificate{}, errf("tls.cert", "%v", err)
	}
	keyPEM, err := readPEMFile(t.Key)
	if err != nil {
		return tls.Certificate{}, errf("tls.key", "%v", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, errf("tls.key", "%s and %s are not a key pair: %v", t.Cert, t.Key, err)
	}
	return cert, nil
}

// ServerConfig returns the TLS settings kioskd serves with: the key pair,
// TLS 1.2 or later, HTTP/1.1 only (WebSockets upgrade over it).
func (t *TLS) ServerConfig() (*tls.Config, error) {
	cert, err := t.Certificate()
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	}, nil
}

// TLSConfig returns the TLS settings a terminal node reaches its hall node
// with: the certificates of ca_file as the roots it trusts, or the
// system's roots when ca_file is empty. The error names upstream.ca_file.
func (u *Upstream) TLSConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if u.CAFile == "" {
		return cfg, nil
	}
	b, err := readPEMFile(u.CAFile)
	if err != nil {
		return nil, errf("upstream.ca_file", "%v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errf("upstream.ca_file", "%s holds no PEM certificate", u.CAFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}

// validateTLS checks that [tls] names a loadable key pair, or nothing, and
// that upstream.ca_file loads and is used.
func (c *Config) validateTLS() error {
	t := &c.TLS
	switch {
	case t.Cert == "" && t.Key != "":
		return errf("tls.cert", "tls.key is given without its certificate")
	case t.Cert != "" && t.Key == "":
		return errf("tls.key", "tls.cert is given without its key")
	case t.Cert != "":
		if _, err := t.Certificate(); err != nil {
			return err
		}
	}
	if c.Upstream.CAFile == "" {
		return nil
	}
	if _, err := c.Upstream.TLSConfig(); err != nil {
		return err
	}
	if u, err := url.Parse(c.Upstream.URL); c.Upstream.URL != "" && (err != nil || u.Scheme != "https") {
		return errf("upstream.ca_file", "upstream.url %q is not https://, so the CA would not be used", c.Upstream.URL)
	}
	return nil
}

// maxPEMFile bounds a certificate, key or CA bundle file.
const maxPEMFile = 1 << 20

// readPEMFile reads a regular file of at most maxPEMFile bytes (a path to a
// FIFO or a device would block or never end).
func readPEMFile(path string) ([]byte, error) {
	// stat before open: opening a FIFO blocks
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxPEMFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) > maxPEMFile {
		return nil, fmt.Errorf("%s is over %d bytes", path, maxPEMFile)
	}
	return b, nil
}
