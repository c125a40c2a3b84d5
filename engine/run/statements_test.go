package run_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/operations"
)

// TestStatementCacheUnderChurn drives concurrent mixed lookups and list pages
// through a statement cache far smaller than the set of statement texts, so that
// statements leave the cache while other requests run them. Every request must
// succeed: a statement is never closed under a request that holds it. Run with
// -race.
func TestStatementCacheUnderChurn(t *testing.T) {
	requests := 10000
	if testing.Short() || run.RaceEnabled {
		requests = 1500
	}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			target := churnTarget(t, dialect)
			target.Pool.ShrinkStatementCache(2)
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
								if q.Filter, err = filter.Parse(f); err != nil {
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
			if cached, held := target.Pool.CachedStatements(); held != 0 || cached > 2 {
				t.Errorf("after every request ended the cache holds %d statements (bound 2), %d of them still held", cached, held)
			}
		})
	}
}

// churnTarget serves a table of six users with the attributes the filters above
// use, from a fresh database of the dialect.
func churnTarget(t *testing.T, dialect string) *engine.Target {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	active := "INTEGER"
	if dialect == "postgres" {
		active = "BOOLEAN"
	}
	dialecttest.MustExec(t, db, `CREATE TABLE people (id VARCHAR(20) PRIMARY KEY, user_name VARCHAR(100) NOT NULL,
		family VARCHAR(100), title VARCHAR(100), home_email VARCHAR(100), active `+active+` NOT NULL, updated TIMESTAMP NOT NULL)`)
	for i := 1; i <= 6; i++ {
		family := any(nil)
		if i%2 == 0 {
			family = "Smith"
		}
		if _, err := db.Exec(fmt.Sprintf("INSERT INTO people VALUES (%s, %s, %s, %s, %s, %s, %s)",
			d.Placeholder(1), d.Placeholder(2), d.Placeholder(3), d.Placeholder(4), d.Placeholder(5), d.Placeholder(6), d.Placeholder(7)),
			fmt.Sprintf("p0%d", i), fmt.Sprintf("user%d@example.com", i), family, "Engineer", fmt.Sprintf("u%d@home.net", i), i%3 != 0,
			time.Date(2026, 1, i, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
	}
	yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: %s, name: %q%s}
    users:
      id: id
      attributes:
        userName: user_name
        name.familyName: family
        title: title
        emails[type eq "home"].value: home_email
        active: active
        meta.lastModified: updated
      operations:
        list: {sql: "SELECT id, user_name, family, title, home_email, active, updated FROM people"}
        get:  {sql: "SELECT id, user_name, family, title, home_email, active, updated FROM people WHERE id = ?", params: [id]}
`, d.Name(), conn.Name, serverKeys(d, conn))
	cfg, err := operations.Parse("churn.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	target, err := engine.Open(context.Background(), cfg.Targets[0], engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { target.Close() })
	return target
}

// serverKeys are the connection keys of a database on a server, "" for a file.
func serverKeys(d dialects.Dialect, c dialects.Connection) string {
	if !d.Spec().Networked {
		return ""
	}
	return fmt.Sprintf(", host: %q, port: %d, user: %q, password: %q", c.Host, c.Port, c.User, c.Password)
}
