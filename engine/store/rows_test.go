package store

import (
	"context"
	"log/slog"
	"reflect"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/operations"
)

// TestListAsRows checks on every engine that a list page handed over as rows
// stands for exactly the resources the same page is otherwise made of: NULLs,
// booleans, times, extension attributes, value-filtered elements and codes
// outside a value map, for every filter, sorted, and page by page through a walk.
func TestListAsRows(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			pushdown, _ := pushdownTarget(t, dialect)
			coded, _, _ := codedTarget(t, dialect)
			for s, filters := range map[*Users][]string{pushdown.Users: pushdownFilters, coded.Users: codedFilters} {
				if s.layout == nil {
					t.Fatal("no layout")
				}
				var queries []resource.Query
				for _, f := range append([]string{""}, filters...) {
					q := resource.Query{StartIndex: 1, Count: 100}
					if f != "" {
						expr, err := filter.Parse(f)
						if err != nil {
							t.Fatal(err)
						}
						q.Filter = expr
					}
					queries = append(queries, q)
				}
				queries = append(queries, resource.Query{StartIndex: 1, Count: 100, SortBy: "userName", Descending: true})
				for start := 1; start <= 8; start += 2 { // a walk in pages of 2
					queries = append(queries, resource.Query{StartIndex: start, Count: 2})
				}
				asRows := 0
				for _, q := range queries {
					var err error
					want, errWant := s.List(ctx, q)
					q.AsRows = true
					got, errGot := s.List(ctx, q)
					if (errWant == nil) != (errGot == nil) {
						t.Fatalf("%v: %v, as rows %v", q, errWant, errGot)
					}
					if errWant != nil {
						continue
					}
					resources := got.Resources // a filter answered in memory comes as resources
					if got.Rows != nil {
						asRows++
						if resources, err = got.Rows.Resources(); err != nil {
							t.Fatal(err)
						}
					}
					if len(resources) == 0 {
						resources = nil
					}
					if got.Total != want.Total || !reflect.DeepEqual(resources, want.Resources) {
						t.Errorf("%v:\nas rows      %d %v\nas resources %d %v", q, got.Total, resources, want.Total, want.Resources)
					}
				}
				t.Logf("%d pages of %d as rows", asRows, len(queries))
				if asRows < len(queries)*3/4 {
					t.Errorf("%d pages of %d as rows", asRows, len(queries))
				}
			}
		})
	}
}

// TestGetRow checks on every engine that a user's row stands for exactly the
// user Get returns, that a user who is not there is 404 either way, and that a
// user with more than the row (child-table values) has no row.
func TestGetRow(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			pushdown, _ := pushdownTarget(t, dialect)
			coded, _, _ := codedTarget(t, dialect)
			for s, ids := range map[*Users][]string{pushdown.Users: {"p01", "p02", "p03", "p04", "p05", "p06"}, coded.Users: {"s1", "s3", "s4", "s5"}} {
				for _, id := range ids {
					want, err := s.Get(ctx, id, resource.Projection{})
					if err != nil {
						t.Fatal(err)
					}
					rows, err := s.GetRow(ctx, id, resource.Projection{})
					if err != nil || rows.Len() != 1 {
						t.Fatalf("%s: %v %v", id, rows, err)
					}
					got, err := rows.Layout.Resource(rows.Row(0))
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Errorf("%s:\nrow %v %v\nget %v", id, got, err, want)
					}
				}
				_, errGet := s.Get(ctx, "nobody", resource.Projection{})
				_, errRow := s.GetRow(ctx, "nobody", resource.Projection{})
				if !fault.Is(errGet, fault.NotFound) || !fault.Is(errRow, fault.NotFound) {
					t.Errorf("nobody: %v, %v", errGet, errRow)
				}
			}
		})
	}
}

const attachedConfig = `version: 1
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
            read: {sql: "SELECT kind, num FROM phones WHERE emp_id = ?", params: [id]}
      operations:
        list: {sql: "SELECT id, login, title FROM emp"}
        get:  {sql: "SELECT id, login, title FROM emp WHERE id = ?", params: [id]}
    groups:
      id: id
      attributes: {displayName: display_name}
      member_id: emp_id
      operations:
        list:    {sql: "SELECT id, display_name FROM grp"}
        get:     {sql: "SELECT id, display_name FROM grp WHERE id = ?", params: [id]}
        members: {sql: "SELECT emp_id FROM link WHERE grp_id = ?", params: [id]}
        groups_of_user: {sql: "SELECT g.id, g.display_name FROM link l JOIN grp g ON g.id = l.grp_id WHERE l.emp_id = ?", params: [member]}
    entitlements:
      Entitlement:
        id: ent_id
        display: name
        operations:
          list:    {sql: "SELECT ent_id, name FROM ents WHERE kind = 'ent'"}
          of_user: {sql: "SELECT e.ent_id, e.name FROM grants g JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = ? AND e.kind = 'ent'", params: [user]}
      License:
        id: ent_id
        display: name
        operations:
          list:    {sql: "SELECT ent_id, name FROM ents WHERE kind = 'lic'"}
          of_user: {sql: "SELECT e.ent_id, e.name FROM grants g JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = ? AND e.kind = 'lic'", params: [user]}
      Role:
        kind: role
        id: ent_id
        display: name
        operations:
          list:    {sql: "SELECT ent_id, name FROM ents WHERE kind = 'role'"}
          of_user: {sql: "SELECT e.ent_id, e.name FROM grants g JOIN ents e ON e.ent_id = g.ent_id WHERE g.emp_id = ? AND e.kind = 'role'", params: [user]}
`

