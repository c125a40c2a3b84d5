package engine_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// BenchmarkAttachedPage serves, on SQLite, pages of 100 users who carry phone
// numbers from a child table, groups, entitlements and roles besides their own
// columns, and GETs of one of them: what a list page costs when every user has
// values read apart from the list statement (allocs/op and ns/op, per request,
// over loopback HTTP).
func BenchmarkAttachedPage(b *testing.B) {
	d, db, conn := dialecttest.NewDatabase(b, "sqlite")
	dialecttest.MustExec(b, db, pageReadSchema...)
	for i := 1; i <= 100; i++ {
		id := fmt.Sprintf("u%03d", i)
		dialecttest.MustExec(b, db, fmt.Sprintf("INSERT INTO emp (id, login) VALUES ('%s', 'user%03d')", id, i),
			fmt.Sprintf("INSERT INTO phones (emp_id, kind, num) VALUES ('%s', 'work', '+1 555 %04d'), ('%s', 'mobile', '+1 555 %04d')", id, i, id, i+1000),
			fmt.Sprintf("INSERT INTO link (grp_id, emp_id) VALUES ('g1', '%s')", id),
			fmt.Sprintf("INSERT INTO grants (emp_id, ent_id) VALUES ('%s', 'e1'), ('%s', 'r1')", id, id))
	}
	roles := "SELECT e.ent_id, e.name FROM grants g JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = ? AND e.kind = 'role'"
	cfg := fmt.Sprintf(pageReadConfig, enginetest.DatabaseYAML(d, conn), roles)
	cfg = strings.Replace(cfg, `of_user: {call: "`+roles+`"`, `of_user: {sql: "`+roles+`"`, 1)
	s := enginetest.ServeYAML(b, cfg, enginetest.Options{})
	for _, path := range []string{"/Users?startIndex=1&count=100", "/Users/u042"} {
		b.Run(strings.SplitN(path, "?", 2)[0], func(b *testing.B) {
			get := func() {
				resp, err := s.Client().Get(s.URL("t") + path)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"roles"`) {
					b.Fatalf("GET %s: %d %.200s", path, resp.StatusCode, body)
				}
			}
			get()
			b.ReportAllocs()
			for b.Loop() {
				get()
			}
		})
	}
}
