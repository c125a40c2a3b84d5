package resource

import (
	"context"
	"slices"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"

	"github.com/dbscim/dbscim/engine/scim/filter"
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
	removed := setOf(m.Remove)
	seen := make(map[string]struct{}, len(current)+len(m.Add))
	out := make([]string, 0, len(current)+len(m.Add))
	for _, list := range [][]string{current, m.Add} {
		for _, id := range list {
			if _, gone := removed[id]; gone {
				continue
			}
			if _, dup := seen[id]; !dup {
				seen[id] = struct{}{}
				out = append(out, id)
			}
		}
	}
	return out
}

// RecordAdd records, after what the change already does, that ids are added.
func (m *MemberChange) RecordAdd(ids []string) {
	m.Remove = without(m.Remove, ids)
	m.Add = appendNew(m.Add, ids)
}

// RecordRemove records, after what the change already does, that ids are
// removed.
func (m *MemberChange) RecordRemove(ids []string) {
	m.Add = without(m.Add, ids)
	if !m.Replace {
		m.Remove = appendNew(m.Remove, ids)
	}
}

// RecordReplace records that the members become ids, whatever the change did
// before.
func (m *MemberChange) RecordReplace(ids []string) {
	m.Replace, m.Add, m.Remove = true, appendNew(nil, ids), nil
}

// The Record methods take time linear in the ids they are given and the ids the
// change holds: a group push carries tens of thousands of members in one
// operation, and a scan of the list per id would take minutes of CPU.

// smallSet is the size under which a linear scan beats building a map.
const smallSet = 16

func without(list, ids []string) []string {
	if len(list) == 0 || len(ids) == 0 {
		return list
	}
	out := list[:0]
	if len(ids) <= smallSet {
		for _, x := range list {
			if !slices.Contains(ids, x) {
				out = append(out, x)
			}
		}
		return out
	}
	drop := setOf(ids)
	for _, x := range list {
		if _, ok := drop[x]; !ok {
			out = append(out, x)
		}
	}
	return out
}

func appendNew(list, ids []string) []string {
	if len(list)+len(ids) <= smallSet {
		for _, id := range ids {
			if !slices.Contains(list, id) {
				list = append(list, id)
			}
		}
		return list
	}
	have := setOf(list)
	list = slices.Grow(list, len(ids))
	for _, id := range ids {
		if _, ok := have[id]; !ok {
			have[id] = struct{}{}
			list = append(list, id)
		}
	}
	return list
}

func setOf(list []string) map[string]struct{} {
	set := make(map[string]struct{}, len(list))
	for _, x := range list {
		set[x] = struct{}{}
	}
	return set
}

// Apply returns the resource r after the change, computed in memory: a create's
// or replace's resource (keeping r's id), or r patched. Members are kept as
// {"value": id} elements, keeping the elements r already had.
//
// It stops with Timeout or Canceled once ctx is done (see ApplyPatch).
func (c Change) Apply(ctx context.Context, r Resource, schemas ...*Schema) (Resource, error) {
	var out Resource
	switch c.Op {
	case OpCreate, OpReplace:
		out = CopyResource(c.Resource)
		if id, ok := r["id"]; ok {
			out["id"] = id
		}
		if old, ok := r["members"]; ok && c.Members == nil && c.Op == OpReplace {
			// A PUT without members leaves them as they are.
			out["members"] = DeepCopy(old)
		}
	default:
		var err error
		if out, err = ApplyPatch(ctx, r, c.Patch, schemas...); err != nil {
			return nil, err
		}
	}
	if c.Members != nil {
		old, _ := AsList(r["members"])
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
				members = append(members, DeepCopy(el))
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
	s, _ := ToText(el)
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
		_, v, _ := Lookup(c.Resource, name)
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
			if _, v, ok := Lookup(m, name); ok {
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
		if s, ok := ToText(v); ok && s != "" {
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
		if ids, err := ValueEqualities(op.Path.ValueExpression); err == nil {
			out = append(out, ids...)
		}
	}
	return out
}

// ValueEqualities reads `value eq "x"`, or several joined by or, from a value
// filter: the one form of filter that names the elements of a set of ids.
func ValueEqualities(e filter.Expression) ([]string, error) {
	switch x := e.(type) {
	case *filter.AttributeExpression:
		if strings.EqualFold(x.AttributePath.AttributeName, "value") && x.AttributePath.SubAttribute == nil && x.Operator == filter.EQ {
			if s, ok := ToText(x.CompareValue); ok {
				return []string{s}, nil
			}
		}
	case *filter.LogicalExpression:
		if x.Operator == filter.OR {
			l, err := ValueEqualities(x.Left)
			if err != nil {
				return nil, err
			}
			r, err := ValueEqualities(x.Right)
			return append(l, r...), err
		}
	}
	return nil, fault.New(fault.InvalidFilter, `a members filter must be value eq "id" (or several joined by or)`)
}
