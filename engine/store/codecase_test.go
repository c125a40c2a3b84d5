package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// TestValueMapCodesExact: codes are exact values the DBA listed. Under
// MariaDB's case-insensitive collations status = 'A' holds for 'a' too, which
// the store reads as no value (outside the map): the SQL filter must find what
// memory finds on every engine, and CHAR padding or a trailing space must not
// tell them apart either.
func TestValueMapCodesExact(t *testing.T) {
	rows := [][]any{
		{"c1", "ann", "A", "E"}, {"c2", "ben", "a", "e"}, {"c3", "cat", "l", "C "}, {"c4", "dan", "L", "c"},
		{"c5", "eve", "T", "X"}, {"c6", "fay", "t", "x"},
	}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, codedDDL[dialect])
			for _, r := range rows {
				if _, err := db.Exec(fmt.Sprintf("INSERT INTO staff VALUES (%s, %s, %s, %s)", d.Placeholder(1), d.Placeholder(2), d.Placeholder(3), d.Placeholder(4)), r...); err != nil {
					t.Fatal(err)
				}
			}
			s := openStores(t, loadTarget(t, codedConfig, d, conn)).Users
			ctx := context.Background()
			for _, f := range append(codedFilters, `userType eq "Contractor" and active pr`, `not (userType pr)`) {
				pushed, problem := compareFilter(ctx, s, f)
				if !pushed {
					t.Errorf("%s: not pushed down", f)
				}
				if problem != nil {
					t.Error(problem)
				}
			}
			want := map[string]string{
				`active eq true`:           "c1,c4",
				`active eq false`:          "c5",
				`userType eq "employee"`:   "c1",
				`userType eq "Contractor"`: "c3,c5",
				`not (active pr)`:          "c2,c3,c6",
			}
			for f, ids := range want {
				expr, err := filter.Parse(f)
				if err != nil {
					t.Fatal(err)
				}
				page, err := s.List(ctx, resource.Query{Filter: expr, StartIndex: 1, Count: 100})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range page.Resources {
					got = append(got, r["id"].(string))
				}
				if strings.Join(got, ",") != ids {
					t.Errorf("%s: %v, want %s", f, got, ids)
				}
			}
		})
	}
}
