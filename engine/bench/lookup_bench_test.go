package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// lookupUsers is the table size of the lookups.
const lookupUsers = 10000

// lookup is one kind of request an IdP makes one user (or one page) at a time.
type lookup struct {
	name string
	// path is the request for the i-th call, under the target's base URL.
	path func(i int) string
	// want is a piece the answer must hold.
	want func(i int) []byte
	// raw runs the same statements through the driver, without HTTP and JSON.
	raw func(f *fixture, i int) error
}

// pick spreads the calls over the table: user 1 + i·7919 mod n.
func pick(i int) int { return 1 + i*7919%lookupUsers }

var lookups = []lookup{
	{
		// What Okta sends before every create and Entra before every match.
		name: "userName",
		path: func(i int) string {
			return "/Users?filter=" + url.QueryEscape(`userName eq "`+userName(pick(i))+`"`)
		},
		want: func(i int) []byte { return []byte(`"totalResults":1,`) },
		raw: func(f *fixture, i int) error {
			return rows(1, f.floor.lookup, userName(pick(i)), int64(100), int64(0))
		},
	},
	{
		name: "getByID",
		path: func(i int) string { return "/Users/" + userID(pick(i)) },
		want: func(i int) []byte { return []byte(`"id":"` + userID(pick(i)) + `"`) },
		raw:  func(f *fixture, i int) error { return rows(1, f.floor.get, userID(pick(i))) },
	},
	{
		// The first page of a list or of an import: 100 users and the COUNT.
		name: "listPage",
		path: func(int) string { return "/Users?startIndex=1&count=100" },
		want: func(int) []byte { return []byte(`"itemsPerPage":100,`) },
		raw: func(f *fixture, i int) error {
			if err := rows(100, f.floor.page, int64(100), int64(0)); err != nil {
				return err
			}
			var n int
			return f.floor.count.QueryRow().Scan(&n)
		},
	},
}

// rows runs st and scans its rows, the list statement's columns, checking there are
// want of them.
func rows(want int, st *sql.Stmt, args ...any) error {
	rs, err := st.QueryContext(context.Background(), args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	n := 0
	for rs.Next() {
		var id, userName string
		var given, family, mail sql.NullString
		var active any
		if err := rs.Scan(&id, &userName, &given, &family, &mail, &active); err != nil {
			return err
		}
		n++
	}
	if err := rs.Err(); err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("%d rows, want %d", n, want)
	}
	return nil
}

// BenchmarkLookup measures the requests an IdP makes one at a time (a userName
// lookup, a GET by id, the first list page of 100) at 8 concurrent clients over
// loopback HTTP, through dbscim, through the floor and, without HTTP, through the
// raw driver running the same statements, all on the same table in the same run.
// The three alternate in rounds so that a load on the machine falls on all of them.
// It reports each one's rate, dbscim's ratio to the floor and to the raw driver, and
// the p99 latencies of dbscim and the floor and their ratio.
func BenchmarkLookup(b *testing.B) {
	for _, dialect := range engines {
		b.Run(dialect, func(b *testing.B) {
			f := newFixture(b, dialect, lookupUsers)
			for _, l := range lookups {
				b.Run(l.name, func(b *testing.B) { benchLookup(b, f, l) })
			}
		})
	}
}

func benchLookup(b *testing.B, f *fixture, l lookup) {
	overHTTP := func(base string) func(i int) error {
		return func(i int) error {
			req, _ := http.NewRequest("GET", base+l.path(i), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := f.client.Do(req)
			if err != nil {
				return err
			}
			var body bytes.Buffer
			_, err = body.ReadFrom(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK || !bytes.Contains(body.Bytes(), l.want(i)) {
				return fmt.Errorf("GET %s: %d %.300s", l.path(i), resp.StatusCode, body.Bytes())
			}
			return nil
		}
	}
	modes := []struct {
		name string
		fn   func(i int) error
	}{
		{"raw", func(i int) error { return l.raw(f, i) }},
		{"floor", overHTTP(f.floorURL)},
		{"dbscim", overHTTP(f.dbscim)},
	}
	// Open the pools' connections and prepare the statements on them first.
	for _, m := range modes {
		parallel(b, 0, 4*clients, m.fn)
	}
	const rounds = 4
	results := make([]load, len(modes))
	b.ResetTimer()
	done := 0
	for r := range rounds {
		n := (b.N - done) / (rounds - r)
		for k := range modes {
			m := (k + r) % len(modes)
			results[m].add(parallel(b, done, n, modes[m].fn))
		}
		done += n
	}
	raw, floor, dbscim := &results[0], &results[1], &results[2]
	b.ReportMetric(raw.rate(), "raw/s")
	b.ReportMetric(floor.rate(), "floor/s")
	b.ReportMetric(dbscim.rate(), "dbscim/s")
	b.ReportMetric(dbscim.rate()/floor.rate(), "dbscim/floor")
	b.ReportMetric(dbscim.rate()/raw.rate(), "dbscim/raw")
	b.ReportMetric(floor.p99(), "p99-floor-ms")
	b.ReportMetric(dbscim.p99(), "p99-dbscim-ms")
	b.ReportMetric(dbscim.p99()/floor.p99(), "p99-dbscim/floor")
	b.ReportMetric(0, "ns/op")
}
