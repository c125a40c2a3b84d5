package sqlgen

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dbscim/dbscim/engine/scim/filter"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

// ErrNoPushdown says a filter or a sort cannot be written as SQL over the list
// statement's columns; the caller then filters the list in memory while it
// streams.
var ErrNoPushdown = errors.New("filter cannot be pushed down")

// where translates a SCIM filter into a WHERE condition over the derived table "t",
// with every compared value bound as a parameter.
type where struct {
	d     dialects.Dialect
	table *Table
	next  int // the number of the next placeholder
	args  []dialects.Arg
}

func (w *where) param(v any) string {
	w.args = append(w.args, dialects.Arg{Value: v})
	p := w.d.Placeholder(w.next)
	w.next++
	return p
}

func (w *where) expr(e filter.Expression) (string, error) {
	return logical(e, func(e filter.Expression) (string, error) {
		switch x := e.(type) {
		case *filter.AttributeExpression:
			return w.compare(x)
		case *filter.ValuePath:
			return w.valuePath(x)
		}
		return "", ErrNoPushdown
	})
}

// logical translates and, or and not the same way wherever a filter stands (the
// whole filter, one mapped element of a multi-valued attribute, one child row);
// leaf translates every other expression, the comparisons whose meaning depends
// on where they stand.
func logical(e filter.Expression, leaf func(filter.Expression) (string, error)) (string, error) {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		l, err := logical(x.Left, leaf)
		if err != nil {
			return "", err
		}
		r, err := logical(x.Right, leaf)
		if err != nil {
			return "", err
		}
		op := " AND "
		if x.Operator == filter.OR {
			op = " OR "
		}
		return "(" + l + op + r + ")", nil
	case *filter.NotExpression:
		inner, err := logical(x.Expression, leaf)
		if err != nil {
			return "", err
		}
		return "NOT (" + inner + ")", nil
	}
	return leaf(e)
}

// Every condition is two-valued (never SQL NULL), so that NOT and ne mean what they
// mean in memory: a comparison with an absent attribute is false.
const (
	sqlTrue  = "1 = 1"
	sqlFalse = "1 = 0"
)

// multiValued returns the mappings that fill elements of a multi-valued attribute
// (emails[type eq "work"].value, emails[type eq "home"].value, ...).
func (w *where) multiValued(ap filter.AttributePath) []*Column {
	name := strings.ToLower(ap.AttributeName)
	if ap.URIPrefix != nil {
		name = strings.ToLower(*ap.URIPrefix + ":" + ap.AttributeName)
		if strings.EqualFold(*ap.URIPrefix, resource.UserSchemaURN) || strings.EqualFold(*ap.URIPrefix, resource.GroupSchemaURN) {
			name = strings.ToLower(ap.AttributeName)
		}
	}
	var out []*Column
	for i := range w.table.Columns {
		c := &w.table.Columns[i]
		if !c.Simple && c.Attr == name && c.ElemAttr != "" && c.Sub != "" {
			out = append(out, c)
		}
	}
	return out
}

// valuePath translates emails[type eq "work" and value co "x"]: an element matches
// when one of the attribute's mapped elements exists and satisfies the filter.
func (w *where) valuePath(x *filter.ValuePath) (string, error) {
	if x.AttributePath.SubAttribute != nil {
		return "", ErrNoPushdown
	}
	if ch := w.child(x.AttributePath); ch != nil {
		return w.childValuePath(ch, x.ValueFilter)
	}
	cols := w.multiValued(x.AttributePath)
	if len(cols) == 0 {
		return "", ErrNoPushdown
	}
	var branches []string
	for _, c := range cols {
		cond, err := w.element(c, x.ValueFilter)
		if err != nil {
			return "", err
		}
		branches = append(branches, "("+c.Ref+" IS NOT NULL AND "+cond+")")
	}
	return "(" + strings.Join(branches, " OR ") + ")", nil
}

// element translates a filter over one mapped element of a multi-valued attribute:
// its mapped sub-attribute is the column, its filter attribute (type) a constant.
func (w *where) element(c *Column, e filter.Expression) (string, error) {
	return logical(e, func(e filter.Expression) (string, error) {
		x, ok := e.(*filter.AttributeExpression)
		if !ok || x.AttributePath.SubAttribute != nil || x.AttributePath.URIPrefix != nil {
			return "", ErrNoPushdown
		}
		name := x.AttributePath.AttributeName
		switch {
		case strings.EqualFold(name, c.Sub):
			return w.columnCompare(c, x, x.AttributePath.String())
		case strings.EqualFold(name, c.ElemAttr):
			return constantCompare(x.Operator, c.ElemValue, x.CompareValue)
		}
		return "", ErrNoPushdown
	})
}

