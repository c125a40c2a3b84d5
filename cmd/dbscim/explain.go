package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dbscim/dbscim/operations"
)

// explain prints, for every declared operation, the statement dbscim runs (in the
// dialect's own placeholder form) and what each placeholder is bound to, so that a
// DBA can see exactly what will reach the database. It needs no database.
func explain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "dbscim.yaml", "the configuration file")
	only := fs.String("target", "", "explain only this target")
	if err := fs.Parse(args); err != nil {
		return 2
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
