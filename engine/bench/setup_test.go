package bench

import (
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// engines are the databases every benchmark runs on; MariaDB and PostgreSQL are
// skipped (failed under CI=true) when their DBSCIM_TEST_*_DSN is not set.
var engines = []string{"sqlite", "mysql", "postgres"}

// clients is the number of concurrent clients of the lookups, as an IdP's import
// and provisioning workers would be; it is also the size of both pools.
const clients = 8

// token is the bearer token of the benchmark target, checked by dbscim and the floor.
const token = "bench-token-0123456789abcdef"

// basePath is where dbscim and the floor serve the benchmark target.
const basePath = "/scim/v2/bench"

var benchDDL = map[string][]string{
	"sqlite": {`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
		given_name TEXT, family_name TEXT, email TEXT, active INTEGER NOT NULL DEFAULT 1)`},
	"mysql": {`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE,
		given_name VARCHAR(255), family_name VARCHAR(255), email VARCHAR(255), active TINYINT(1) NOT NULL DEFAULT 1)`},
	"postgres": {`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name TEXT NOT NULL UNIQUE,
		given_name TEXT, family_name TEXT, email TEXT, active BOOLEAN NOT NULL DEFAULT TRUE)`,
		`CREATE UNIQUE INDEX users_lower_user_name ON users (lower(user_name))`},
}

// seedSQL fills the users table with users 1..n inside the database, in one
// statement over a generated series, which loads a million rows in seconds where
// sending them would take minutes.
var seedSQL = map[string]string{
	"sqlite": `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %[1]d)
		INSERT INTO users (id, user_name, given_name, family_name, email)
		SELECT printf('u-%%07d', i), printf('user%%07d@example.com', i), 'Given', 'Family' || i, printf('user%%07d@example.com', i) FROM seq`,
	"mysql": `INSERT INTO users (id, user_name, given_name, family_name, email)
		SELECT CONCAT('u-', LPAD(seq, 7, '0')), CONCAT('user', LPAD(seq, 7, '0'), '@example.com'), 'Given', CONCAT('Family', seq),
		CONCAT('user', LPAD(seq, 7, '0'), '@example.com') FROM seq_1_to_%[1]d`,
	"postgres": `INSERT INTO users (id, user_name, given_name, family_name, email)
		SELECT 'u-' || lpad(i::text, 7, '0'), 'user' || lpad(i::text, 7, '0') || '@example.com', 'Given', 'Family' || i,
		'user' || lpad(i::text, 7, '0') || '@example.com' FROM generate_series(1, %[1]d) i`,
}

// userName and userID name user i (1-based) of the seeded table.
func userName(i int) string { return fmt.Sprintf("user%07d@example.com", i) }
func userID(i int) string   { return fmt.Sprintf("u-%07d", i) }

const benchConfig = `version: 1
server: {listen: "127.0.0.1:0", tls: "off", max_results: 1000}
targets:
  bench:
    auth: {bearer: ` + token + `}
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
        list: {sql: "` + listSQL + `"}
        get:  {sql: "` + listSQL + ` WHERE id = ?", params: [id]}
`

// listSQL is the declared list statement, which dbscim wraps for filters and pages.
const listSQL = "SELECT id, user_name, given_name, family_name, email, active FROM users"

// fixture is one seeded table served by dbscim and by the floor, and a pool on it
// for the raw driver.
type fixture struct {
	d      dialects.Dialect
	db     *sql.DB
	users  int
	dbscim string // dbscim's base URL for the target
	// replica is a second dbscim server over the same database, as a replica
	// behind a balancer is: its own process state (pools, cursors).
	replica  string
	floor    *floor
	floorURL string
	client   *http.Client
	// handler is dbscim's HTTP handler, for the in-process benchmarks.
	handler http.Handler
}

// newFixture creates a database on the named engine, seeds users 1..n, and serves it
// through dbscim and the floor on loopback ports.
func newFixture(tb testing.TB, dialect string, users int) *fixture {
	tb.Helper()
	d, db, conn := dialecttest.NewDatabase(tb, dialect)
	dialecttest.MustExec(tb, db, benchDDL[dialect]...)
	dialecttest.MustExec(tb, db, fmt.Sprintf(seedSQL[dialect], users))
	if dialect == "postgres" {
		dialecttest.MustExec(tb, db, "ANALYZE users")
	}
	db.SetMaxOpenConns(clients)
	db.SetMaxIdleConns(clients)
	f := &fixture{d: d, db: db, users: users,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}}
	served := serveTarget(tb, d, conn)
	f.dbscim, f.handler = served.URL("bench"), served.Server
	f.replica = serveDBSCIM(tb, d, conn)
	f.floor = newFloor(tb, d, db)
	ts := httptest.NewServer(f.floor)
	tb.Cleanup(ts.Close)
	f.floorURL = ts.URL + basePath
	return f
}

// serveDBSCIM starts dbscim over the database, with a pool of the floor's size, and
// returns the target's base URL.
func serveDBSCIM(tb testing.TB, d dialects.Dialect, c dialects.Connection) string {
	tb.Helper()
	return serveTarget(tb, d, c).URL("bench")
}

// serveTarget starts dbscim over the database, with a pool of the floor's size.
func serveTarget(tb testing.TB, d dialects.Dialect, c dialects.Connection) *enginetest.Served {
	tb.Helper()
	block := enginetest.DatabaseYAML(d, c) + fmt.Sprintf("      max_open: %d\n", clients)
	return enginetest.ServeYAML(tb, fmt.Sprintf(benchConfig, block), enginetest.Options{})
}

// upstream is the host:port of a server database's connection.
func upstream(c dialects.Connection) string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// usersFromEnv is the walk's table size: DBSCIM_BENCH_USERS (make bench sets it
// from BENCH_USERS, 1,000,000 by default), or def.
func usersFromEnv(def int) int {
	if v, err := strconv.Atoi(os.Getenv("DBSCIM_BENCH_USERS")); err == nil && v > 0 {
		return v
	}
	return def
}

// load is the outcome of running requests: how many, for how long in all, and the
// latency of each.
type load struct {
	n         int
	elapsed   time.Duration
	latencies []time.Duration
}

func (l *load) add(o load) {
	l.n += o.n
	l.elapsed += o.elapsed
	l.latencies = append(l.latencies, o.latencies...)
}

// rate is requests per second.
func (l *load) rate() float64 { return float64(l.n) / l.elapsed.Seconds() }

// p99 is the 99th percentile latency in milliseconds.
func (l *load) p99() float64 {
	if len(l.latencies) == 0 {
		return 0
	}
	sort.Slice(l.latencies, func(i, j int) bool { return l.latencies[i] < l.latencies[j] })
	return float64(l.latencies[len(l.latencies)*99/100].Microseconds()) / 1000
}

// parallel runs fn n times spread over the clients and times each call. fn gets a
// sequence number in [from, from+n).
func parallel(tb testing.TB, from, n int, fn func(i int) error) load {
	tb.Helper()
	var next atomic.Int64
	next.Store(int64(from))
	var failed atomic.Value
	var wg sync.WaitGroup
	lat := make([][]time.Duration, clients)
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= from+n {
					return
				}
				t0 := time.Now()
				if err := fn(i); err != nil {
					failed.Store(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		tb.Fatal(err)
	}
	l := load{n: n, elapsed: time.Since(start)}
	for _, x := range lat {
		l.latencies = append(l.latencies, x...)
	}
	return l
}
