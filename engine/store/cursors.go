package store

import (
	"sync"
	"time"
)

// cursorCache remembers where sequential list pages left off, so that the import
// walk an IdP makes (startIndex 1, 101, 201, ...) continues with a keyset condition
// (id > last id) instead of an OFFSET that rescans every earlier row: each page costs
// the same however deep the walk goes. It also keeps the walk's totalResults, so the
// COUNT runs once per walk rather than once per page. A page asked for out of
// sequence continues from the nearest position before it that the cache knows,
// skipping the rows between with OFFSET: replicas behind a round-robin balancer
// each see every other page of a walk, and each page still costs about two pages'
// rows rather than every row before it. With no position before it, a page falls
// back to OFFSET from the start.
type cursorCache struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	items map[cursorKey]cursor
	fifo  []cursorKey
}

// cursorKey identifies a position in one walk: the query (filter condition and its
// values) and the 1-based startIndex the next page starts at.
type cursorKey struct {
	query string
	start int
}

type cursor struct {
	last  any // the raw id of the last row returned
	total int
	at    time.Time
}

func newCursorCache() *cursorCache {
	return &cursorCache{ttl: 10 * time.Minute, max: 4096, items: map[cursorKey]cursor{}}
}

// take returns and forgets the cursor for a position.
func (c *cursorCache) take(k cursorKey) (cursor, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.items[k]
	if !ok {
		return cursor{}, false
	}
	delete(c.items, k)
	if time.Since(cur.at) > c.ttl {
		return cursor{}, false
	}
	return cur, true
}

// put remembers a position, evicting the oldest when full.
func (c *cursorCache) put(k cursorKey, cur cursor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur.at = time.Now()
	if _, ok := c.items[k]; !ok {
		for len(c.items) >= c.max && len(c.fifo) > 0 {
			delete(c.items, c.fifo[0])
			c.fifo = c.fifo[1:]
		}
		c.fifo = append(c.fifo, k)
		if len(c.fifo) > 2*c.max { // drop keys already taken
			kept := c.fifo[:0]
			for _, f := range c.fifo {
				if _, ok := c.items[f]; ok {
					kept = append(kept, f)
				}
			}
			c.fifo = kept
		}
	}
	c.items[k] = cur
}

// nearest returns the known position of a query closest before start (at most
// start), and that position, and forgets it as take does: the pages between it
// and start are skipped with OFFSET. ok is false when the query has no earlier
// position.
func (c *cursorCache) nearest(query string, start int) (cur cursor, at int, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.items {
		if k.query != query || k.start > start || k.start <= at || time.Since(v.at) > c.ttl {
			continue
		}
		cur, at, ok = v, k.start, true
	}
	if ok {
		// The page asked for leaves a position of its own, nearer the next.
		delete(c.items, cursorKey{query: query, start: at})
	}
	return cur, at, ok
}
