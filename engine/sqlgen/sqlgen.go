// Package sqlgen builds the SQL dbscim sends around the statements a DBA
// declares: the list statement used as a derived table, a SCIM filter pushed into
// its WHERE clause with every compared value bound, keyset and OFFSET paging, the
// COUNT of a filtered list, and multi-row INSERTs from a declared single-row one.
// Every function is pure: the same dialect, declared statement and request give
// the same text and arguments, which the golden files under testdata pin for each
// dialect. It runs nothing.
package sqlgen

import (
	"strings"
	"sync"

	"github.com/dbscim/dbscim/engine/scim/filter"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/resource"
)

// Table is a declared list statement and the columns mapped from it, around which
// SQL is built. The list statement is used as the derived table "t".
type Table struct {
	Dialect dialects.Dialect
	// List is the list statement's native text; Params is the number of
	// placeholders it holds (the SQL built around it numbers its own after them).
	List   string
	Params int
	// ID is the id column as the derived table names it ("t.user_id").
	ID string
	// Columns are the mapped columns.
	Columns []Column
	// Children are the multi-valued attributes kept in child tables.
	Children []Child

	// pages are page texts already built, by what they depend on (pageShape).
	pages kept[pageShape, string]
	// equals are the conditions of `attr eq "text"` on plain text columns,
	// by attribute as the filter spells it (equalsShape).
	equals kept[equalsShape, equalsText]
}

// equalsShape names a filter comparing one attribute with eq to a string, as
// the filter spells the attribute. On a plain text column (no value map) its
// condition's text does not depend on the string, which it binds as every one
// of its values: the lookup IdPs send before every create (userName eq "x")
// is translated once per spelling, not on every request.
type equalsShape struct{ name, sub string }

// equalsText is such a condition's text and the number of values it binds.
type equalsText struct {
	text   string
	values int
}

// pageShape is what the text of a page depends on: its condition's text and number
// of values, the order, and whether it continues after an id. The values
// themselves are bound, so every lookup of one shape (userName eq "..." of any
// user) runs one text.
type pageShape struct {
	cond       string
	condArgs   int
	sortBy     string
	descending bool
	after      bool
}

// maxPageTexts bounds the texts a Table keeps: filters' shapes come from clients,
// and one that sends ever new shapes gets its pages built each time past it.
const maxPageTexts = 256

// kept keeps what a Table builds once per shape (page texts, conditions), so that
// a lookup does not rebuild (and re-scan the list statement for) the same text on
// every request; past maxPageTexts shapes it keeps no more.
type kept[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]V
}

func (k *kept[K, V]) get(key K) (V, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	v, ok := k.m[key]
	return v, ok
}

func (k *kept[K, V]) put(key K, v V) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[K]V{}
	}
	if len(k.m) < maxPageTexts {
		k.m[key] = v
	}
}

// Child is a multi-valued attribute kept in a child table (phone numbers by
// type). A filter on it is EXISTS over the child's read statement, nested as
// the derived table "c" of a subquery, its parameter (the user's id) bound to
// the list's id column: EXISTS (SELECT 1 FROM (SELECT kind, num FROM phones
// WHERE emp_id = t.id) AS c WHERE ...).
type Child struct {
	// Attr is the attribute, lower case ("phonenumbers").
	Attr string
	// Read is the read statement's native text with its parameter already the
	// list's id column; "" when it cannot be nested (a procedure, a parameter
	// other than the id, a database that refuses it): the filter is then not
	// pushed down.
	Read string
	// Columns are its sub-attributes, Sub as the schema spells it and Ref as
	// "c.num".
	Columns []Column
}

