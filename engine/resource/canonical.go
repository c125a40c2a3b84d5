package resource

import "strings"

// Canonicalize returns a copy of a resource with its attribute names in the
// schemas' casing ("USERNAME" -> "userName", sub-attributes and extension URNs
// too) and the strings "True"/"False" (any case) turned into booleans where the
// schema says boolean, since Entra ID sends booleans as strings. Extension
// attributes sent flat ("urn:...:enterprise:2.0:User:department": "x") move under
// their extension object, and core attributes sent with the core URN lose the
// prefix. Names no schema declares are kept as sent. schemas are the core schema
// followed by its extensions.
func Canonicalize(r Resource, schemas ...*Schema) Resource {
	ss := NewSchemaSet(schemas)
	out := make(Resource, len(r))
	if ss.core == nil {
		for k, v := range r {
			out[k] = DeepCopy(v)
		}
		return out
	}
	for k, v := range r {
		if strings.EqualFold(k, "schemas") {
			out["schemas"] = DeepCopy(v)
			continue
		}
		if ext := ss.Extension(k); ext != nil {
			m, ok := v.(map[string]any)
			if !ok {
				putCanonical(out, ext.ID, k, DeepCopy(v))
				continue
			}
			dst, _ := out[ext.ID].(map[string]any)
			if dst == nil {
				dst = map[string]any{}
				out[ext.ID] = dst
			}
			CanonObject(dst, m, ext.Attributes, nil)
			continue
		}
		if ext, name, ok := ss.splitPrefixed(k); ok {
			// A flat "urn:...:attr" key.
			if ext == nil {
				CanonObject(out, map[string]any{name: v}, ss.core.Attributes, CommonAttributes)
				continue
			}
			dst, _ := out[ext.ID].(map[string]any)
			if dst == nil {
				dst = map[string]any{}
				out[ext.ID] = dst
			}
			CanonObject(dst, map[string]any{name: v}, ext.Attributes, nil)
			continue
		}
		CanonObject(out, map[string]any{k: v}, ss.core.Attributes, CommonAttributes)
	}
	return out
}

// splitPrefixed splits "urn:...:User:department" into the schema it names (nil for
// the core schema) and "department".
func (ss *SchemaSet) splitPrefixed(k string) (*Schema, string, bool) {
	for _, s := range append([]*Schema{ss.core}, ss.exts...) {
		if len(k) > len(s.ID)+1 && strings.EqualFold(k[:len(s.ID)], s.ID) && k[len(s.ID)] == ':' {
			if s == ss.core {
				return nil, k[len(s.ID)+1:], true
			}
			return s, k[len(s.ID)+1:], true
		}
	}
	return nil, "", false
}

// CanonObject copies src into dst with canonical names and values.
func CanonObject(dst, src map[string]any, attrs, fallback []*Attribute) {
	for k, v := range src {
		a := FindAttribute(attrs, k)
		if a == nil && fallback != nil {
			a = FindAttribute(fallback, k)
		}
		if a == nil {
			putCanonical(dst, k, k, DeepCopy(v))
			continue
		}
		putCanonical(dst, a.Name, k, canonValue(v, a))
	}
}

// putCanonical stores under the canonical name. When a client sent the same
// attribute twice in different casings, the canonically spelled one wins, so the
// result does not depend on map order.
func putCanonical(dst map[string]any, canonical, sent string, v any) {
	if _, exists := dst[canonical]; exists && sent != canonical {
		return
	}
	dst[canonical] = v
}

// canonValue canonicalises one value of an attribute.
func canonValue(v any, a *Attribute) any {
	if a.MultiValued {
		if l, ok := AsList(v); ok {
			out := make([]any, len(l))
			for i, x := range l {
				out[i] = canonSingle(x, a)
			}
			return out
		}
	}
	return canonSingle(v, a)
}

func canonSingle(v any, a *Attribute) any {
	switch a.Type {
	case TypeBoolean:
		if s, ok := v.(string); ok {
			if b, ok := toBool(s); ok {
				return b
			}
		}
	case TypeComplex:
		if m, ok := v.(map[string]any); ok {
			out := make(map[string]any, len(m))
			CanonObject(out, m, a.SubAttributes, nil)
			return out
		}
	}
	return DeepCopy(v)
}
