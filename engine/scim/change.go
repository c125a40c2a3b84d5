package scim

import (
	"strings"

	filter "github.com/scim2/filter-parser/v2"
)

// ChangeOp says which write a Change comes from.
type ChangeOp int

const (
	// OpCreate is a POST: Resource is the new resource.
	OpCreate ChangeOp = iota + 1
	// OpReplace is a PUT: Resource replaces the stored attributes.
	OpReplace
	// OpPatch is a PATCH: Patch and Members change the stored resource.
	OpPatch
)

// Change is what one write asks of a resource, in neutral terms, whatever shape
// the client sent it in (POST, PUT, Okta's and Entra's PATCH forms, member
// filters joined by or). The handler builds it once; the store applies it by
// choosing its operations; the audit log and the metrics record the same value.
type Change struct {
	Op ChangeOp
	// Resource is the resource of a create or replace, canonical and type-checked,
	// without members (they are in Members). Nil for a patch.
	Resource Resource
	// Patch are a patch's operations on attributes other than members, normalised
	// and checked (see PatchOp). Apply them with ApplyPatch or Change.Apply.
	Patch []PatchOp
	// Members is what the change does to a group's members; nil when it leaves
	// them alone.
	Members *MemberChange
}

// MemberChange is a change to a set of member ids, already reduced from the
// operations that asked for it, in order: after it the members are Add when
// Replace is set, and otherwise the current members with Add added and Remove
// removed. An id is never in both Add and Remove.
type MemberChange struct {
	Replace bool
	Add     []string
	Remove  []string
}

