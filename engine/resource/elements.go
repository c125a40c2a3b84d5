package resource

import (
	"strings"

	"github.com/dbscim/dbscim/engine/scim/filter"
)

// ValueFilterMeetsValue finds, among the attribute paths a resource's mappings
// set, a value filter of a multi-valued attribute that tests a sub-attribute
// another path sets from a value: phoneNumbers[type eq "mobile"].value beside
// phoneNumbers[primary eq true].type. Reading a row, a filtered path's value goes
// to the first element the filter matches, so the element it lands in depends on
// the values: a user whose primary phone is a mobile reads as one element, the
// mobile number in place of the primary one. It returns the filtered path and
// the path whose value its filter tests; found is false when there is none.
// Paths that do not parse are left out.
func ValueFilterMeetsValue(paths []string) (filtered, setter string, found bool) {
	type path struct {
		text, attr string
		p          *filter.Path
	}
	var parsed []path
	for _, text := range paths {
		p, err := filter.ParsePath(text)
		if err != nil {
			continue
		}
		attr := strings.ToLower(p.AttributePath.AttributeName)
		if p.AttributePath.URIPrefix != nil {
			attr = strings.ToLower(*p.AttributePath.URIPrefix) + ":" + attr
		}
		parsed = append(parsed, path{text, attr, p})
	}
	for _, f := range parsed {
		if f.p.ValueExpression == nil {
			continue
		}
		tested := filterAttributes(f.p.ValueExpression)
		for _, s := range parsed {
			if s.attr != f.attr || s.p.SubAttribute == nil {
				continue
			}
			for _, t := range tested {
				if t == "" || strings.EqualFold(t, *s.p.SubAttribute) {
					return f.text, s.text, true
				}
			}
		}
	}
	return "", "", false
}

// filterAttributes lists the attributes a value filter tests; "" stands for a
// filter of a shape it does not know, which may test any.
func filterAttributes(e filter.Expression) []string {
	switch x := e.(type) {
	case *filter.AttributeExpression:
		return []string{x.AttributePath.AttributeName}
	case *filter.LogicalExpression:
		return append(filterAttributes(x.Left), filterAttributes(x.Right)...)
	case *filter.NotExpression:
		return filterAttributes(x.Expression)
	}
	return []string{""}
}
