package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/dbscim/dbscim/dialects"
	enginerun "github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/store"
	"github.com/dbscim/dbscim/operations"
)

// validate reports, in one run, every problem of the file and every problem the
// live databases show: a target the file's problems do not concern is checked
// whole; one they do is still checked operation by operation, for each
// operation they do not concern, as long as its database section is sound.
// Warnings (risks a target can serve with) do not make it fail.
func validate(args []string, stdout, stderr io.Writer) int {
	path, level, ok := configFlag("validate", args, stderr)
	if !ok {
		return 2
	}
	cfg, fileProblems, err := operations.LoadPartial(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, e := range fileProblems {
		fmt.Fprintln(stderr, e.Error())
	}
	log := newLogger(io.Discard, level)
	// The drivers' own lines would garble the report; each problem is reported
	// below as its database error.
	dialects.SetDriverLogger(log)
	ctx := context.Background()
	errs, warnings := len(fileProblems), 0
	var targets []*operations.Target
	if cfg != nil {
		targets = cfg.Targets
	}
	for _, tc := range targets {
		scope := scopeOf(cfg, tc, fileProblems)
		if scope.database {
			fmt.Fprintf(stderr, "%s: target %s: database not checked: fix its database section first\n", tc.Pos, tc.Name)
			continue
		}
		maxResults := operations.DefaultMaxResults
		if cfg.Server.MaxResults > 0 {
			maxResults = cfg.Server.MaxResults
		}
		pool, err := enginerun.Open(ctx, tc, log)
		if err != nil {
			fmt.Fprintf(stderr, "%s: target %s: %v\n", tc.Pos, tc.Name, err)
			errs++
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err = pool.Ping(pctx)
		cancel()
		if err != nil {
			pool.Close()
			why := dialects.ConnectProblem(err, tc.Database.Connection)
			if why == "" {
				why = pool.Dialect.Classify(err).String()
			}
			fmt.Fprintf(stderr, "%s: target %s: database unreachable: %s\n", tc.Pos, tc.Name, why)
			errs++
			continue
		}
		fmt.Fprintf(stdout, "target %s: %s database reachable\n", tc.Name, pool.Dialect.Name())
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		var problems []store.Problem
		checked := len(scope.ops)
		if scope.whole {
			problems = store.New(pool, tc, maxResults).Check(cctx)
		} else {
			problems = store.CheckOperations(cctx, pool, tc, scope.ops)
		}
		cancel()
		pool.Close()
		sort.SliceStable(problems, func(i, j int) bool {
			a, b := problems[i].Pos, problems[j].Pos
			return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
		})
		failed := false
		for _, p := range problems {
			if p.Warning {
				warnings++
				fmt.Fprintf(stderr, "%s: target %s: warning: %s\n", p.Pos, tc.Name, p.Msg)
				continue
			}
			errs++
			failed = true
			fmt.Fprintf(stderr, "%s: target %s: %s\n", p.Pos, tc.Name, p.Msg)
		}
		if !failed {
			fmt.Fprintf(stdout, "target %s: %d operations checked against the database\n", tc.Name, checked)
		}
	}
	if errs > 0 {
		fmt.Fprintf(stderr, "%s: %d problem(s), %d warning(s)\n", path, errs, warnings)
		return 1
	}
	if warnings > 0 {
		fmt.Fprintf(stdout, "%s: ok, with %d warning(s)\n", path, warnings)
		return 0
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	return 0
}

// scope is what validate can check of a target against its database, given
// the file's problems.
type scope struct {
	// database is true when a problem concerns the target's database section
	// (or its dialect is unknown): there is nothing to connect to.
	database bool
	// whole is true when no problem concerns the target at all: it is checked
	// as serve would build it.
	whole bool
	// ops are the declared operations no problem concerns.
	ops []*operations.Operation
}

// scopeOf works out which parts of a target the file's problems concern. A
// problem concerns the part of the file it lies in: from a known position (an
// operation, a mapping, a section, a target) to the next one, since the loader
// reports each problem inside the block it is about.
func scopeOf(cfg *operations.Config, tc *operations.Target, problems operations.ErrorList) scope {
	if tc.Database.Dialect == nil {
		return scope{database: true}
	}
	marks := []int{cfg.Server.Pos.Line} // the lines where a part of the file starts
	for _, t := range cfg.Targets {
		marks = append(marks, t.Pos.Line, t.Auth.Pos.Line, t.Database.Pos.Line)
		if t.Users != nil {
			marks = append(marks, t.Users.Pos.Line)
			for _, m := range t.Users.Attributes {
				marks = append(marks, m.Pos.Line)
			}
		}
		if t.Groups != nil {
			marks = append(marks, t.Groups.Pos.Line)
			for _, m := range t.Groups.Attributes {
				marks = append(marks, m.Pos.Line)
			}
		}
		for _, e := range t.Entitlements {
			marks = append(marks, e.Pos.Line)
		}
		for _, op := range t.Declared() {
			marks = append(marks, op.Pos.Line)
		}
	}
	sort.Ints(marks)
	// end returns the line before the next part after line.
	end := func(line int) int {
		for _, m := range marks {
			if m > line {
				return m - 1
			}
		}
		return 1 << 30
	}
	within := func(from int) bool {
		to := end(from)
		for _, p := range problems {
			if p.Pos.Line >= from && p.Pos.Line <= to {
				return true
			}
		}
		return false
	}
	if within(tc.Database.Pos.Line) {
		return scope{database: true}
	}
	targetEnd := 1 << 30 // the line before the next target, or the server section after the targets
	for _, line := range append([]int{cfg.Server.Pos.Line}, targetLines(cfg)...) {
		if line > tc.Pos.Line && line-1 < targetEnd {
			targetEnd = line - 1
		}
	}
	s := scope{whole: true}
	for _, p := range problems {
		if p.Pos.Line == 0 || p.Pos.Line >= tc.Pos.Line && p.Pos.Line <= targetEnd {
			s.whole = false
		}
	}
	for _, op := range tc.Declared() {
		if within(op.Pos.Line) || op.Kind == operations.SQL && op.Text == "" || op.Kind == operations.Call && op.Text == "" {
			continue
		}
		s.ops = append(s.ops, op)
	}
	return s
}

func targetLines(cfg *operations.Config) []int {
	lines := make([]int, len(cfg.Targets))
	for i, t := range cfg.Targets {
		lines[i] = t.Pos.Line
	}
	return lines
}