// constantCompare evaluates a comparison whose left side is a mapping's constant
// (the "work" of emails[type eq "work"]), case-insensitively as type is.
func constantCompare(op filter.CompareOperator, have string, want any) (string, error) {
	s, ok := want.(string)
	if !ok && op != filter.PR {
		return "", ErrNoPushdown
	}
	h, v := strings.ToLower(have), strings.ToLower(s)
	var r bool
	switch op {
	case filter.PR:
		r = have != ""
	case filter.EQ:
		r = h == v
	case filter.NE:
		r = h != v
	case filter.CO:
		r = strings.Contains(h, v)
	case filter.SW:
		r = strings.HasPrefix(h, v)
	case filter.EW:
		r = strings.HasSuffix(h, v)
	default:
		return "", ErrNoPushdown
	}
	if r {
		return sqlTrue, nil
	}
	return sqlFalse, nil
}

func (w *where) compare(x *filter.AttributeExpression) (string, error) {
	path := x.AttributePath.String()
	if strings.EqualFold(path, "id") {
		s, ok := x.CompareValue.(string)
		col := w.table.ID
		switch {
		case x.Operator == filter.PR:
			return col + " IS NOT NULL", nil
		case ok && x.Operator == filter.EQ:
			return "(" + col + " IS NOT NULL AND " + w.d.Text(col) + " = " + w.param(s) + ")", nil
		case ok && x.Operator == filter.NE:
			return "(" + col + " IS NULL OR " + w.d.Text(col) + " <> " + w.param(s) + ")", nil
		}
		return "", ErrNoPushdown
	}
	if c := w.table.column(path); c != nil {
		return w.columnCompare(c, x, path)
	}
	if ch := w.child(x.AttributePath); ch != nil {
		return w.childCompare(ch, x)
	}
	// A sub-attribute of a multi-valued attribute (emails.value, emails.type, or
	// emails itself for its value): true when any mapped element matches.
	sub := x.AttributePath.SubAttributeName()
	if sub == "" {
		sub = "value"
	}
	cols := w.multiValued(filter.AttributePath{URIPrefix: x.AttributePath.URIPrefix, AttributeName: x.AttributePath.AttributeName})
	if len(cols) == 0 {
		return "", ErrNoPushdown
	}
	if x.Operator == filter.NE {
		eq := *x
		eq.Operator = filter.EQ
		cond, err := w.compare(&eq)
		if err != nil {
			return "", err
		}
		return "NOT " + cond, nil
	}
	inner := &filter.AttributeExpression{AttributePath: filter.AttributePath{AttributeName: sub}, Operator: x.Operator, CompareValue: x.CompareValue}
	var branches []string
	for _, c := range cols {
		cond, err := w.element(c, inner)
		if err != nil {
			return "", err
		}
		branches = append(branches, "("+c.Ref+" IS NOT NULL AND "+cond+")")
	}
	return "(" + strings.Join(branches, " OR ") + ")", nil
}

// columnCompare compares one mapped column, two-valued: an absent (NULL) value
// matches only ne.
func (w *where) columnCompare(c *Column, x *filter.AttributeExpression, path string) (string, error) {
	if len(c.Codes) > 0 {
		return w.coded(c, x)
	}
	col := c.Ref
	if x.Operator == filter.PR {
		if c.Kind == "string" {
			return "(" + col + " IS NOT NULL AND " + col + " <> " + w.param("") + ")", nil
		}
		return col + " IS NOT NULL", nil
	}
	if x.CompareValue == nil {
		switch x.Operator {
		case filter.EQ:
			return col + " IS NULL", nil
		case filter.NE:
			return col + " IS NOT NULL", nil
		}
		return "", fault.New(fault.InvalidFilter, "%s null: only eq and ne compare with null", x.Operator)
	}
	if c.Kind != "string" {
		v, err := c.ToDB(x.CompareValue)
		if err != nil {
			return "", fault.New(fault.InvalidFilter, "%s cannot be compared with %v", path, x.CompareValue)
		}
		return w.ordered(col, x.Operator, v, c.Kind, path)
	}
	s, ok := x.CompareValue.(string)
	if !ok {
		s, _ = resource.ToText(x.CompareValue)
	}
	lhs := col
	fold := c.Fold
	if fold {
		lhs = w.d.Fold(lhs)
	} else {
		// A case-exact attribute (externalId, id-like values) compares byte for byte,
		// whatever the column's collation (MariaDB's defaults ignore case).
		lhs = w.d.Text(col)
	}
	arg := func(v string) string {
		p := w.param(v)
		if fold {
			return w.d.Fold(p)
		}
		return p
	}
	var cmp string
	switch x.Operator {
	case filter.EQ:
		cmp = lhs + " = " + arg(s)
		if !fold {
			// The plain comparison first, so that the column's index finds the
			// candidates; the exact one then decides.
			cmp = col + " = " + arg(s) + " AND " + cmp
		}
	case filter.NE:
		return "(" + col + " IS NULL OR " + lhs + " <> " + arg(s) + ")", nil
	case filter.CO:
		cmp = w.d.Like(lhs, arg("%"+dialects.EscapeLike(s)+"%")) + w.exactSubstring(col, x.Operator, s, fold)
	case filter.SW:
		cmp = w.d.Like(lhs, arg(dialects.EscapeLike(s)+"%")) + w.exactSubstring(col, x.Operator, s, fold)
	case filter.EW:
		cmp = w.d.Like(lhs, arg("%"+dialects.EscapeLike(s))) + w.exactSubstring(col, x.Operator, s, fold)
	case filter.GT:
		cmp = lhs + " > " + arg(s)
	case filter.GE:
		cmp = lhs + " >= " + arg(s)
	case filter.LT:
		cmp = lhs + " < " + arg(s)
	case filter.LE:
		cmp = lhs + " <= " + arg(s)
	default:
		return "", ErrNoPushdown
	}
	return "(" + col + " IS NOT NULL AND " + cmp + ")", nil
}

