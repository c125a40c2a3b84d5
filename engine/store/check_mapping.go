package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/operations"
)

// The checks of this file find risks a target can still serve with: they are
// warnings, reported by validate and not holding a served target back.

// checkMutableID warns when the id column is the userName column: renaming a
// login then changes the user's id, and the identity provider, which keeps the
// id it was given, loses the user (its next update answers 404).
func (s *Stores) checkMutableID() []Problem {
	u := s.Users
	if u == nil || u.userName == nil || !strings.EqualFold(u.userName.Column, u.idColumn) {
		return nil
	}
	switch u.userName.Mutability {
	case resource.MutabilityReadOnly, resource.MutabilityImmutable:
		return nil
	}
	if m := u.mutability(u.userName); m == resource.MutabilityReadOnly || m == resource.MutabilityImmutable {
		return nil // no operation renames it
	}
	return []Problem{{Pos: u.userName.Pos, Warning: true, Msg: fmt.Sprintf("userName: column %s is also the id: renaming a login changes the user's id and the identity provider loses the user; make the id a column that never changes (a key or a UUID), or write userName: {column: %s, mutability: immutable}",
		u.userName.Column, u.userName.Column)}}
}

// checkValueFilters warns when a value filter of a multi-valued attribute tests
// what an earlier mapping sets from a column (phoneNumbers[type eq "mobile"].value
// beside phoneNumbers[primary eq true].type): reading a row, the filtered value
// goes to the first element the filter matches, so a user whose primary phone
// is a mobile reads as one element, one number in place of the other.
func (s *Stores) checkValueFilters() []Problem {
	var out []Problem
	for _, t := range []*table{s.usersTable(), s.groupsTable()} {
		if t == nil {
			continue
		}
		paths := make([]string, len(t.cols))
		for i, c := range t.cols {
			paths[i] = c.Path
		}
		for _, m := range resource.ValueFiltersMeetValues(paths) {
			for _, c := range t.cols {
				if c.Path == m.Filtered {
					out = append(out, Problem{Pos: c.Pos, Warning: true, Msg: fmt.Sprintf("%s: its filter tests what %s sets: a resource whose values also match it reads as one element, one value in place of the other; describe each element by a filter on what no mapping sets (type eq \"work\", type eq \"mobile\")",
						m.Filtered, m.Setter)})
					break
				}
			}
		}
	}
	return out
}

// usersTable and groupsTable are the stores' tables, nil where the target
// declares no such resource.
func (s *Stores) usersTable() *table {
	if s.Users == nil {
		return nil
	}
	return &s.Users.table
}

func (s *Stores) groupsTable() *table {
	if s.Groups == nil {
		return nil
	}
	return &s.Groups.table
}

// foldedParam is a placeholder wrapped in a function that changes letter case.
var foldedParam = regexp.MustCompile(`(?i)\b(lower|upper|lcase|ucase)\s*\(\s*\?\s*\)`)

// checkFoldedWrites warns about writes that store a mapped attribute in another
// letter case than the client sent (INSERT ... VALUES (LOWER(?))): the client
// reads back a value it did not write, and Okta or Entra then see a change
// they did not make. Uniqueness in any letter case is the index's job (and
// dbscim's, within a process), not the stored value's.
func (s *Stores) checkFoldedWrites() []Problem {
	var out []Problem
	check := func(t *table, ops operations.Operations) {
		for _, kind := range []operations.OpKind{operations.Create, operations.Update} {
			op := ops[kind]
			if op == nil || op.Kind != operations.SQL || strings.Count(op.Source, "?") != len(op.Params) {
				continue
			}
			for _, m := range foldedParam.FindAllStringSubmatchIndex(op.Source, -1) {
				i := strings.Count(op.Source[:m[0]], "?")
				p := op.Params[i]
				if p.Kind != operations.Field {
					continue
				}
				for _, c := range t.cols {
					if c.kind == "string" && strings.EqualFold(c.Column, p.Name) {
						out = append(out, Problem{Pos: paramPos(op, p), Warning: true, Msg: fmt.Sprintf("%s: %s(?) stores %s (column %s) in another letter case than the client sent: the client reads back a value it did not write; bind the value as it is and let a unique index that ignores letter case keep it unique (see %s)",
							op.Name, op.Source[m[2]:m[3]], c.Path, c.Column, indexesDoc)})
						break
					}
				}
			}
		}
	}
	if s.Users != nil {
		check(&s.Users.table, s.Users.ops)
	}
	if s.Groups != nil {
		check(&s.Groups.table, s.Groups.ops)
	}
	return out
}

