package scim

import (
	"context"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// parsePatch reads a PatchOp request (RFC 7644 §3.5.2) and normalises it into what
// Store.Patch receives, whatever form Okta or Entra ID sent:
//
//   - op in lower case ("Replace" -> "replace"); an unknown op is 400 invalidSyntax;
//   - path parsed (Entra's unquoted filter values accepted); none for a path-less
//     add/replace, whose value stays an object keyed by attribute paths;
//   - values canonicalised against the schemas: "True"/"False" -> booleans, names
//     in schema casing, a single element of a multi-valued attribute wrapped in
//     an array;
//   - add/replace with a null value becomes remove (RFC 7643 §2.5: null is
//     unassigned); add/replace without a value member is 400 invalidValue;
//   - keys of a path-less value that name read-only attributes are dropped (Okta
//     sends the group's id along with a rename), but an id different from the URL's
//     is 400 mutability; an explicit path to a read-only attribute is 400
//     mutability; remove without a path is 400 noTarget.
//
// The operations of a members array read as memberIDs keep that value: it is
// already what canonicalising {"value": id} elements would make of it. parsePatch
// stops with Timeout or Canceled once ctx is done.
func parsePatch(ctx context.Context, ss *resource.SchemaSet, body map[string]any, id string) ([]resource.PatchOp, *Error) {
	if !hasSchema(body, PatchOpURN) {
		return nil, Errorf(400, InvalidSyntax, "a PATCH body must list %s in schemas", PatchOpURN)
	}
	raw, _ := field(body, "Operations")
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, Errorf(400, InvalidSyntax, "a PATCH body needs a non-empty Operations array")
	}
	ops := make([]resource.PatchOp, 0, len(list))
	for i, x := range list {
		if err := fault.Interrupted(ctx); err != nil {
			return nil, toError(err)
		}
		m, ok := x.(map[string]any)
		if !ok {
			return nil, Errorf(400, InvalidSyntax, "Operations[%d] is not an object", i)
		}
		op, e := parseOp(ss, m, id, i)
		if e != nil {
			return nil, e
		}
		ops = append(ops, op)
	}
	// The same rules ApplyPatch enforces, checked before the store is called so
	// that every store sees only valid operations.
	for _, op := range ops {
		if _, err := ss.Expand(op, id); err != nil {
			return nil, toError(err)
		}
	}
	return ops, nil
}

