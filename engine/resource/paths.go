package resource

import (
	"strings"
	"sync"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// pathCache keeps parsed attribute-mapping paths: the engine reads and writes the
// same few configured paths for every row. It is bounded so that paths from client
// input cannot grow it without limit.
var pathCache = struct {
	sync.RWMutex
	m map[string]*filter.Path
}{m: map[string]*filter.Path{}}

const pathCacheMax = 4096

// cachedPath parses a path once (filter-parser allocates heavily: a fraction of
// a millisecond per path). The result is shared: callers must not change it.
// genericSchemas is the schema-less set paths are resolved with here; a SchemaSet
// is never changed once made, so one serves every call.
var genericSchemas = NewSchemaSet(nil)

func cachedPath(s string) (*filter.Path, error) {
	pathCache.RLock()
	p, ok := pathCache.m[s]
	pathCache.RUnlock()
	if ok {
		return p, nil
	}
	p, err := filter.ParsePath(s)
	if err != nil {
		return nil, err
	}
	pathCache.Lock()
	if len(pathCache.m) < pathCacheMax {
		pathCache.m[s] = p
	}
	pathCache.Unlock()
	return p, nil
}

// GetValue reads the value at an attribute path, the form attribute mappings use:
// "userName", "name.givenName", `emails[type eq "work"].value` (the value of the
// first element whose type is work), "emails.value" (of the primary element, else
// the first), "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
// (from r[urn]["department"]) or ".../2.0:User:manager.value". Names match
// case-insensitively. It reports false when the path is invalid or holds no value
// (absent or null).
func GetValue(r Resource, path string) (any, bool) {
	p, err := cachedPath(path)
	if err != nil {
		return nil, false
	}
	ss := genericSchemas
	t, ok := ss.Resolve(p.AttributePath, r)
	if !ok {
		return nil, false
	}
	if t.WholeExt {
		_, v, ok := Lookup(r, t.Ext)
		return v, ok && v != nil
	}
	c := t.container(r)
	if c == nil {
		return nil, false
	}
	_, v, ok := Lookup(c, t.Name)
	if !ok || v == nil {
		return nil, false
	}
	sub := t.SubName
	if p.SubAttribute != nil {
		sub = *p.SubAttribute
	}
	if p.ValueExpression != nil {
		el := firstMatching(ss, v, p.ValueExpression)
		if el == nil {
			return nil, false
		}
		if sub == "" {
			return el, true
		}
		_, sv, ok := Lookup(el, sub)
		return sv, ok && sv != nil
	}
	if sub == "" {
		return v, true
	}
	if m, ok := v.(map[string]any); ok {
		_, sv, ok := Lookup(m, sub)
		return sv, ok && sv != nil
	}
	if l, ok := AsList(v); ok {
		el := primaryOrFirst(l)
		if el == nil {
			return nil, false
		}
		_, sv, ok := Lookup(el, sub)
		return sv, ok && sv != nil
	}
	return nil, false
}

// firstMatching returns the first element of a multi-valued attribute that a value
// filter selects.
func firstMatching(ss *SchemaSet, v any, expr filter.Expression) map[string]any {
	l, _ := AsList(v)
	for _, x := range l {
		if m, ok := x.(map[string]any); ok && ss.match(expr, m, nil, true) {
			return m
		}
	}
	return nil
}

// primaryOrFirst is the element RFC 7644 §3.4.2.3 sorts a multi-valued attribute
// by: the primary one, else the first.
func primaryOrFirst(l []any) map[string]any {
	var first map[string]any
	for _, x := range l {
		m, ok := x.(map[string]any)
		if !ok {
			continue
		}
		if first == nil {
			first = m
		}
		if _, p, ok := Lookup(m, "primary"); ok {
			if b, _ := toBool(p); b {
				return m
			}
		}
	}
	return first
}

// SetValue writes the value at an attribute path (the forms GetValue reads),
// creating the objects on the way: `emails[type eq "work"].value` updates the first
// work email or appends {"type": "work", "value": v}; an extension attribute goes
// under r[urn]. A nil v removes the attribute, sub-attribute or element, and the
// objects left empty. Existing keys keep their casing; new ones take the path's
// (Canonicalize rewrites them to the schema's). A path that does not parse, or a
// value filter that cannot describe a new element (type ne "work"), is a fault.NoTarget error.
func SetValue(r Resource, path string, v any) error {
	p, err := cachedPath(path)
	if err != nil {
		return err
	}
	if v != nil && setFresh(r, p, v, false) {
		return nil
	}
	ss := genericSchemas
	t, ok := ss.Resolve(p.AttributePath, r)
	if !ok {
		return fault.New(fault.InvalidPath, "cannot resolve path %s", fault.Quote(path))
	}
	if t.WholeExt {
		if v == nil {
			deleteKey(r, t.Ext)
			return nil
		}
		r[keyFor(r, t.Ext)] = v
		return nil
	}
	c := t.container(r)
	if c == nil {
		if v == nil {
			return nil
		}
		c = map[string]any{}
		r[keyFor(r, t.Ext)] = c
	}
	defer pruneExtension(r, t)
	sub := t.SubName
	if p.SubAttribute != nil {
		sub = *p.SubAttribute
	}
	if p.ValueExpression != nil {
		return setFiltered(ss, c, t.Name, p.ValueExpression, sub, v)
	}
	if sub == "" {
		if v == nil {
			deleteKey(c, t.Name)
		} else {
			c[keyFor(c, t.Name)] = v
		}
		return nil
	}
	k, cur, _ := Lookup(c, t.Name)
	if l, ok := AsList(cur); ok && len(l) > 0 {
		// "emails.value": the primary (or first) element, as GetValue reads it.
		el := primaryOrFirst(l)
		if el != nil {
			setOrDelete(el, sub, v)
			return nil
		}
	}
	m, _ := cur.(map[string]any)
	if m == nil {
		if v == nil {
			return nil
		}
		m = map[string]any{}
		if k == "" {
			k = t.Name
		}
		c[k] = m
	}
	setOrDelete(m, sub, v)
	if len(m) == 0 {
		delete(c, k)
	}
	return nil
}

// A MappedPath is an attribute mapping's path parsed once, to set its value on
// every row a store reads without the shared path cache's lock and look-up.
type MappedPath struct {
	text string
	p    *filter.Path // nil when the path does not parse: SetValue reports it
}

// NewMappedPath parses a mapping's path for Set.
func NewMappedPath(path string) *MappedPath {
	p, err := filter.ParsePath(path)
	if err != nil {
		p = nil
	}
	return &MappedPath{text: path, p: p}
}

// Set is SetValue for a resource a store builds from a row, through mappings
// that spell each attribute and sub-attribute one way only (no two of them
// differ in letter case alone): names then match exactly, which spares every
// row's every column a case-insensitive search of the keys set so far. With
// mappings that do not keep that promise, use SetValue.
func (mp *MappedPath) Set(r Resource, v any) error {
	if v != nil && mp.p != nil && setFresh(r, mp.p, v, true) {
		return nil
	}
	return SetValue(r, mp.text, v)
}

// setFresh is SetValue for the forms attribute mappings use most, where what the
// general case comes to is plain: a core attribute ("userName"), a sub-attribute
// of a complex one ("name.givenName"), and the first element of a multi-valued
// one that a value filter describes (emails[type eq "work"].value). Every row of
// a list page is mapped this way, so they skip path resolution. It reports false,
// changing nothing, for anything else (an extension, a common attribute such as
// meta, an element to find among existing ones), which the general case handles.
func setFresh(r Resource, p *filter.Path, v any, exact bool) bool {
	ap := p.AttributePath
	if ap.URIPrefix != nil {
		return false
	}
	name := ap.AttributeName
	if a := FindAttribute(CommonAttributes, name); a != nil {
		if ap.SubAttribute != nil || p.SubAttribute != nil || p.ValueExpression != nil {
			return false
		}
		name = a.Name
	}
	k, cur := name, r[name]
	if !exact {
		if k, cur, _ = Lookup(r, name); k == "" {
			k = name
		}
	}
	switch {
	case ap.SubAttribute == nil && p.SubAttribute == nil && p.ValueExpression == nil:
		r[k] = v
		return true
	case ap.SubAttribute != nil && p.SubAttribute == nil && p.ValueExpression == nil:
		if _, isList := AsList(cur); isList {
			return false
		}
		m, _ := cur.(map[string]any)
		if m == nil {
			r[k] = map[string]any{*ap.SubAttribute: v}
			return true
		}
		if exact {
			m[*ap.SubAttribute] = v
		} else {
			m[keyFor(m, *ap.SubAttribute)] = v
		}
		return true
	case ap.SubAttribute == nil && p.SubAttribute != nil && p.ValueExpression != nil:
		if cur != nil {
			return false // elements exist: the filter picks among them
		}
		el, ok := elementFromFilter(p.ValueExpression)
		if !ok {
			return false
		}
		el[*p.SubAttribute] = v
		r[k] = []any{el}
		return true
	}
	return false
}

// setFiltered writes through a value path: the first element the filter selects,
// or a new element made from the filter's equalities.
func setFiltered(ss *SchemaSet, c map[string]any, name string, expr filter.Expression, sub string, v any) error {
	k, cur, _ := Lookup(c, name)
	if k == "" {
		k = name
	}
	list, _ := AsList(cur)
	for i, x := range list {
		el, ok := x.(map[string]any)
		if !ok || !ss.match(expr, el, nil, true) {
			continue
		}
		switch {
		case v == nil && (sub == "" || onlyFilterKeys(el, expr, sub)):
			list = append(list[:i:i], list[i+1:]...)
		case sub == "":
			list[i] = v
		default:
			setOrDelete(el, sub, v)
		}
		storeList(c, k, list)
		return nil
	}
	if v == nil {
		return nil
	}
	el, ok := elementFromFilter(expr)
	if !ok {
		return fault.New(fault.NoTarget, "no element matches %v and the filter cannot describe a new one", expr)
	}
	if sub == "" {
		m, ok := v.(map[string]any)
		if !ok {
			return fault.New(fault.Invalid, "an element of %s must be an object", name)
		}
		for mk, mv := range m {
			el[mk] = mv
		}
	} else {
		el[sub] = v
	}
	storeList(c, k, append(list, el))
	return nil
}

// onlyFilterKeys reports whether an element holds nothing but the filter's own
// attributes besides sub: removing sub leaves an element ({"type": "work"}) that
// only existed to carry it, so the element goes too.
func onlyFilterKeys(el map[string]any, expr filter.Expression, sub string) bool {
	fromFilter, _ := elementFromFilter(expr)
	for k := range el {
		if equalFoldKey(k, sub) || equalFoldKey(k, "primary") || equalFoldKey(k, "display") {
			continue
		}
		if _, _, ok := Lookup(fromFilter, k); !ok {
			return false
		}
	}
	return true
}

// elementFromFilter builds the element a value filter of equalities describes:
// type eq "work" and primary eq true -> {"type": "work", "primary": true}.
func elementFromFilter(expr filter.Expression) (map[string]any, bool) {
	el := make(map[string]any, 2)
	return el, equalities(el, expr)
}

// equalities adds the equalities of a value filter to el; false for a filter
// that is not a conjunction of equalities.
func equalities(el map[string]any, e filter.Expression) bool {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		if e.Operator != filter.EQ || e.AttributePath.URIPrefix != nil || e.AttributePath.SubAttribute != nil || e.CompareValue == nil {
			return false
		}
		el[e.AttributePath.AttributeName] = e.CompareValue
		return true
	case *filter.LogicalExpression:
		return e.Operator == filter.AND && equalities(el, e.Left) && equalities(el, e.Right)
	}
	return false
}

func setOrDelete(m map[string]any, key string, v any) {
	if v == nil {
		deleteKey(m, key)
		return
	}
	m[keyFor(m, key)] = v
}

// storeList writes a multi-valued attribute back, removing it when empty.
func storeList(c map[string]any, k string, l []any) {
	if len(l) == 0 {
		delete(c, k)
		return
	}
	c[k] = l
}

// keyFor returns the key under which a name is stored: the existing key that
// matches it case-insensitively, else the name.
func keyFor(m map[string]any, name string) string {
	if k, _, ok := Lookup(m, name); ok {
		return k
	}
	return name
}

func deleteKey(m map[string]any, name string) {
	if k, _, ok := Lookup(m, name); ok {
		delete(m, k)
	}
}

func equalFoldKey(a, b string) bool { return strings.EqualFold(a, b) }

// pruneExtension removes an extension object left empty by a removal.
func pruneExtension(r Resource, t Target) {
	if t.Ext == "" {
		return
	}
	if k, v, ok := Lookup(r, t.Ext); ok {
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			delete(r, k)
		}
	}
}
