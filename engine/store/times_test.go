package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/operations"
)

var timesDDL = map[string]string{
	"sqlite":   `CREATE TABLE stamps (id TEXT PRIMARY KEY, login TEXT NOT NULL, modified TIMESTAMP, created TEXT)`,
	"mysql":    `CREATE TABLE stamps (id VARCHAR(20) PRIMARY KEY, login VARCHAR(100) NOT NULL, modified DATETIME(6), created DATETIME(3))`,
	"postgres": `CREATE TABLE stamps (id VARCHAR(20) PRIMARY KEY, login TEXT NOT NULL, modified TIMESTAMPTZ, created TIMESTAMP(3))`,
}

// TestTimestampsAsStored: meta.lastModified and meta.created keep the column's
// fractional seconds, and filters compare at that precision, in SQL and in
// memory, on every engine.
func TestTimestampsAsStored(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, timesDDL[dialect],
				`INSERT INTO stamps VALUES ('t1', 'a', '2026-01-05 10:00:00', '2026-01-05 09:00:00.250')`,
				`INSERT INTO stamps VALUES ('t2', 'b', '2026-01-05 10:00:00.002', '2026-01-05 09:00:00')`,
				`INSERT INTO stamps VALUES ('t3', 'c', '2026-01-05 10:00:01.5', NULL)`)
			var block strings.Builder
			fmt.Fprintf(&block, "      dialect: %s\n      name: %q\n", d.Name(), conn.Name)
			if d.Name() != "sqlite" {
				fmt.Fprintf(&block, "      host: %q\n      port: %d\n      user: %q\n", conn.Host, conn.Port, conn.User)
				if conn.Password != "" {
					fmt.Fprintf(&block, "      password: %q\n", conn.Password)
				}
			}
			file := filepath.Join(t.TempDir(), "dbscim.yaml")
			yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes: {userName: login, meta.lastModified: modified, meta.created: created}
      operations:
        list: {sql: "SELECT id, login, modified, created FROM stamps"}
        get:  {sql: "SELECT id, login, modified, created FROM stamps WHERE id = ?", params: [id]}
`, block.String())
			if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := operations.Load(file)
			if err != nil {
				t.Fatal(err)
			}
			s := openStores(t, cfg.Targets[0]).Users
			ctx := context.Background()
			want := map[string]string{"t1": "2026-01-05T10:00:00Z 2026-01-05T09:00:00.25Z", "t2": "2026-01-05T10:00:00.002Z 2026-01-05T09:00:00Z",
				"t3": "2026-01-05T10:00:01.5Z <nil>"}
			for id, w := range want {
				u, err := s.Get(ctx, id, resource.Projection{})
				if err != nil {
					t.Fatal(err)
				}
				meta, _ := u["meta"].(map[string]any)
				if got := fmt.Sprint(meta["lastModified"], " ", meta["created"]); got != w {
					t.Errorf("%s: meta %s, want %s", id, got, w)
				}
			}
			for f, w := range map[string]string{
				`meta.lastModified gt "2026-01-05T10:00:00.001Z"`: "t2,t3",
				`meta.lastModified eq "2026-01-05T10:00:00.002Z"`: "t2",
				`meta.lastModified le "2026-01-05T10:00:00.002Z"`: "t1,t2",
				`meta.lastModified lt "2026-01-05T10:00:01.4Z"`:   "t1,t2",
				`meta.created gt "2026-01-05T09:00:00.1Z"`:        "t1",
			} {
				pushed, problem := compareFilter(ctx, s, f)
				if !pushed || problem != nil {
					t.Errorf("%s: pushed %v, %v", f, pushed, problem)
				}
				expr, _ := filter.Parse(f)
				page, err := s.List(ctx, resource.Query{Filter: expr, StartIndex: 1, Count: 10})
				if err != nil {
					t.Fatal(err)
				}
				var ids []string
				for _, r := range page.Resources {
					ids = append(ids, r["id"].(string))
				}
				sort.Strings(ids)
				if strings.Join(ids, ",") != w {
					t.Errorf("%s: %v, want %s", f, ids, w)
				}
			}
		})
	}
}