// attachedTarget is a target whose users carry, besides their list statement's
// columns, phone numbers from a child table, groups, and grants of two
// entitlement types sharing the entitlements attribute and one of roles.
func attachedTarget(t *testing.T, dialect string) *Stores {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	dialecttest.MustExec(t, db,
		`CREATE TABLE emp (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL, title VARCHAR(100))`,
		`CREATE TABLE phones (emp_id VARCHAR(64) NOT NULL, kind VARCHAR(20) NOT NULL, num VARCHAR(40) NOT NULL)`,
		`CREATE TABLE grp (id VARCHAR(64) PRIMARY KEY, display_name VARCHAR(100))`,
		`CREATE TABLE link (grp_id VARCHAR(64) NOT NULL, emp_id VARCHAR(64) NOT NULL)`,
		`CREATE TABLE ents (ent_id VARCHAR(64) PRIMARY KEY, name VARCHAR(100), kind VARCHAR(10) NOT NULL)`,
		`CREATE TABLE grants (emp_id VARCHAR(64) NOT NULL, ent_id VARCHAR(64) NOT NULL)`,
		`INSERT INTO emp VALUES ('e1', 'ann', 'Engineer'), ('e2', 'ben', NULL), ('e3', 'cat', 'Sales'), ('e4', 'dan', NULL)`,
		`INSERT INTO phones VALUES ('e1', 'work', '+1 555 0100'), ('e1', 'mobile', '+44 7700'), ('e3', 'work', '+1 555 0101')`,
		`INSERT INTO grp VALUES ('g1', 'Admins'), ('g2', NULL)`,
		`INSERT INTO link VALUES ('g1', 'e1'), ('g2', 'e1'), ('g2', 'e2')`,
		`INSERT INTO ents VALUES ('x1', 'VPN', 'ent'), ('l1', 'Office', 'lic'), ('r1', 'Approver', 'role')`,
		`INSERT INTO grants VALUES ('e1', 'x1'), ('e1', 'l1'), ('e1', 'r1'), ('e2', 'l1'), ('e3', 'r1')`)
	target := loadTarget(t, attachedConfig, d, conn)
	pool, err := run.Open(context.Background(), target, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return New(pool, target, operations.DefaultMaxResults)
}

// TestRowsWithAttached checks on every engine that the rows of users with
// groups, child-table values and grants stand for exactly the users the store
// otherwise builds, on list pages (whole, filtered on a child table, sorted by
// one, projected) and GETs.
func TestRowsWithAttached(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			s := attachedTarget(t, dialect).Users
			if s.layout == nil {
				t.Fatal("no layout")
			}
			parse := func(f string) filter.Expression {
				e, err := filter.Parse(f)
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			queries := []resource.Query{
				{StartIndex: 1, Count: 10},
				{StartIndex: 2, Count: 2},
				{StartIndex: 1, Count: 10, Filter: parse(`phoneNumbers.value sw "+1"`)},
				{StartIndex: 1, Count: 10, Filter: parse(`userName eq "ann"`)},
				{StartIndex: 1, Count: 10, SortBy: "phoneNumbers.value"},
				{StartIndex: 1, Count: 10, Projection: resource.Projection{Excluded: []string{"groups", "roles"}}},
				{StartIndex: 1, Count: 10, Projection: resource.Projection{Attributes: []string{"userName", "entitlements"}}},
			}
			rowPages := 0
			for _, q := range queries {
				want, err := s.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				q.AsRows = true
				got, err := s.List(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				resources := got.Resources
				if got.Rows != nil {
					rowPages++
					if resources, err = got.Rows.Resources(); err != nil {
						t.Fatal(err)
					}
				}
				if got.Total != want.Total || !reflect.DeepEqual(resources, want.Resources) {
					t.Errorf("%+v:\nas rows      %d %v\nas resources %d %v", q, got.Total, resources, want.Total, want.Resources)
				}
			}
			if rowPages < len(queries)-2 { // the sorted page, and the child filter where it is not pushed down, may not
				t.Errorf("%d pages of %d as rows", rowPages, len(queries))
			}
			e1, err := s.Get(ctx, "e1", resource.Projection{})
			if err != nil {
				t.Fatal(err)
			}
			if len(e1["entitlements"].([]any)) != 2 || len(e1["roles"].([]any)) != 1 || len(e1["groups"].([]any)) != 2 || len(e1["phoneNumbers"].([]any)) != 2 {
				t.Fatalf("e1 lacks what the test is about: %v", e1)
			}
			for _, id := range []string{"e1", "e2", "e3", "e4"} {
				for _, p := range []resource.Projection{{}, {Excluded: []string{"phoneNumbers"}}} {
					want, err := s.Get(ctx, id, p)
					if err != nil {
						t.Fatal(err)
					}
					rows, err := s.GetRow(ctx, id, p)
					if err != nil || rows.Len() != 1 {
						t.Fatalf("%s: %v %v", id, rows, err)
					}
					got, err := rows.Layout.Resource(rows.Row(0))
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Errorf("%s %v:\nrow %v %v\nget %v", id, p, got, err, want)
					}
				}
			}
		})
	}
}
