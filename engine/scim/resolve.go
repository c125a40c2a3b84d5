package scim

import (
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// schemaSet is the schemas of one resource type: the core schema first, then its
// extensions, which is the order every exported function taking `schemas ...*Schema`
// expects. With no schemas at all the set is generic: every name resolves and types
// come from the values themselves.
type schemaSet struct {
	core    *Schema
	exts    []*Schema
	generic bool
}

func newSchemaSet(schemas []*Schema) *schemaSet {
	ss := &schemaSet{generic: true}
	for _, s := range schemas {
		if s == nil {
			continue
		}
		if ss.core == nil {
			ss.core, ss.generic = s, false
			continue
		}
		ss.exts = append(ss.exts, s)
	}
	return ss
}

// extension returns the extension schema with the given URN, or nil.
func (ss *schemaSet) extension(urn string) *Schema {
	for _, s := range ss.exts {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// isExtensionKey reports whether a top-level key of a resource (or a full path)
// names an extension rather than an attribute, returning its canonical URN.
func (ss *schemaSet) isExtensionKey(key string, r Resource) (string, bool) {
	if s := ss.extension(key); s != nil {
		return s.ID, true
	}
	if !ss.generic || !strings.HasPrefix(strings.ToLower(key), "urn:") {
		return "", false
	}
	// Without schemas: a known URN, a key the resource already has, or one its
	// "schemas" lists.
	for _, u := range []string{EnterpriseUserURN} {
		if strings.EqualFold(u, key) {
			return u, true
		}
	}
	if k, v, ok := lookup(r, key); ok {
		if _, isMap := v.(map[string]any); isMap {
			return k, true
		}
	}
	if _, v, ok := lookup(r, "schemas"); ok {
		l, _ := asList(v)
		for _, s := range l {
			if str, ok := s.(string); ok && strings.EqualFold(str, key) {
				return str, true
			}
		}
	}
	return "", false
}

func isCoreURN(ss *schemaSet, urn string) bool {
	if ss.core != nil {
		return strings.EqualFold(ss.core.ID, urn)
	}
	return strings.Contains(strings.ToLower(urn), ":core:")
}

// target is where an attribute path points in a resource.
type target struct {
	ext      string     // the extension URN holding the attribute, "" for core
	name     string     // the attribute's name, canonical when the schema knows it
	attr     *Attribute // nil when no schema describes it
	subName  string     // the sub-attribute, "" for none
	sub      *Attribute
	wholeExt bool // the path names an extension object itself
}

// resolve finds the target of an attribute path at the top level of a resource.
// It reports false for a name no schema declares (generic sets resolve everything).
func (ss *schemaSet) resolve(ap filter.AttributePath, r Resource) (target, bool) {
	uri, name, subName := ap.URI(), ap.AttributeName, ap.SubAttributeName()
	if uri != "" && subName == "" {
		// filter-parser reads "urn:...:2.0:User" as URI "urn:...:2.0", name "User".
		if u, ok := ss.isExtensionKey(uri+":"+name, r); ok {
			return target{ext: u, wholeExt: true}, true
		}
	}
	var t target
	var attrs []*Attribute
	switch {
	case uri == "":
		if ss.core != nil {
			attrs = ss.core.Attributes
		}
	case isCoreURN(ss, uri):
		if ss.core != nil {
			attrs = ss.core.Attributes
		}
	default:
		s := ss.extension(uri)
		if s == nil && !ss.generic {
			return target{}, false
		}
		t.ext = uri
		if s != nil {
			t.ext = s.ID
			attrs = s.Attributes
		}
		return ss.finish(t, findAttribute(attrs, name), name, subName)
	}
	a := findAttribute(attrs, name)
	if a == nil {
		a = findAttribute(commonAttributes, name)
	}
	return ss.finish(t, a, name, subName)
}

func (ss *schemaSet) finish(t target, a *Attribute, name, subName string) (target, bool) {
	if a == nil && !ss.generic {
		return target{}, false
	}
	t.name, t.attr = name, a
	if a != nil {
		t.name = a.Name
	}
	if subName == "" {
		return t, true
	}
	t.subName = subName
	if a != nil {
		if a.Type != TypeComplex {
			return target{}, false
		}
		t.sub = a.SubAttribute(subName)
		if t.sub == nil && !ss.generic {
			return target{}, false
		}
		if t.sub != nil {
			t.subName = t.sub.Name
		}
	}
	return t, true
}

// resolveIn finds the target of an attribute path inside an element of a complex
// attribute (the "type" of emails[type eq "work"]): a sub-attribute of parent.
func (ss *schemaSet) resolveIn(parent *Attribute, ap filter.AttributePath) (target, bool) {
	if ap.URIPrefix != nil || ap.SubAttribute != nil {
		return target{}, false
	}
	if parent == nil {
		return target{name: ap.AttributeName}, true
	}
	a := parent.SubAttribute(ap.AttributeName)
	if a == nil {
		return target{}, false
	}
	return target{name: a.Name, attr: a}, true
}

// container returns the object holding a target's attribute: the resource itself
// or its extension object (nil when absent).
func (t target) container(r Resource) map[string]any {
	if t.ext == "" {
		return r
	}
	_, v, _ := lookup(r, t.ext)
	m, _ := v.(map[string]any)
	return m
}

// compareAttr is the attribute whose type and case rule a comparison on the target
// uses: the sub-attribute, or for a multi-valued complex attribute named without one
// its "value" (RFC 7644 §3.4.2.2: `emails co "x"` means emails.value).
func (t target) compareAttr() *Attribute {
	if t.sub != nil {
		return t.sub
	}
	if t.subName == "" && t.attr != nil && t.attr.Type == TypeComplex && t.attr.MultiValued {
		if v := t.attr.SubAttribute("value"); v != nil {
			return v
		}
	}
	return t.attr
}
