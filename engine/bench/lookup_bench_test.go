package bench

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// benchUsers is the table size of the lookup benchmark.
const benchUsers = 10000

// benchClients is the number of concurrent clients, as an IdP's import and
// provisioning workers would be.
const benchClients = 8

var benchDDL = map[string][]string{
	"sqlite": {`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
		given_name TEXT, family_name TEXT, email TEXT, active INTEGER NOT NULL DEFAULT 1)`},
	"mysql": {`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE,
		given_name VARCHAR(255), family_name VARCHAR(255), email VARCHAR(255), active TINYINT(1) NOT NULL DEFAULT 1)`},
	"postgres": {`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name TEXT NOT NULL UNIQUE,
		given_name TEXT, family_name TEXT, email TEXT, active BOOLEAN NOT NULL DEFAULT TRUE)`,
		`CREATE UNIQUE INDEX users_lower_user_name ON users (lower(user_name))`},
}

const benchConfig = `version: 1
server: {listen: "127.0.0.1:0", tls: "off", max_results: 1000}
targets:
  bench:
    auth: {bearer: bench-token-0123456789abcdef}
    database:
%s
    users:
      id: id
      attributes:
        userName: user_name
        name.givenName: given_name
        name.familyName: family_name
        emails[type eq "work"].value: email
        active: active
      operations:
        list: {sql: "SELECT id, user_name, given_name, family_name, email, active FROM users"}
        get:  {sql: "SELECT id, user_name, given_name, family_name, email, active FROM users WHERE id = ?", params: [id]}
`

// BenchmarkUserNameLookup measures what Okta does before every create and Entra
// before every match: GET /Users?filter=userName eq "x", through dbscim over HTTP,
// against the raw driver's point select on the same table, both at 8 concurrent
// clients in the same run. It reports both throughputs and their ratio
// (dbscim/raw); the target is a ratio of at least 0.7.
func BenchmarkUserNameLookup(b *testing.B) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			d, db, conn := dialecttest.NewDatabase(b, dialect)
			dialecttest.MustExec(b, db, benchDDL[dialect]...)
			seedUsers(b, d, db, benchUsers)
			base := serve(b, d, conn)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchClients * 2}}
			raw := "SELECT id, user_name, given_name, family_name, email, active FROM users WHERE user_name = " + d.Placeholder(1)

			rawRate := parallel(b, func(i int) error {
				var id, name, given, family, email string
				var active any
				return db.QueryRow(raw, userName(i)).Scan(&id, &name, &given, &family, &email, &active)
			})
			// The statement dbscim builds for the lookup, run through the raw driver:
			// the part of the gap that is SQL rather than HTTP and JSON.
			list := "SELECT id, user_name, given_name, family_name, email, active FROM users"
			built := "SELECT * FROM " + d.DerivedTable(list, "t") + " WHERE (t.user_name IS NOT NULL AND " +
				d.Fold("t.user_name") + " = " + d.Fold(d.Placeholder(1)) + ") ORDER BY t.id " + d.Limit(d.Placeholder(2), d.Placeholder(3))
			builtStmt, err := db.Prepare(built)
			if err != nil {
				b.Fatal(err)
			}
			defer builtStmt.Close()
			sqlRate := parallel(b, func(i int) error {
				rows, err := builtStmt.Query(userName(i), int64(100), int64(0))
				if err != nil {
					return err
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					n++
				}
				if n != 1 {
					return fmt.Errorf("built statement found %d rows", n)
				}
				return rows.Err()
			})
			viaRate := parallel(b, func(i int) error {
				q := url.QueryEscape(fmt.Sprintf(`userName eq "%s"`, userName(i)))
				req, _ := http.NewRequest("GET", base+"/Users?filter="+q, nil)
				req.Header.Set("Authorization", "Bearer bench-token-0123456789abcdef")
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				data, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					return err
				}
				var body struct{ TotalResults int }
				if err := json.Unmarshal(data, &body); err != nil {
					return err
				}
				if resp.StatusCode != 200 || body.TotalResults != 1 {
					return fmt.Errorf("status %d, totalResults %d", resp.StatusCode, body.TotalResults)
				}
				return nil
			})
			b.ReportMetric(rawRate, "raw-lookups/s")
			b.ReportMetric(sqlRate, "built-sql-lookups/s")
			b.ReportMetric(viaRate, "dbscim-lookups/s")
			b.ReportMetric(viaRate/rawRate, "ratio")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func userName(i int) string { return fmt.Sprintf("user%06d@example.com", i%benchUsers) }

// parallel runs fn b.N times spread over benchClients goroutines and returns the
// achieved rate per second.
func parallel(b *testing.B, fn func(i int) error) float64 {
	b.Helper()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := fn(i * 7919); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return float64(b.N) / time.Since(start).Seconds()
}

// seedUsers inserts n users in multi-row batches.
func seedUsers(b *testing.B, d dialects.Dialect, db *sql.DB, n int) {
	b.Helper()
	const batch = 500
	for start := 0; start < n; start += batch {
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO users (id, user_name, given_name, family_name, email) VALUES ")
		for i := start; i < start+batch && i < n; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			p := len(args)
			fmt.Fprintf(&sb, "(%s, %s, %s, %s, %s)", d.Placeholder(p+1), d.Placeholder(p+2), d.Placeholder(p+3), d.Placeholder(p+4), d.Placeholder(p+5))
			args = append(args, fmt.Sprintf("u-%06d", i), userName(i), "Given", fmt.Sprintf("Family%d", i), userName(i))
		}
		if _, err := db.Exec(sb.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	if d.Name() == "postgres" {
		db.Exec("ANALYZE users")
	}
}

// serve starts dbscim over the benchmark database and returns the target's base URL.
func serve(b *testing.B, d dialects.Dialect, c dialects.Connection) string {
	b.Helper()
	block := enginetest.DatabaseYAML(d, c)
	if d.Name() != "sqlite" {
		block += fmt.Sprintf("      max_open: %d\n", benchClients)
	}
	return enginetest.ServeYAML(b, fmt.Sprintf(benchConfig, block), enginetest.Options{}).URL("bench")
}
