package resource

import (
	"context"
	"reflect"
	"sort"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// ApplyPatch applies PATCH operations to a deep copy of a resource, as RFC 7644
// §3.5.2 defines them, and returns the copy; r itself is never changed, so a store
// can diff the two and write nothing when an operation fails.
//
//   - add: sets a simple attribute, merges into a complex one, appends to a
//     multi-valued one (an element already present is merged, not duplicated).
//   - replace: sets a simple attribute, merges sub-attributes into a complex one,
//     replaces a whole multi-valued attribute.
//   - remove: removes the attribute, the sub-attribute or the elements a value
//     filter selects (a filter that selects nothing is a no-op). With a value and a
//     path naming a multi-valued attribute it removes the given elements, as Entra
//     ID sends group member removals; with a value and a single-valued complex
//     attribute (the manager, as an id, {"value": id} or a list of those) it
//     removes the attribute when its value is one of the given ones.
//   - A value filter (emails[type eq "work"].value) updates the elements it
//     selects. When none matches, add and replace create the element from the
//     filter's equalities ({"type": "work", "value": v}): Entra ID sets a user's
//     phoneNumbers[type eq "mobile"].value with replace whether or not the user
//     has a mobile number, and its validator expects success. This departs from
//     RFC 7644 §3.5.2.3 (400 noTarget) only where the filter describes the
//     element; a replace through a filter that cannot (emails[value co "x"]) on an
//     attribute with elements, none of them matching, is 400 noTarget.
//   - Without a path, the value is an object whose keys are attribute paths
//     ("active", "name.givenName", extension URNs holding objects, or full
//     "urn:...:attribute" paths), each applied as its own operation; keys naming
//     read-only attributes (id, meta, groups) are skipped, as Okta sends the id
//     along, unless the id differs from the resource's.
//   - Setting primary to true on one element clears it on the others.
//   - An explicit path to a read-only attribute is 400 mutability; remove without a
//     path is 400 noTarget; removing a required attribute (userName) is 400
//     mutability (RFC 7644 §3.5.2.2).
//
// schemas are the core schema followed by its extensions: they give canonical
// names, turn "True"/"False" into booleans and mark read-only attributes.
// Attributes they do not declare are patched as sent.
//
// The work grows with the request (up to max_patch_operations operations, each
// with as many values as the body holds), so it stops with Timeout or Canceled
// once ctx is done.
func ApplyPatch(ctx context.Context, r Resource, ops []PatchOp, schemas ...*Schema) (Resource, error) {
	ss := NewSchemaSet(schemas)
	out := CopyResource(r)
	id, _ := r["id"].(string)
	for _, op := range ops {
		expanded, err := ss.Expand(op, id)
		if err != nil {
			return nil, err
		}
		for _, e := range expanded {
			if err := fault.Interrupted(ctx); err != nil {
				return nil, err
			}
			if err := ss.apply(ctx, out, e); err != nil {
				return nil, err
			}
		}
	}
	if err := ss.checkRequiredKept(r, out); err != nil {
		return nil, err
	}
	return out, nil
}

// Expand normalises one operation into path operations: an add or replace without
// a path becomes one operation per key of its value, an object value for a
// single-valued complex attribute one operation per sub-attribute, and add or
// replace with a null value becomes remove. A non-empty id is compared with an
// "id" key of a path-less value.
func (ss *SchemaSet) Expand(op PatchOp, id string) ([]PatchOp, error) {
	kind := strings.ToLower(op.Op)
	switch kind {
	case "add", "replace", "remove":
	default:
		return nil, fault.New(fault.InvalidSyntax, "unknown PATCH op %q; use add, replace or remove", op.Op)
	}
	if op.Path == nil {
		if kind == "remove" {
			return nil, fault.New(fault.NoTarget, "remove needs a path")
		}
		m, ok := op.Value.(map[string]any)
		if !ok {
			return nil, fault.New(fault.Invalid, "%s without a path needs an object value", kind)
		}
		var out []PatchOp
		for _, k := range sortedKeys(m) {
			v := m[k]
			if strings.EqualFold(k, "schemas") {
				continue
			}
			if urn, ok := ss.isExtensionKey(k, nil); ok {
				if sub, isMap := v.(map[string]any); isMap {
					for _, sk := range sortedKeys(sub) {
						p, err := cachedPath(urn + ":" + sk)
						if err != nil {
							return nil, err
						}
						e, err := ss.expandPath(PatchOp{Op: kind, Path: p, Value: sub[sk]}, true)
						if err != nil {
							return nil, err
						}
						out = append(out, e...)
					}
					continue
				}
			}
			p, err := cachedPath(k)
			if err != nil {
				return nil, err
			}
			if t, ok := ss.Resolve(p.AttributePath, nil); ok && t.Attr != nil && t.Attr.Name == "id" && p.ValueExpression == nil && t.SubName == "" {
				if s, isStr := v.(string); id != "" && (!isStr || s != id) {
					return nil, fault.New(fault.ReadOnly, "id is read-only")
				}
				continue
			}
			e, err := ss.expandPath(PatchOp{Op: kind, Path: p, Value: v}, true)
			if err != nil {
				return nil, err
			}
			out = append(out, e...)
		}
		return out, nil
	}
	return ss.expandPath(PatchOp{Op: kind, Path: op.Path, Value: op.Value}, false)
}

// expandPath checks mutability and splits object values of single-valued complex
// attributes. lenient skips read-only targets instead of failing: they came as
// keys of a path-less value.
func (ss *SchemaSet) expandPath(op PatchOp, lenient bool) ([]PatchOp, error) {
	t, ok := ss.resolveAny(op.Path.AttributePath)
	if !ok {
		return nil, fault.New(fault.InvalidPath, "invalid path %s", op.Path)
	}
	if ro := t.Attr.ReadOnly() || (op.Path.SubAttribute == nil && t.Sub.ReadOnly()); ro {
		if lenient {
			return nil, nil
		}
		return nil, fault.New(fault.ReadOnly, "%s is read-only", op.Path)
	}
	if op.Path.SubAttribute != nil && t.Attr != nil {
		if s := t.Attr.SubAttribute(*op.Path.SubAttribute); s.ReadOnly() {
			if lenient {
				return nil, nil
			}
			return nil, fault.New(fault.ReadOnly, "%s is read-only", op.Path)
		}
	}
	if op.Op != "remove" && op.Value == nil {
		op.Op = "remove"
	}
	m, isMap := op.Value.(map[string]any)
	single := t.WholeExt || (t.SubName == "" && op.Path.ValueExpression == nil && (t.Attr == nil || (t.Attr.Type == TypeComplex && !t.Attr.MultiValued)))
	if op.Op == "remove" || !isMap || !single {
		return []PatchOp{op}, nil
	}
	// An object for a single-valued complex attribute: one operation per
	// sub-attribute (RFC 7644 §3.5.2.1/3: the sub-attributes given are set, the
	// others are left alone, so this is the same change).
	var out []PatchOp
	for _, k := range sortedKeys(m) {
		var p filter.Path
		switch {
		case t.WholeExt:
			pp, err := cachedPath(t.Ext + ":" + k)
			if err != nil {
				return nil, err
			}
			p = *pp
		default:
			if !isAttrName(k) {
				return nil, fault.New(fault.InvalidPath, "%s is not an attribute name", fault.Quote(k))
			}
			sub := k
			p = filter.Path{AttributePath: op.Path.AttributePath}
			p.AttributePath.SubAttribute = &sub
		}
		// Read-only sub-attributes inside an object (manager.displayName) are
		// skipped rather than refused: clients send back what they read.
		e, err := ss.expandPath(PatchOp{Op: op.Op, Path: &p, Value: m[k]}, true)
		if err != nil {
			return nil, err
		}
		out = append(out, e...)
	}
	return out, nil
}

// resolveAny resolves with the schemas, falling back to the value's own shape for
// attributes they do not declare.
func (ss *SchemaSet) resolveAny(ap filter.AttributePath) (Target, bool) {
	if t, ok := ss.Resolve(ap, nil); ok {
		return t, true
	}
	g := &SchemaSet{generic: true, core: nil, exts: ss.exts}
	return g.Resolve(ap, nil)
}

// isAttrName reports whether s is an ATTRNAME of RFC 7644's grammar:
// ALPHA *(nameChar), with the "$ref" form.
func isAttrName(s string) bool {
	s = strings.TrimPrefix(s, "$")
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// apply applies one expanded operation to out.
func (ss *SchemaSet) apply(ctx context.Context, out Resource, op PatchOp) error {
	p := op.Path
	t, ok := ss.resolveAny(p.AttributePath)
	if !ok {
		return fault.New(fault.InvalidPath, "invalid path %s", p)
	}
	if t.WholeExt {
		if op.Op == "remove" {
			deleteKey(out, t.Ext)
			return nil
		}
		return fault.New(fault.Invalid, "%s needs an object value", p)
	}
	c := t.container(out)
	if c == nil {
		if op.Op == "remove" {
			return nil
		}
		c = map[string]any{}
		out[keyFor(out, t.Ext)] = c
	}
	defer pruneExtension(out, t)
	sub := t.SubName
	if p.SubAttribute != nil {
		sub = *p.SubAttribute
		if t.Attr != nil {
			if s := t.Attr.SubAttribute(sub); s != nil {
				sub = s.Name
			}
		}
	}
	if p.ValueExpression != nil {
		return ss.applyFiltered(c, t, p, sub, op)
	}
	if sub != "" {
		return ss.applySub(c, t, sub, op)
	}
	return ss.applyAttr(ctx, c, t, op)
}

// ValueFor canonicalises and type-checks a value for an attribute (nil: unknown).
func ValueFor(a *Attribute, v any, element bool, path string) (any, error) {
	if a == nil {
		return v, nil
	}
	if a.MultiValued && !element {
		l, ok := AsList(v)
		if !ok {
			l = []any{v} // a single element where an array belongs: Entra sends both
		}
		out := make([]any, len(l))
		for i, x := range l {
			cv, err := ValueFor(a, x, true, path)
			if err != nil {
				return nil, err
			}
			out[i] = cv
		}
		return out, nil
	}
	cv := canonSingle(v, a)
	switch a.Type {
	case TypeComplex:
		if _, ok := cv.(map[string]any); !ok {
			// A bare value stands for {"value": v}: Entra ID sets the manager with
			// "value": "<id>" and members with bare ids.
			va := a.SubAttribute("value")
			if va == nil || isMapValue(cv) || isListValue(cv) || cv == nil {
				return nil, fault.New(fault.Invalid, "%s is complex; its value must be an object", path)
			}
			cv = map[string]any{va.Name: cv}
		}
	case TypeBoolean:
		if _, ok := cv.(bool); !ok {
			return nil, fault.New(fault.Invalid, "%s is boolean; %v is not", path, v)
		}
	default:
		switch cv.(type) {
		case map[string]any, []any:
			return nil, fault.New(fault.Invalid, "%s is a single %s value", path, a.Type)
		}
	}
	return cv, nil
}

// applyAttr handles a path naming a whole attribute.
func (ss *SchemaSet) applyAttr(ctx context.Context, c map[string]any, t Target, op PatchOp) error {
	k := keyFor(c, t.Name)
	_, cur, _ := Lookup(c, t.Name)
	multiValued := (t.Attr != nil && t.Attr.MultiValued) || (t.Attr == nil && isListValue(cur))
	if op.Op == "remove" {
		if multiValued && op.Value != nil {
			return removeElements(ctx, c, k, cur, op.Value, t.Attr)
		}
		if op.Value != nil && isMapValue(cur) && t.Attr != nil && t.Attr.Type == TypeComplex {
			// A single-valued complex attribute removed with a value (the manager
			// named in the request): removed only when it is still that one.
			given, ok := AsList(op.Value)
			if !ok {
				given = []any{op.Value}
			}
			if indexOfElement(given, cur, t.Attr) < 0 {
				return nil
			}
		}
		delete(c, k)
		return nil
	}
	v, err := ValueFor(t.Attr, op.Value, false, t.Name)
	if err != nil {
		return err
	}
	switch {
	case multiValued:
		add, _ := AsList(v)
		if !isListValue(v) && t.Attr == nil {
			add = []any{v}
		}
		var list []any
		var touched []int
		if op.Op == "add" {
			list, _ = AsList(cur)
			list = append([]any(nil), list...)
			ix := newElementIndex(list, t.Attr)
			for n, x := range add {
				if n%checkEvery == checkEvery-1 {
					if err := fault.Interrupted(ctx); err != nil {
						return err
					}
				}
				if i := ix.find(list, x); i >= 0 {
					list[i] = mergeElement(list[i], x)
					touched = append(touched, i)
					continue
				}
				list = append(list, x)
				ix.add(x, len(list)-1)
				touched = append(touched, len(list)-1)
			}
		} else {
			list = add
			for i := range list {
				touched = append(touched, i)
			}
		}
		settlePrimary(list, touched)
		storeList(c, k, list)
	case isMapValue(v) && isMapValue(cur):
		// add and replace both merge into a complex attribute (RFC 7644 §3.5.2.3).
		merged := cur.(map[string]any)
		for mk, mv := range v.(map[string]any) {
			setOrDelete(merged, mk, mv)
		}
		if len(merged) == 0 {
			delete(c, k)
		}
	default:
		c[k] = v
	}
	return nil
}

// applySub handles name.givenName, manager.value and emails.value (every element).
func (ss *SchemaSet) applySub(c map[string]any, t Target, sub string, op PatchOp) error {
	k := keyFor(c, t.Name)
	_, cur, _ := Lookup(c, t.Name)
	var v any
	if op.Op != "remove" {
		var err error
		var subAttr *Attribute
		if t.Attr != nil {
			subAttr = t.Attr.SubAttribute(sub)
		}
		if v, err = ValueFor(subAttr, op.Value, false, t.Name+"."+sub); err != nil {
			return err
		}
	}
	if list, ok := AsList(cur); ok {
		if len(list) == 0 {
			if v != nil {
				storeList(c, k, []any{map[string]any{sub: v}})
			}
			return nil
		}
		var touched []int
		for i, x := range list {
			if el, ok := x.(map[string]any); ok {
				setOrDelete(el, sub, v)
				touched = append(touched, i)
			}
		}
		if strings.EqualFold(sub, "primary") {
			settlePrimary(list, touched)
		}
		return nil
	}
	m, _ := cur.(map[string]any)
	if m == nil {
		if v == nil {
			return nil
		}
		m = map[string]any{}
		if t.Attr != nil && t.Attr.MultiValued {
			storeList(c, k, []any{m})
		} else {
			c[k] = m
		}
	}
	setOrDelete(m, sub, v)
	if len(m) == 0 {
		delete(c, k)
	}
	return nil
}

// applyFiltered handles emails[type eq "work"] and emails[type eq "work"].value.
func (ss *SchemaSet) applyFiltered(c map[string]any, t Target, p *filter.Path, sub string, op PatchOp) error {
	if t.Attr != nil && (t.Attr.Type != TypeComplex || !t.Attr.MultiValued) {
		return fault.New(fault.InvalidPath, "%s is not a multi-valued complex attribute; [filter] does not apply", t.Name)
	}
	if err := ss.CheckFilter(p.ValueExpression, t.Attr, true); err != nil {
		return err
	}
	k := keyFor(c, t.Name)
	_, cur, _ := Lookup(c, t.Name)
	list, _ := AsList(cur)
	list = append([]any(nil), list...)
	var matched []int
	for i, x := range list {
		if el, ok := x.(map[string]any); ok && ss.match(p.ValueExpression, el, t.Attr, true) {
			matched = append(matched, i)
		}
	}
	var v any
	if op.Op != "remove" {
		var err error
		a := t.Attr
		if sub != "" && a != nil {
			a = a.SubAttribute(sub)
		}
		if v, err = ValueFor(a, op.Value, sub == "", p.String()); err != nil {
			return err
		}
	}
	switch {
	case op.Op == "remove":
		keep := list[:0:0]
		for i, x := range list {
			if !contains(matched, i) {
				keep = append(keep, x)
				continue
			}
			if sub == "" {
				continue
			}
			el := x.(map[string]any)
			deleteKey(el, sub)
			if !onlyFilterKeys(el, p.ValueExpression, "") {
				keep = append(keep, el)
			}
		}
		storeList(c, k, keep)
		return nil
	case len(matched) == 0:
		el, ok := elementFromFilter(p.ValueExpression)
		if op.Op == "replace" && len(list) > 0 && !ok {
			return fault.New(fault.NoTarget, "no value of %s matches %v", t.Name, p.ValueExpression)
		}
		if !ok && sub != "" {
			return fault.New(fault.NoTarget, "no value of %s matches %v, and the filter cannot describe a new one", t.Name, p.ValueExpression)
		}
		if !ok {
			el = map[string]any{}
		}
		if sub == "" {
			vm, isMap := v.(map[string]any)
			if !isMap {
				return fault.New(fault.Invalid, "an element of %s must be an object", t.Name)
			}
			for mk, mv := range vm {
				el[mk] = mv
			}
		} else {
			el[sub] = v
		}
		el, _ = canonSingleMap(el, t.Attr)
		list = append(list, el)
		matched = []int{len(list) - 1}
	case sub == "" && op.Op == "replace":
		for _, i := range matched {
			list[i] = v
		}
	case sub == "":
		for _, i := range matched {
			list[i] = mergeElement(list[i], v)
		}
	default:
		for _, i := range matched {
			setOrDelete(list[i].(map[string]any), sub, v)
		}
	}
	settlePrimary(list, matched)
	storeList(c, k, list)
	return nil
}

// canonSingleMap canonicalises an element built from a filter (its names come from
// the client's filter text).
func canonSingleMap(el map[string]any, a *Attribute) (map[string]any, bool) {
	if a == nil {
		return el, true
	}
	m, ok := canonSingle(el, a).(map[string]any)
	return m, ok
}

// removeElements removes the given elements from a multi-valued attribute
// (Entra's {"op": "Remove", "path": "members", "value": [{"value": "id"}]}).
func removeElements(ctx context.Context, c map[string]any, k string, cur, value any, a *Attribute) error {
	list, _ := AsList(cur)
	drop, ok := AsList(value)
	if !ok {
		drop = []any{value}
	}
	keep := list[:0:0]
	ix := newElementIndex(drop, a)
	for n, x := range list {
		if n%checkEvery == checkEvery-1 {
			if err := fault.Interrupted(ctx); err != nil {
				return err
			}
		}
		if ix.find(drop, x) < 0 {
			keep = append(keep, x)
		}
	}
	storeList(c, k, keep)
	return nil
}

// indexOfElement finds an element equal to x: the same "value" (and "type" when
// both have one) for complex elements, an equal value otherwise.
func indexOfElement(list []any, x any, a *Attribute) int {
	exact := elementsCaseExact(a)
	for i, y := range list {
		if sameElement(x, y, exact) {
			return i
		}
	}
	return -1
}

func elementsCaseExact(a *Attribute) bool {
	if a == nil {
		return false
	}
	if va := a.SubAttribute("value"); va != nil {
		return va.CaseExact
	}
	return a.CaseExact
}

// sameElement reports whether two elements of a multi-valued attribute are the
// same one (see indexOfElement).
func sameElement(x, y any, exact bool) bool {
	xm, xIsMap := x.(map[string]any)
	ym, yIsMap := y.(map[string]any)
	switch {
	case xIsMap && yIsMap:
		_, xv, xok := Lookup(xm, "value")
		_, yv, yok := Lookup(ym, "value")
		if !xok || !yok {
			return reflect.DeepEqual(xm, ym)
		}
		if Compare(xv, yv, exact) != 0 {
			return false
		}
		_, xt, xtok := Lookup(xm, "type")
		_, yt, ytok := Lookup(ym, "type")
		return !xtok || !ytok || xt == nil || yt == nil || Compare(xt, yt, false) == 0
	case !xIsMap && !yIsMap:
		return Compare(x, y, exact) == 0
	}
	return false
}

// elementIndex finds elements of a list by their value in constant time, so that
// adding n values to a multi-valued attribute takes time linear in n, not
// quadratic. Elements whose value is plain text sit in buckets by their lower-case
// text, a superset of what Compare calls equal; every other element (numbers,
// text Compare may read as a dateTime, objects without a value) is looked at for
// every lookup, as indexOfElement would.
type elementIndex struct {
	exact   bool
	buckets map[string][]int
	other   []int
}

func newElementIndex(list []any, a *Attribute) *elementIndex {
	ix := &elementIndex{exact: elementsCaseExact(a), buckets: make(map[string][]int, len(list))}
	for i, y := range list {
		ix.add(y, i)
	}
	return ix
}

// bucketKey is the bucket of an element, or false for the elements looked at on
// every lookup.
func bucketKey(x any) (string, bool) {
	if m, ok := x.(map[string]any); ok {
		_, v, ok := Lookup(m, "value")
		if !ok {
			return "", false
		}
		x = v
	}
	s, ok := x.(string)
	if !ok {
		return "", false
	}
	if _, isTime := toTime(s); isTime {
		return "", false
	}
	return strings.ToLower(s), true
}

func (ix *elementIndex) add(x any, i int) {
	if k, ok := bucketKey(x); ok {
		ix.buckets[k] = append(ix.buckets[k], i)
		return
	}
	ix.other = append(ix.other, i)
}

// find returns the first index of list holding an element equal to x, or -1.
func (ix *elementIndex) find(list []any, x any) int {
	k, ok := bucketKey(x)
	if !ok {
		for i, y := range list {
			if sameElement(x, y, ix.exact) {
				return i
			}
		}
		return -1
	}
	best := -1
	for _, candidates := range [][]int{ix.buckets[k], ix.other} {
		for _, i := range candidates {
			if best >= 0 && i >= best {
				break
			}
			if sameElement(x, list[i], ix.exact) {
				best = i
				break
			}
		}
	}
	return best
}

// mergeElement merges the sub-attributes of x into the element old.
func mergeElement(old, x any) any {
	om, ok1 := old.(map[string]any)
	xm, ok2 := x.(map[string]any)
	if !ok1 || !ok2 {
		return x
	}
	for k, v := range xm {
		setOrDelete(om, k, v)
	}
	return om
}

// settlePrimary keeps at most one element primary (RFC 7643 §2.4): when an
// operation made a touched element primary, the others lose the flag.
func settlePrimary(list []any, touched []int) {
	winner := -1
	for _, i := range touched {
		if i < len(list) && isPrimary(list[i]) {
			winner = i
		}
	}
	if winner < 0 {
		return
	}
	for i, x := range list {
		if i == winner || !isPrimary(x) {
			continue
		}
		el := x.(map[string]any)
		el[keyFor(el, "primary")] = false
	}
}

func isPrimary(x any) bool {
	el, ok := x.(map[string]any)
	if !ok {
		return false
	}
	_, p, _ := Lookup(el, "primary")
	b, _ := toBool(p)
	return b
}

// checkEvery is how many values a loop handles between two looks at the
// request's deadline.
const checkEvery = 256

func isListValue(v any) bool { _, ok := AsList(v); return ok }

func isMapValue(v any) bool { _, ok := v.(map[string]any); return ok }

func contains(s []int, i int) bool {
	for _, x := range s {
		if x == i {
			return true
		}
	}
	return false
}

// checkRequiredKept fails when the operations removed a required attribute the
// resource had (PATCH must not leave a User without userName).
func (ss *SchemaSet) checkRequiredKept(before, after Resource) error {
	if ss.core == nil {
		return nil
	}
	for _, a := range ss.core.Attributes {
		if !a.Required {
			continue
		}
		_, was, _ := Lookup(before, a.Name)
		_, is, _ := Lookup(after, a.Name)
		if !IsEmpty(was) && IsEmpty(is) {
			// RFC 7644 §3.5.2.2: removing a required attribute is a mutability error.
			return fault.New(fault.ReadOnly, "%s is required and cannot be removed", a.Name)
		}
	}
	return nil
}
