package resource

import (
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// Match evaluates a parsed filter against a resource in memory, as RFC 7644
// §3.4.2.2 defines it: every comparison operator, and/or/not, grouping, value paths
// on multi-valued attributes (emails[type eq "work" and value co "@x"]), extension
// URN paths, sub-attributes (name.familyName) and dateTime comparisons
// (meta.lastModified gt "2024-01-01T00:00:00Z").
//
// schemas are the resource type's core schema followed by its extensions; they
// give each attribute its type and case rule (caseExact false folds case, id is
// case-exact). Attribute names match case-insensitively. A name no schema declares
// matches nothing, as RFC 7644 asks for unknown attributes; with no schemas at all
// every name is looked up and its type taken from the value. An operator that does
// not fit the attribute's type (gt on a boolean, co on a number), a filter on an
// attribute that is never returned (password) or a value of the wrong type is an
// fault.InvalidFilter error, whatever the resource.
func Match(expr filter.Expression, r Resource, schemas ...*Schema) (bool, error) {
	if expr == nil {
		return true, nil
	}
	ss := NewSchemaSet(schemas)
	if err := ss.CheckFilter(expr, nil, false); err != nil {
		return false, err
	}
	return ss.match(expr, r, nil, false), nil
}

// CheckFilter reports the type errors in a filter. inElement says the expression is
// inside a value path's brackets, where names are sub-attributes of parent.
func (ss *SchemaSet) CheckFilter(expr filter.Expression, parent *Attribute, inElement bool) error {
	switch e := expr.(type) {
	case *filter.LogicalExpression:
		if err := ss.CheckFilter(e.Left, parent, inElement); err != nil {
			return err
		}
		return ss.CheckFilter(e.Right, parent, inElement)
	case *filter.NotExpression:
		return ss.CheckFilter(e.Expression, parent, inElement)
	case *filter.ValuePath:
		t, ok := ss.Resolve(e.AttributePath, nil)
		if !ok || t.Attr == nil {
			return ss.CheckFilter(e.ValueFilter, nil, true)
		}
		if t.Attr.Type != TypeComplex || t.Sub != nil {
			return fault.New(fault.InvalidFilter, "%s is not a complex attribute; a [filter] needs one", e.AttributePath)
		}
		return ss.CheckFilter(e.ValueFilter, t.Attr, true)
	case *filter.AttributeExpression:
		var t Target
		var ok bool
		if inElement {
			t, ok = ss.resolveIn(parent, e.AttributePath)
		} else {
			t, ok = ss.Resolve(e.AttributePath, nil)
		}
		if !ok {
			return nil
		}
		return checkComparison(e, t.CompareAttr())
	case nil:
		return nil
	}
	return fault.New(fault.InvalidFilter, "unsupported filter expression %T", expr)
}

// checkComparison checks an operator and its value against the attribute's type.
func checkComparison(e *filter.AttributeExpression, a *Attribute) error {
	if !knownOperator(e.Operator) {
		return fault.New(fault.InvalidFilter, "unknown operator %q", e.Operator)
	}
	if a == nil {
		return nil
	}
	path := e.AttributePath.String()
	if a.ReturnWhen() == ReturnedNever {
		return fault.New(fault.InvalidFilter, "%s cannot be used in a filter", path)
	}
	op, want := e.Operator, e.CompareValue
	if op == filter.PR {
		return nil
	}
	if want == nil {
		if op != filter.EQ && op != filter.NE {
			return fault.New(fault.InvalidFilter, "%s null: only eq and ne compare with null", op)
		}
		return nil
	}
	ordering := op == filter.GT || op == filter.GE || op == filter.LT || op == filter.LE
	substring := op == filter.CO || op == filter.SW || op == filter.EW
	switch a.Type {
	case TypeComplex:
		return fault.New(fault.InvalidFilter, "%s is complex; compare one of its sub-attributes", path)
	case TypeBoolean:
		if ordering || substring {
			return fault.New(fault.InvalidFilter, "operator %s does not apply to the boolean %s", op, path)
		}
		if _, ok := toBool(want); !ok {
			return fault.New(fault.InvalidFilter, "%s is boolean; compare it with true or false", path)
		}
	case TypeInteger, TypeDecimal:
		if substring {
			return fault.New(fault.InvalidFilter, "operator %s does not apply to the number %s", op, path)
		}
		if _, ok := toFloat(want); !ok {
			return fault.New(fault.InvalidFilter, "%s is a number; %v is not", path, want)
		}
	case TypeDateTime:
		if _, ok := toTime(want); !ok && !substring {
			return fault.New(fault.InvalidFilter, "%s is a dateTime; %v is not (use RFC 3339, e.g. \"2024-01-31T12:00:00Z\")", path, want)
		}
	case TypeBinary:
		if ordering {
			return fault.New(fault.InvalidFilter, "operator %s does not apply to the binary %s", op, path)
		}
	}
	if _, ok := ToText(want); !ok {
		return fault.New(fault.InvalidFilter, "unsupported value %v for %s", want, path)
	}
	return nil
}

func knownOperator(op filter.CompareOperator) bool {
	switch op {
	case filter.PR, filter.EQ, filter.NE, filter.CO, filter.SW, filter.EW, filter.GT, filter.GE, filter.LT, filter.LE:
		return true
	}
	return false
}

// match evaluates a checked filter. obj is the resource, or an element of a
// multi-valued attribute when inElement.
func (ss *SchemaSet) match(expr filter.Expression, obj map[string]any, parent *Attribute, inElement bool) bool {
	switch e := expr.(type) {
	case *filter.LogicalExpression:
		l := ss.match(e.Left, obj, parent, inElement)
		if e.Operator == filter.OR {
			return l || ss.match(e.Right, obj, parent, inElement)
		}
		return l && ss.match(e.Right, obj, parent, inElement)
	case *filter.NotExpression:
		return !ss.match(e.Expression, obj, parent, inElement)
	case *filter.ValuePath:
		if inElement {
			return false
		}
		t, ok := ss.Resolve(e.AttributePath, obj)
		if !ok || t.WholeExt {
			return false
		}
		for _, el := range elementsAt(t, obj) {
			if ss.match(e.ValueFilter, el, t.Attr, true) {
				return true
			}
		}
		return false
	case *filter.AttributeExpression:
		if !inElement && isSchemasPath(e.AttributePath) {
			return compareAll(e.Operator, schemasAttribute, schemaURNs(ss, obj), e.CompareValue)
		}
		var t Target
		var ok bool
		if inElement {
			t, ok = ss.resolveIn(parent, e.AttributePath)
		} else {
			t, ok = ss.Resolve(e.AttributePath, obj)
		}
		if !ok {
			return false
		}
		return compareAll(e.Operator, t.CompareAttr(), candidates(t, obj), e.CompareValue)
	}
	return false
}

// schemasAttribute describes "schemas" for comparisons: multi-valued URIs, compared
// case-insensitively as schema URNs are everywhere else in SCIM.
var schemasAttribute = &Attribute{Name: "schemas", Type: TypeReference, MultiValued: true}

// isSchemasPath reports whether a filter compares the resource's "schemas"
// (RFC 7644 §3.4.2.2: schemas eq "urn:...:enterprise:2.0:User").
func isSchemasPath(ap filter.AttributePath) bool {
	return ap.URIPrefix == nil && ap.SubAttribute == nil && strings.EqualFold(ap.AttributeName, "schemas")
}

// schemaURNs returns the schemas a resource has: its own "schemas" when it carries
// them, else the core schema and each extension it holds data for, as the handler
// will list them (a store's resource has no "schemas" of its own).
func schemaURNs(ss *SchemaSet, r map[string]any) []any {
	if _, v, ok := Lookup(r, "schemas"); ok {
		if l, ok := StringList(v); ok && len(l) > 0 {
			out := make([]any, len(l))
			for i, s := range l {
				out[i] = s
			}
			return out
		}
	}
	var out []any
	if ss.core != nil {
		out = append(out, ss.core.ID)
	}
	for _, e := range ss.exts {
		if _, v, ok := Lookup(r, e.ID); ok {
			if m, isMap := v.(map[string]any); isMap && len(WithoutNulls(m)) > 0 {
				out = append(out, e.ID)
			}
		}
	}
	return out
}

// elementsAt returns the objects a value path filters: the elements of a
// multi-valued complex attribute, or a single complex value.
func elementsAt(t Target, r map[string]any) []map[string]any {
	c := t.container(r)
	if c == nil {
		return nil
	}
	_, v, ok := Lookup(c, t.Name)
	if !ok {
		return nil
	}
	if m, ok := v.(map[string]any); ok {
		return []map[string]any{m}
	}
	l, _ := AsList(v)
	out := make([]map[string]any, 0, len(l))
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// candidates returns the simple values a comparison on the Target looks at: any of
// them may satisfy it (emails.value co "x" matches when one email does).
func candidates(t Target, r map[string]any) []any {
	if t.WholeExt {
		_, v, _ := Lookup(r, t.Ext)
		return []any{v}
	}
	c := t.container(r)
	if c == nil {
		return nil
	}
	_, v, ok := Lookup(c, t.Name)
	if !ok {
		return nil
	}
	sub := t.SubName
	list, isList := AsList(v)
	if sub == "" && isList {
		// emails co "x" compares emails.value (RFC 7644 §3.4.2.2).
		sub = "value"
		if len(list) > 0 {
			if _, ok := list[0].(map[string]any); !ok {
				return list
			}
		}
	}
	if sub == "" {
		return []any{v}
	}
	if !isList {
		list = []any{v}
	}
	var out []any
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			if _, sv, ok := Lookup(m, sub); ok {
				out = append(out, sv)
			}
		}
	}
	return out
}

