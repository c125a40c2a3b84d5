package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// Problem is something a check of a target against its live database found, at the
// place in the configuration it is about.
type Problem struct {
	Pos operations.Position
	Msg string
}

func (p Problem) String() string { return p.Pos.String() + ": " + p.Msg }

// Check compares the configuration with the live database without changing
// anything: every SQL statement is prepared (its syntax, tables and columns are
// checked by the database itself), and the columns the attribute mappings read
// must be among those the list and get statements return. Procedure calls are only
// checked where they read: the list is run to its first row.
func (s *Stores) Check(ctx context.Context) []Problem {
	var out []Problem
	catalog, _ := s.pool.Dialect.(dialects.Catalog)
	for _, op := range s.cfg.Declared() {
		if op.Kind == operations.Call {
			if catalog != nil {
				out = append(out, s.checkRoutine(ctx, catalog, op)...)
			}
			continue
		}
		st, err := s.pool.DB.PrepareContext(ctx, op.Text)
		if err != nil {
			out = append(out, Problem{op.Pos, fmt.Sprintf("%s: the database refuses the statement: %s", op.Name, s.pool.Dialect.Classify(err))})
			if msg := firstLine(err.Error()); msg != "" {
				out[len(out)-1].Msg += " (" + msg + ")"
			}
			continue
		}
		st.Close()
	}
	if s.Users != nil {
		out = append(out, s.Users.checkColumns(ctx, s.Users.table.listOp, "users")...)
	}
	if s.Groups != nil {
		out = append(out, s.Groups.checkColumns(ctx, s.Groups.table.listOp, "groups")...)
	}
	return out
}

// checkRoutine compares a call with the catalog: the routine exists, takes as many
// parameters as the call binds, and is a procedure or a function as the call form
// says (CALL cannot run a function; PostgreSQL refuses SELECT on a procedure too).
func (s *Stores) checkRoutine(ctx context.Context, catalog dialects.Catalog, op *operations.Operation) []Problem {
	info, err := catalog.Routine(ctx, s.pool.DB, op.Routine)
	if err != nil {
		return []Problem{{op.Pos, fmt.Sprintf("%s: cannot read the catalog for %s: %s", op.Name, op.Routine, firstLine(err.Error()))}}
	}
	if len(info.Params) == 0 {
		return []Problem{{op.Pos, fmt.Sprintf("%s: no routine %s exists in the database (or this account cannot see it)", op.Name, op.Routine)}}
	}
	want := len(op.Params)
	var counts []string
	for i, n := range info.Params {
		if n == want {
			if info.Kinds[i] != op.RoutineKind {
				if op.RoutineKind == dialects.Function {
					return []Problem{{op.Pos, fmt.Sprintf("%s: %s is a procedure: declare it with call:, not function:", op.Name, op.Routine)}}
				}
				return []Problem{{op.Pos, fmt.Sprintf("%s: %s is a function, which call: cannot run: declare it with function: (PostgreSQL) or read it in a sql: SELECT", op.Name, op.Routine)}}
			}
			return nil
		}
		counts = append(counts, fmt.Sprint(n))
	}
	return []Problem{{op.Pos, fmt.Sprintf("%s: %s takes %s parameters, but the call binds %d", op.Name, op.Routine, strings.Join(counts, " or "), want)}}
}

// checkColumns runs the list operation to its first row and reports mapped
// columns it does not return.
func (s *table) checkColumns(ctx context.Context, op *operations.Operation, what string) []Problem {
	var names []string
	rows, err := s.pool.Dialect.Query(ctx, s.pool.DB, op.Text, run.Bind(op, run.Record{}))
	if err != nil {
		return []Problem{{op.Pos, fmt.Sprintf("%s.list: %s", what, firstLine(err.Error()))}}
	}
	names, err = rows.Columns()
	rows.Close()
	if err != nil {
		return []Problem{{op.Pos, fmt.Sprintf("%s.list: %v", what, err)}}
	}
	have := map[string]bool{}
	for _, n := range names {
		have[run.Key(n)] = true
	}
	sort.Strings(names)
	var out []Problem
	if !have[run.Key(s.idColumn)] {
		out = append(out, Problem{op.Pos, fmt.Sprintf("%s.list does not return the id column %s (it returns %s)", what, s.idColumn, strings.Join(names, ", "))})
	}
	for _, c := range s.cols {
		if !have[run.Key(c.Column)] {
			out = append(out, Problem{c.Pos, fmt.Sprintf("%s: column %s is not among the columns %s.list returns (%s)", c.Path, c.Column, what, strings.Join(names, ", "))})
		}
	}
	return out
}

// Operations lists every operation the target declares, in the order of the
// configuration's blocks (users, groups, entitlement types).
func (s *Stores) Operations() []*operations.Operation { return s.cfg.Declared() }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