// Result returns the members after the change, given the current ones.
func (m *MemberChange) Result(current []string) []string {
	if m.Replace {
		return append([]string(nil), m.Add...)
	}
	removed := make(map[string]bool, len(m.Remove))
	for _, id := range m.Remove {
		removed[id] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, id := range append(append([]string(nil), current...), m.Add...) {
		if !removed[id] && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// add records that ids are added.
func (m *MemberChange) add(ids []string) {
	m.Remove = without(m.Remove, ids)
	m.Add = appendNew(m.Add, ids)
}

// remove records that ids are removed.
func (m *MemberChange) remove(ids []string) {
	m.Add = without(m.Add, ids)
	if !m.Replace {
		m.Remove = appendNew(m.Remove, ids)
	}
}

// replace records that the members become ids.
func (m *MemberChange) replace(ids []string) {
	m.Replace, m.Add, m.Remove = true, appendNew(nil, ids), nil
}

func without(list, ids []string) []string {
	out := list[:0]
	for _, x := range list {
		if !containsString(ids, x) {
			out = append(out, x)
		}
	}
	return out
}

func appendNew(list, ids []string) []string {
	for _, id := range ids {
		if !containsString(list, id) {
			list = append(list, id)
		}
	}
	return list
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Apply returns the resource r after the change, computed in memory: a create's
// or replace's resource (keeping r's id), or r patched. Members are kept as
// {"value": id} elements, keeping the elements r already had.
func (c Change) Apply(r Resource, schemas ...*Schema) (Resource, error) {
	var out Resource
	switch c.Op {
	case OpCreate, OpReplace:
		out = copyResource(c.Resource)
		if id, ok := r["id"]; ok {
			out["id"] = id
		}
		if old, ok := r["members"]; ok && c.Members == nil && c.Op == OpReplace {
			// A PUT without members leaves them as they are.
			out["members"] = deepCopy(old)
		}
	default:
		var err error
		if out, err = ApplyPatch(r, c.Patch, schemas...); err != nil {
			return nil, err
		}
	}
	if c.Members != nil {
		old, _ := asList(r["members"])
		byID := map[string]any{}
		var current []string
		for _, el := range old {
			id := memberID(el)
			byID[id] = el
			current = append(current, id)
		}
		var members []any
		for _, id := range c.Members.Result(current) {
			if el, ok := byID[id]; ok {
				members = append(members, deepCopy(el))
			} else {
				members = append(members, map[string]any{"value": id})
			}
		}
		if len(members) > 0 {
			out["members"] = members
		} else {
			delete(out, "members")
		}
	}
	return out, nil
}

func memberID(el any) string {
	if m, ok := el.(map[string]any); ok {
		el = m["value"]
	}
	s, _ := toText(el)
	return s
}

// Summary names the change for the audit log and the metrics, with the values it
// grants, revokes, adds or removes. A patch is named after what it does when it
// does one thing: activate or deactivate (how Okta and Entra suspend and restore
// users), grant or revoke (entitlements, roles), add_members or remove_members
// (groups); otherwise it is a patch.
func (c Change) Summary() (operation string, values []string) {
	switch c.Op {
	case OpCreate:
		return "create", nil
	case OpReplace:
		return "replace", nil
	}
	kind := ""
	if m := c.Members; m != nil {
		switch {
		case m.Replace && len(m.Add) == 0:
			kind, values = "remove_members", nil // every member
		case m.Replace:
			return "patch", nil // the whole list set
		case len(m.Remove) == 0:
			kind, values = "add_members", append(values, m.Add...)
		case len(m.Add) == 0:
			kind, values = "remove_members", append(values, m.Remove...)
		default:
			return "patch", nil
		}
	}
	for _, op := range c.Patch {
		k, v := opKind(op)
		if k == "patch" || kind != "" && kind != k {
			return "patch", nil
		}
		kind = k
		values = append(values, v...)
	}
	if kind == "" {
		return "patch", nil
	}
	return kind, values
}

// Sets returns the string a change gives a top-level attribute (userName,
// displayName), for the audit of a change whose store answers no resource.
func (c Change) Sets(name string) string {
	if c.Resource != nil {
		_, v, _ := lookup(c.Resource, name)
		s, _ := v.(string)
		return s
	}
	out := ""
	for _, op := range c.Patch {
		if op.Op == "remove" {
			continue
		}
		if op.Path != nil {
			if strings.EqualFold(op.Path.AttributePath.AttributeName, name) && op.Path.AttributePath.SubAttribute == nil && op.Path.ValueExpression == nil {
				if s, ok := op.Value.(string); ok {
					out = s
				}
			}
			continue
		}
		if m, ok := op.Value.(map[string]any); ok {
			if _, v, ok := lookup(m, name); ok {
				if s, ok := v.(string); ok {
					out = s
				}
			}
		}
	}
	return out
}

// opKind names one attribute operation of a patch.
func opKind(op PatchOp) (string, []string) {
	attr, value := "", op.Value
	if p := op.Path; p != nil {
		if p.SubAttribute != nil || p.AttributePath.SubAttribute != nil {
			return "patch", nil
		}
		attr = strings.ToLower(p.AttributePath.AttributeName)
	} else if m, ok := value.(map[string]any); ok && len(m) == 1 {
		for k, v := range m {
			attr, value = strings.ToLower(k), v
		}
	}
	switch attr {
	case "active":
		b, ok := value.(bool)
		if op.Op == "remove" || !ok || op.Path != nil && op.Path.ValueExpression != nil {
			return "patch", nil
		}
		if b {
			return "activate", nil
		}
		return "deactivate", nil
	case "entitlements", "roles":
		switch op.Op {
		case "add":
			return "grant", patchValues(op, value)
		case "remove":
			return "revoke", patchValues(op, value)
		}
	}
	return "patch", nil
}

// patchValues are the values an add or remove of grants names: in its value (a
// list of {"value": ...} objects, or one) or in its path's filter
// (roles[value eq "x" or value eq "y"]).
func patchValues(op PatchOp, value any) []string {
	var out []string
	add := func(v any) {
		if m, ok := v.(map[string]any); ok {
			v = m["value"]
		}
		if s, ok := toText(v); ok && s != "" {
			out = append(out, s)
		}
	}
	switch v := value.(type) {
	case []any:
		for _, x := range v {
			add(x)
		}
	case nil:
	default:
		add(v)
	}
	if op.Path != nil && op.Path.ValueExpression != nil {
		if ids, err := valueEqualities(op.Path.ValueExpression); err == nil {
			out = append(out, ids...)
		}
	}
	return out
}

// valueEqualities reads `value eq "x"`, or several joined by or, from a value
// filter: the one form of filter that names the elements of a set of ids.
func valueEqualities(e filter.Expression) ([]string, error) {
	switch x := e.(type) {
	case *filter.AttributeExpression:
		if strings.EqualFold(x.AttributePath.AttributeName, "value") && x.AttributePath.SubAttribute == nil && x.Operator == filter.EQ {
			if s, ok := toText(x.CompareValue); ok {
				return []string{s}, nil
			}
		}
	case *filter.LogicalExpression:
		if x.Operator == filter.OR {
			l, err := valueEqualities(x.Left)
			if err != nil {
				return nil, err
			}
			r, err := valueEqualities(x.Right)
			return append(l, r...), err
		}
	}
	return nil, Errorf(400, InvalidFilter, `a members filter must be value eq "id" (or several joined by or)`)
}

// memberValues reads member ids from a members value: an array of {value}
// objects (or one object, or bare ids).
func memberValues(raw any) ([]string, *Error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		list = []any{raw}
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		switch v := item.(type) {
		case map[string]any:
			_, id, _ := lookup(v, "value")
			s, ok := toText(id)
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
	return rt.ss.core != nil && findAttribute(rt.ss.core.Attributes, "members") != nil
}

// wholeChange is the change of a POST or PUT: the prepared resource, with its
// members taken out into Members.
func wholeChange(rt *resourceType, op ChangeOp, res Resource) (Change, *Error) {
	c := Change{Op: op, Resource: res}
	if !rt.hasMembers() {
		return c, nil
	}
	k, raw, ok := lookup(res, "members")
	if !ok {
		return c, nil
	}
	delete(res, k)
	ids, e := memberValues(raw)
	if e != nil {
		return c, e
	}
	c.Members = &MemberChange{}
	c.Members.replace(ids)
	return c, nil
}

// patchChange is the change of a PATCH: its member operations (with a path on
// members, or members among the keys of a path-less value) reduced to one
// MemberChange, and the rest kept as attribute operations.
func patchChange(rt *resourceType, ops []PatchOp) (Change, *Error) {
	c := Change{Op: OpPatch}
	if !rt.hasMembers() {
		c.Patch = ops
		return c, nil
	}
	members := func() *MemberChange {
		if c.Members == nil {
			c.Members = &MemberChange{}
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
				if e := memberOp(members(), PatchOp{Op: op.Op, Value: v}); e != nil {
					return c, e
				}
				continue
			}
			rest[k] = v
		}
		if len(rest) > 0 {
			c.Patch = append(c.Patch, PatchOp{Op: op.Op, Value: rest})
		}
	}
	return c, nil
}

// memberOp adds one operation on members to m: the ids in its value (add,
// replace, Entra's remove with a value list) or in its filter
// (members[value eq "a" or value eq "b"]); remove without either removes every
// member.
func memberOp(m *MemberChange, op PatchOp) *Error {
	if op.Path != nil && op.Path.ValueExpression != nil {
		if op.Op != "remove" {
			return Errorf(400, InvalidPath, "a members filter is supported on remove only")
		}
		ids, err := valueEqualities(op.Path.ValueExpression)
		if err != nil {
			return toError(err)
		}
		m.remove(ids)
		return nil
	}
	if op.Value == nil {
		if op.Op != "remove" {
			return Errorf(400, InvalidValue, "%s of members needs a value", op.Op)
		}
		m.replace(nil)
		return nil
	}
	ids, e := memberValues(op.Value)
	if e != nil {
		return e
	}
	switch op.Op {
	case "add":
		m.add(ids)
	case "remove":
		m.remove(ids)
	default:
		m.replace(ids)
	}
	return nil
}
