package store

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/sqlgen"
	"github.com/dbscim/dbscim/operations"
)

// Problem is something a check of a target against its live database found, at the
// place in the configuration it is about.
type Problem struct {
	Pos operations.Position
	Msg string
	// Warning marks a risk the target can still serve with (a case-sensitive
	// unique index, say): validate reports it, but serve does not hold the target
	// back for it. Every other problem makes requests fail, so serve does.
	Warning bool
}

// Errors returns the problems that are not warnings: those that make requests
// fail.
func Errors(problems []Problem) []Problem {
	var out []Problem
	for _, p := range problems {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

func (p Problem) String() string {
	if p.Warning {
		return p.Pos.String() + ": warning: " + p.Msg
	}
	return p.Pos.String() + ": " + p.Msg
}

// Check compares the configuration with the live database without changing
// anything: every SQL statement is prepared (its syntax, tables and columns are
// checked by the database itself), every call is compared with the catalog, the
// values bound are compared by type with what they go into (CheckOperations),
// and the columns the attribute mappings read must be among those the list and
// get statements return. Risks the target can serve with (an id that changes
// with the login, a userName index that compares letter case, an attribute no
// operation writes) are warnings.
func (s *Stores) Check(ctx context.Context) []Problem {
	out := CheckOperations(ctx, s.pool, s.cfg, s.cfg.Declared())
	// A read the database already refused is reported once, not again for
	// every column it was to return.
	refused := map[operations.Position]bool{}
	for _, p := range out {
		refused[p.Pos] = true
	}
	columns := func(t *table, op *operations.Operation, what string) []Problem {
		if op == nil || refused[op.Pos] {
			return nil
		}
		return t.checkColumns(ctx, op, what)
	}
	if s.Users != nil {
		out = append(out, s.Users.checkAttributeNames()...)
	}
	if s.Groups != nil {
		out = append(out, s.Groups.checkAttributeNames()...)
	}
	if s.Users != nil {
		out = append(out, columns(&s.Users.table, s.Users.table.listOp, "users")...)
		out = append(out, columns(&s.Users.table, s.Users.table.getOp, "users")...)
		out = append(out, s.Users.checkActiveValues(ctx)...)
		out = append(out, s.Users.checkCodedValues(ctx, s.Users.active)...)
		for _, c := range s.Users.children {
			for _, op := range []*operations.Operation{c.cfg.Read, c.cfg.Add, c.cfg.Remove} {
				if op == nil || op.Kind != operations.SQL {
					continue
				}
				st, err := s.pool.DB.PrepareContext(ctx, op.Text)
				if err != nil {
					out = append(out, Problem{Pos: op.Pos, Msg: fmt.Sprintf("%s.%s: the database refuses the statement: %s", c.name, op.Name, firstLine(err.Error()))})
					continue
				}
				st.Close()
			}
		}
	}
	if s.Groups != nil {
		out = append(out, columns(&s.Groups.table, s.Groups.table.listOp, "groups")...)
		out = append(out, columns(&s.Groups.table, s.Groups.table.getOp, "groups")...)
		out = append(out, s.Groups.checkCodedValues(ctx, nil)...)
	}
	out = append(out, s.checkIgnoredErrors()...)
	out = append(out, s.checkMutableID()...)
	out = append(out, s.checkReads(ctx, refused)...)
	out = append(out, s.checkFoldedWrites()...)
	out = append(out, s.checkValueFilters()...)
	out = append(out, s.checkUnwritten()...)
	out = append(out, s.checkUniqueIndexes(ctx)...)
	return out
}

// ignoresErrors finds statements that turn the database's refusal into success.
var ignoresErrors = regexp.MustCompile(`(?is)\bINSERT\s+(OR\s+)?IGNORE\b|\bON\s+CONFLICT\b.*\bDO\s+NOTHING\b`)

// checkIgnoredErrors reports member and grant writes that ignore errors: adding a
// member or granting an entitlement that does not exist would be answered as done
// with nothing stored. dbscim adds only what is missing, so a plain INSERT is
// what these operations need.
func (s *Stores) checkIgnoredErrors() []Problem {
	var ops []*operations.Operation
	if g := s.cfg.Groups; g != nil {
		ops = append(ops, g.Operations[operations.AddMember])
	}
	for _, e := range s.cfg.Entitlements {
		ops = append(ops, e.Operations[operations.Grant])
	}
	var out []Problem
	for _, op := range ops {
		if op == nil || op.Kind != operations.SQL {
			continue
		}
		if m := ignoresErrors.FindString(op.Source); m != "" {
			out = append(out, Problem{Pos: op.Pos, Msg: fmt.Sprintf("%s: %s hides the database's refusal: a member or grant that does not exist would be answered as done with nothing stored; write a plain INSERT (dbscim adds only what is missing)",
				op.Name, strings.Join(strings.Fields(m), " "))})
		}
	}
	return out
}

// checkActiveValues reads the values the active column holds (up to 50 distinct
// ones) and reports those that do not read as a boolean: a status column such as
// A/L/T mapped without saying which values are active.
func (s *Users) checkActiveValues(ctx context.Context) []Problem {
	if s.active == nil || s.active.kind != "boolean" {
		return nil
	}
	return s.checkValues(ctx, s.active)
}

// checkCodedValues does the same for every other attribute read through a value
// map (a coded userType, say): a stored code the map does not list is read as no
// value at all.
func (s *table) checkCodedValues(ctx context.Context, skip *column) []Problem {
	var out []Problem
	for i := range s.cols {
		if c := &s.cols[i]; c != skip && c.Coded() && c.Column != "" {
			out = append(out, s.checkValues(ctx, c)...)
		}
	}
	return out
}

// checkValues samples up to 50 distinct values of c's column through the list
// statement and reports those that do not read as an attribute value.
func (s *table) checkValues(ctx context.Context, c *column) []Problem {
	op := s.listOp
	if op == nil || op.Kind != operations.SQL {
		return nil
	}
	d := s.pool.Dialect
	text := "SELECT DISTINCT t." + sqlgen.Ident(d, c.Column) + " AS v FROM " + d.DerivedTable(op.Text, "t")
	var bad []string
	seen := 0
	err := s.pool.Each(ctx, s.pool.DB, &operations.Operation{Name: op.Name, Text: text}, run.Bind(op, run.Record{}), func(r run.Record) (bool, error) {
		seen++
		if v, ok := r.Get("v"); ok && v != nil {
			if _, ok := c.toSCIM(v); !ok {
				bad = append(bad, quoted(v))
			}
		}
		return seen < 50, nil
	})
	if err != nil || len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	if c.Coded() {
		fix := "add each under values:"
		if c.kind == "boolean" {
			fix = "add each to true: or false:"
		}
		// A warning: the target serves such rows (the attribute is left out and
		// the value logged), so a stray code must not hold the target back.
		return []Problem{{Pos: c.Pos, Msg: fmt.Sprintf("%s: column %s holds values its value map does not list (%s): they are read as no value at all; %s",
			c.Path, c.Column, strings.Join(bad, ", "), fix), Warning: true}}
	}
	return []Problem{{Pos: c.Pos, Msg: fmt.Sprintf("%s: column %s holds values that do not read as true or false (%s): say which are active with {column: %s, type: boolean, true: ..., false: ...}",
		c.Path, c.Column, strings.Join(bad, ", "), c.Column)}}
}

func quoted(v any) string { return strconv.Quote(text(v)) }

// checkAttributeNames reports mappings whose path names an attribute or
// sub-attribute the schema does not define (titel, name.givneName, emails.work):
// clients would never send or read it under that name, so its column would be
// neither written nor returned as the DBA meant.
func (s *table) checkAttributeNames() []Problem {
	var out []Problem
	for _, c := range s.cols {
		if c.unknown != "" {
			out = append(out, Problem{Pos: c.Pos, Msg: c.Path + ": " + c.unknown})
		}
	}
	return out
}

// checkColumns runs a read operation (list, or get with no id) and reports mapped
// columns it does not return: a get that returns fewer columns than list would
// make a later write put NULL over the missing ones.
func (s *table) checkColumns(ctx context.Context, op *operations.Operation, what string) []Problem {
	names, err := columnsOf(ctx, s.pool, op)
	if err != nil {
		return []Problem{{Pos: op.Pos, Msg: fmt.Sprintf("%s.%s: %s", what, op.Name, firstLine(err.Error()))}}
	}
	have := map[string]bool{}
	for _, n := range names {
		have[run.Key(n)] = true
	}
	sort.Strings(names)
	var out []Problem
	if !have[run.Key(s.idColumn)] {
		out = append(out, Problem{Pos: op.Pos, Msg: fmt.Sprintf("%s.%s does not return the id column %s (it returns %s)", what, op.Name, s.idColumn, strings.Join(names, ", "))})
	}
	for _, c := range s.cols {
		if c.schemaWriteOnly || c.Mutability == "writeOnly" {
			continue // written, never read back (a password)
		}
		if !have[run.Key(c.Column)] {
			out = append(out, Problem{Pos: c.Pos, Msg: fmt.Sprintf("%s: column %s is not among the columns %s.%s returns (%s)", c.Path, c.Column, what, op.Name, strings.Join(names, ", "))})
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

// routineName is a routine's name without its schema.
func routineName(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}
