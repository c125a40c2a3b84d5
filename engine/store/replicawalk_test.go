package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/resource"
)

const walkConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes:
        userName: login
      operations:
        list: {sql: "SELECT id, login FROM walkers"}
        get:  {sql: "SELECT id, login FROM walkers WHERE id = ?", params: [id]}
`

// TestWalkAcrossReplicas walks the users in pages that alternate between two
// stores over one database, as two replicas behind a round-robin balancer see
// an IdP's import: each continues from the last position it knows, skipping the
// page the other served, so a page costs about two pages' rows however deep the
// walk is. Rows deleted behind the walk meanwhile do not shift it: a page read
// with OFFSET from the start would skip as many users as were deleted, and the
// IdP would take the users it never saw for deleted ones.
func TestWalkAcrossReplicas(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, "CREATE TABLE walkers (id VARCHAR(20) PRIMARY KEY, login VARCHAR(50) NOT NULL)")
			const users, size = 200, 20
			for i := 1; i <= users; i++ {
				dialecttest.MustExec(t, db, fmt.Sprintf("INSERT INTO walkers VALUES ('u%04d', 'user%04d')", i, i))
			}
			target := loadTarget(t, walkConfig, d, conn)
			replicas := []*Stores{openStores(t, target), openStores(t, target)}
			ctx := context.Background()
			var seen []string
			for p := 0; p*size < users; p++ {
				if p == 3 {
					// Five users the walk has passed are deleted.
					dialecttest.MustExec(t, db, "DELETE FROM walkers WHERE id IN ('u0001', 'u0002', 'u0003', 'u0004', 'u0005')")
				}
				page, err := replicas[p%2].Users.List(ctx, resource.Query{StartIndex: p*size + 1, Count: size})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page.Resources {
					seen = append(seen, r["id"].(string))
				}
			}
			// From page 4 on each replica continues after the last id it returned,
			// so no user is skipped by the deletion (the last pages are short).
			for i, id := range seen {
				if want := fmt.Sprintf("u%04d", i+1); id != want {
					t.Fatalf("user %d of the walk is %s, want %s: the walk skipped or repeated users (%d in all)", i+1, id, want, len(seen))
				}
			}
			if len(seen) != users {
				t.Fatalf("the walk returned %d users, want %d", len(seen), users)
			}
			for i, r := range replicas {
				if n := len(r.Users.cursors.items); n != 1 {
					t.Errorf("replica %d keeps %d positions, want only the last it left", i, n)
				}
			}
		})
	}
}
