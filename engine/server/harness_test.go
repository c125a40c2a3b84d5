package server_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
	"github.com/dbscim/dbscim/engine/server"
)

// A second token for rotation and multi-target tests; testToken is the first.
const (
	nextToken  = "next-token-0123456789abcdef"
	otherToken = "other-token-0123456789abcdef"
)

// db is one fresh database with the scenario's users table, and what dbscim needs
// to reach it (possibly through a proxy that can cut it).
type db struct {
	name string // dialect name
	d    dialects.Dialect
	sql  *sql.DB
	conn dialects.Connection
	px   *proxy
}

// newDB creates a fresh database with the users table of the scenario. With
// viaProxy (not for SQLite), dbscim reaches it through a proxy the test can cut.
func newDB(t *testing.T, dialect string, viaProxy bool) *db {
	t.Helper()
	d, sqldb, conn := dialecttest.NewDatabase(t, dialect)
	for _, stmt := range schemas[d.Name()] {
		if _, err := sqldb.Exec(stmt); err != nil {
			t.Fatalf("schema: %v", err)
		}
	}
	out := &db{name: d.Name(), d: d, sql: sqldb, conn: conn}
	if viaProxy {
		out.px = newProxy(t, net.JoinHostPort(conn.Host, strconv.Itoa(conn.Port)))
		host, port, _ := net.SplitHostPort(out.px.addr)
		out.conn.Host = host
		out.conn.Port, _ = strconv.Atoi(port)
	}
	return out
}

// target is the YAML of one target over the scenario's users table, with statement
// operations. auth is the auth block's inner YAML at 6 spaces; extra adds target keys
// (at 4 spaces) and db adds database keys (at 6 spaces).
func targetYAML(name, auth string, b *db, dbExtra, extra string) string {
	return fmt.Sprintf(`  %s:
    auth:
%s
    database:
%s%s
    users:
      id: id
      attributes:
        userName: user_name
        externalId: external_id
        name.givenName: given_name
        name.familyName: family_name
        emails[type eq "work"].value: email
        title: title
        active: active
        urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: department
      operations:
%s%s`, name, auth, enginetest.DatabaseYAML(b.d, b.conn), dbExtra, statementOps, extra)
}

func bearer(tokens ...string) string {
	if len(tokens) == 1 {
		return "      bearer: " + tokens[0]
	}
	return "      bearer: [" + strings.Join(tokens, ", ") + "]"
}

// configYAML is a whole configuration: a server block (its inner YAML at 2 spaces,
// tls: off is added unless it says tls) and targets.
func configYAML(serverExtra string, targets ...string) string {
	s := "version: 1\nserver:\n  listen: 127.0.0.1:0\n"
	if !strings.Contains(serverExtra, "tls:") {
		s += "  tls: off\n"
	}
	s += serverExtra + "targets:\n" + strings.Join(targets, "")
	return s
}

// running is a dbscim server over a configuration file the test wrote, with its
// log captured.
type running struct {
	t    *testing.T
	srv  *server.Server
	ts   *httptest.Server
	file string
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// start serves the configuration as `dbscim serve` does (through enginetest), from
// a file of its own, with the log captured.
func start(t *testing.T, yaml string) *running {
	t.Helper()
	logs := &syncBuffer{}
	s := enginetest.ServeYAML(t, yaml, enginetest.Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	return &running{t: t, srv: s.Server, ts: s.HTTP, file: s.File, logs: logs}
}

// env returns a client for one target, authenticating with token.
func (r *running) env(target, token string, b *db) *client {
	e := &env{t: r.t, url: r.ts.URL + "/scim/v2/" + target, http: r.ts.Client()}
	if b != nil {
		e.db, e.d = b.sql, b.d
	}
	return &client{env: e, token: token}
}

// rewrite replaces the configuration file (for Reload and Watch).
func (r *running) rewrite(yaml string) {
	r.t.Helper()
	if err := os.WriteFile(r.file, []byte(yaml), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// get fetches a path of the server outside SCIM (/metrics, /readyz).
func (r *running) get(path string, hdr ...string) (int, string) {
	r.t.Helper()
	req, err := http.NewRequest("GET", r.ts.URL+path, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := r.ts.Client().Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// client is an env that sends its own token.
type client struct {
	*env
	token string
}

func (c *client) do(method, path, body string, hdr ...string) response {
	c.t.Helper()
	return c.env.do(method, path, body, append([]string{"Authorization", "Bearer " + c.token}, hdr...)...)
}

// try is do for goroutines other than the test's: it returns errors instead of
// failing the test.
func (c *client) try(method, path, body string) (int, string, error) {
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	url := c.url + path
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequest(method, url, rd)
	} else {
		req, err = http.NewRequest(method, url, nil)
	}
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String(), nil
}
