package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// readNeeds is a read operation other than list and get, and the columns dbscim
// takes from its rows: without them every row reads as nothing, and a group's
// members, a user's groups or grants, or a child table's values come back empty
// while the database holds them.
type readNeeds struct {
	op   *operations.Operation
	what string   // "groups.members"
	need []string // columns every row must have
	// optional are columns read when present (a display name): a missing one is a
	// warning, the values are served without it.
	optional []string
}

// checkReads runs every declared read besides list and get, wrapped so that no
// row is read, and reports the columns dbscim takes from it that it does not
// return. Routine calls are not run (they may do more than read).
func (s *Stores) checkReads(ctx context.Context, refused map[operations.Position]bool) []Problem {
	var reads []readNeeds
	if g := s.Groups; g != nil {
		var display []string
		if g.cfg.MemberDisplay != "" {
			display = []string{g.cfg.MemberDisplay}
		}
		reads = append(reads, readNeeds{op: g.ops[operations.Members], what: "groups.members", need: []string{g.cfg.MemberID}, optional: display})
		var groupDisplay []string
		if g.displayName != nil {
			groupDisplay = []string{g.displayName.Column}
		}
		reads = append(reads, readNeeds{op: g.ops[operations.GroupsOfUser], what: "groups.groups_of_user", need: []string{g.idColumn}, optional: groupDisplay})
	}
	for _, e := range s.Entitlements {
		var display []string
		if e.cfg.Display != "" {
			display = []string{e.cfg.Display}
		}
		for _, kind := range []operations.OpKind{operations.List, operations.Get, operations.OfUser} {
			reads = append(reads, readNeeds{op: e.cfg.Operations[kind], what: "entitlements." + e.cfg.Name + "." + string(kind), need: []string{e.cfg.ID}, optional: display})
		}
	}
	if u := s.Users; u != nil {
		for _, c := range u.children {
			var need []string
			for _, sc := range c.cfg.Columns {
				need = append(need, sc.Column)
			}
			reads = append(reads, readNeeds{op: c.cfg.Read, what: c.name + ".read", need: need})
		}
	}
	var out []Problem
	for _, r := range reads {
		if r.op == nil || r.op.Kind != operations.SQL || refused[r.op.Pos] {
			continue
		}
		names, err := columnsOf(ctx, s.pool, r.op)
		if err != nil {
			out = append(out, Problem{Pos: r.op.Pos, Msg: fmt.Sprintf("%s: %s", r.what, firstLine(err.Error()))})
			continue
		}
		have := map[string]bool{}
		for _, n := range names {
			have[run.Key(n)] = true
		}
		sort.Strings(names)
		for _, col := range r.need {
			if col != "" && !have[run.Key(col)] {
				out = append(out, Problem{Pos: r.op.Pos, Msg: fmt.Sprintf("%s does not return column %s, which dbscim reads from each row (it returns %s): every row would read as nothing",
					r.what, col, strings.Join(names, ", "))})
			}
		}
		for _, col := range r.optional {
			if col != "" && !have[run.Key(col)] {
				out = append(out, Problem{Pos: r.op.Pos, Warning: true, Msg: fmt.Sprintf("%s does not return column %s (it returns %s): its values are served without a display name",
					r.what, col, strings.Join(names, ", "))})
			}
		}
	}
	return out
}

// columnsOf returns the columns a read returns. A statement is wrapped so that
// no row is read (closing a result set drains it, which on a large table took a
// second); a routine call is run as declared.
func columnsOf(ctx context.Context, pool *run.Pool, op *operations.Operation) ([]string, error) {
	text := op.Text
	if op.Kind == operations.SQL {
		text = "SELECT * FROM " + pool.Dialect.DerivedTable(op.Text, "t") + " WHERE 1 = 0"
	}
	rows, err := pool.Dialect.Query(ctx, pool.DB, text, run.Bind(op, run.Record{}))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}
