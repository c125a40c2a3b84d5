package resource

import (
	"strings"

	"github.com/dbscim/dbscim/engine/scim/filter"
)

// projectionWants answers Projection.Wants without schemas: it only needs names.
// It errs towards true: a store that fetches an attribute the handler then drops
// costs time, one that skips an attribute the client asked for is wrong.
func projectionWants(p Projection, attr string) bool {
	if strings.EqualFold(attr, "id") || strings.EqualFold(attr, "schemas") {
		return true
	}
	if len(p.Attributes) > 0 {
		for _, s := range p.Attributes {
			if namesTopLevel(s, attr) {
				return true
			}
		}
		return false
	}
	for _, s := range p.Excluded {
		if strings.EqualFold(strings.TrimSpace(s), attr) || strings.EqualFold(topLevelName(s), attr) && !strings.Contains(afterURN(s), ".") {
			return false
		}
	}
	return true
}

// namesTopLevel reports whether a requested path s is attr or lies inside it
// ("name.givenName" lies inside "name", "urn:...:User:department" inside the
// extension "urn:...:User").
func namesTopLevel(s, attr string) bool {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, attr) || strings.EqualFold(topLevelName(s), attr) {
		return true
	}
	return len(s) > len(attr) && strings.EqualFold(s[:len(attr)], attr) && s[len(attr)] == ':'
}

// topLevelName returns the attribute name of a path: "name" for
// "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName".
func topLevelName(s string) string {
	top, _, _ := strings.Cut(afterURN(s), ".")
	return top
}

func afterURN(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// projPath is a parsed attributes/excludedAttributes entry, names lower-cased.
type projPath struct {
	Ext, Name, Sub string
	WholeExt       bool
}

// Projector applies a Projection to resources (RFC 7644 §3.4.2.5, §3.9) using
// the "returned" characteristic of RFC 7643 §7: "always" attributes (id) are kept
// even when excluded, "never" ones (password) are always dropped, "request" ones
// only appear when named in attributes.
type Projector struct {
	ss         *SchemaSet
	attributes []projPath
	excluded   []projPath
}

func NewProjector(ss *SchemaSet, p Projection) *Projector {
	pr := &Projector{ss: ss}
	for _, s := range p.Attributes {
		if pp, ok := ss.parseProjPath(s); ok {
			pr.attributes = append(pr.attributes, pp)
		}
	}
	for _, s := range p.Excluded {
		if pp, ok := ss.parseProjPath(s); ok {
			pr.excluded = append(pr.excluded, pp)
		}
	}
	return pr
}

func (ss *SchemaSet) parseProjPath(s string) (projPath, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return projPath{}, false
	}
	if e := ss.Extension(s); e != nil {
		return projPath{Ext: strings.ToLower(e.ID), WholeExt: true}, true
	}
	ap, err := filter.ParseAttrPath(s)
	if err != nil {
		return projPath{}, false
	}
	t, ok := ss.resolveAny(ap)
	if !ok {
		return projPath{}, false
	}
	return projPath{Ext: strings.ToLower(t.Ext), Name: strings.ToLower(t.Name), Sub: strings.ToLower(t.SubName), WholeExt: t.WholeExt}, true
}

// Apply returns the projected copy of a resource (shallow where nothing changes).
func (pr *Projector) Apply(r Resource) Resource {
	return pr.project(make(Resource, len(r)), r)
}

// ApplyOwned projects a resource the caller owns in place, sparing the copy
// Apply makes: the handler projects every resource of a list page it has just
// built. The values it holds are not changed; the ones left out are removed.
func (pr *Projector) ApplyOwned(r Resource) Resource {
	return pr.project(r, r)
}

// project writes the projection of r into out, which is either empty or r
// itself: a key of r the projection leaves out is deleted from out.
func (pr *Projector) project(out, r Resource) Resource {
	for k, v := range r {
		if strings.EqualFold(k, "schemas") {
			out[k] = v
			continue
		}
		if urn, ok := pr.ss.isExtensionKey(k, r); ok {
			m, isMap := v.(map[string]any)
			if !isMap {
				delete(out, k)
				continue
			}
			var attrs []*Attribute
			if e := pr.ss.Extension(urn); e != nil {
				attrs = e.Attributes
			}
			sub := make(map[string]any, len(m))
			for sk, sv := range m {
				if nv, keep := pr.decide(strings.ToLower(urn), sk, FindAttribute(attrs, sk), sv); keep {
					sub[sk] = nv
				}
			}
			if len(sub) > 0 {
				out[k] = sub
			} else {
				delete(out, k)
			}
			continue
		}
		var a *Attribute
		if pr.ss.core != nil {
			a = FindAttribute(pr.ss.core.Attributes, k)
		}
		if a == nil {
			a = FindAttribute(CommonAttributes, k)
		}
		if nv, keep := pr.decide("", k, a, v); keep {
			out[k] = nv
		} else {
			delete(out, k)
		}
	}
	return out
}

// KeepsWhole reports whether the projection returns the top-level member k as it
// is, v unchanged. A page asked for without attributes or excludedAttributes
// keeps every member but the never-returned and request-only ones: the handler
// asks this of each member and spares the resource the projection when all say
// yes. It errs towards false (a key spelt otherwise than its schema spells it).
func (pr *Projector) KeepsWhole(k string, v any) bool {
	if len(pr.attributes) > 0 || len(pr.excluded) > 0 {
		return false
	}
	kind := pr.ss.plainKeys()[k]
	return kind == keepAsIs || kind == keepObject && isObject(v)
}

