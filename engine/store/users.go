package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// Users serves the SCIM User resource from a target's declared user operations.
type Users struct {
	table
	cfg      *operations.Users
	ops      operations.Operations
	active   *column // the mapping of "active", if any
	userName *column
	// password is the mapping of "password", if any: writeOnly, never returned,
	// written by create, update or its own set_password operation.
	password *column
	// ents are the target's entitlement types, whose grants users carry.
	ents []*Entitlements
	// groups serves the read-only groups attribute through groups_of_user.
	groups *Groups
	// alone says, per user attribute, whether one entitlement type owns it, so
	// that a grant without a type can be placed.
	alone map[string]bool
	// children are the multi-valued attributes kept in child tables.
	children []*child
	// reads runs the per-user reads of a list page for the whole page.
	reads pageReads
}

func newUsers(pool *run.Pool, cfg *operations.Users, maxResults int, ents []*Entitlements) *Users {
	core, ent := resource.UserSchema(), resource.EnterpriseUserSchema()
	exts := append([]*resource.Schema{ent}, customSchemas(cfg.Attributes, core, ent)...)
	s := &Users{cfg: cfg, ops: cfg.Operations}
	s.table = table{pool: pool, kind: "User", idColumn: cfg.ID, cols: logTo(pool, resolve(cfg.Attributes, core, exts...)),
		schemas: append([]*resource.Schema{core}, exts...), maxResults: maxResults, listOp: cfg.Operations[operations.List], getOp: cfg.Operations[operations.Get], cursors: newCursorCache()}
	s.ents = ents
	s.children = newChildren(cfg.Attributes, core, cfg.ID)
	s.table.children = s.children
	count := map[string]int{}
	for _, e := range ents {
		count[e.attr]++
	}
	s.alone = map[string]bool{}
	for attr, n := range count {
		s.alone[attr] = n == 1
	}
	for i := range s.cols {
		c := &s.cols[i]
		switch {
		case c.attr == "active" && c.sub == "":
			s.active = c
		case c.attr == "username" && c.sub == "":
			s.userName = c
		case c.attr == "password" && c.sub == "":
			s.password = c
		}
	}
	return s
}

// Type describes the User resource type with the writes the target declares,
// and the schemas trimmed to what it serves.
func (s *Users) Type() Type {
	return Type{
		ID: "User", Endpoint: "Users", Schemas: s.served(),
		Create: s.ops[operations.Create] != nil,
		Modify: s.ops[operations.Update] != nil || s.ops[operations.Activate] != nil || s.ops[operations.Deactivate] != nil || s.ops[operations.SetPassword] != nil ||
			s.othersWrite(),
		Delete: s.ops[operations.Delete] != nil,
	}
}

// Get returns one user by id.
func (s *Users) Get(ctx context.Context, id string, p resource.Projection) (resource.Resource, error) {
	rec, err := s.get(ctx, s.pool.DB, id)
	if err != nil {
		return nil, err
	}
	res, err := toResource(s.cfg.ID, s.cols, rec)
	if err != nil {
		return nil, err
	}
	return res, s.attachGrants(ctx, s.pool.DB, p, res)
}

// GetRow is Get for a caller that writes rows (resource.RowGetter): the user's
// row in the store's layout, its groups, child-table values and grants read into
// the row's last values.
func (s *Users) GetRow(ctx context.Context, id string, p resource.Projection) (*resource.Rows, error) {
	if s.layout == nil {
		return nil, nil
	}
	rec, err := s.get(ctx, s.pool.DB, id)
	if err != nil {
		return nil, err
	}
	stored, _ := rec.Get(s.idColumn)
	rows := &resource.Rows{Layout: s.layout}
	rows.Values = s.appendRow(make([]any, 0, s.layout.Len()), stored, func(i int) (any, bool) { return rec.Get(s.cols[i].Column) })
	return rows, s.attachToRows(ctx, s.pool.DB, p, rows)
}

// initLayout describes the rows of a list page, once the stores are wired: the
// id, each column, then each attribute read for a page's users apart from the
// list statement (attached). Without a layout (two spellings of a name, or an
// attached attribute that columns map too) pages come as resources.
func (s *Users) initLayout() {
	s.attached = nil
	if g := s.groups; g != nil && g.ops[operations.GroupsOfUser] != nil {
		s.attached = append(s.attached, "groups")
	}
	for _, c := range s.children {
		s.attached = append(s.attached, c.name)
	}
	for _, e := range s.ents {
		if !slices.Contains(s.attached, e.attr) {
			s.attached = append(s.attached, e.attr)
		}
	}
	s.layout = newLayout(s.cols, s.attached)
}