func parseOp(ss *resource.SchemaSet, m map[string]any, id string, i int) (resource.PatchOp, *Error) {
	rawOp, _ := field(m, "op")
	name, _ := rawOp.(string)
	op := resource.PatchOp{Op: strings.ToLower(strings.TrimSpace(name))}
	switch op.Op {
	case "add", "replace", "remove":
	default:
		return op, Errorf(400, InvalidSyntax, "Operations[%d]: unknown op %s; use add, replace or remove", i, fault.Quote(name))
	}
	rawPath, _ := field(m, "path")
	path, isString := rawPath.(string)
	if rawPath != nil && !isString {
		return op, Errorf(400, InvalidSyntax, "Operations[%d]: path must be a string", i)
	}
	var hasValue bool
	op.Value, hasValue = field(m, "value")
	if !hasValue && op.Op != "remove" {
		// RFC 7644 §3.5.2.1 and §3.5.2.3: add and replace MUST carry a value; an
		// explicit null is different (it unassigns the attribute).
		return op, Errorf(400, InvalidValue, "Operations[%d]: %s needs a value", i, op.Op)
	}
	if strings.TrimSpace(path) == "" {
		if op.Op == "remove" {
			return op, Errorf(400, NoTarget, "Operations[%d]: remove needs a path", i)
		}
		v, isMap := op.Value.(map[string]any)
		if !isMap {
			return op, Errorf(400, InvalidValue, "Operations[%d]: %s without a path needs an object value", i, op.Op)
		}
		nv, e := normalizeValueMap(ss, v, id)
		if e != nil {
			return op, e
		}
		op.Value = nv
		return op, nil
	}
	p, err := filter.ParsePath(path)
	if err != nil {
		return op, toError(err)
	}
	op.Path = p
	t, known := ss.Resolve(p.AttributePath, nil)
	if known && (t.Attr.ReadOnly() || t.Sub.ReadOnly() || (p.SubAttribute != nil && t.Attr.SubAttribute(*p.SubAttribute).ReadOnly())) {
		return op, Errorf(400, Mutability, "Operations[%d]: %s is read-only", i, path)
	}
	if p.ValueExpression != nil && known {
		if t.Attr != nil && (t.Attr.Type != resource.TypeComplex || !t.Attr.MultiValued) {
			return op, Errorf(400, InvalidPath, "Operations[%d]: %s is not a multi-valued complex attribute; [filter] does not apply", i, t.Name)
		}
		if err := ss.CheckFilter(p.ValueExpression, t.Attr, true); err != nil {
			return op, toError(err)
		}
	}
	if op.Op != "remove" && op.Value == nil {
		op.Op = "remove"
	}
	if op.Op == "remove" && op.Value == nil {
		return op, nil
	}
	if _, ok := op.Value.(memberIDs); ok && known && p.ValueExpression == nil && p.SubAttribute == nil {
		return op, nil
	}
	if known && !t.WholeExt {
		a, element := t.Attr, p.ValueExpression != nil
		sub := t.Sub
		if p.SubAttribute != nil {
			sub = t.Attr.SubAttribute(*p.SubAttribute)
			if sub == nil && t.Attr != nil {
				return op, nil // an undeclared sub-attribute passes as sent
			}
		}
		if sub != nil {
			a, element = sub, false
		}
		if a != nil && op.Op == "remove" && a.Type == resource.TypeComplex && !a.MultiValued && !element {
			// The manager to remove, as an id, {"value": id} or a list of either.
			given, isList := resource.AsList(op.Value)
			if !isList {
				given = []any{op.Value}
			}
			out := make([]any, len(given))
			for j, x := range given {
				v, err := resource.ValueFor(a, x, false, path)
				if err != nil {
					return op, toError(err)
				}
				out[j] = v
			}
			op.Value = out
			return op, nil
		}
		if a != nil {
			v, err := resource.ValueFor(a, op.Value, element, path)
			if err != nil {
				return op, toError(err)
			}
			op.Value = v
		}
	}
	if known && t.WholeExt {
		if m, ok := op.Value.(map[string]any); ok {
			if ext := ss.Extension(t.Ext); ext != nil {
				out := map[string]any{}
				resource.CanonObject(out, m, ext.Attributes, nil)
				op.Value = out
			}
		}
	}
	return op, nil
}

// normalizeValueMap canonicalises the object of a path-less add/replace. Its keys
// are attribute paths; plain names take the schema's casing and values their
// types, extension objects are canonicalised inside, read-only keys are dropped.
func normalizeValueMap(ss *resource.SchemaSet, v map[string]any, id string) (map[string]any, *Error) {
	out := make(map[string]any, len(v))
	for k, x := range v {
		if strings.EqualFold(k, "schemas") {
			continue
		}
		if ext := ss.Extension(k); ext != nil {
			m, ok := x.(map[string]any)
			if !ok {
				out[ext.ID] = x
				continue
			}
			inner := map[string]any{}
			resource.CanonObject(inner, m, ext.Attributes, nil)
			for ik := range inner {
				if a := resource.FindAttribute(ext.Attributes, ik); a.ReadOnly() {
					delete(inner, ik)
				}
			}
			out[ext.ID] = inner
			continue
		}
		p, err := filter.ParsePath(k)
		if err != nil {
			return nil, toError(err)
		}
		t, known := ss.Resolve(p.AttributePath, nil)
		if !known || t.WholeExt || p.ValueExpression != nil || p.SubAttribute != nil {
			out[k] = x
			continue
		}
		if t.Attr != nil && t.Attr.Name == "id" && t.SubName == "" {
			if s, ok := x.(string); !ok || s != id {
				return nil, Errorf(400, Mutability, "id is read-only; it cannot change from %s", fault.Quote(id))
			}
			continue
		}
		if t.Attr.ReadOnly() || t.Sub.ReadOnly() {
			continue
		}
		name := k
		a := t.Attr
		if a != nil && t.Ext == "" && t.SubName == "" && !strings.Contains(k, ":") {
			name = a.Name
		} else if t.Sub != nil {
			a = t.Sub
		}
		if a != nil && x != nil {
			cv, err := resource.ValueFor(a, x, false, k)
			if err != nil {
				return nil, toError(err)
			}
			x = cv
		}
		out[name] = x
	}
	return out, nil
}
