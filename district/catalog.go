// SPDX-License-Identifier: AGPL-3.0-or-later

package district

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// catalogBucket is the key-value bucket of the standard catalog: in the
// hub's domain, mirrored into every centre's.
const catalogBucket = "CATALOG"

// catalogKey holds the catalog JSON; its revision is the catalog's version.
const catalogKey = "catalog"

// PublishCatalog stores a new version of the district's standard catalog
// (hub only) and returns its version. The caller has checked that it parses.
func (n *Node) PublishCatalog(ctx context.Context, data []byte) (uint64, error) {
	if !n.cfg.Hub {
		return 0, errors.New("district: only the hub publishes the catalog")
	}
	kv, err := n.js.KeyValue(ctx, catalogBucket)
	if err != nil {
		return 0, fmt.Errorf("district: catalog bucket: %w", err)
	}
	rev, err := kv.Put(ctx, catalogKey, data)
	if err != nil {
		return 0, fmt.Errorf("district: publish catalog: %w", err)
	}
	return rev, nil
}

// WatchCatalog calls apply with the newest catalog version this node holds
// (the hub's own bucket, or a centre's local mirror, which keeps the last
// version while the link is down) and then with every newer one, in order,
// until the node closes. A version apply refuses is logged and skipped: the node
// keeps serving the one it has.
func (n *Node) WatchCatalog(ctx context.Context, apply func(version uint64, data []byte) error) error {
	kv, err := n.js.KeyValue(ctx, catalogBucket)
	if err != nil {
		return fmt.Errorf("district: catalog bucket: %w", err)
	}
	w, err := kv.Watch(ctx, catalogKey)
	if err != nil {
		return fmt.Errorf("district: watch catalog: %w", err)
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer func() { _ = w.Stop() }()
		for {
			select {
			case <-n.ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil || e.Operation() != jetstream.KeyValuePut {
					continue // nil: the initial values are all delivered
				}
				if err := apply(e.Revision(), e.Value()); err != nil {
					n.log.Error("district: catalog version refused; the last one stays", "version", e.Revision(), "err", err)
					continue
				}
				n.mu.Lock()
				n.local.CatalogVersion = e.Revision()
				n.mu.Unlock()
				n.log.Info("district: catalog version applied", "version", e.Revision())
			}
		}
	}()
	return nil
}
