package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// The floor is only a fair measure if it does what dbscim does: these tests hold it
// to the same statements and the same JSON. They are quick (a few hundred users) and
// run with go test ./....

// checkUsers is the table size of the checks: more than two pages of 100.
const checkUsers = 250

// requests are the requests of the benchmarks, in an order that walks: the first
// page, then the next one continuing from it.
var requests = []struct{ name, path string }{
	{"get", "/Users/" + userID(5)},
	{"lookup", "/Users?filter=" + url.QueryEscape(`userName eq "`+strings.ToUpper(userName(7))+`"`)},
	{"first page", "/Users?startIndex=1&count=100"},
	{"next page", "/Users?startIndex=101&count=100"},
	{"page out of sequence", "/Users?startIndex=51&count=100"},
	{"last page", "/Users?startIndex=201&count=100"},
}

// TestFloorStatements checks that the floor's statements are those dbscim sends to
// the database for each request, read off the wire on MariaDB and PostgreSQL. (On
// SQLite, which has no wire, the same dialect functions build both.)
func TestFloorStatements(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, benchDDL[dialect]...)
			dialecttest.MustExec(t, db, fmt.Sprintf(seedSQL[dialect], checkUsers))
			s := newSniffer(t, upstream(conn), dialect == "postgres")
			conn.Host, conn.Port = s.addr()
			base := serveDBSCIM(t, d, conn)
			st := statementsFor(d)
			want := map[string][]string{
				"get":                  {st.get},
				"lookup":               {st.lookup},
				"first page":           {st.page, st.count},
				"next page":            {st.resume},
				"page out of sequence": {st.page, st.count},
				"last page":            {st.resume},
			}
			// Each request's statements are prepared once per connection; one
			// connection makes every request show the ones it runs the first time.
			prepared := map[string]bool{}
			for _, r := range requests {
				get(t, base+r.path)
				var sent []string
				for _, text := range s.take() {
					if strings.HasPrefix(text, "SELECT") && !strings.HasSuffix(text, "WHERE 1 = 0") {
						sent = append(sent, text)
						prepared[text] = true
					}
				}
				for _, w := range want[r.name] {
					if !slices.Contains(sent, w) && !prepared[w] {
						t.Errorf("%s: the floor runs\n\t%s\nbut dbscim sent\n\t%s", r.name, w, strings.Join(sent, "\n\t"))
					}
				}
			}
		})
	}
}

// version matches a weak ETag of 16 hex digits, dbscim's and the floor's.
var versionRE = regexp.MustCompile(`^W/"[0-9a-f]{16}"$`)

// TestFloorJSON checks that the floor answers each request with dbscim's JSON: the
// same members in the same order, but for meta.version (a hash of other bytes)
// and the host in meta.location.
func TestFloorJSON(t *testing.T) {
	for _, dialect := range engines {
		t.Run(dialect, func(t *testing.T) {
			f := newFixture(t, dialect, checkUsers)
			for _, r := range requests {
				a, b := get(t, f.dbscim+r.path), get(t, f.floorURL+r.path)
				if a, b := normalize(t, a, f.dbscim), normalize(t, b, f.floorURL); !bytes.Equal(a, b) {
					t.Errorf("%s:\ndbscim %s\nfloor  %s", r.name, a, b)
				}
			}
		})
	}
}

// normalize replaces each meta.version by V after checking its form, and the base
// URL by B.
func normalize(t *testing.T, body []byte, base string) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if m, ok := x["meta"].(map[string]any); ok {
				if s, _ := m["version"].(string); !versionRE.MatchString(s) {
					t.Errorf("meta.version %q is not a weak ETag of 16 hex digits", s)
				}
				m["version"] = "V"
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	out, _ := json.Marshal(v) // sorts members; order is checked by the floor's struct tags
	return bytes.ReplaceAll(out, []byte(base), []byte("B"))
}

// get sends an authorized GET and returns the body of a 200 answer.
func get(t testing.TB, u string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %.300s", u, resp.StatusCode, err, data)
	}
	if etag := resp.Header.Get("ETag"); strings.Contains(u, "/Users/") && !versionRE.MatchString(etag) {
		t.Fatalf("GET %s: ETag %q", u, etag)
	}
	return data
}
