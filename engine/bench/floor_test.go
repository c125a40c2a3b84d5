package bench

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dbscim/dbscim/dialects"
)

// The floor is the least any SCIM server over this table must do, and what dbscim is
// measured against: a bare net/http handler that checks the bearer token, runs the
// statement dbscim runs for the request, prepared on a pooled *sql.DB, and writes the
// same SCIM JSON with encoding/json. Nothing else: no logging, metrics, limits,
// configuration, mapping model or general filter parser. Its only concession to
// being a real server is what the same JSON needs: a meta.version per user (a hash
// of the row) and, for the import walk, remembering where the previous page ended,
// so that it runs dbscim's keyset statement rather than an OFFSET.

// statements are the statements dbscim sends for the benchmarked requests, written
// here with the dialect's own quoting, placeholders and paging. TestFloorStatements
// checks them against what dbscim sends to MariaDB and PostgreSQL.
type statements struct {
	get    string // GET /Users/{id}: the declared get operation
	lookup string // filter=userName eq "x": the list statement with the filter pushed down
	page   string // a page by OFFSET: startIndex=1, or a page out of sequence
	resume string // the next page of a walk, after the previous page's last id
	count  string // totalResults of a full page
}

func statementsFor(d dialects.Dialect) statements {
	from := " FROM " + d.DerivedTable(listSQL, "t")
	id, name := "t."+d.Quote("id"), "t."+d.Quote("user_name")
	p := d.Placeholder
	return statements{
		get: listSQL + " WHERE id = " + p(1),
		lookup: "SELECT *" + from + " WHERE (" + name + " IS NOT NULL AND " + d.Fold(name) + " = " + d.Fold(p(1)) +
			") ORDER BY " + id + " " + d.Limit(p(2), p(3)),
		page:   "SELECT *" + from + " ORDER BY " + id + " " + d.Limit(p(1), p(2)),
		resume: "SELECT *" + from + " WHERE " + id + " > " + p(1) + " ORDER BY " + id + " " + d.Limit(p(2), p(3)),
		count:  "SELECT COUNT(*) AS n" + from,
	}
}

// floor serves GET /scim/v2/bench/Users and /Users/{id} for the users table.
type floor struct {
	auth                             []byte
	get, lookup, page, resume, count *sql.Stmt
	max                              int
	// cursors maps the startIndex of the next page of a walk to where the previous
	// page ended.
	mu      sync.Mutex
	cursors map[int]walkCursor
}

type walkCursor struct {
	last  string
	total int
}

// newFloor prepares the floor's statements on db.
func newFloor(tb testing.TB, d dialects.Dialect, db *sql.DB) *floor {
	tb.Helper()
	s := statementsFor(d)
	f := &floor{auth: []byte("Bearer " + token), max: 1000, cursors: map[int]walkCursor{}}
	for _, p := range []struct {
		st   **sql.Stmt
		text string
	}{{&f.get, s.get}, {&f.lookup, s.lookup}, {&f.page, s.page}, {&f.resume, s.resume}, {&f.count, s.count}} {
		st, err := db.Prepare(p.text)
		if err != nil {
			tb.Fatalf("prepare %s: %v", p.text, err)
		}
		tb.Cleanup(func() { st.Close() })
		*p.st = st
	}
	return f
}

// The SCIM JSON, in the order dbscim writes it.
type (
	user struct {
		Schemas  []string `json:"schemas"`
		ID       string   `json:"id"`
		UserName string   `json:"userName"`
		Name     *name    `json:"name,omitempty"`
		Active   bool     `json:"active"`
		Emails   []email  `json:"emails,omitempty"`
		Meta     meta     `json:"meta"`
	}
	name struct {
		FamilyName string `json:"familyName,omitempty"`
		GivenName  string `json:"givenName,omitempty"`
	}
	email struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	}
	meta struct {
		Location     string `json:"location"`
		ResourceType string `json:"resourceType"`
		Version      string `json:"version"`
	}
	listResponse struct {
		Schemas      []string `json:"schemas"`
		TotalResults int      `json:"totalResults"`
		StartIndex   int      `json:"startIndex"`
		ItemsPerPage int      `json:"itemsPerPage"`
		Resources    []user   `json:"Resources"`
	}
	scimError struct {
		Schemas []string `json:"schemas"`
		Status  string   `json:"status"`
	}
)

var (
	userSchemas  = []string{"urn:ietf:params:scim:schemas:core:2.0:User"}
	listSchemas  = []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"}
	errorSchemas = []string{"urn:ietf:params:scim:api:messages:2.0:Error"}
)

