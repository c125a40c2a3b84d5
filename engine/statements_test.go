package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
)

// TestStatementCacheUnderChurn drives concurrent mixed lookups and list pages
// through a statement cache far smaller than the set of statement texts, so that
// statements leave the cache while other requests run them. Every request must
// succeed: a statement is never closed under a request that holds it. Run with
// -race.
func TestStatementCacheUnderChurn(t *testing.T) {
	requests := 10000
	if testing.Short() || raceEnabled {
		requests = 1500
	}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			target, _ := pushdownTarget(t, dialect)
			target.stmts.max = 2
			users := target.Users
			// Each of these builds a different statement text (filter, sort,
			// page size), and the get and list operations add two more.
			filters := []string{
				`userName eq "alice@example.com"`, `title co "engineer"`, `userName sw "b"`,
				`active eq true`, `name.familyName pr`, `emails[type eq "home"].value ew ".net"`,
				`meta.lastModified gt "2026-01-01T00:00:00Z"`, ``,
			}
			var failures atomic.Int64
			var first sync.Once
			var firstErr error
			var wg sync.WaitGroup
			next := atomic.Int64{}
			for w := 0; w < 16; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := context.Background()
					for {
						i := int(next.Add(1))
						if i > requests {
							return
						}
						var err error
						if i%5 == 0 {
							_, err = users.Get(ctx, fmt.Sprintf("p0%d", 1+i%6), resource.Projection{})
						} else {
							q := resource.Query{StartIndex: 1, Count: 1 + i%3}
							if f := filters[i%len(filters)]; f != "" {
								if q.Filter, err = resource.ParseFilter(f); err != nil {
									t.Error(err)
									return
								}
							}
							if i%7 == 0 {
								q.SortBy = "userName"
							}
							_, err = users.List(ctx, q)
						}
						if err != nil {
							failures.Add(1)
							first.Do(func() { firstErr = err })
						}
					}
				}()
			}
			wg.Wait()
			if n := failures.Load(); n > 0 {
				t.Fatalf("%d of %d requests failed; first: %v", n, requests, firstErr)
			}
			target.stmts.mu.Lock()
			defer target.stmts.mu.Unlock()
			for text, el := range target.stmts.byText {
				if c := el.Value.(*cachedStmt); c.holders != 0 {
					t.Errorf("statement %.40q still held by %d after every request ended", text, c.holders)
				}
			}
			if target.stmts.recent.Len() > 2 {
				t.Errorf("cache holds %d statements, more than its bound 2", target.stmts.recent.Len())
			}
		})
	}
}
