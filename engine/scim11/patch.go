package scim11

import (
	"net/http"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim"
)

// patchOps turns a SCIM 1.1 PATCH body (draft-scim-api 1.1 §3.3.2: a partial
// resource) into RFC 7644 PatchOp operations, in 1.1's order: first the removals
// meta.attributes names, then, for each multi-valued attribute, the elements
// marked "operation": "delete" removed and the others added, and last every
// other attribute replaced.
func patchOps(body map[string]any) ([]any, *scim.Error) {
	var removals, changes []any
	replace := map[string]any{}
	for k, v := range body {
		switch {
		case strings.EqualFold(k, "schemas"):
			continue
		case strings.EqualFold(k, "meta"):
			m, ok := v.(map[string]any)
			if !ok {
				return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "meta must be an object")
			}
			_, raw, _ := resource.Lookup(m, "attributes")
			if raw == nil {
				continue
			}
			_, isList := raw.([]any)
			names, ok := resource.StringList(raw)
			if !ok || !isList {
				return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "meta.attributes must be an array of attribute names")
			}
			for _, n := range names {
				if strings.TrimSpace(n) == "" {
					return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidPath, "meta.attributes holds an empty name")
				}
				removals = append(removals, map[string]any{"op": "remove", "path": toV2Name(strings.TrimSpace(n))})
			}
			continue
		}
		name := toV2Name(k)
		list, multi := v.([]any)
		if !multi {
			replace[name] = v
			continue
		}
		var add []any
		for i, el := range list {
			m, ok := el.(map[string]any)
			if !ok {
				add = append(add, el)
				continue
			}
			_, op, marked := resource.Lookup(m, "operation")
			el := map[string]any{}
			for ek, ev := range m {
				if !strings.EqualFold(ek, "operation") {
					el[ek] = ev
				}
			}
			if !marked {
				add = append(add, el)
				continue
			}
			if s, _ := op.(string); !strings.EqualFold(s, "delete") {
				return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "%s[%d]: operation must be \"delete\", not %s", k, i, fault.Quote(opText(op)))
			}
			path, e := elementPath(name, k, i, el)
			if e != nil {
				return nil, e
			}
			changes = append(changes, map[string]any{"op": "remove", "path": path})
		}
		if len(add) > 0 {
			changes = append(changes, map[string]any{"op": "add", "path": name, "value": add})
		}
	}
	ops := append(removals, changes...)
	if len(replace) > 0 {
		ops = append(ops, map[string]any{"op": "replace", "value": replace})
	}
	if len(ops) == 0 {
		return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidSyntax, "the PATCH body changes nothing: send attributes to set, or meta.attributes to remove")
	}
	return ops, nil
}

func opText(v any) string {
	s, ok := resource.ToText(v)
	if !ok {
		return "a non-string"
	}
	return s
}

// elementPath is the 2.0 path of the element of a multi-valued attribute that a
// 1.1 PATCH deletes: by its value, or, for an element without one, by its type.
func elementPath(name, key string, i int, el map[string]any) (string, *scim.Error) {
	if _, v, ok := resource.Lookup(el, "value"); ok && v != nil {
		s, ok := resource.ToText(v)
		if !ok {
			return "", scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "%s[%d]: value must be a string", key, i)
		}
		return name + "[value eq " + quote(s) + "]", nil
	}
	if _, v, ok := resource.Lookup(el, "type"); ok {
		if s, ok := v.(string); ok {
			return name + "[type eq " + quote(s) + "]", nil
		}
	}
	return "", scim.Errorf(http.StatusBadRequest, scim.NoTarget, "%s[%d]: an element to delete needs a value (or a type)", key, i)
}
