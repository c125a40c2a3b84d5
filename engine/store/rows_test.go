package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
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

// TestListAsRowsOnlyWhenRowsSay checks that a page whose users get more than
// their list columns (child-table values here) comes as resources.
func TestListAsRowsOnlyWhenRowsSay(t *testing.T) {
	s := phonesTarget(t, "sqlite").Users
	page, err := s.List(context.Background(), resource.Query{StartIndex: 1, Count: 10, AsRows: true})
	if err != nil {
		t.Fatal(err)
	}
	if page.Rows != nil || len(page.Resources) == 0 {
		t.Errorf("rows %v, %d resources", page.Rows, len(page.Resources))
	}
	page, err = s.List(context.Background(), resource.Query{StartIndex: 1, Count: 10, AsRows: true,
		Projection: resource.Projection{Excluded: []string{"phoneNumbers"}}})
	if err != nil {
		t.Fatal(err)
	}
	if page.Rows == nil || page.Rows.Len() == 0 {
		t.Error("a page without phoneNumbers not as rows")
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
	phones := phonesTarget(t, "sqlite").Users
	if rows, err := phones.GetRow(context.Background(), "e1", resource.Projection{}); rows != nil || err != nil {
		t.Errorf("a user with phone numbers as a row: %v %v", rows, err)
	}
}
