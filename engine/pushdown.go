package engine

import (
	"errors"
	"fmt"
	"strings"

	filter "github.com/scim2/filter-parser/v2"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/scim"
)

// errNoPushdown says a filter cannot be written as SQL over the list statement's
// columns; the list is then filtered in memory while it streams.
var errNoPushdown = errors.New("filter cannot be pushed down")

// where translates a SCIM filter into a WHERE condition over the derived table "t",
// with every compared value bound as a parameter.
type where struct {
	d     dialects.Dialect
	store *table
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
	switch x := e.(type) {
	case *filter.LogicalExpression:
		l, err := w.expr(x.Left)
		if err != nil {
			return "", err
		}
		r, err := w.expr(x.Right)
		if err != nil {
			return "", err
		}
		op := " AND "
		if x.Operator == filter.OR {
			op = " OR "
		}
		return "(" + l + op + r + ")", nil
	case *filter.NotExpression:
		inner, err := w.expr(x.Expression)
		if err != nil {
			return "", err
		}
		return "NOT (" + inner + ")", nil
	case *filter.AttributeExpression:
		return w.compare(x)
	}
	return "", errNoPushdown
}

func (w *where) compare(x *filter.AttributeExpression) (string, error) {
	path := x.AttributePath.String()
	var col string
	kind, fold := "string", false
	if strings.EqualFold(path, "id") {
		col = w.d.Text("t." + ident(w.d, w.store.idColumn))
	} else {
		c := w.store.columnFor(path)
		if c == nil {
			return "", errNoPushdown
		}
		col = "t." + ident(w.d, c.Column)
		kind, fold = c.kind, c.caseFold && c.kind == "string"
		if x.Operator != filter.PR {
			v, err := c.toDB(x.CompareValue)
			if err != nil {
				return "", scim.Errorf(400, "invalidFilter", "%s cannot be compared with %v", path, x.CompareValue)
			}
			if kind != "string" {
				return w.ordered(col, x.Operator, v, kind, path)
			}
		}
	}
	if x.Operator == filter.PR {
		return col + " IS NOT NULL", nil
	}
	s, ok := x.CompareValue.(string)
	if !ok {
		if x.CompareValue == nil || kind != "string" {
			return "", errNoPushdown
		}
		s = text(x.CompareValue)
	}
	lhs, rhs := col, w.param(s)
	if fold {
		lhs, rhs = w.d.Fold(lhs), w.d.Fold(rhs)
	}
	switch x.Operator {
	case filter.EQ:
		return lhs + " = " + rhs, nil
	case filter.NE:
		return "(" + col + " IS NULL OR " + lhs + " <> " + rhs + ")", nil
	case filter.CO, filter.SW, filter.EW:
		w.args = w.args[:len(w.args)-1]
		w.next--
		pattern := dialects.EscapeLike(s)
		switch x.Operator {
		case filter.CO:
			pattern = "%" + pattern + "%"
		case filter.SW:
			pattern += "%"
		case filter.EW:
			pattern = "%" + pattern
		}
		rhs = w.param(pattern)
		if fold {
			rhs = w.d.Fold(rhs)
		}
		return w.d.Like(lhs, rhs), nil
	case filter.GT:
		return lhs + " > " + rhs, nil
	case filter.GE:
		return lhs + " >= " + rhs, nil
	case filter.LT:
		return lhs + " < " + rhs, nil
	case filter.LE:
		return lhs + " <= " + rhs, nil
	}
	return "", errNoPushdown
}

// ordered compares a non-string column (boolean, integer, dateTime) with a value
// already converted to its stored form.
func (w *where) ordered(col string, op filter.CompareOperator, v any, kind, path string) (string, error) {
	if v == nil {
		return "", errNoPushdown
	}
	sym := map[filter.CompareOperator]string{filter.EQ: "=", filter.GT: ">", filter.GE: ">=", filter.LT: "<", filter.LE: "<="}
	switch op {
	case filter.NE:
		return "(" + col + " IS NULL OR " + col + " <> " + w.param(v) + ")", nil
	case filter.CO, filter.SW, filter.EW:
		return "", scim.Errorf(400, "invalidFilter", "%s is a %s: %s applies only to strings", path, kind, op)
	}
	if kind == "boolean" && op != filter.EQ {
		return "", scim.Errorf(400, "invalidFilter", "%s is a boolean: only eq, ne and pr apply", path)
	}
	s, ok := sym[op]
	if !ok {
		return "", fmt.Errorf("%w: operator %s", errNoPushdown, op)
	}
	return col + " " + s + " " + w.param(v), nil
}