// compareAll applies an operator to a set of candidate values: pr and the
// comparisons hold when some value satisfies them, ne when none equals.
func compareAll(op filter.CompareOperator, a *Attribute, have []any, want any) bool {
	present := false
	for _, h := range have {
		if !IsEmpty(h) {
			present = true
			break
		}
	}
	switch {
	case op == filter.PR:
		return present
	case want == nil && op == filter.EQ:
		return !present
	case want == nil && op == filter.NE:
		return present
	case want == nil:
		return false
	case op == filter.NE:
		return !compareAll(filter.EQ, a, have, want)
	}
	for _, h := range have {
		if l, ok := AsList(h); ok {
			// A multi-valued simple attribute named through a sub-attribute path.
			if compareAll(op, a, l, want) {
				return true
			}
			continue
		}
		if compareOne(op, a, h, want) {
			return true
		}
	}
	return false
}

// CompareOne applies one operator to one simple value of the given SCIM type, as a
// filter does: SQL generation uses it to decide which values of a value map
// satisfy a comparison.
func CompareOne(op filter.CompareOperator, typ string, caseExact bool, have, want any) bool {
	return compareOne(op, &Attribute{Type: typ, CaseExact: caseExact}, have, want)
}

// compareOne applies one operator to one simple value.
func compareOne(op filter.CompareOperator, a *Attribute, have, want any) bool {
	if have == nil {
		return false
	}
	if _, ok := have.(map[string]any); ok {
		return false
	}
	typ, exact := inferType(have), false
	if a != nil {
		typ, exact = a.Type, a.CaseExact
	}
	switch typ {
	case TypeBoolean:
		h, ok1 := toBool(have)
		w, ok2 := toBool(want)
		return ok1 && ok2 && op == filter.EQ && h == w
	case TypeInteger, TypeDecimal:
		h, ok1 := toFloat(have)
		w, ok2 := toFloat(want)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op, cmpFloat(h, w))
	case TypeDateTime:
		if op == filter.CO || op == filter.SW || op == filter.EW {
			break
		}
		h, ok1 := toTime(have)
		w, ok2 := toTime(want)
		if !ok1 || !ok2 {
			return false
		}
		return ordered(op, h.Compare(w))
	}
	h, ok1 := ToText(have)
	w, ok2 := ToText(want)
	if !ok1 || !ok2 {
		return false
	}
	if !exact {
		h, w = strings.ToLower(h), strings.ToLower(w)
	}
	switch op {
	case filter.CO:
		return strings.Contains(h, w)
	case filter.SW:
		return strings.HasPrefix(h, w)
	case filter.EW:
		return strings.HasSuffix(h, w)
	}
	return ordered(op, strings.Compare(h, w))
}

func ordered(op filter.CompareOperator, c int) bool {
	switch op {
	case filter.EQ:
		return c == 0
	case filter.GT:
		return c > 0
	case filter.GE:
		return c >= 0
	case filter.LT:
		return c < 0
	case filter.LE:
		return c <= 0
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// inferType guesses an undeclared attribute's type from its value.
func inferType(v any) string {
	switch kindRank(v) {
	case rankBool:
		return TypeBoolean
	case rankNumber:
		return TypeDecimal
	case rankTime:
		return TypeDateTime
	}
	return TypeString
}
