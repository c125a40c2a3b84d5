package scim

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

// checkBody checks a POST or PUT body against the resource type's schemas before
// anything else reads it: "schemas" must name the type's core schema (RFC 7643
// §3), and every attribute the schemas list must have its JSON type (a string
// for a string, a number for an integer, an object for a complex attribute), so
// that a value is never coerced or dropped. Attributes the schemas do not list
// are not served by the target: they are ignored, and returned so that the
// caller can log them (Okta sends password, locale and groups whatever the
// target maps).
func checkBody(rt *resourceType, body map[string]any) (ignored []string, e *Error) {
	if rt.Schema == nil {
		return nil, nil
	}
	var urns []any
	for k, v := range body {
		if strings.EqualFold(k, "schemas") {
			l, ok := v.([]any)
			if !ok {
				return nil, Errorf(400, InvalidSyntax, "schemas must be an array of schema URNs")
			}
			urns = l
		}
	}
	if len(urns) == 0 {
		return nil, Errorf(400, InvalidSyntax, "schemas is missing or empty: a %s names %s", rt.ID, rt.Schema.ID)
	}
	core := false
	for _, u := range urns {
		s, ok := u.(string)
		if !ok {
			return nil, Errorf(400, InvalidSyntax, "schemas must be an array of schema URNs")
		}
		core = core || strings.EqualFold(s, rt.Schema.ID)
	}
	if !core {
		return nil, Errorf(400, InvalidSyntax, "schemas does not name %s: this endpoint serves %s resources", rt.Schema.ID, rt.ID)
	}
	for k, v := range body {
		if strings.EqualFold(k, "schemas") {
			continue
		}
		if ext := rt.ss.Extension(k); ext != nil {
			m, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return nil, Errorf(400, InvalidValue, "%s must be an object", k)
			}
			for ik, iv := range m {
				a := resource.FindAttribute(ext.Attributes, ik)
				if a == nil {
					ignored = append(ignored, ext.ID+":"+ik)
					continue
				}
				if e := checkJSONType(a, iv, ext.ID+":"+a.Name); e != nil {
					return nil, e
				}
			}
			continue
		}
		a := rt.Schema.Attribute(k)
		if i := strings.LastIndex(k, ":"); a == nil && i > 0 {
			// A flat "urn:...:attr" key of an extension.
			for _, ext := range rt.Extensions {
				if strings.EqualFold(k[:i], ext.ID) {
					a = ext.Attribute(k[i+1:])
				}
			}
		}
		if a == nil {
			if resource.FindAttribute(resource.CommonAttributes, k) == nil {
				ignored = append(ignored, k)
			}
			continue
		}
		if e := checkJSONType(a, v, a.Name); e != nil {
			return nil, e
		}
	}
	sort.Strings(ignored)
	return ignored, nil
}

// checkJSONType checks one attribute's JSON value against its definition. null
// is always accepted (it clears the attribute). Entra's forms stay accepted: a
// boolean as the string "True" or "False", one element where an array belongs,
// and a bare id for a single-valued complex attribute with a value (manager) or
// for members.
func checkJSONType(a *resource.Attribute, v any, path string) *Error {
	if v == nil {
		return nil
	}
	if a.MultiValued {
		l, ok := v.([]any)
		if !ok {
			l = []any{v}
		}
		for i, x := range l {
			if x == nil {
				continue
			}
			if e := checkElement(a, x, fmt.Sprintf("%s[%d]", path, i), true); e != nil {
				return e
			}
		}
		return nil
	}
	return checkElement(a, v, path, false)
}

func checkElement(a *resource.Attribute, v any, path string, element bool) *Error {
	bad := func(want string) *Error {
		return Errorf(400, InvalidValue, "%s must be %s, not %s", path, want, jsonKind(v))
	}
	switch a.Type {
	case resource.TypeComplex:
		m, ok := v.(map[string]any)
		if !ok {
			_, isList := v.([]any)
			bare := a.SubAttribute("value") != nil && !isList && (!element || strings.EqualFold(a.Name, "members"))
			if bare {
				return nil
			}
			return bad("an object")
		}
		for k, x := range m {
			if sub := a.SubAttribute(k); sub != nil {
				if e := checkElement(sub, x, path+"."+sub.Name, false); e != nil && x != nil {
					return e
				}
			}
		}
	case resource.TypeBoolean:
		switch x := v.(type) {
		case bool:
		case string:
			if !strings.EqualFold(x, "true") && !strings.EqualFold(x, "false") {
				return bad("a boolean")
			}
		default:
			return bad("a boolean")
		}
	case resource.TypeInteger:
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || math.IsInf(f, 0) {
			return bad("an integer")
		}
	case resource.TypeDecimal:
		if _, ok := v.(float64); !ok {
			return bad("a number")
		}
	case resource.TypeDateTime:
		s, ok := v.(string)
		if !ok {
			return bad("a dateTime string")
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return Errorf(400, InvalidValue, "%s must be an RFC 3339 dateTime such as 2026-11-23T10:00:00Z, not %s", path, fault.Quote(s))
		}
	default: // string, reference, binary
		if _, ok := v.(string); !ok {
			return bad("a string")
		}
	}
	return nil
}
