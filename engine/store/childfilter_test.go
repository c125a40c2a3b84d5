package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// phonesConfig keeps phone numbers in a child table read by a statement whose
// one parameter is the user's id.
const phonesConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes:
        userName: login
        title: title
        phoneNumbers:
          table:
            columns: {type: kind, value: num}
            read:   {sql: "SELECT kind, num FROM phones WHERE emp_id = ?", params: [id]}
            add:    {sql: "INSERT INTO phones (emp_id, kind, num) VALUES (?, ?, ?)", params: [id, kind, num]}
            remove: {sql: "DELETE FROM phones WHERE emp_id = ? AND kind = ? AND num = ?", params: [id, kind, num]}
      operations:
        list:   {sql: "SELECT id, login, title FROM emp"}
        get:    {sql: "SELECT id, login, title FROM emp WHERE id = ?", params: [id]}
`

// phoneRows put letter case, several numbers of one type, no numbers at all and
// LIKE wildcards in front of the filters.
var (
	empRows   = [][]any{{"e1", "ann", "Engineer"}, {"e2", "ben", nil}, {"e3", "cat", "Sales"}, {"e4", "dan", "engineer"}, {"e5", "eve", "Ops"}}
	phoneRows = [][]any{
		{"e1", "mobile", "+44 7700 900001"}, {"e1", "work", "+1 555 0100"},
		{"e2", "Mobile", "+1 555"}, {"e2", "home", "+44 20 7946 0000"},
		{"e3", "work", "+1 555"}, {"e3", "work", "+1 555 0101"},
		{"e4", "mobile", "+1_555%"},
	}
	childFilters = []string{
		`phoneNumbers.value eq "+1 555"`, `phoneNumbers[type eq "mobile" and value sw "+44"]`,
		`phoneNumbers[type eq "mobile"]`, `phoneNumbers[type eq "work" or value co "7946"]`,
		`phoneNumbers.type eq "WORK"`, `phoneNumbers pr`, `not (phoneNumbers pr)`, `phoneNumbers co "555"`,
		`phoneNumbers.value ne "+1 555"`, `phoneNumbers[not (type eq "work")]`, `phoneNumbers.value ew "%"`,
		`phoneNumbers.value co "_"`, `title eq "engineer" and phoneNumbers[type eq "mobile"]`,
		`title pr or phoneNumbers.value sw "+44"`, `not (phoneNumbers[value sw "+1"])`,
	}
)

func phonesTarget(t *testing.T, dialect string) *Stores {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	dialecttest.MustExec(t, db, `CREATE TABLE emp (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL, title VARCHAR(100))`,
		`CREATE TABLE phones (emp_id VARCHAR(64) NOT NULL, kind VARCHAR(20) NOT NULL, num VARCHAR(40) NOT NULL)`)
	insert := func(table string, rows [][]any) {
		for _, r := range rows {
			ph := make([]string, len(r))
			for i := range r {
				ph[i] = d.Placeholder(i + 1)
			}
			if _, err := db.Exec("INSERT INTO "+table+" VALUES ("+strings.Join(ph, ", ")+")", r...); err != nil {
				t.Fatal(err)
			}
		}
	}
	insert("emp", empRows)
	insert("phones", phoneRows)
	return openStores(t, loadTarget(t, phonesConfig, d, conn))
}

// expectedIDs evaluates a filter on every user read one by one, with its
// child values: what a list must find.
func expectedIDs(t *testing.T, s *Users, f filter.Expression) string {
	t.Helper()
	var ids []string
	for _, r := range empRows {
		res, err := s.Get(context.Background(), r[0].(string), resource.Projection{})
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := resource.Match(f, res, s.schemas...); err != nil {
			t.Fatal(err)
		} else if ok {
			ids = append(ids, r[0].(string))
		}
	}
	return strings.Join(ids, ",")
}

// TestChildTableFilter: a filter on an attribute kept in a child table finds,
// on every engine, exactly the users whose values match it, read one by one;
// pages and sorting over such a filter are right, and the answer carries the
// child values only when the projection asks for them.
func TestChildTableFilter(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := phonesTarget(t, dialect).Users
			ctx := context.Background()
			for _, f := range childFilters {
				expr, err := filter.Parse(f)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				want := expectedIDs(t, s, expr)
				page, err := s.List(ctx, resource.Query{Filter: expr, StartIndex: 1, Count: 100})
				if err != nil {
					t.Errorf("%s: %v", f, err)
					continue
				}
				var got []string
				for _, r := range page.Resources {
					got = append(got, r["id"].(string))
				}
				sort.Strings(got)
				if strings.Join(got, ",") != want || page.Total != len(got) {
					t.Errorf("%s: found [%s] (total %d), want [%s]", f, strings.Join(got, ","), page.Total, want)
				}
			}
			expr, _ := filter.Parse(`phoneNumbers co "555"`)
			page, err := s.List(ctx, resource.Query{Filter: expr, StartIndex: 2, Count: 2, SortBy: "userName", Descending: true,
				Projection: resource.Projection{Attributes: []string{"userName"}}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range page.Resources {
				got = append(got, fmt.Sprint(r["userName"]))
				if _, ok := r["phoneNumbers"]; ok {
					t.Errorf("%s carries phoneNumbers the projection did not ask for", r["id"])
				}
			}
			if page.Total != 4 || strings.Join(got, ",") != "cat,ben" {
				t.Errorf("page 2 of 2 by userName descending: %v (total %d), want cat,ben of 4", got, page.Total)
			}
		})
	}
}

// TestRelax keeps, of a filter on a child-table attribute, the conditions that
// narrow the candidates without losing a match.
func TestRelax(t *testing.T) {
	tests := map[string]string{
		`title eq "x" and phoneNumbers[type eq "mobile"]`:                `title eq "x"`,
		`phoneNumbers pr and (userName sw "a" or title pr)`:              `userName sw "a" or title pr`,
		`title eq "x" or phoneNumbers.value eq "1"`:                      ``,
		`not (phoneNumbers pr) and not (title pr)`:                       `not (title pr)`,
		`phoneNumbers co "5"`:                                            ``,
		`userName eq "a" and (phoneNumbers pr or title pr) and title pr`: `userName eq "a" and title pr`,
	}
	for in, want := range tests {
		e, err := filter.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		got := relax(e, []string{"phoneNumbers"})
		if want == "" {
			if got != nil {
				t.Errorf("%s: %v, want nothing", in, got)
			}
			continue
		}
		w, _ := filter.Parse(want)
		if got == nil || fmt.Sprint(got) != fmt.Sprint(w) {
			t.Errorf("%s: %v, want %v", in, got, w)
		}
	}
}

// TestSortByChildTableAttribute: a list sorted by an attribute kept in a child
// table, with no filter on it, is in the order of the users' child values (read
// one by one and sorted), on every engine, and carries the values only when the
// projection asks for them.
func TestSortByChildTableAttribute(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s := phonesTarget(t, dialect).Users
			ctx := context.Background()
			var all []resource.Resource
			for _, r := range empRows {
				res, err := s.Get(ctx, r[0].(string), resource.Projection{})
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, res)
			}
			for _, desc := range []bool{false, true} {
				resource.SortResources(all, "phoneNumbers.value", desc, s.schemas...)
				var want []string
				for _, r := range all {
					want = append(want, r["id"].(string))
				}
				page, err := s.List(ctx, resource.Query{StartIndex: 1, Count: 100, SortBy: "phoneNumbers.value", Descending: desc,
					Projection: resource.Projection{Attributes: []string{"userName"}}})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range page.Resources {
					got = append(got, r["id"].(string))
					if _, ok := r["phoneNumbers"]; ok {
						t.Errorf("%s carries phoneNumbers the projection did not ask for", r["id"])
					}
				}
				if strings.Join(got, ",") != strings.Join(want, ",") || page.Total != len(want) {
					t.Errorf("sorted by phoneNumbers.value (descending %v): %v (total %d), want %v", desc, got, page.Total, want)
				}
			}
		})
	}
}
