package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/engine/sqlgen"
	"github.com/dbscim/dbscim/engine/store"
	"github.com/dbscim/dbscim/operations"
)

// explain prints, for every declared operation, the statement dbscim runs (in the
// dialect's own placeholder form) and what each placeholder is bound to, so that a
// DBA can see exactly what will reach the database; with --filter, --start,
// --count or --sort, also the list of users as dbscim wraps it for that request.
// It needs no database.
func explain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "dbscim.yaml", "the configuration file")
	only := fs.String("target", "", "explain only this target")
	filterText := fs.String("filter", "", `also show the list of users as run for this SCIM filter (userName eq "x")`)
	start := fs.Int("start", 0, "also show the list of users from this startIndex")
	count := fs.Int("count", 0, "also show the list of users with pages of this size")
	sortBy := fs.String("sort", "", "also show the list of users sorted by this attribute")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	listing := *filterText != "" || *start > 0 || *count > 0 || *sortBy != ""
	q := resource.Query{StartIndex: max(*start, 1), Count: *count, SortBy: *sortBy}
	if q.Count <= 0 {
		q.Count = 100
	}
	if *filterText != "" {
		expr, err := filter.Parse(*filterText)
		if err != nil {
			fmt.Fprintf(stderr, "--filter: %v\n", err)
			return 2
		}
		q.Filter = expr
	}
	cfg, ok := load(*path, stderr)
	if !ok {
		return 1
	}
	found := false
	for _, t := range cfg.Targets {
		if *only != "" && t.Name != *only {
			continue
		}
		found = true
		fmt.Fprintf(stdout, "target %s (%s)\n", t.Name, t.Database.Dialect.Name())
		if u := t.Users; u != nil {
			explainOps(stdout, "users", u.Operations.In(operations.UserKinds)...)
			if listing {
				explainList(stdout, u, t.Database.Dialect, q, *filterText)
			}
		}
		if g := t.Groups; g != nil {
			explainOps(stdout, "groups", g.Operations.In(operations.GroupKinds)...)
		}
		for _, e := range t.Entitlements {
			explainOps(stdout, "entitlements."+e.Name, e.Operations.In(operations.EntitlementKinds)...)
		}
	}
	if !found {
		fmt.Fprintf(stderr, "%s: no target named %q\n", *path, *only)
		return 1
	}
	return 0
}

func explainOps(w io.Writer, block string, ops ...*operations.Operation) {
	for _, op := range ops {
		if op == nil {
			continue
		}
		fmt.Fprintf(w, "  %s.%s (%s)\n    %s\n", block, op.Name, op.Pos, op.Text)
		for i, p := range op.Params {
			fmt.Fprintf(w, "    %d: %s\n", i+1, describeParam(p))
		}
	}
}

func describeParam(p operations.Param) string {
	switch p.Kind {
	case operations.Field:
		switch p.Name {
		case operations.UserParam:
			return "the user's id"
		case operations.MemberParam:
			return "the member's user id"
		}
		return "column " + p.Name + " of the record"
	case operations.Literal:
		if p.Value == nil {
			return "literal NULL"
		}
		return fmt.Sprintf("literal %v", p.Value)
	case operations.Generated:
		return "generated " + strings.ToLower(p.Generator)
	case operations.OutParam:
		return "OUT parameter read into " + p.Name
	case operations.CursorParam:
		return "OUT cursor: the result set"
	}
	return "?"
}

// explainList prints the statements a list of users runs for a query: the list
// statement wrapped with the filter pushed down, the page and the count, and what
// each placeholder binds.
func explainList(w io.Writer, u *operations.Users, d dialects.Dialect, q resource.Query, filterText string) {
	what := fmt.Sprintf("startIndex %d, count %d", q.StartIndex, q.Count)
	if filterText != "" {
		what = "filter " + filterText + ", " + what
	}
	if q.SortBy != "" {
		what += ", sortBy " + q.SortBy
	}
	page, count, err := store.ExplainUserList(u, d, q)
	switch {
	case errors.Is(err, sqlgen.ErrNoPushdown):
		fmt.Fprintf(w, "  users.list for %s\n    runs as declared; the filter, sort and page are applied to the rows as they stream\n", what)
		return
	case err != nil:
		fmt.Fprintf(w, "  users.list for %s\n    refused: %v\n", what, err)
		return
	}
	list := u.Operations[operations.List]
	for _, st := range []struct {
		name string
		s    sqlgen.Statement
	}{{"page", page}, {"count (when the page does not tell the total)", count}} {
		fmt.Fprintf(w, "  users.list for %s: %s\n    %s\n", what, st.name, st.s.Text)
		for i, p := range list.Params {
			fmt.Fprintf(w, "    %d: %s\n", i+1, describeParam(p))
		}
		for i, a := range st.s.Args {
			fmt.Fprintf(w, "    %d: %#v\n", len(list.Params)+i+1, a.Value)
		}
	}
}
