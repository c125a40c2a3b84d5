package store

import (
	"context"
	"database/sql"
	"sort"
	"strings"

	"github.com/dbscim/dbscim/engine/scim/filter"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// Groups serves the SCIM Group resource from a target's declared group
// operations. Members are read only when the client asks for them, and changed
// membership by membership, so that a group with 100,000 members is never loaded
// to rename it or to add one member.
type Groups struct {
	table
	cfg         *operations.Groups
	ops         operations.Operations
	displayName *column
	addBatch    *batchInsert // add_member as a multi-row INSERT, when it can be
}

func newGroups(pool *run.Pool, cfg *operations.Groups, maxResults int) *Groups {
	schema := resource.GroupSchema()
	exts := customSchemas(cfg.Attributes, schema)
	s := &Groups{cfg: cfg, ops: cfg.Operations}
	s.table = table{pool: pool, kind: "Group", idColumn: cfg.ID, cols: logTo(pool, resolve(cfg.Attributes, schema, exts...)),
		schemas: append([]*resource.Schema{schema}, exts...), maxResults: maxResults, listOp: cfg.Operations[operations.List], getOp: cfg.Operations[operations.Get], cursors: newCursorCache()}
	for i := range s.cols {
		if s.cols[i].attr == "displayname" && s.cols[i].sub == "" {
			s.displayName = &s.cols[i]
		}
	}
	if cfg.Operations[operations.AddMember] != nil {
		s.addBatch = newBatchInsert(pool.Dialect, cfg.Operations[operations.AddMember])
	}
	return s
}

// Type describes the Group resource type with the writes the target declares.
func (s *Groups) Type() Type {
	return Type{
		ID: "Group", Endpoint: "Groups", Schemas: servedSchemas(s.schemas, s.cols, s.servedExtras(), s.mutability),
		Create: s.ops[operations.Create] != nil,
		Modify: s.ops[operations.Update] != nil || s.ops[operations.AddMember] != nil || s.ops[operations.RemoveMember] != nil,
		Delete: s.ops[operations.Delete] != nil,
	}
}

// Get returns one group, with its members when the projection asks for them.
func (s *Groups) Get(ctx context.Context, id string, p resource.Projection) (resource.Resource, error) {
	rec, err := s.get(ctx, s.pool.DB, id)
	if err != nil {
		return nil, err
	}
	res, err := toResource(s.idColumn, s.cols, rec)
	if err != nil {
		return nil, err
	}
	return res, s.attachMembers(ctx, s.pool.DB, p, res)
}

// List answers one page of groups.
func (s *Groups) List(ctx context.Context, q resource.Query) (*resource.Page, error) {
	if q.Filter != nil && mentions(q.Filter, "members") && s.ops[operations.Members] != nil {
		return s.listByMembers(ctx, q)
	}
	page, err := s.list(ctx, s.pool.DB, q)
	if err != nil {
		return nil, err
	}
	return page, s.attachMembers(ctx, s.pool.DB, q.Projection, page.Resources...)
}

// listByMembers answers a filter on members ("the groups of user x"): each group's
// members are read and the filter evaluated in memory. The groups are read first,
// and the members one group at a time, so memory holds the groups but never every
// membership at once.
func (s *Groups) listByMembers(ctx context.Context, q resource.Query) (*resource.Page, error) {
	var groups []resource.Resource
	err := s.pool.Query(ctx, s.pool.DB, s.listOp, run.Record{}, func(r run.Record) (bool, error) {
		res, err := toResource(s.idColumn, s.cols, r)
		if err == nil {
			groups = append(groups, res)
		}
		return err == nil, err
	})
	if err != nil {
		return nil, err
	}
	page := &resource.Page{}
	skip := q.StartIndex - 1
	var matched []resource.Resource
	for _, g := range groups {
		id, _ := g["id"].(string)
		members, err := s.members(ctx, s.pool.DB, id)
		if err != nil {
			return nil, err
		}
		if len(members) > 0 {
			g["members"] = members
		}
		ok, err := resource.Match(q.Filter, g, s.schemas...)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if !q.Projection.Wants("members") {
			delete(g, "members")
		}
		matched = append(matched, g)
	}
	resource.SortResources(matched, q.SortBy, q.Descending, s.schemas...)
	page.Total = len(matched)
	if skip < len(matched) {
		page.Resources = matched[skip:min(len(matched), skip+q.Count)]
	}
	return page, nil
}

// mentions reports whether a filter names the attribute.
func mentions(e filter.Expression, attr string) bool {
	switch x := e.(type) {
	case *filter.LogicalExpression:
		return mentions(x.Left, attr) || mentions(x.Right, attr)
	case *filter.NotExpression:
		return mentions(x.Expression, attr)
	case *filter.ValuePath:
		return strings.EqualFold(x.AttributePath.AttributeName, attr)
	case *filter.AttributeExpression:
		return strings.EqualFold(x.AttributePath.AttributeName, attr)
	}
	return false
}

func (s *Groups) attachMembers(ctx context.Context, q dialects.Querier, p resource.Projection, groups ...resource.Resource) error {
	if s.ops[operations.Members] == nil || !p.Wants("members") {
		return nil
	}
	for _, g := range groups {
		id, _ := g["id"].(string)
		members, err := s.members(ctx, q, id)
		if err != nil {
			return err
		}
		if len(members) > 0 {
			g["members"] = members
		}
	}
	return nil
}

// members reads a group's members as SCIM values {value, display, type}.
func (s *Groups) members(ctx context.Context, q dialects.Querier, id string) ([]any, error) {
	var out []any
	err := s.eachMember(ctx, q, id, func(r run.Record, member string) {
		m := map[string]any{"value": member, "type": "User"}
		if s.cfg.MemberDisplay != "" {
			if d, ok := r.Get(s.cfg.MemberDisplay); ok && d != nil {
				m["display"] = text(d)
			}
		}
		out = append(out, m)
	})
	return out, err
}

func (s *Groups) eachMember(ctx context.Context, q dialects.Querier, id string, fn func(run.Record, string)) error {
	if s.ops[operations.Members] == nil {
		return fault.New(fault.ReadOnly, "this target declares no groups.members operation")
	}
	return s.pool.Query(ctx, q, s.ops[operations.Members], s.groupRecord(id, ""), func(r run.Record) (bool, error) {
		if v, ok := r.Get(s.cfg.MemberID); ok && v != nil {
			fn(r, text(v))
		}
		return true, nil
	})
}

func (s *Groups) memberSet(ctx context.Context, q dialects.Querier, id string) (map[string]bool, error) {
	set := map[string]bool{}
	err := s.eachMember(ctx, q, id, func(_ run.Record, member string) { set[member] = true })
	return set, err
}

// groupRecord is the record a member operation binds.
func (s *Groups) groupRecord(groupID, member string) run.Record {
	r := run.Record{}
	r.Set(s.idColumn, groupID)
	r.Set(operations.MemberParam, member)
	return r
}

// Create stores a new group with its members, in one transaction.
func (s *Groups) Create(ctx context.Context, c resource.Change) (resource.Resource, error) {
	if s.ops[operations.Create] == nil {
		return nil, fault.New(fault.NotDeclared, "this target declares no groups.create operation")
	}
	res := c.Resource
	rec, err := toRecord(s.cols, res)
	if err != nil {
		return nil, err
	}
	var members []string
	if c.Members != nil {
		members = c.Members.Result(nil)
	}
	// out is the group as the transaction leaves it; attrs the same without its
	// members, to find out what happened when the commit's outcome is unknown.
	var out, attrs resource.Resource
	cl := s.names.newClaims()
	defer cl.done()
	err = s.pool.InTx(ctx, func(tx *sql.Tx) error {
		name, _ := resource.GetValue(res, "displayName")
		if err := s.unique(ctx, cl, tx, "displayName", text(name), ""); err != nil {
			return err
		}
		if err := s.completable(res, members); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, s.ops[operations.Create], rec, "displayName", text(name))
		if err != nil {
			return err
		}
		stored, err := s.complete(ctx, cl, tx, id, res, members)
		if err != nil {
			return err
		}
		if out, err = toResource(s.idColumn, s.cols, stored); err != nil {
			return err
		}
		attrs = resource.CopyResource(out)
		if len(members) > 0 {
			return s.attachMembers(ctx, tx, resource.Projection{}, out)
		}
		return nil
	})
	if fault.Is(err, fault.Indeterminate) && attrs != nil {
		id, _ := attrs["id"].(string)
		err = s.settleGroup(ctx, err, id, attrs, members)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// complete is create completion: after the create, with the id it returned and
// in its transaction, update writes the attributes create does not bind and
// add_member the members. It returns the group as stored.
func (s *Groups) complete(ctx context.Context, cl *claims, tx *sql.Tx, id string, res resource.Resource, members []string) (run.Record, error) {
	stored, err := s.get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := s.writeAttributes(ctx, cl, tx, id, stored, res, writeComplete); err != nil {
		return nil, err
	}
	if err := s.changeMembers(ctx, tx, id, nil, members); err != nil {
		return nil, err
	}
	return s.get(ctx, tx, id)
}

// completable refuses, when create completion is off, a create carrying members
// or a value that the create operation does not bind but update would: it
// would otherwise be written by operations the configuration asked not to run.
func (s *Groups) completable(res resource.Resource, members []string) error {
	if !s.cfg.NoCreateCompletion {
		return nil
	}
	if len(members) > 0 {
		return fault.New(fault.Invalid, "members: groups.create does not write them and create_completion is off")
	}
	create := s.ops[operations.Create]
	for i := range s.cols {
		c := &s.cols[i]
		if bindsField(create, c.Column) || s.mutability(c) == resource.MutabilityReadOnly {
			continue
		}
		if v, ok := resource.GetValue(res, c.Path); ok && v != nil {
			return fault.New(fault.Invalid, "%s: groups.create does not write it and create_completion is off", c.Path)
		}
	}
	return nil
}

// Replace is PUT: attributes replaced, and members replaced when the body carries
// them, applied as the difference.
func (s *Groups) Replace(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	res := c.Resource
	var out, attrs resource.Resource
	var members []string
	cl := s.names.newClaims()
	defer cl.done()
	err := s.pool.InTx(ctx, func(tx *sql.Tx) error {
		old, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.writeAttributes(ctx, cl, tx, id, old, res, writePut); err != nil {
			return err
		}
		if c.Members != nil {
			if members, err = s.applyMembers(ctx, tx, id, c.Members); err != nil {
				return err
			}
		}
		stored, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = toResource(s.idColumn, s.cols, stored); err != nil {
			return err
		}
		attrs = resource.CopyResource(out)
		return s.attachMembers(ctx, tx, resource.Projection{}, out)
	})
	if fault.Is(err, fault.Indeterminate) && attrs != nil {
		err = s.settleGroup(ctx, err, id, attrs, members)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// writeAttributes runs the update operation when a mapped attribute changed.
// Attributes no update binds follow RFC 7644 §3.5.1/§3.5.2 as users' do (see
// Users.write): a PATCH changing one is refused, a PUT ignores a readOnly one
// and refuses changing an immutable one; after a create (writeComplete) what
// create bound is kept and the rest written.
func (s *Groups) writeAttributes(ctx context.Context, cl *claims, tx *sql.Tx, id string, old run.Record, res resource.Resource, mode writeMode) error {
	oldRes, err := toResource(s.idColumn, s.cols, old)
	if err != nil {
		return err
	}
	rec, err := toRecord(s.cols, res)
	if err != nil {
		return err
	}
	changed := false
	for i := range s.cols {
		c := &s.cols[i]
		if strings.EqualFold(c.Column, s.idColumn) {
			continue
		}
		if c.readOnly || mode == writeComplete && bindsField(s.ops[operations.Create], c.Column) {
			rec.Set(c.Column, old[run.Key(c.Column)])
			continue
		}
		a, _ := resource.GetValue(oldRes, c.Path)
		b, _ := resource.GetValue(res, c.Path)
		if mut := s.mutability(c); mut == resource.MutabilityReadOnly || mut == resource.MutabilityImmutable {
			rec.Set(c.Column, old[run.Key(c.Column)])
			if b == nil || sameValue(a, b) || mode == writeComplete || mode == writePut && mut == resource.MutabilityReadOnly {
				continue
			}
			return fault.New(fault.ReadOnly, "%s is %s: no declared operation changes it after create", c.Path, mut)
		}
		if !sameValue(a, b) {
			changed = true
		}
	}
	if !changed {
		return nil
	}
	if s.ops[operations.Update] == nil {
		return fault.New(fault.NotDeclared, "this target declares no groups.update operation")
	}
	newName, _ := resource.GetValue(res, "displayName")
	oldName, _ := resource.GetValue(oldRes, "displayName")
	if newName == nil && s.displayName != nil && s.mutability(s.displayName) == resource.MutabilityReadWrite {
		return fault.New(fault.Invalid, "displayName is required")
	}
	if newName != nil && !strings.EqualFold(text(newName), text(oldName)) {
		if err := s.unique(ctx, cl, tx, "displayName", text(newName), id); err != nil {
			return err
		}
	}
	rec.Set(s.idColumn, old[run.Key(s.idColumn)])
	_, _, err = s.pool.Exec(ctx, tx, s.ops[operations.Update], rec, false)
	return err
}

// Patch applies a patch: the member change straight to the membership (never
// loading the group's members into a resource), the attribute operations to the
// group's attributes; all in one transaction. It answers 204.
func (s *Groups) Patch(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	// attrs and members are the group as the transaction leaves it, to find out
	// what happened when the commit's outcome is unknown.
	var attrs resource.Resource
	var members []string
	cl := s.names.newClaims()
	defer cl.done()
	err := s.pool.InTx(ctx, func(tx *sql.Tx) error {
		old, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if len(c.Patch) > 0 {
			oldRes, err := toResource(s.idColumn, s.cols, old)
			if err != nil {
				return err
			}
			newRes, err := resource.ApplyPatch(ctx, oldRes, c.Patch, s.schemas...)
			if err != nil {
				return err
			}
			if err := s.writeAttributes(ctx, cl, tx, id, old, newRes, writePatch); err != nil {
				return err
			}
		}
		if c.Members != nil {
			if members, err = s.applyMembers(ctx, tx, id, c.Members); err != nil {
				return err
			}
		}
		if len(c.Patch) == 0 {
			attrs, err = toResource(s.idColumn, s.cols, old)
			return err
		}
		stored, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		attrs, err = toResource(s.idColumn, s.cols, stored)
		return err
	})
	if fault.Is(err, fault.Indeterminate) && attrs != nil {
		err = s.settleGroup(ctx, err, id, attrs, members)
	}
	return nil, err
}

// applyMembers brings the group's members to what the change asks for, by the
// difference from the current members, and returns the members it leaves.
func (s *Groups) applyMembers(ctx context.Context, tx dialects.Querier, id string, m *resource.MemberChange) ([]string, error) {
	current, err := s.memberSet(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	list := make([]string, 0, len(current))
	for id := range current {
		list = append(list, id)
	}
	wanted := m.Result(list)
	return wanted, s.changeMembers(ctx, tx, id, current, wanted)
}

// Delete removes the group (and its memberships first, when clear_members is declared).
func (s *Groups) Delete(ctx context.Context, id string) error {
	if s.ops[operations.Delete] == nil {
		return fault.New(fault.NotDeclared, "this target declares no groups.delete operation")
	}
	err := s.pool.InTx(ctx, func(tx *sql.Tx) error {
		rec, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if s.ops[operations.ClearMembers] != nil {
			if _, _, err := s.pool.Exec(ctx, tx, s.ops[operations.ClearMembers], s.groupRecord(id, ""), false); err != nil {
				return err
			}
		}
		_, _, err = s.pool.Exec(ctx, tx, s.ops[operations.Delete], rec, false)
		return err
	})
	return s.settleGroup(ctx, err, id, nil, nil)
}

// changeMembers brings the membership from current (nil for a new group) to wanted:
// removals first, then additions, batched where the dialect and statement allow.
func (s *Groups) changeMembers(ctx context.Context, tx dialects.Querier, id string, current map[string]bool, wanted []string) error {
	want := map[string]bool{}
	var add []string
	for _, m := range wanted {
		if want[m] {
			continue
		}
		want[m] = true
		if !current[m] {
			add = append(add, m)
		}
	}
	var remove []string
	for m := range current {
		if !want[m] {
			remove = append(remove, m)
		}
	}
	sort.Strings(add)
	sort.Strings(remove)
	// Many removals from a group that keeps fewer members than it loses: empty it in
	// one statement and add back the ones that stay, in batches.
	if len(remove) >= 100 && len(remove) > len(want) && s.ops[operations.ClearMembers] != nil && s.addBatch != nil {
		remove = remove[:0]
		if _, _, err := s.pool.Exec(ctx, tx, s.ops[operations.ClearMembers], s.groupRecord(id, ""), false); err != nil {
			return err
		}
		add = add[:0]
		for m := range want {
			add = append(add, m)
		}
		sort.Strings(add)
	}
	if len(remove) > 0 && len(want) > 0 && s.ops[operations.RemoveMember] == nil && s.ops[operations.ClearMembers] != nil && s.ops[operations.AddMember] != nil {
		// No remove_member: empty the group and add back the members that stay,
		// so that members is as writable as /Schemas says.
		remove = remove[:0]
		if _, _, err := s.pool.Exec(ctx, tx, s.ops[operations.ClearMembers], s.groupRecord(id, ""), false); err != nil {
			return err
		}
		add = add[:0]
		for m := range want {
			add = append(add, m)
		}
		sort.Strings(add)
	}
	if len(remove) > 0 {
		if len(want) == 0 && s.ops[operations.ClearMembers] != nil {
			if _, _, err := s.pool.Exec(ctx, tx, s.ops[operations.ClearMembers], s.groupRecord(id, ""), false); err != nil {
				return err
			}
		} else {
			if s.ops[operations.RemoveMember] == nil {
				return fault.New(fault.ReadOnly, "this target declares no groups.remove_member operation")
			}
			for _, m := range remove {
				if _, _, err := s.pool.Exec(ctx, tx, s.ops[operations.RemoveMember], s.groupRecord(id, m), false); err != nil {
					return err
				}
			}
		}
	}
	if len(add) == 0 {
		return nil
	}
	if s.ops[operations.AddMember] == nil {
		return fault.New(fault.ReadOnly, "this target declares no groups.add_member operation")
	}
	if s.addBatch != nil {
		return s.addBatch.run(ctx, s.pool, tx, add, func(m string) run.Record { return s.groupRecord(id, m) })
	}
	for _, m := range add {
		if _, _, err := s.pool.Exec(ctx, tx, s.ops[operations.AddMember], s.groupRecord(id, m), false); err != nil {
			return err
		}
	}
	return nil
}

// mutability is what the group operations imply for a column.
func (s *Groups) mutability(c *column) string {
	return mutability(c, func(c *column) (bool, bool) { return bound(s.ops, c) })
}