// attachGrants reads, into the users, every attribute the projection asks for
// that their list statement does not carry: groups, child-table values and
// grants. It runs after a result set is closed, because a connection (or
// transaction) runs one statement at a time.
func (s *Users) attachGrants(ctx context.Context, q dialects.Querier, p resource.Projection, users ...resource.Resource) error {
	ids := make([]string, len(users))
	for i, res := range users {
		ids[i], _ = res["id"].(string)
	}
	return s.readAttached(ctx, q, p, ids, func(user int, attr string, vals []any, add bool) {
		if add {
			prev, _ := users[user][attr].([]any)
			vals = append(prev, vals...)
		}
		users[user][attr] = vals
	})
}

// attachToRows is attachGrants for a page that comes as rows: the values go to
// the rows' attached positions.
func (s *Users) attachToRows(ctx context.Context, q dialects.Querier, p resource.Projection, rows *resource.Rows) error {
	n := rows.Len()
	if n == 0 || len(s.attached) == 0 {
		return nil
	}
	ids := make([]string, n)
	for i := range n {
		ids[i], _ = rows.Row(i)[0].(string)
	}
	first := 1 + len(s.cols) // the position of the first attached attribute
	return s.readAttached(ctx, q, p, ids, func(user int, attr string, vals []any, add bool) {
		row := rows.Row(user)
		at := first + slices.Index(s.attached, attr)
		if add {
			prev, _ := row[at].([]any)
			vals = append(prev, vals...)
		}
		row[at] = vals
	})
}

// readAttached reads, for the users of ids, the attributes their list statement
// does not carry that the projection asks for, each read once for the whole
// page where it can (pageread.go), and hands each user's values of each to put:
// to set (groups, child-table values) or to add to the values of the same
// attribute (add: an entitlement type's grants after another's).
func (s *Users) readAttached(ctx context.Context, q dialects.Querier, p resource.Projection, ids []string, put func(user int, attr string, vals []any, add bool)) error {
	read := func(op *operations.Operation, rec func(id string) run.Record) ([][]run.Record, error) {
		recs := make([]run.Record, len(ids))
		for i, id := range ids {
			recs[i] = rec(id)
		}
		return s.reads.get(s.pool.Dialect, op).read(ctx, s.pool, q, recs)
	}
	if g := s.groups; g != nil && g.ops[operations.GroupsOfUser] != nil && p.Wants("groups") {
		rows, err := read(g.ops[operations.GroupsOfUser], func(id string) run.Record { return g.groupRecord("", id) })
		if err != nil {
			return err
		}
		for i := range ids {
			var groups []any
			for _, r := range rows[i] {
				v, ok := r.Get(g.idColumn)
				if !ok || v == nil {
					continue
				}
				m := map[string]any{"value": text(v), "type": "direct"}
				if g.displayName != nil {
					if d, ok := r.Get(g.displayName.Column); ok && d != nil {
						m["display"] = text(d)
					}
				}
				groups = append(groups, m)
			}
			if len(groups) > 0 {
				put(i, "groups", groups, false)
			}
		}
	}
	for _, c := range s.children {
		if !p.Wants(c.name) {
			continue
		}
		rows, err := read(c.cfg.Read, c.userRecord)
		if err != nil {
			return err
		}
		for i := range ids {
			if vals := c.valuesOf(rows[i]); len(vals) > 0 {
				put(i, c.name, vals, false)
			}
		}
	}
	for _, e := range s.ents {
		if !p.Wants(e.attr) {
			continue
		}
		rows, err := read(e.cfg.Operations[operations.OfUser], func(id string) run.Record { return e.userRecord(id, "") })
		if err != nil {
			return err
		}
		for i := range ids {
			if grants := e.grantsOf(rows[i]); len(grants) > 0 {
				put(i, e.attr, grants, true)
			}
		}
	}
	return nil
}

