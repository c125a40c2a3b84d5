package scim

import (
	"slices"

	filter "github.com/scim2/filter-parser/v2"
)

// SortValue returns the value a resource sorts by for sortBy (RFC 7644
// §3.4.2.3): the attribute's value, and for a multi-valued attribute the value of
// its primary element, else of its first. nil means no value (sorted last when
// ascending). It also reports whether the comparison is case-exact, from the
// schemas (core first, then extensions).
func SortValue(r Resource, sortBy string, schemas ...*Schema) (any, bool) {
	ap, err := filter.ParseAttrPath([]byte(sortBy))
	if err != nil {
		return nil, false
	}
	ss := newSchemaSet(schemas)
	t, ok := ss.resolveAny(ap)
	if !ok {
		return nil, false
	}
	exact := false
	if a := t.compareAttr(); a != nil {
		exact = a.CaseExact
	}
	return sortValue(t, r), exact
}

func sortValue(t target, r Resource) any {
	c := t.container(r)
	if c == nil {
		return nil
	}
	_, v, ok := lookup(c, t.name)
	if !ok {
		return nil
	}
	if l, ok := asList(v); ok {
		if len(l) == 0 {
			return nil
		}
		el := primaryOrFirst(l)
		if el == nil {
			return l[0]
		}
		sub := t.subName
		if sub == "" {
			sub = "value"
		}
		_, sv, _ := lookup(el, sub)
		return sv
	}
	if t.subName != "" {
		m, _ := v.(map[string]any)
		_, sv, _ := lookup(m, t.subName)
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
	ap, err := filter.ParseAttrPath([]byte(sortBy))
	if err != nil {
		return
	}
	ss := newSchemaSet(schemas)
	t, ok := ss.resolveAny(ap)
	if !ok {
		return
	}
	exact := false
	if a := t.compareAttr(); a != nil {
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
