// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"context"
	"log/slog"
	"path/filepath"

	"yichuang/config"
	"yichuang/kiosk"
	"yichuang/kiosk/store"
	"yichuang/ui"
	"yichuang/upstream"
)

// startUpstream makes this process a terminal node when [upstream] names a
// hall node: its outbox (data_dir/outbox.db) and the link that sends it,
// keeps offline blocks and relays the hall node's events. stop ends the
// link and closes the outbox. Without [upstream]: nil, and stop does nothing.
func startUpstream(ctx context.Context, cfg *config.Config, hall *kiosk.Hall, key []byte, log *slog.Logger) (ui.Upstream, func(), error) {
	if cfg.Upstream.URL == "" {
		return nil, func() {}, nil
	}
	box, err := store.OpenOutbox(ctx, filepath.Join(cfg.DataDir, "outbox.db"), key)
	if err != nil {
		return nil, nil, err
	}
	node, err := upstream.New(upstream.Options{Config: cfg, Local: hall, Outbox: box, Logger: log.With("part", "upstream"), Now: hall.Now})
	if err != nil {
		box.Close()
		return nil, nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); node.Run(runCtx) }()
	log.Info("terminal node: forwarding to the hall node", "url", cfg.Upstream.URL)
	return node, func() { cancel(); <-done; box.Close() }, nil
}
