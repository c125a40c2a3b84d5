package resource

import (
	"slices"

	"github.com/dbscim/dbscim/engine/scim/filter"
)

func sortValue(t Target, r Resource) any {
	c := t.container(r)
	if c == nil {
		return nil
	}
	_, v, ok := Lookup(c, t.Name)
	if !ok {
		return nil
	}
	if l, ok := AsList(v); ok {
		if len(l) == 0 {
			return nil
		}
		el := primaryOrFirst(l)
		if el == nil {
			return l[0]
		}
		sub := t.SubName
		if sub == "" {
			sub = "value"
		}
		_, sv, _ := Lookup(el, sub)
		return sv
	}
	if t.SubName != "" {
		m, _ := v.(map[string]any)
		_, sv, _ := Lookup(m, t.SubName)
		return sv
	}
	return v
}

// SortResources sorts resources in place by sortBy, stably, with Compare and the
// schemas' case rule. Resources without a value come last in ascending order and
// first in descending order, as RFC 7644 §3.4.2.3 asks.
func SortResources(rs []Resource, sortBy string, descending bool, schemas ...*Schema) {
	if sortBy == "" || len(rs) < 2 {
		return
	}
	ap, err := filter.ParseAttrPath(sortBy)
	if err != nil {
		return
	}
	ss := NewSchemaSet(schemas)
	t, ok := ss.resolveAny(ap)
	if !ok {
		return
	}
	exact := false
	if a := t.CompareAttr(); a != nil {
		exact = a.CaseExact
	}
	type keyed struct {
		r Resource
		k any
	}
	ks := make([]keyed, len(rs))
	for i, r := range rs {
		ks[i] = keyed{r, sortValue(t, r)}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		c := Compare(a.k, b.k, exact)
		if descending {
			return -c
		}
		return c
	})
	for i := range ks {
		rs[i] = ks[i].r
	}
}
