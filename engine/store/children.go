package store

import (
	"context"
	"sort"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// child is a multi-valued attribute kept in a child table, read and written
// through its own operations.
type child struct {
	cfg  *operations.ChildTable
	name string // the attribute as the schema spells it ("phoneNumbers")
	attr *resource.Attribute
	// usersID is the users' id column, bound for the user in every operation.
	usersID string
}

func newChildren(maps []operations.Mapping, core *resource.Schema, usersID string) []*child {
	var out []*child
	for _, m := range maps {
		if m.Table == nil {
			continue
		}
		c := &child{cfg: m.Table, name: m.Path, usersID: usersID}
		if a := core.Attribute(m.Path); a != nil {
			c.name, c.attr = a.Name, a
		}
		out = append(out, c)
	}
	return out
}

// writable says whether the child's values can change.
func (c *child) writable() bool { return c.cfg.Add != nil && c.cfg.Remove != nil }

// values reads every value of one user, in a stable order.
func (c *child) values(ctx context.Context, pool *run.Pool, q dialects.Querier, userID string) ([]any, error) {
	var rows []run.Record
	err := pool.Query(ctx, q, c.cfg.Read, c.userRecord(userID), func(r run.Record) (bool, error) {
		rows = append(rows, r)
		return true, nil
	})
	return c.valuesOf(rows), err
}

// userRecord is the record the read operation binds for a user.
func (c *child) userRecord(userID string) run.Record {
	in := run.Record{}
	in.Set(c.usersID, userID)
	return in
}

// valuesOf turns the rows the read operation returned for one user into its
// values, in a stable order.
func (c *child) valuesOf(rows []run.Record) []any {
	var out []any
	for _, r := range rows {
		m := map[string]any{}
		for _, sc := range c.cfg.Columns {
			v, ok := r.Get(sc.Column)
			if !ok || v == nil {
				continue
			}
			if sa := c.attr.SubAttribute(sc.Sub); sa != nil && sa.Type == resource.TypeBoolean {
				if b, ok := parseBool(v); ok {
					m[sa.Name] = b
				}
				continue
			} else if sa != nil {
				m[sa.Name] = text(v)
				continue
			}
			m[sc.Sub] = text(v)
		}
		if len(m) > 0 {
			out = append(out, m)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return c.key(out[i]) < c.key(out[j]) })
	return out
}

// key identifies a value by its mapped sub-attributes, for comparing the stored
// values with the requested ones.
func (c *child) key(v any) string {
	m, _ := v.(map[string]any)
	var parts []string
	for _, sc := range c.cfg.Columns {
		_, x, _ := resource.Lookup(m, sc.Sub)
		parts = append(parts, text(x))
	}
	return strings.Join(parts, "\x00")
}

// record is the record an add or remove binds: the user's id and the value's
// sub-attributes in the child's columns.
func (c *child) record(userID string, v any) (run.Record, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fault.New(fault.Invalid, "%s: each value must be an object", c.name)
	}
	rec := run.Record{}
	rec.Set(c.usersID, userID)
	for _, sc := range c.cfg.Columns {
		_, x, _ := resource.Lookup(m, sc.Sub)
		switch x.(type) {
		case map[string]any, []any:
			return nil, fault.New(fault.Invalid, "%s.%s must be a single value", c.name, sc.Sub)
		}
		if b, ok := x.(bool); ok {
			rec.Set(sc.Column, b)
			continue
		}
		if x == nil {
			rec.Set(sc.Column, nil)
			continue
		}
		rec.Set(sc.Column, text(x))
	}
	return rec, nil
}

// write brings the user's values to wanted: the values that go are removed, then
// those that come are added, in the request's transaction.
func (c *child) write(ctx context.Context, pool *run.Pool, q dialects.Querier, userID string, wanted []any, fresh bool) error {
	var current []any
	if !fresh {
		var err error
		if current, err = c.values(ctx, pool, q, userID); err != nil {
			return err
		}
	}
	want := map[string]any{}
	for _, v := range wanted {
		if v == nil {
			continue
		}
		if _, ok := v.(map[string]any); !ok {
			return fault.New(fault.Invalid, "%s: each value must be an object", c.name)
		}
		want[c.key(v)] = v
	}
	have := map[string]bool{}
	for _, v := range current {
		have[c.key(v)] = true
	}
	same := len(want) == len(have)
	for k := range want {
		same = same && have[k]
	}
	if same {
		return nil
	}
	if !c.writable() {
		return fault.New(fault.ReadOnly, "%s is read-only: its table declares no add and remove", c.name)
	}
	for _, v := range current {
		if _, keep := want[c.key(v)]; keep {
			continue
		}
		rec, err := c.record(userID, v)
		if err != nil {
			return err
		}
		if _, _, err := pool.Exec(ctx, q, c.cfg.Remove, rec, false); err != nil {
			return err
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if have[k] {
			continue
		}
		rec, err := c.record(userID, want[k])
		if err != nil {
			return err
		}
		if _, _, err := pool.Exec(ctx, q, c.cfg.Add, rec, false); err != nil {
			return err
		}
	}
	return nil
}

// served is the attribute as /Schemas lists it: only the mapped sub-attributes,
// readOnly unless add and remove are declared.
func (c *child) served() *resource.Attribute {
	a := &resource.Attribute{Name: c.name, Type: resource.TypeComplex, MultiValued: true, Mutability: resource.MutabilityReadWrite,
		Returned: resource.ReturnedDefault, Uniqueness: resource.UniquenessNone}
	if c.attr != nil {
		cp := *c.attr
		a = &cp
	}
	a.SubAttributes = nil
	for _, sc := range c.cfg.Columns {
		var sub resource.Attribute
		if s := c.attr.SubAttribute(sc.Sub); s != nil {
			sub = *s
		} else {
			sub = resource.Attribute{Name: sc.Sub, Type: resource.TypeString, Mutability: resource.MutabilityReadWrite,
				Returned: resource.ReturnedDefault, Uniqueness: resource.UniquenessNone}
		}
		a.SubAttributes = append(a.SubAttributes, &sub)
	}
	if !c.writable() {
		a.Mutability = resource.MutabilityReadOnly
		for _, s := range a.SubAttributes {
			s.Mutability = resource.MutabilityReadOnly
		}
	}
	return a
}