// Column is one attribute mapping, as SQL generation needs it.
type Column struct {
	// Ref is the column as the derived table names it ("t.user_name").
	Ref string
	// Kind is the SCIM type: "string", "boolean", "integer", "decimal" or
	// "dateTime".
	Kind string
	// Fold says the attribute compares case-insensitively (caseExact false).
	Fold bool
	// Simple says the mapping is a single-valued attribute or a sub-attribute of
	// a complex one, which a filter compares directly.
	Simple bool
	// Attr is the top-level attribute, lower case ("name", "emails",
	// "urn:...:user:department"); Sub its sub-attribute as the schema spells it.
	Attr, Sub string
	// ElemAttr and ElemValue are the value filter of a multi-valued mapping such
	// as emails[type eq "work"].value: the element it fills has ElemAttr = ElemValue.
	ElemAttr, ElemValue string
	// ToDB converts a value a filter compares a non-string column with into the
	// column's stored form, refusing values of the wrong type.
	ToDB func(any) (any, error)
	// Codes is the column's value map, if it has one: a comparison becomes a
	// test of the stored codes whose SCIM values satisfy it (STATUS IN ('A', 'L')).
	Codes []Code
}

// Code is one SCIM value of a column with a value map and its stored forms.
type Code struct {
	Value  any
	Stored []any
}

// Statement is built SQL: its native text and the arguments bound to its
// placeholders after the list statement's own.
type Statement struct {
	Text string
	Args []dialects.Arg
}

// Page asks for one page of a list.
type Page struct {
	// SortBy is an attribute path, "" for id order; Descending reverses it.
	SortBy     string
	Descending bool
	// After, when set, continues a walk in id order after the id it holds
	// (keyset paging). Skip is the OFFSET: counted from the start of the list,
	// or with After, from the row after After's id (a replica that served an
	// earlier page but not the one just before this one skips the pages between).
	After *any
	Skip  int64
	// Count is the page size.
	Count int
}

// Condition is a filter translated once for the statements of one request: the
// condition of a WHERE clause over the derived table ("" for no filter) and the
// values it binds, numbered after the list statement's own placeholders.
type Condition struct {
	Text string
	Args []dialects.Arg
}

// Where translates a filter (nil for none) into a Condition. It returns
// ErrNoPushdown for a filter that SQL over these columns cannot express, and an
// engine error (invalid filter) for one no evaluation could accept.
func (t *Table) Where(f filter.Expression) (Condition, error) {
	if f == nil {
		return Condition{}, nil
	}
	// attr eq "text", translated once per spelling of attr (equalsShape).
	x, isEq := f.(*filter.AttributeExpression)
	var value string
	var shape equalsShape
	if isEq {
		value, isEq = x.CompareValue.(string)
		isEq = isEq && x.Operator == filter.EQ && x.AttributePath.URIPrefix == nil
	}
	if isEq {
		shape = equalsShape{x.AttributePath.AttributeName, x.AttributePath.SubAttributeName()}
		if e, ok := t.equals.get(shape); ok {
			args := make([]dialects.Arg, e.values)
			for i := range args {
				args[i].Value = value
			}
			return Condition{Text: e.text, Args: args}, nil
		}
	}
	w := &where{d: t.Dialect, table: t, next: t.Params + 1}
	cond, err := w.expr(f)
	if err != nil {
		return Condition{}, err
	}
	if isEq && t.plainText(x.AttributePath.String()) && bindsOnly(w.args, value) {
		t.equals.put(shape, equalsText{text: cond, values: len(w.args)})
	}
	return Condition{Text: cond, Args: w.args}, nil
}

// plainText reports whether path names a mapped column compared as text
// without a value map: a column whose eq condition binds the compared string
// as it is, in a text that does not depend on it.
func (t *Table) plainText(path string) bool {
	c := t.column(path)
	return c != nil && c.Kind == "string" && len(c.Codes) == 0
}

// bindsOnly reports whether every value of args is the string s.
func bindsOnly(args []dialects.Arg, s string) bool {
	for _, a := range args {
		if v, ok := a.Value.(string); !ok || v != s {
			return false
		}
	}
	return len(args) > 0
}

