package scim

import (
	"net/http"
	"strings"

	"github.com/dbscim/dbscim/engine/resource"
)

// memberValues reads member ids from a members value: an array of {value}
// objects (or one object, or bare ids).
func memberValues(raw any) ([]string, *Error) {
	if raw == nil {
		return nil, nil
	}
	if ids, ok := raw.(memberIDs); ok {
		return ids, nil
	}
	list, ok := raw.([]any)
	if !ok {
		list = []any{raw}
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		switch v := item.(type) {
		case map[string]any:
			_, id, _ := resource.Lookup(v, "value")
			s, ok := resource.ToText(id)
			if !ok || s == "" {
				return nil, Errorf(400, InvalidValue, "each member needs a value")
			}
			out = append(out, s)
		case string:
			out = append(out, v)
		default:
			return nil, Errorf(400, InvalidValue, "members must be objects with a value")
		}
	}
	return out, nil
}

// hasMembers reports whether a resource type has a members attribute (Group).
func (rt *resourceType) hasMembers() bool {
	return rt.ss.Core() != nil && resource.FindAttribute(rt.ss.Core().Attributes, "members") != nil
}

// readWrite reads a POST or PUT body into the change it asks for, with the
// attributes it carries that the target does not serve (ignored). A members
// array read as ids (decodeWrite) stands aside, an empty array in its place, while
// the body is checked and canonicalised: ids need neither.
func readWrite(r *http.Request, rt *resourceType, op resource.ChangeOp) (c resource.Change, ignored []string, e *Error) {
	body, e := decodeWrite(r.Context(), r, rt.hasMembers())
	if e != nil {
		return c, nil, e
	}
	var ids memberIDs
	for k, v := range body {
		if x, ok := v.(memberIDs); ok {
			ids, body[k] = x, []any{}
		}
	}
	if ignored, e = checkBody(rt, body); e != nil {
		return c, nil, e
	}
	res, e := prepareWrite(rt, body)
	if e != nil {
		return c, ignored, e
	}
	if ids != nil {
		if k, _, ok := resource.Lookup(res, "members"); ok {
			res[k] = ids
		}
	}
	c, e = wholeChange(rt, op, res)
	return c, ignored, e
}

// wholeChange is the change of a POST or PUT: the prepared resource, with its
// members taken out into Members.
func wholeChange(rt *resourceType, op resource.ChangeOp, res resource.Resource) (resource.Change, *Error) {
	c := resource.Change{Op: op, Resource: res}
	if !rt.hasMembers() {
		return c, nil
	}
	k, raw, ok := resource.Lookup(res, "members")
	if !ok {
		return c, nil
	}
	delete(res, k)
	ids, e := memberValues(raw)
	if e != nil {
		return c, e
	}
	c.Members = &resource.MemberChange{}
	c.Members.RecordReplace(ids)
	return c, nil
}

// patchChange is the change of a PATCH: its member operations (with a path on
// members, or members among the keys of a path-less value) reduced to one
// MemberChange, and the rest kept as attribute operations.
func patchChange(rt *resourceType, ops []resource.PatchOp) (resource.Change, *Error) {
	c := resource.Change{Op: resource.OpPatch}
	if !rt.hasMembers() {
		c.Patch = ops
		return c, nil
	}
	members := func() *resource.MemberChange {
		if c.Members == nil {
			c.Members = &resource.MemberChange{}
		}
		return c.Members
	}
	for _, op := range ops {
		if op.Path != nil {
			if strings.EqualFold(op.Path.AttributePath.AttributeName, "members") {
				if e := memberOp(members(), op); e != nil {
					return c, e
				}
				continue
			}
			c.Patch = append(c.Patch, op)
			continue
		}
		value, _ := op.Value.(map[string]any)
		rest := map[string]any{}
		for k, v := range value {
			if strings.EqualFold(k, "members") {
				if e := memberOp(members(), resource.PatchOp{Op: op.Op, Value: v}); e != nil {
					return c, e
				}
				continue
			}
			rest[k] = v
		}
		if len(rest) > 0 {
			c.Patch = append(c.Patch, resource.PatchOp{Op: op.Op, Value: rest})
		}
	}
	return c, nil
}

// memberOp adds one operation on members to m: the ids in its value (add,
// replace, Entra's remove with a value list) or in its filter
// (members[value eq "a" or value eq "b"]); remove without either removes every
// member.
func memberOp(m *resource.MemberChange, op resource.PatchOp) *Error {
	if op.Path != nil && op.Path.ValueExpression != nil {
		if op.Op != "remove" {
			return Errorf(400, InvalidPath, "a members filter is supported on remove only")
		}
		ids, err := resource.ValueEqualities(op.Path.ValueExpression)
		if err != nil {
			return toError(err)
		}
		m.RecordRemove(ids)
		return nil
	}
	if op.Value == nil {
		if op.Op != "remove" {
			return Errorf(400, InvalidValue, "%s of members needs a value", op.Op)
		}
		m.RecordReplace(nil)
		return nil
	}
	ids, e := memberValues(op.Value)
	if e != nil {
		return e
	}
	switch op.Op {
	case "add":
		m.RecordAdd(ids)
	case "remove":
		m.RecordRemove(ids)
	default:
		m.RecordReplace(ids)
	}
	return nil
}
