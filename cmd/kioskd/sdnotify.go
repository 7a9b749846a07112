// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

// sdNotify sends a state to systemd (Type=notify) through $NOTIFY_SOCKET;
// without it (not under systemd) it does nothing.
func sdNotify(state string) error {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}

// sdWatchdog pings systemd's watchdog at half its interval while kioskd
// answers its own /healthz; a hung kioskd stops pinging and is restarted.
// With TLS (self: the settings listenTLS returned) it asks over HTTPS.
func sdWatchdog(ctx context.Context, addr string, self *tls.Config) {
	usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return
	}
	if p := os.Getenv("WATCHDOG_PID"); p != "" && p != strconv.Itoa(os.Getpid()) {
		return
	}
	every := time.Duration(usec) * time.Microsecond / 2
	client := &http.Client{Timeout: every / 2}
	url := "http://" + addr + "/healthz"
	if self != nil {
		client.Transport = &http.Transport{TLSClientConfig: self}
		url = "https://" + addr + "/healthz"
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			res, err := client.Get(url)
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					_ = sdNotify("WATCHDOG=1")
				}
			}
		}
	}
}
