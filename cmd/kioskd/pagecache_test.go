// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"bytes"
	"testing"
)

func TestPageCache(t *testing.T) {
	c := newPageCache(800)
	doc := []byte("%PDF-1.7 a")
	png := func(n int) []byte { return bytes.Repeat([]byte{byte(n)}, 100) }
	for p := 1; p <= 8; p++ {
		c.put(keyOf(doc, p, 240), png(p))
	}
	if _, ok := c.get(keyOf(doc, 1, 240)); !ok { // page 1 now the most recent
		t.Fatal("page 1 dropped while the cache had room")
	}
	c.put(keyOf(doc, 9, 240), png(9)) // over 800 bytes: page 2, the least recent, goes
	if _, ok := c.get(keyOf(doc, 2, 240)); ok {
		t.Fatal("the least recently used page was kept past the cache's size")
	}
	for _, k := range []pageKey{keyOf(doc, 1, 240), keyOf(doc, 9, 240), keyOf(doc, 8, 240)} {
		if b, ok := c.get(k); !ok || b[0] != byte(k.page) {
			t.Fatalf("page %d: %v %v", k.page, ok, b)
		}
	}
	if _, ok := c.get(keyOf(doc, 1, 1200)); ok {
		t.Fatal("another width was taken for the cached one")
	}
	if _, ok := c.get(keyOf([]byte("%PDF-1.7 b"), 1, 240)); ok {
		t.Fatal("another document's page was taken for the cached one")
	}
	c.put(keyOf(doc, 10, 240), bytes.Repeat([]byte{1}, 101)) // over max/8: not kept
	if _, ok := c.get(keyOf(doc, 10, 240)); ok {
		t.Fatal("a page over an eighth of the cache was kept")
	}
	if c.size > c.max {
		t.Fatalf("the cache holds %d bytes, over %d", c.size, c.max)
	}
}