// exactSubstring adds, where the dialect's LIKE ignores case (SQLite), the
// case-exact check of a substring match on a case-exact attribute.
func (w *where) exactSubstring(col string, op filter.CompareOperator, s string, fold bool) string {
	blind, ok := w.d.(dialects.CaseBlindLike)
	if fold || s == "" || !ok {
		return ""
	}
	where := dialects.Suffix
	switch op {
	case filter.CO:
		where = dialects.Contains
	case filter.SW:
		where = dialects.Prefix
	}
	return " AND " + blind.ExactSubstring(col, where, func() string { return w.param(s) })
}

// ordered compares a non-string column (boolean, integer, dateTime) with a value
// already converted to its stored form.
func (w *where) ordered(col string, op filter.CompareOperator, v any, kind, path string) (string, error) {
	if v == nil {
		return "", ErrNoPushdown
	}
	sym := map[filter.CompareOperator]string{filter.EQ: "=", filter.GT: ">", filter.GE: ">=", filter.LT: "<", filter.LE: "<="}
	switch op {
	case filter.NE:
		return "(" + col + " IS NULL OR " + col + " <> " + w.param(v) + ")", nil
	case filter.CO, filter.SW, filter.EW:
		return "", fault.New(fault.InvalidFilter, "%s is a %s: %s applies only to strings", path, kind, op)
	}
	if kind == "boolean" && op != filter.EQ {
		return "", fault.New(fault.InvalidFilter, "%s is a boolean: only eq, ne and pr apply", path)
	}
	s, ok := sym[op]
	if !ok {
		return "", fmt.Errorf("%w: operator %s", ErrNoPushdown, op)
	}
	lhs, rhs := col, w.param(v)
	if tt, ok := w.d.(dialects.TextTimes); ok && kind == "dateTime" {
		lhs, rhs = tt.Time(col), tt.Time(rhs)
	}
	return "(" + col + " IS NOT NULL AND " + lhs + " " + s + " " + rhs + ")", nil
}

// coded compares a column with a value map. The SCIM values are few and known, so
// the comparison is decided here for each of them, and the condition tests the
// column for the stored codes of those that satisfy it. A stored value outside the
// map reads as an absent attribute, so it matches what NULL matches: only ne, and
// eq null.
func (w *where) coded(c *Column, x *filter.AttributeExpression) (string, error) {
	var all, hit []any
	for _, code := range c.Codes {
		all = append(all, code.Stored...)
		op := x.Operator
		if op == filter.NE {
			op = filter.EQ
		}
		if x.CompareValue != nil && op != filter.PR && resource.CompareOne(op, c.Kind, !c.Fold, code.Value, x.CompareValue) {
			hit = append(hit, code.Stored...)
		}
	}
	switch {
	case x.Operator == filter.PR || x.CompareValue == nil && x.Operator == filter.NE:
		return "(" + c.Ref + " IS NOT NULL AND " + w.codeIn(c.Ref, all) + ")", nil
	case x.CompareValue == nil && x.Operator == filter.EQ:
		return "(" + c.Ref + " IS NULL OR NOT " + w.codeIn(c.Ref, all) + ")", nil
	case x.CompareValue == nil:
		return "", fault.New(fault.InvalidFilter, "%s null: only eq and ne compare with null", x.Operator)
	case x.Operator == filter.NE:
		if len(hit) == 0 {
			return sqlTrue, nil
		}
		return "(" + c.Ref + " IS NULL OR NOT " + w.codeIn(c.Ref, hit) + ")", nil
	}
	if len(hit) == 0 {
		return sqlFalse, nil
	}
	return "(" + c.Ref + " IS NOT NULL AND " + w.codeIn(c.Ref, hit) + ")", nil
}

