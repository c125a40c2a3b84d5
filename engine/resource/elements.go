package resource

import (
	"strings"

	"github.com/dbscim/dbscim/engine/scim/filter"
)

// A FilterMeeting is a value-filtered path whose filter tests what an earlier
// path sets from a value.
type FilterMeeting struct {
	Filtered, Setter string
}

// ValueFiltersMeetValues finds, among the attribute paths a resource's mappings
// set in order, each value filter of a multi-valued attribute that tests a
// sub-attribute an earlier path sets from a value: phoneNumbers[type eq
// "mobile"].value after phoneNumbers[primary eq true].type. Reading a row, a
// filtered path's value goes to the first element the filter matches among
// those made so far, so the element it lands in depends on the values: a user
// whose primary phone is a mobile reads as one element, the mobile number in
// place of the primary one. A setter after the filtered path changes nothing:
// the element is chosen by then. Paths that do not parse are left out. The
// attribute is compared by name, the schema's URN left aside, so that a path
// spelled with the core schema's URN meets one spelled without.
func ValueFiltersMeetValues(paths []string) []FilterMeeting {
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
		parsed = append(parsed, path{text, strings.ToLower(p.AttributePath.AttributeName), p})
	}
	var out []FilterMeeting
	for i, f := range parsed {
		if f.p.ValueExpression == nil {
			continue
		}
		tested := filterAttributes(f.p.ValueExpression)
	setters:
		for _, s := range parsed[:i] {
			sub := s.p.SubAttribute
			if sub == nil {
				sub = s.p.AttributePath.SubAttribute // emails.type: every element's
			}
			if s.attr != f.attr || sub == nil {
				continue
			}
			for _, t := range tested {
				if t == "" || strings.EqualFold(t, *sub) {
					out = append(out, FilterMeeting{Filtered: f.text, Setter: s.text})
					break setters
				}
			}
		}
	}
	return out
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
