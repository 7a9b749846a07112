// SPDX-License-Identifier: AGPL-3.0-or-later

package main

import (
	"container/list"
	"crypto/sha256"
	"sync"
)

// pageCache keeps drawn pages (PNG) in memory, up to max bytes, the least
// recently used dropped first: a window's thumbnails are drawn by a child
// once, not at each look. Pages are personal data; they never go to disk.
type pageCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *cachedPage, most recent first
	pages map[pageKey]*list.Element
}

type pageKey struct {
	doc         [32]byte
	page, width int
}

type cachedPage struct {
	key pageKey
	png []byte
}

func newPageCache(max int) *pageCache {
	return &pageCache{max: max, order: list.New(), pages: map[pageKey]*list.Element{}}
}

func keyOf(doc []byte, page, width int) pageKey {
	return pageKey{doc: sha256.Sum256(doc), page: page, width: width}
}

func (c *pageCache) get(k pageKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.pages[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cachedPage).png, true
}

func (c *pageCache) put(k pageKey, png []byte) {
	if len(png) > c.max/8 {
		return // a page that would push out many others is drawn again instead
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pages[k]; ok {
		return
	}
	c.pages[k] = c.order.PushFront(&cachedPage{key: k, png: png})
	c.size += len(png)
	for c.size > c.max {
		old := c.order.Remove(c.order.Back()).(*cachedPage)
		delete(c.pages, old.key)
		c.size -= len(old.png)
	}
}