// writeGrants brings each entitlement type's grants to what res asks for. An
// attribute the resource does not carry leaves that type's grants as they are.
func (s *Users) writeGrants(ctx context.Context, q dialects.Querier, id string, res resource.Resource, fresh bool) error {
	for _, e := range s.ents {
		wanted, present, err := e.wantedGrants(res, s.alone[e.attr])
		if err != nil {
			return err
		}
		if !present {
			continue
		}
		var current []string
		if !fresh {
			grants, err := e.grants(ctx, q, id)
			if err != nil {
				return err
			}
			for _, g := range grants {
				current = append(current, g.(map[string]any)["value"].(string))
			}
		}
		if err := e.apply(ctx, q, id, current, wanted); err != nil {
			return err
		}
	}
	return nil
}

// Create stores a new user and answers with the user as stored.
func (s *Users) Create(ctx context.Context, c resource.Change) (resource.Resource, error) {
	res := c.Resource
	if s.ops[operations.Create] == nil {
		return nil, fault.New(fault.NotDeclared, "this target declares no users.create operation")
	}
	rec, err := toRecord(s.cols, res)
	if err != nil {
		return nil, err
	}
	var out resource.Resource
	cl := s.names.newClaims()
	defer cl.done()
	err = s.pool.InTx(ctx, func(tx *sql.Tx) error {
		if s.userName != nil {
			if name, ok := resource.GetValue(res, s.userName.Path); ok {
				if err := s.unique(ctx, cl, tx, "userName", text(name), ""); err != nil {
					return err
				}
			}
		}
		name := ""
		if s.userName != nil {
			v, _ := resource.GetValue(res, s.userName.Path)
			name = text(v)
		}
		if err := s.completable(res); err != nil {
			return err
		}
		id, err := s.insert(ctx, tx, s.ops[operations.Create], rec, "userName", name)
		if err != nil {
			return err
		}
		stored, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		// Create completion: what create does not bind (and the active state, when
		// create leaves the database default) is written by update, activate or
		// deactivate and the grant operations, in the same transaction.
		out, err = s.write(ctx, cl, tx, id, stored, res, writeComplete)
		return err
	})
	if fault.Is(err, fault.Indeterminate) && out != nil {
		id, _ := out["id"].(string)
		err = s.settleUser(ctx, err, id, out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// completable refuses, when create completion is off, a create carrying a value
// that the create operation does not bind but update would: it would be lost.
func (s *Users) completable(res resource.Resource) error {
	if !s.cfg.NoCreateCompletion {
		return nil
	}
	create := s.ops[operations.Create]
	for i := range s.cols {
		c := &s.cols[i]
		if c == s.active || bindsField(create, c.Column) || s.mutability(c) == resource.MutabilityReadOnly {
			continue
		}
		if v, ok := resource.GetValue(res, c.Path); ok && v != nil {
			return fault.New(fault.Invalid, "%s: users.create does not write it and create_completion is off", c.Path)
		}
	}
	return nil
}

// How write treats what a request does not let it change.
type writeMode int

const (
	// writePatch refuses a change to a read-only or immutable attribute.
	writePatch writeMode = iota
	// writePut ignores read-only attributes and refuses changing immutable ones.
	writePut
	// writeComplete follows a create: what create wrote stays as it is.
	writeComplete
)

// Replace is PUT: the resource replaces the stored one.
func (s *Users) Replace(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	res := c.Resource
	var out resource.Resource
	cl := s.names.newClaims()
	defer cl.done()
	err := s.pool.InTx(ctx, func(tx *sql.Tx) error {
		old, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		out, err = s.write(ctx, cl, tx, id, old, res, writePut)
		return err
	})
	return s.settled(ctx, err, id, out)
}

// Patch applies a patch to the stored user and writes the difference.
func (s *Users) Patch(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	var out resource.Resource
	cl := s.names.newClaims()
	defer cl.done()
	err := s.pool.InTx(ctx, func(tx *sql.Tx) error {
		old, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		oldRes, err := toResource(s.cfg.ID, s.cols, old)
		if err != nil {
			return err
		}
		if err := s.attachGrants(ctx, tx, resource.Projection{}, oldRes); err != nil {
			return err
		}
		newRes, err := c.Apply(ctx, oldRes, s.schemas...)
		if err != nil {
			return err
		}
		// The old resource carried every grant, so an attribute the patch removed
		// means no grants, not "unchanged" as in a PUT without it.
		for _, e := range s.ents {
			if _, had := oldRes[e.attr]; had {
				if _, has := newRes[e.attr]; !has {
					newRes[e.attr] = []any{}
				}
			}
		}
		for _, ch := range s.children {
			if _, had := oldRes[ch.name]; had {
				if _, _, has := resource.Lookup(newRes, ch.name); !has {
					newRes[ch.name] = []any{}
				}
			}
		}
		out, err = s.write(ctx, cl, tx, id, old, newRes, writePatch)
		return err
	})
	return s.settled(ctx, err, id, out)
}

// settled answers a replace or patch: when its commit outcome is unknown, by
// finding out whether the user is now as the transaction left it (out).
func (s *Users) settled(ctx context.Context, err error, id string, out resource.Resource) (resource.Resource, error) {
	if fault.Is(err, fault.Indeterminate) && out != nil {
		err = s.settleUser(ctx, err, id, out)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Delete runs the declared delete operation.
func (s *Users) Delete(ctx context.Context, id string) error {
	if s.ops[operations.Delete] == nil {
		return fault.New(fault.NotDeclared, "this target declares no users.delete operation")
	}
	err := s.pool.InTx(ctx, func(tx *sql.Tx) error {
		rec, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		_, _, err = s.pool.Exec(ctx, tx, s.ops[operations.Delete], rec, false)
		return err
	})
	return s.settleUser(ctx, err, id, nil)
}

// write brings the stored user (old) to the state of res: the update operation when
// any mapped attribute other than active changed, then activate or deactivate when
// active changed. It answers with the user as stored afterwards.
func (s *Users) write(ctx context.Context, cl *claims, tx *sql.Tx, id string, old run.Record, res resource.Resource, mode writeMode) (resource.Resource, error) {
	oldRes, err := toResource(s.cfg.ID, s.cols, old)
	if err != nil {
		return nil, err
	}
	if s.userName != nil {
		newName, _ := resource.GetValue(res, s.userName.Path)
		oldName, _ := resource.GetValue(oldRes, s.userName.Path)
		if newName == nil {
			return nil, fault.New(fault.Invalid, "userName is required")
		}
		if !strings.EqualFold(text(newName), text(oldName)) {
			if err := s.unique(ctx, cl, tx, "userName", text(newName), id); err != nil {
				return nil, err
			}
		}
	}
	rec, err := toRecord(s.cols, res)
	if err != nil {
		return nil, err
	}
	rec.Set(s.cfg.ID, old[run.Key(s.cfg.ID)])
	changed := false
	for i := range s.cols {
		c := &s.cols[i]
		if c.readOnly {
			rec.Set(c.Column, old[run.Key(c.Column)])
			continue
		}
		if c == s.active || strings.EqualFold(c.Column, s.cfg.ID) {
			continue
		}
		if c == s.password && s.ops[operations.SetPassword] != nil && !bindsField(s.ops[operations.Update], c.Column) {
			continue // written by set_password below
		}
		if mode == writeComplete && bindsField(s.ops[operations.Create], c.Column) {
			// The create wrote it (or let the database choose): keep what it stored.
			rec.Set(c.Column, old[run.Key(c.Column)])
			continue
		}
		a, _ := resource.GetValue(oldRes, c.Path)
		b, _ := resource.GetValue(res, c.Path)
		if mut := s.mutability(c); mut == resource.MutabilityReadOnly || mut == resource.MutabilityImmutable {
			// No declared update writes this column. RFC 7644 §3.5.1: a PUT
			// without the attribute, or with a read-only one changed, keeps the
			// stored value; changing it otherwise is refused, never dropped.
			rec.Set(c.Column, old[run.Key(c.Column)])
			if b == nil || sameValue(a, b) || mode == writeComplete || mode == writePut && mut == resource.MutabilityReadOnly {
				continue
			}
			return nil, fault.New(fault.ReadOnly, "%s is %s: no declared operation changes it after create", c.Path, mut)
		}
		if !sameValue(a, b) {
			changed = true
		}
	}
	activeChanged := false
	var want any
	if s.active != nil {
		var ok bool
		if want, ok = resource.GetValue(res, s.active.Path); ok {
			was, _ := resource.GetValue(oldRes, s.active.Path)
			wb, _ := parseBool(want)
			ob, _ := parseBool(was)
			activeChanged = was == nil || wb != ob
		} else {
			// PUT without active keeps the stored state.
			rec.Set(s.active.Column, old[run.Key(s.active.Column)])
		}
	}
	activeByUpdate := activeChanged && s.ops[operations.Activate] == nil && s.ops[operations.Deactivate] == nil
	if changed || activeByUpdate {
		if s.ops[operations.Update] == nil {
			return nil, fault.New(fault.NotDeclared, "this target declares no users.update operation")
		}
		if _, _, err := s.pool.Exec(ctx, tx, s.ops[operations.Update], rec, false); err != nil {
			return nil, err
		}
	}
	stored, err := s.get(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if activeChanged && !activeByUpdate {
		if stored, err = s.setActive(ctx, tx, id, stored, want); err != nil {
			return nil, err
		}
	}
	if err := s.setPassword(ctx, tx, id, res, mode); err != nil {
		return nil, err
	}
	if err := s.writeGrants(ctx, tx, id, res, mode == writeComplete); err != nil {
		return nil, err
	}
	for _, ch := range s.children {
		_, v, present := resource.Lookup(res, ch.name)
		if !present {
			continue // a PUT without the attribute leaves its values as they are
		}
		wanted, ok := resource.AsList(v)
		if !ok && v != nil {
			wanted = []any{v}
		}
		if err := ch.write(ctx, s.pool, tx, id, wanted, mode == writeComplete); err != nil {
			return nil, err
		}
	}
	out, err := toResource(s.cfg.ID, s.cols, stored)
	if err != nil {
		return nil, err
	}
	return out, s.attachGrants(ctx, tx, resource.Projection{}, out)
}

// setActive runs activate or deactivate when the stored state differs from want.
func (s *Users) setActive(ctx context.Context, tx *sql.Tx, id string, stored run.Record, want any) (run.Record, error) {
	wb, ok := parseBool(want)
	if !ok {
		return nil, fault.New(fault.Invalid, "active must be a boolean")
	}
	cur, known := s.active.toSCIM(stored[run.Key(s.active.Column)])
	if known && cur == wb {
		return stored, nil
	}
	op := s.ops[operations.Activate]
	if !wb {
		op = s.ops[operations.Deactivate]
	}
	if op == nil {
		if known {
			name := "activate"
			if !wb {
				name = "deactivate"
			}
			return nil, fault.New(fault.NotDeclared, "this target declares no users.%s operation", name)
		}
		return stored, nil
	}
	if _, _, err := s.pool.Exec(ctx, tx, op, stored, false); err != nil {
		return nil, err
	}
	return s.get(ctx, tx, id)
}

// mutability is what the user operations imply for a column; active is also
// written by activate and deactivate.
func (s *Users) mutability(c *column) string {
	return mutability(c, func(c *column) (bool, bool) {
		create, update := bound(s.ops, c)
		if c == s.active && (s.ops[operations.Activate] != nil || s.ops[operations.Deactivate] != nil) {
			update = true
		}
		if op := s.ops[operations.SetPassword]; op != nil && c == s.password && bindsField(op, c.Column) {
			update = true
		}
		return create, update
	})
}

// served is the User schemas as the target serves them: the mapped attributes
// and the child tables' attributes.
func (s *Users) served() []*resource.Schema {
	out := servedSchemas(s.schemas, s.cols, s.servedExtras(), s.mutability)
	if len(s.children) > 0 {
		core := *out[0]
		core.Attributes = append([]*resource.Attribute{}, core.Attributes...)
		for _, c := range s.children {
			core.Attributes = append(core.Attributes, c.served())
		}
		out[0] = &core
	}
	return out
}

// setPassword runs set_password (Okta's password push) when the request carries a
// password that neither the create (for a new user) nor update writes. The
// password is bound as a parameter only: it is never logged or returned.
func (s *Users) setPassword(ctx context.Context, tx *sql.Tx, id string, res resource.Resource, mode writeMode) error {
	op := s.ops[operations.SetPassword]
	if op == nil || s.password == nil || bindsField(s.ops[operations.Update], s.password.Column) {
		return nil
	}
	if mode == writeComplete && bindsField(s.ops[operations.Create], s.password.Column) {
		return nil
	}
	v, ok := resource.GetValue(res, s.password.Path)
	if !ok || v == nil {
		return nil
	}
	pw, err := s.password.toDB(v)
	if err != nil {
		return err
	}
	rec := run.Record{}
	rec.Set(s.cfg.ID, id)
	rec.Set(s.password.Column, pw)
	_, _, err = s.pool.Exec(ctx, tx, op, rec, false)
	return err
}