// checkUnwritten warns about attributes mapped as if writable that no operation
// writes: /Schemas then lists them readOnly and what clients send for them is
// not stored. Only where the resource declares writes at all (a read-only
// target means it), and never for attributes the schema makes read-only
// (meta.*) or the file gives a mutability.
func (s *Stores) checkUnwritten() []Problem {
	var out []Problem
	if u := s.Users; u != nil && (u.ops[operations.Create] != nil || u.ops[operations.Update] != nil) {
		out = append(out, unwritten(&u.table, u.mutability)...)
	}
	if g := s.Groups; g != nil && (g.ops[operations.Create] != nil || g.ops[operations.Update] != nil) {
		out = append(out, unwritten(&g.table, g.mutability)...)
	}
	return out
}

func unwritten(t *table, mut func(*column) string) []Problem {
	var out []Problem
	for i := range t.cols {
		c := &t.cols[i]
		if c.readOnly || c.Mutability != "" || c.Table != nil || strings.EqualFold(c.Column, t.idColumn) {
			continue
		}
		if mut(c) == resource.MutabilityReadOnly {
			out = append(out, Problem{Pos: c.Pos, Warning: true, Msg: fmt.Sprintf("%s: no operation writes column %s (neither create nor update binds it), so /Schemas lists %s as readOnly and values clients send for it are not stored; bind %s in update's params (and create's), or write {column: %s, mutability: readOnly} to mean it",
				c.Path, c.Column, c.Path, c.Column, c.Column)})
		}
	}
	return out
}

// checkUniqueIndexes warns when the column under userName (and groups'
// displayName) has no unique index, or one that compares letter case. dbscim
// serialises the creates of one name within a process; across replicas only
// the database can refuse the second "Ann" (or "ann").
func (s *Stores) checkUniqueIndexes(ctx context.Context) []Problem {
	var out []Problem
	if u := s.Users; u != nil && u.userName != nil {
		out = append(out, u.checkUniqueIndex(ctx, u.userName)...)
	}
	if g := s.Groups; g != nil && g.displayName != nil {
		out = append(out, g.checkUniqueIndex(ctx, g.displayName)...)
	}
	return out
}

// indexesDoc is where docs/operations.md says which index replicas need.
const indexesDoc = "docs/operations.md#replicas-behind-a-load-balancer"

func (s *table) checkUniqueIndex(ctx context.Context, c *column) []Problem {
	if c.Column == "" || s.listOp == nil || s.listOp.Kind != operations.SQL {
		return nil
	}
	table := listTable(s.listOp.Source)
	if table == "" {
		return nil // a join, a view or a subquery: which table holds the column cannot be told
	}
	d := s.pool.Dialect
	schema, name := splitTable(table)
	tables, err := dialects.Tables(ctx, d, s.pool.DB, schema)
	if err != nil {
		return nil
	}
	isTable := false
	for _, t := range tables {
		if strings.EqualFold(t.Name, name) && !t.View {
			isTable = true
		}
	}
	if !isTable {
		return nil
	}
	qualified := name
	if schema != "" {
		qualified = schema + "." + name
	}
	indexes, err := dialects.UniqueIndexes(ctx, d, s.pool.DB, qualified)
	if err != nil {
		return nil
	}
	var sensitive []string
	for _, u := range indexes {
		if !u.On(c.Column) {
			continue
		}
		if u.CaseBlind() {
			return nil
		}
		sensitive = append(sensitive, u.Name)
	}
	fix := dialects.CaseBlindUniqueIndex(d, qualified, c.Column)
	if len(sensitive) == 0 {
		return []Problem{{Pos: c.Pos, Warning: true, Msg: fmt.Sprintf("%s: no unique index on %s.%s: two replicas creating one %s at once can both store it; create one that ignores letter case: %s (see %s)",
			c.Path, qualified, c.Column, c.Path, fix, indexesDoc)}}
	}
	return []Problem{{Pos: c.Pos, Warning: true, Msg: fmt.Sprintf("%s: the unique index %s on %s.%s compares letter case: two replicas can store \"Ann\" and \"ann\" as two %ss; make it ignore case: %s (see %s)",
		c.Path, strings.Join(sensitive, ", "), qualified, c.Column, strings.ToLower(s.kind), fix, indexesDoc)}}
}

// listSelect is a list statement that reads one table: SELECT ... FROM t
// [alias] [WHERE ...] [ORDER BY ...].
var listSelect = regexp.MustCompile(`(?is)^\s*SELECT\s+.+?\s+FROM\s+([\w$."` + "`" + `\[\]]+)(?:\s+(?:AS\s+)?\w+)?(?:\s+(?:WHERE|ORDER\s+BY)\b.*)?\s*;?\s*$`)

// notOneTable are the words that make a list read more than one table.
var notOneTable = regexp.MustCompile(`(?i)\bJOIN\b|\bUNION\b|\(\s*SELECT\b|\bFROM\b[^,]*?,`)

// listTable returns the table a list statement reads when it reads exactly one
// ("" when it joins, unions, nests a query or cannot be read).
func listTable(src string) string {
	m := listSelect.FindStringSubmatch(src)
	if m == nil || notOneTable.MatchString(src) || strings.Count(strings.ToUpper(src), "FROM") != 1 {
		return ""
	}
	return m[1]
}