// Page builds the statement of one page: the list filtered by c in the requested
// order, after After's id (when set) and then Skip rows, at most Count rows.
func (t *Table) Page(c Condition, p Page) (Statement, error) {
	shape := pageShape{cond: c.Text, condArgs: len(c.Args), sortBy: p.SortBy, descending: p.Descending, after: p.After != nil}
	if text, ok := t.pages.get(shape); ok {
		// The values in the order the text binds them, as below.
		args := make([]dialects.Arg, 0, len(c.Args)+3)
		args = append(args, c.Args...)
		if p.After != nil {
			args = append(args, dialects.Arg{Value: *p.After})
		}
		args = append(args, dialects.Arg{Value: int64(p.Count)}, dialects.Arg{Value: p.Skip})
		return Statement{Text: text, Args: args}, nil
	}
	order, err := t.orderBy(p.SortBy, p.Descending)
	if err != nil {
		return Statement{}, err
	}
	w := &where{d: t.Dialect, table: t, next: t.Params + 1 + len(c.Args), args: append([]dialects.Arg(nil), c.Args...)}
	var conds []string
	if c.Text != "" {
		conds = append(conds, c.Text)
	}
	skip := p.Skip
	if p.After != nil {
		conds = append(conds, t.ID+" > "+w.param(*p.After))
	}
	d := t.Dialect
	limit := w.param(int64(p.Count))
	offset := w.param(skip)
	text := "SELECT * FROM " + d.DerivedTable(t.List, "t") + whereClause(conds) + " ORDER BY " + order + " " + d.Limit(limit, offset)
	t.pages.put(shape, text)
	return Statement{Text: text, Args: w.args}, nil
}

// Count builds the statement that counts the list filtered by c, as one row with
// the column n.
func (t *Table) Count(c Condition) Statement {
	var conds []string
	if c.Text != "" {
		conds = append(conds, c.Text)
	}
	return Statement{Text: "SELECT COUNT(*) AS n FROM " + t.Dialect.DerivedTable(t.List, "t") + whereClause(conds), Args: c.Args}
}

// Columns builds the statement that returns no row but the list statement's
// columns, to learn how the database spells them.
func Columns(d dialects.Dialect, list string) string {
	return "SELECT * FROM " + d.DerivedTable(list, "t") + " WHERE 1 = 0"
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// orderBy is the ORDER BY of a page: the sort attribute if one was asked for, then
// the id column, so that pages are stable.
func (t *Table) orderBy(sortBy string, descending bool) (string, error) {
	if sortBy == "" {
		return t.ID, nil
	}
	c := t.column(sortBy)
	if c == nil {
		return "", ErrNoPushdown
	}
	dir := " ASC"
	if descending {
		dir = " DESC"
	}
	// RFC 7644 §3.4.2.3: resources without the attribute sort last in ascending
	// order and first in descending order, and case follows the attribute's caseExact.
	value := c.Ref
	if c.Kind == "string" {
		if c.Fold {
			value = t.Dialect.Fold(c.Ref)
		} else {
			value = t.Dialect.Text(c.Ref)
		}
	}
	return "CASE WHEN " + c.Ref + " IS NULL THEN 1 ELSE 0 END" + dir + ", " + value + dir + ", " + t.ID, nil
}

// column finds the mapping of a filterable attribute path ("userName",
// "name.familyName", an extension URN path), or nil.
func (t *Table) column(path string) *Column {
	p := strings.ToLower(path)
	for i := range t.Columns {
		c := &t.Columns[i]
		if !c.Simple {
			continue
		}
		name := c.Attr
		if c.Sub != "" {
			name += "." + strings.ToLower(c.Sub)
		}
		if name == p || (strings.HasPrefix(p, "urn:") && strings.EqualFold(strings.ToLower(resource.UserSchemaURN)+":"+name, p)) {
			return c
		}
	}
	return nil
}

// Ident writes an identifier from the configuration as it is when it is a plain
// identifier, so that the database folds it exactly as it folded the same name in
// the list statement, and quotes it otherwise.
func Ident(d dialects.Dialect, name string) string {
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return d.Quote(name)
		}
	}
	return name
}