// codeIn tests a column for stored codes as the store reads them: a stored value
// is read through the map byte for byte once its trailing spaces (CHAR padding)
// are trimmed. Plain STATUS IN ('A') differs from that twice: under MariaDB's
// case-insensitive collations it holds for 'a', and on SQLite and PostgreSQL it
// fails for a VARCHAR 'A '. So string codes are compared with the column's text,
// trailing spaces trimmed, byte for byte (no index helps, but a column of a few
// codes is rarely worth one). Codes of other types (1, 0) are compared as they
// are: they have no case or padding to differ in.
func (w *where) codeIn(col string, codes []any) string {
	for _, c := range codes {
		if _, ok := c.(string); !ok {
			return w.in(col, codes)
		}
	}
	return w.in("RTRIM("+w.d.Text(col)+")", codes)
}

// in is col IN (...) over bound values.
func (w *where) in(col string, values []any) string {
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = w.param(v)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

// child returns the child-table attribute a path names, or nil.
func (w *where) child(ap filter.AttributePath) *Child {
	if ap.URIPrefix != nil && !strings.EqualFold(*ap.URIPrefix, resource.UserSchemaURN) {
		return nil
	}
	for i := range w.table.Children {
		if strings.EqualFold(w.table.Children[i].Attr, ap.AttributeName) {
			return &w.table.Children[i]
		}
	}
	return nil
}

// childColumn returns a child's string sub-attribute; a boolean one (primary)
// is stored in forms SQL cannot compare without knowing them, so it stays in
// memory.
func childColumn(ch *Child, sub string) (*Column, error) {
	for i := range ch.Columns {
		if c := &ch.Columns[i]; strings.EqualFold(c.Sub, sub) {
			if c.Kind != "string" {
				return nil, ErrNoPushdown
			}
			return c, nil
		}
	}
	return nil, ErrNoPushdown
}

// childExists is true when one of the user's child rows satisfies cond. A row
// whose columns are all NULL is no value, as when the store reads it.
func (w *where) childExists(ch *Child, cond string) (string, error) {
	if ch.Read == "" {
		return "", ErrNoPushdown
	}
	var present []string
	for _, c := range ch.Columns {
		present = append(present, c.Ref+" IS NOT NULL")
	}
	return "EXISTS (SELECT 1 FROM " + w.d.DerivedTable(ch.Read, "c") + " WHERE (" + strings.Join(present, " OR ") + ") AND " + cond + ")", nil
}

// childCompare translates phoneNumbers.value eq "x" (or phoneNumbers eq "x",
// its value): some value of the user's matches. ne is no value equal, as for
// the multi-valued attributes mapped to columns; pr without a sub-attribute is
// having a value at all.
func (w *where) childCompare(ch *Child, x *filter.AttributeExpression) (string, error) {
	sub := x.AttributePath.SubAttributeName()
	if x.Operator == filter.NE {
		eq := *x
		eq.Operator = filter.EQ
		cond, err := w.childCompare(ch, &eq)
		if err != nil {
			return "", err
		}
		return "NOT " + cond, nil
	}
	if sub == "" && x.Operator == filter.PR {
		return w.childExists(ch, sqlTrue)
	}
	if sub == "" {
		sub = "value"
	}
	c, err := childColumn(ch, sub)
	if err != nil {
		return "", err
	}
	cond, err := w.columnCompare(c, &filter.AttributeExpression{AttributePath: filter.AttributePath{AttributeName: sub}, Operator: x.Operator, CompareValue: x.CompareValue}, x.AttributePath.String())
	if err != nil {
		return "", err
	}
	return w.childExists(ch, cond)
}

// childValuePath translates phoneNumbers[type eq "mobile" and value sw "+44"]:
// one of the user's values satisfies the whole filter.
func (w *where) childValuePath(ch *Child, e filter.Expression) (string, error) {
	cond, err := w.childElement(ch, e)
	if err != nil {
		return "", err
	}
	return w.childExists(ch, cond)
}

func (w *where) childElement(ch *Child, e filter.Expression) (string, error) {
	return logical(e, func(e filter.Expression) (string, error) {
		x, ok := e.(*filter.AttributeExpression)
		if !ok || x.AttributePath.SubAttribute != nil || x.AttributePath.URIPrefix != nil {
			return "", ErrNoPushdown
		}
		c, err := childColumn(ch, x.AttributePath.AttributeName)
		if err != nil {
			return "", err
		}
		return w.columnCompare(c, x, ch.Attr+"."+x.AttributePath.AttributeName)
	})
}
