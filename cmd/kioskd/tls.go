// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"

	"yichuang/config"
)

// listenTLS wraps ln in TLS when [tls] names a certificate, so kioskd
// serves HTTPS and WSS on listen. It also returns the TLS settings kioskd
// reaches itself with (the watchdog's /healthz probe): pinned to that
// certificate, whatever names it holds. Without [tls]: ln and nil.
func listenTLS(ln net.Listener, cfg *config.Config) (net.Listener, *tls.Config, error) {
	if !cfg.TLS.Enabled() {
		return ln, nil, nil
	}
	srv, err := cfg.TLS.ServerConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("tls: %w", err)
	}
	return tls.NewListener(ln, srv), pinnedTo(srv.Certificates[0].Certificate[0]), nil
}

// pinnedTo returns client settings that accept exactly the certificate
// der, and no other.
func pinnedTo(der []byte) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// the name check is replaced by the pin below: the probe dials an
		// address the certificate need not name
		InsecureSkipVerify: true, //nolint:gosec // pinned in VerifyPeerCertificate
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || !bytes.Equal(raw[0], der) {
				return errors.New("tls: not kioskd's own certificate")
			}
			return nil
		},
	}
}