func isObject(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) > 0
}

// What a projection without attributes or excludedAttributes does to a top-level
// key, by its exact spelling in the schemas; keys not listed are decided one by
// one.
const (
	_          = iota
	keepAsIs   // returned unchanged
	keepObject // an extension: returned unchanged when it is an object
)

// plainKeys classifies the top-level keys for KeepsWhole, on first use (the
// schemas are complete by then).
func (ss *SchemaSet) plainKeys() map[string]int {
	if p := ss.plain.Load(); p != nil {
		return *p
	}
	keys := map[string]int{}
	if !ss.generic && ss.core != nil {
		// The same look-ups as project's, made once per name.
		keys["schemas"] = keepAsIs
		for _, list := range [][]*Attribute{ss.core.Attributes, CommonAttributes} {
			for _, n := range list {
				a := FindAttribute(ss.core.Attributes, n.Name)
				if a == nil {
					a = FindAttribute(CommonAttributes, n.Name)
				}
				if ss.Extension(n.Name) == nil && returnedWhole(a) {
					keys[n.Name] = keepAsIs
				}
			}
		}
		for _, e := range ss.exts {
			whole := true
			for _, a := range ss.Extension(e.ID).Attributes {
				whole = whole && returnedWhole(a)
			}
			if whole {
				keys[e.ID] = keepObject
			}
		}
	}
	ss.plain.Store(&keys)
	return keys
}

// returnedWhole reports whether a projection without attributes or
// excludedAttributes returns the attribute with all its sub-attributes.
func returnedWhole(a *Attribute) bool {
	switch a.ReturnWhen() {
	case ReturnedAlways:
		return true
	case ReturnedNever, ReturnedRequest:
		return false
	}
	for _, s := range a.SubAttributes {
		if s.ReturnWhen() == ReturnedNever {
			return false
		}
	}
	return true
}

// decide says whether an attribute is returned and with which of its
// sub-attributes.
func (pr *Projector) decide(ext, name string, a *Attribute, v any) (any, bool) {
	switch a.ReturnWhen() {
	case ReturnedNever:
		return nil, false
	case ReturnedAlways:
		return v, true
	}
	if len(pr.attributes) == 0 && len(pr.excluded) == 0 {
		// No attributes or excludedAttributes: what every list page of an import
		// asks for.
		if a.ReturnWhen() == ReturnedRequest {
			return nil, false
		}
		return dropNeverSubs(v, a), true
	}
	lname := strings.ToLower(name)
	if len(pr.attributes) > 0 {
		var subs []string
		for _, p := range pr.attributes {
			switch {
			case p.WholeExt && p.Ext == ext && ext != "":
				return dropNeverSubs(v, a), true
			case p.Ext != ext || p.Name != lname:
			case p.Sub == "":
				return dropNeverSubs(v, a), true
			default:
				subs = append(subs, p.Sub)
			}
		}
		if len(subs) == 0 {
			return nil, false
		}
		return keepSubs(v, a, subs), true
	}
	if a.ReturnWhen() == ReturnedRequest {
		return nil, false
	}
	var drop []string
	for _, p := range pr.excluded {
		switch {
		case p.WholeExt && p.Ext == ext && ext != "":
			return nil, false
		case p.Ext != ext || p.Name != lname:
		case p.Sub == "":
			return nil, false
		default:
			drop = append(drop, p.Sub)
		}
	}
	v = dropNeverSubs(v, a)
	if len(drop) == 0 {
		return v, true
	}
	return MapElements(v, func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, x := range m {
			if !containsFold(drop, k) || a.SubAttribute(k).ReturnWhen() == ReturnedAlways {
				out[k] = x
			}
		}
		return out
	}), true
}

// keepSubs keeps the named sub-attributes (and those returned always).
func keepSubs(v any, a *Attribute, subs []string) any {
	return MapElements(v, func(m map[string]any) map[string]any {
		out := make(map[string]any, len(subs))
		for k, x := range m {
			sa := a.SubAttribute(k)
			if sa.ReturnWhen() == ReturnedNever {
				continue
			}
			if containsFold(subs, k) || sa.ReturnWhen() == ReturnedAlways {
				out[k] = x
			}
		}
		return out
	})
}

// dropNeverSubs removes sub-attributes that are never returned.
func dropNeverSubs(v any, a *Attribute) any {
	if a == nil || a.Type != TypeComplex {
		return v
	}
	never := false
	for _, s := range a.SubAttributes {
		if s.ReturnWhen() == ReturnedNever {
			never = true
		}
	}
	if !never {
		return v
	}
	return MapElements(v, func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, x := range m {
			if a.SubAttribute(k).ReturnWhen() != ReturnedNever {
				out[k] = x
			}
		}
		return out
	})
}

// MapElements applies f to a complex value or to each element of a multi-valued
// one, leaving other values alone.
func MapElements(v any, f func(map[string]any) map[string]any) any {
	if m, ok := v.(map[string]any); ok {
		return f(m)
	}
	if l, ok := AsList(v); ok {
		out := make([]any, len(l))
		for i, x := range l {
			if m, ok := x.(map[string]any); ok {
				out[i] = f(m)
			} else {
				out[i] = x
			}
		}
		return out
	}
	return v
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// ParseProjection reads the comma-separated attributes / excludedAttributes.
func ParseProjection(attributes, excluded []string) Projection {
	split := func(in []string) []string {
		var out []string
		for _, s := range in {
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
		return out
	}
	return Projection{Attributes: split(attributes), Excluded: split(excluded)}
}
