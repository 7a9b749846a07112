// SPDX-License-Identifier: AGPL-3.0-or-later

package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"yichuang/kiosk/store"
)

// blockLoop keeps a block of offline numbers with at least half a block
// left for every zone, and gives back what earlier days left unused.
func (n *Node) blockLoop(ctx context.Context) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		if err := n.topUp(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("offline blocks", "err", err)
		}
		if err := n.returnUnused(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("offline blocks: return", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// offlineLeft counts the numbers left today per zone.
func (n *Node) offlineLeft(ctx context.Context) (map[string]int, error) {
	bs, err := n.box.Blocks(ctx)
	if err != nil {
		return nil, err
	}
	now := n.now()
	today := n.day(now)
	left := map[string]int{}
	for _, z := range n.cfg.Zones {
		left[z.ID] = 0
	}
	for _, b := range bs {
		if b.Day == today && b.Expires.After(now) {
			left[b.Zone] += b.Left()
		}
	}
	return left, nil
}

// topUp asks the hall node for one more block for each zone running low:
// less than half of its largest block of today left (the hall node sets
// the size).
func (n *Node) topUp(ctx context.Context) error {
	bs, err := n.box.Blocks(ctx)
	if err != nil {
		return err
	}
	now := n.now()
	today := n.day(now)
	left, size := map[string]int{}, map[string]int{}
	for _, b := range bs {
		if b.Day == today && b.Expires.After(now.Add(time.Minute)) {
			left[b.Zone] += b.Left()
			size[b.Zone] = max(size[b.Zone], b.To-b.From+1)
		}
	}
	var zones []string
	for _, z := range n.cfg.Zones {
		if size[z.ID] == 0 || left[z.ID] < (size[z.ID]+1)/2 {
			zones = append(zones, z.ID)
		}
	}
	if len(zones) == 0 {
		return nil
	}
	body, _ := json.Marshal(map[string]any{"zones": zones})
	key := "lease:" + randomHex(12)
	var status int
	var answer []byte
	for try := 0; ; try++ { // the same key on a retry: the same blocks
		status, answer, err = n.call(ctx, http.MethodPost, "/api/v1/leases", "application/json", key, body)
		if err == nil || try == 2 || ctx.Err() != nil {
			break
		}
		sleep(ctx, time.Second)
	}
	if err != nil {
		n.setOnline(false, err)
		return err
	}
	if status != http.StatusCreated {
		return fmt.Errorf("upstream: blocks: the hall node answered %d: %s", status, answer)
	}
	var res struct {
		PublicURL string `json:"public_url"`
		Leases    []struct {
			Day     string    `json:"day"`
			Zone    string    `json:"zone"`
			Prefix  string    `json:"prefix"`
			From    int       `json:"from"`
			To      int       `json:"to"`
			Expires time.Time `json:"expires"`
		} `json:"leases"`
	}
	if err := json.Unmarshal(answer, &res); err != nil {
		return fmt.Errorf("upstream: blocks: %w", err)
	}
	granted := make([]store.Block, 0, len(res.Leases))
	for _, l := range res.Leases {
		granted = append(granted, store.Block{Day: l.Day, Zone: l.Zone, Prefix: l.Prefix, From: l.From, To: l.To, Expires: l.Expires})
	}
	if err := n.box.AddBlocks(ctx, granted); err != nil {
		return err
	}
	if res.PublicURL != "" {
		if err := n.box.SetSetting(ctx, "public_url", res.PublicURL); err != nil {
			return err
		}
	}
	n.log.Info("offline blocks granted", "blocks", len(granted))
	return nil
}

// returnUnused gives back the unused numbers of blocks of earlier days,
// once every ticket issued from them has been handed in.
func (n *Node) returnUnused(ctx context.Context) error {
	pending, _, err := n.box.Counts(ctx)
	if err != nil || pending > 0 {
		return err
	}
	bs, err := n.box.Blocks(ctx)
	if err != nil {
		return err
	}
	today := n.day(n.now())
	for _, b := range bs {
		if b.Day >= today {
			continue
		}
		if b.Next <= b.To {
			body, _ := json.Marshal(map[string]any{"day": b.Day, "zone": b.Zone, "block_from": b.From, "from": b.Next})
			status, answer, err := n.call(ctx, http.MethodPost, "/api/v1/leases/return", "application/json", "", body)
			if err != nil {
				return err
			}
			if status != http.StatusOK {
				n.log.Warn("the hall node did not take back a block", "day", b.Day, "zone", b.Zone, "from", b.Next, "status", status, "answer", string(answer))
			}
		}
		if err := n.box.MarkReturned(ctx, b); err != nil {
			return err
		}
	}
	return nil
}
