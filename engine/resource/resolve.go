package resource

import (
	"strings"
	"sync/atomic"

	"github.com/dbscim/dbscim/engine/scim/filter"
)

// SchemaSet is the schemas of one resource type: the core schema first, then its
// extensions, which is the order every exported function taking `schemas ...*Schema`
// expects. With no schemas at all the set is generic: every name resolves and types
// come from the values themselves.
type SchemaSet struct {
	core    *Schema
	exts    []*Schema
	generic bool
	never   atomic.Pointer[[]string]       // see neverNames
	plain   atomic.Pointer[map[string]int] // see plainKeys
}

func NewSchemaSet(schemas []*Schema) *SchemaSet {
	ss := &SchemaSet{generic: true}
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

// Core returns the core schema, nil for a schema-less set.
func (ss *SchemaSet) Core() *Schema { return ss.core }

// Extensions returns the schema extensions.
func (ss *SchemaSet) Extensions() []*Schema { return ss.exts }

// Extension returns the extension schema with the given URN, or nil.
func (ss *SchemaSet) Extension(urn string) *Schema {
	for _, s := range ss.exts {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// isExtensionKey reports whether a top-level key of a resource (or a full path)
// names an extension rather than an attribute, returning its canonical URN.
func (ss *SchemaSet) isExtensionKey(key string, r Resource) (string, bool) {
	if s := ss.Extension(key); s != nil {
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
	if k, v, ok := Lookup(r, key); ok {
		if _, isMap := v.(map[string]any); isMap {
			return k, true
		}
	}
	if _, v, ok := Lookup(r, "schemas"); ok {
		l, _ := AsList(v)
		for _, s := range l {
			if str, ok := s.(string); ok && strings.EqualFold(str, key) {
				return str, true
			}
		}
	}
	return "", false
}

func isCoreURN(ss *SchemaSet, urn string) bool {
	if ss.core != nil {
		return strings.EqualFold(ss.core.ID, urn)
	}
	return strings.Contains(strings.ToLower(urn), ":core:")
}

// Target is where an attribute path points in a resource.
type Target struct {
	Ext      string     // the extension URN holding the attribute, "" for core
	Name     string     // the attribute's name, canonical when the schema knows it
	Attr     *Attribute // nil when no schema describes it
	SubName  string     // the sub-attribute, "" for none
	Sub      *Attribute
	WholeExt bool // the path names an extension object itself
}

// Resolve finds the Target of an attribute path at the top level of a resource.
// It reports false for a name no schema declares (generic sets resolve everything).
func (ss *SchemaSet) Resolve(ap filter.AttributePath, r Resource) (Target, bool) {
	uri, name, subName := ap.URI(), ap.AttributeName, ap.SubAttributeName()
	if uri != "" && subName == "" {
		// filter-parser reads "urn:...:2.0:User" as URI "urn:...:2.0", name "User".
		if u, ok := ss.isExtensionKey(uri+":"+name, r); ok {
			return Target{Ext: u, WholeExt: true}, true
		}
	}
	var t Target
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
		s := ss.Extension(uri)
		if s == nil && !ss.generic {
			return Target{}, false
		}
		t.Ext = uri
		if s != nil {
			t.Ext = s.ID
			attrs = s.Attributes
		}
		return ss.finish(t, FindAttribute(attrs, name), name, subName)
	}
	a := FindAttribute(attrs, name)
	if a == nil {
		a = FindAttribute(CommonAttributes, name)
	}
	return ss.finish(t, a, name, subName)
}

func (ss *SchemaSet) finish(t Target, a *Attribute, name, subName string) (Target, bool) {
	if a == nil && !ss.generic {
		return Target{}, false
	}
	t.Name, t.Attr = name, a
	if a != nil {
		t.Name = a.Name
	}
	if subName == "" {
		return t, true
	}
	t.SubName = subName
	if a != nil {
		if a.Type != TypeComplex {
			return Target{}, false
		}
		t.Sub = a.SubAttribute(subName)
		if t.Sub == nil && !ss.generic {
			return Target{}, false
		}
		if t.Sub != nil {
			t.SubName = t.Sub.Name
		}
	}
	return t, true
}

// resolveIn finds the Target of an attribute path inside an element of a complex
// attribute (the "type" of emails[type eq "work"]): a sub-attribute of parent.
func (ss *SchemaSet) resolveIn(parent *Attribute, ap filter.AttributePath) (Target, bool) {
	if ap.URIPrefix != nil || ap.SubAttribute != nil {
		return Target{}, false
	}
	if parent == nil {
		return Target{Name: ap.AttributeName}, true
	}
	a := parent.SubAttribute(ap.AttributeName)
	if a == nil {
		return Target{}, false
	}
	return Target{Name: a.Name, Attr: a}, true
}

// container returns the object holding a Target's attribute: the resource itself
// or its extension object (nil when absent).
func (t Target) container(r Resource) map[string]any {
	if t.Ext == "" {
		return r
	}
	_, v, _ := Lookup(r, t.Ext)
	m, _ := v.(map[string]any)
	return m
}

// CompareAttr is the attribute whose type and case rule a comparison on the Target
// uses: the sub-attribute, or for a multi-valued complex attribute named without one
// its "value" (RFC 7644 §3.4.2.2: `emails co "x"` means emails.value).
func (t Target) CompareAttr() *Attribute {
	if t.Sub != nil {
		return t.Sub
	}
	if t.SubName == "" && t.Attr != nil && t.Attr.Type == TypeComplex && t.Attr.MultiValued {
		if v := t.Attr.SubAttribute("value"); v != nil {
			return v
		}
	}
	return t.Attr
}