func (f *floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), f.auth) != 1 {
		f.fail(w, http.StatusUnauthorized)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, basePath+"/Users")
	if !ok || r.Method != http.MethodGet {
		f.fail(w, http.StatusNotFound)
		return
	}
	location := "http://" + r.Host + basePath + "/Users/"
	if id, ok := strings.CutPrefix(rest, "/"); ok {
		users, err := query(r.Context(), f.get, location, id)
		if err != nil {
			f.fail(w, http.StatusInternalServerError)
			return
		}
		if len(users) == 0 {
			f.fail(w, http.StatusNotFound)
			return
		}
		w.Header().Set("ETag", users[0].Meta.Version)
		f.write(w, users[0])
		return
	}
	if rest != "" {
		f.fail(w, http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	if filter := q.Get("filter"); filter != "" {
		// The one filter the floor serves: userName eq "x".
		attr, value, _ := strings.Cut(filter, " eq ")
		value, err := strconv.Unquote(value)
		if err != nil || !strings.EqualFold(attr, "userName") {
			f.fail(w, http.StatusBadRequest)
			return
		}
		users, err := query(r.Context(), f.lookup, location, value, int64(100), int64(0))
		if err != nil {
			f.fail(w, http.StatusInternalServerError)
			return
		}
		f.write(w, listResponse{Schemas: listSchemas, TotalResults: len(users), StartIndex: 1, ItemsPerPage: len(users), Resources: users})
		return
	}
	start, count := intParam(q.Get("startIndex"), 1), intParam(q.Get("count"), 100)
	start, count = max(start, 1), min(max(count, 0), f.max)
	page, err := f.list(r, location, start, count)
	if err != nil {
		f.fail(w, http.StatusInternalServerError)
		return
	}
	f.write(w, page)
}

// list answers a page as dbscim does: after the previous page's last id when the
// page continues a walk, by OFFSET otherwise, with a COUNT when the page is full
// and the walk has not counted yet.
func (f *floor) list(r *http.Request, location string, start, count int) (listResponse, error) {
	page := listResponse{Schemas: listSchemas, StartIndex: start, TotalResults: -1}
	f.mu.Lock()
	cur, resumed := f.cursors[start]
	delete(f.cursors, start)
	f.mu.Unlock()
	var err error
	if resumed && start > 1 && count > 0 {
		page.TotalResults = cur.total
		page.Resources, err = query(r.Context(), f.resume, location, cur.last, int64(count), int64(0))
	} else if count > 0 {
		page.Resources, err = query(r.Context(), f.page, location, int64(count), int64(start-1))
	}
	if err != nil {
		return page, err
	}
	if page.TotalResults < 0 && start == 1 && len(page.Resources) < count {
		page.TotalResults = len(page.Resources)
	}
	if page.TotalResults < 0 {
		if err := f.count.QueryRowContext(r.Context()).Scan(&page.TotalResults); err != nil {
			return page, err
		}
	}
	page.ItemsPerPage = len(page.Resources)
	if n := len(page.Resources); n == count && n > 0 {
		f.mu.Lock()
		f.cursors[start+count] = walkCursor{last: page.Resources[n-1].ID, total: page.TotalResults}
		f.mu.Unlock()
	}
	return page, nil
}

// query runs st and reads users from its rows, the list statement's columns.
func query(ctx context.Context, st *sql.Stmt, location string, args ...any) ([]user, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var users []user
	for rows.Next() {
		var id, userName string
		var given, family, mail sql.NullString
		var active any
		if err := rows.Scan(&id, &userName, &given, &family, &mail, &active); err != nil {
			return nil, err
		}
		u := user{Schemas: userSchemas, ID: id, UserName: userName, Active: truth(active),
			Meta: meta{Location: location + id, ResourceType: "User"}}
		if given.Valid || family.Valid {
			u.Name = &name{FamilyName: family.String, GivenName: given.String}
		}
		if mail.Valid {
			u.Emails = []email{{Type: "work", Value: mail.String}}
		}
		u.Meta.Version = version(id, userName, given.String, family.String, mail.String, u.Active)
		users = append(users, u)
	}
	return users, rows.Err()
}

// version is a weak ETag of the row, as long as dbscim's.
func version(id, userName, given, family, mail string, active bool) string {
	h := sha256.New()
	for _, s := range []string{id, userName, given, family, mail, strconv.FormatBool(active)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return `W/"` + hex.EncodeToString(h.Sum(sum[:0])[:8]) + `"`
}

// truth reads the active column: INTEGER on SQLite, TINYINT on MariaDB, BOOLEAN on
// PostgreSQL.
func truth(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x != 0
	case []byte:
		return string(x) != "0"
	}
	return false
}

func intParam(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func (f *floor) write(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	json.NewEncoder(w).Encode(v)
}

func (f *floor) fail(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(scimError{Schemas: errorSchemas, Status: strconv.Itoa(status)})
}
