package store

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// Entitlements serves one declared entitlement type (Okta Identity Governance
// entitlements, roles) as a read-only SCIM resource type, and reads and writes the
// grants of users through the type's of_user, grant and revoke operations.
type Entitlements struct {
	pool   *run.Pool
	cfg    *operations.EntitlementType
	schema *resource.Schema
	// attr is the user attribute carrying the grants: "entitlements" or "roles".
	attr string
	// usersID is the users' id column, bound for the user in of_user, grant and revoke.
	usersID string
}

func newEntitlements(pool *run.Pool, cfg *operations.EntitlementType, usersID string) *Entitlements {
	urn, attr, desc := resource.OktaEntitlementURN, "entitlements", "An entitlement a user can be granted"
	if cfg.Kind == "role" {
		urn, attr, desc = resource.OktaRoleURN, "roles", "A role a user can be granted"
	}
	str := func(name, d string, mut string) *resource.Attribute {
		return &resource.Attribute{Name: name, Type: "string", Mutability: mut, Returned: "default", Uniqueness: "none", Description: d}
	}
	schema := &resource.Schema{ID: urn, Name: cfg.Name, Description: desc, Attributes: []*resource.Attribute{
		{Name: "id", Type: "string", CaseExact: true, Mutability: "readOnly", Returned: "always", Uniqueness: "server", Description: "The entitlement's id, the value of a grant"},
		str("displayName", "The entitlement's name", "readOnly"),
		str("type", "The entitlement type", "readOnly"),
	}}
	if cfg.Description != "" {
		// Listed only when mapped: /Schemas describes what is served.
		schema.Attributes = append(schema.Attributes, str("description", "What the entitlement gives", "readOnly"))
	}
	return &Entitlements{pool: pool, cfg: cfg, schema: schema, attr: attr, usersID: usersID}
}

// Type describes the entitlement type: listable and readable by id.
func (s *Entitlements) Type() Type {
	return Type{
		ID: s.cfg.Name, Endpoint: s.cfg.Endpoint, Schemas: []*resource.Schema{s.schema},
		Description: s.cfg.Name + " values that can be granted to users",
	}
}

func (s *Entitlements) resource(r run.Record) resource.Resource {
	res := resource.Resource{"type": s.cfg.Name}
	if v, ok := r.Get(s.cfg.ID); ok && v != nil {
		res["id"] = text(v)
	}
	if v, ok := r.Get(s.cfg.Display); ok && v != nil {
		res["displayName"] = text(v)
	}
	if s.cfg.Description != "" {
		if v, ok := r.Get(s.cfg.Description); ok && v != nil {
			res["description"] = text(v)
		}
	}
	return res
}

// Get returns one entitlement, through the get operation when declared and
// otherwise by scanning the list.
func (s *Entitlements) Get(ctx context.Context, id string, _ resource.Projection) (resource.Resource, error) {
	return s.get(ctx, s.pool.DB, id)
}

func (s *Entitlements) get(ctx context.Context, q dialects.Querier, id string) (resource.Resource, error) {
	op := s.cfg.Operations[operations.Get]
	if op == nil {
		op = s.cfg.Operations[operations.List]
	}
	in := run.Record{}
	in.Set(s.cfg.ID, id)
	var found resource.Resource
	err := s.pool.Query(ctx, q, op, in, func(r run.Record) (bool, error) {
		v, ok := r.Get(s.cfg.ID)
		if !ok || text(v) != id {
			return true, nil
		}
		found = s.resource(r)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fault.New(fault.NotFound, "%s %q not found", s.cfg.Name, id)
	}
	return found, nil
}

// List pages through the list operation, filtering in memory: entitlement
// catalogues are small.
func (s *Entitlements) List(ctx context.Context, q resource.Query) (*resource.Page, error) {
	page := &resource.Page{}
	skip := q.StartIndex - 1
	err := s.pool.Query(ctx, s.pool.DB, s.cfg.Operations[operations.List], run.Record{}, func(r run.Record) (bool, error) {
		res := s.resource(r)
		if q.Filter != nil {
			ok, err := resource.Match(q.Filter, res, s.schema)
			if err != nil || !ok {
				return err == nil, err
			}
		}
		page.Total++
		if skip > 0 {
			skip--
		} else if len(page.Resources) < q.Count {
			page.Resources = append(page.Resources, res)
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// Create is not offered: entitlements are the application's catalogue.
func (s *Entitlements) Create(context.Context, resource.Change) (resource.Resource, error) {
	return nil, fault.New(fault.NotDeclared, "%s values are read-only", s.cfg.Name)
}

// Replace is not offered.
func (s *Entitlements) Replace(context.Context, string, resource.Change) (resource.Resource, error) {
	return nil, fault.New(fault.NotDeclared, "%s values are read-only", s.cfg.Name)
}

// Patch is not offered.
func (s *Entitlements) Patch(context.Context, string, resource.Change) (resource.Resource, error) {
	return nil, fault.New(fault.NotDeclared, "%s values are read-only", s.cfg.Name)
}

// Delete is not offered.
func (s *Entitlements) Delete(context.Context, string) error {
	return fault.New(fault.NotDeclared, "%s values are read-only", s.cfg.Name)
}

// userRecord is the record the user-side operations bind: the user's id under the
// reserved name and under the users' id column, and the entitlement id.
func (s *Entitlements) userRecord(userID, entID string) run.Record {
	r := run.Record{}
	r.Set(s.usersID, userID)
	r.Set(operations.UserParam, userID)
	if entID != "" {
		r.Set(s.cfg.ID, entID)
	}
	return r
}

// grants reads a user's grants of this type as SCIM values {value, display, type}.
func (s *Entitlements) grants(ctx context.Context, q dialects.Querier, userID string) ([]any, error) {
	var rows []run.Record
	err := s.pool.Query(ctx, q, s.cfg.Operations[operations.OfUser], s.userRecord(userID, ""), func(r run.Record) (bool, error) {
		rows = append(rows, r)
		return true, nil
	})
	return s.grantsOf(rows), err
}

// grantsOf turns the rows of_user returned for one user into its grants.
func (s *Entitlements) grantsOf(rows []run.Record) []any {
	var out []any
	for _, r := range rows {
		v, ok := r.Get(s.cfg.ID)
		if !ok || v == nil {
			continue
		}
		g := map[string]any{"value": text(v), "type": s.cfg.Name}
		if d, ok := r.Get(s.cfg.Display); ok && d != nil {
			g["display"] = text(d)
		}
		out = append(out, g)
	}
	return out
}

// apply grants and revokes the difference between a user's current grants and the
// wanted ones.
func (s *Entitlements) apply(ctx context.Context, q dialects.Querier, userID string, current, wanted []string) error {
	have := map[string]bool{}
	for _, v := range current {
		have[v] = true
	}
	want := map[string]bool{}
	for _, v := range wanted {
		want[v] = true
	}
	var add, remove []string
	for v := range want {
		if !have[v] {
			add = append(add, v)
		}
	}
	for v := range have {
		if !want[v] {
			remove = append(remove, v)
		}
	}
	if (len(add) > 0 || len(remove) > 0) && (s.cfg.Operations[operations.Grant] == nil || s.cfg.Operations[operations.Revoke] == nil) {
		return fault.New(fault.ReadOnly, "%s grants are read-only: the target declares no grant and revoke operations", s.cfg.Name)
	}
	sort.Strings(add)
	sort.Strings(remove)
	for _, v := range remove {
		if _, _, err := s.pool.Exec(ctx, q, s.cfg.Operations[operations.Revoke], s.userRecord(userID, v), false); err != nil {
			return err
		}
	}
	for _, v := range add {
		// Grant only what the catalogue lists, by its exact id: a database would
		// otherwise read "03" as the entitlement 3, or an idempotent procedure
		// accept an id that does not exist.
		if _, err := s.get(ctx, q, v); err != nil {
			if fault.Is(err, fault.NotFound) {
				return fault.New(fault.Invalid, "%s %q does not exist", s.cfg.Name, v)
			}
			return err
		}
		if _, _, err := s.pool.Exec(ctx, q, s.cfg.Operations[operations.Grant], s.userRecord(userID, v), false); err != nil {
			var fe *fault.Error
			if errors.As(err, &fe) && (fe.Kind == fault.Invalid || fe.Kind == fault.Refused) {
				return fault.Wrap(fe.Kind, fe.Cause, "%s %q cannot be granted: %s", s.cfg.Name, v, fe.Detail)
			}
			return err
		}
	}
	return nil
}

// wantedGrants picks the values of this type out of a user resource's attribute.
// A value without a type belongs to this type when it is the only type of its kind.
func (s *Entitlements) wantedGrants(res resource.Resource, alone bool) ([]string, bool, error) {
	raw, present := res[s.attr]
	if !present || raw == nil {
		return nil, present, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, true, fault.New(fault.Invalid, "%s must be an array", s.attr)
	}
	var out []string
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, true, fault.New(fault.Invalid, "each of %s must be an object with a value", s.attr)
		}
		typ, _ := m["type"].(string)
		if typ == "" && !alone {
			return nil, true, fault.New(fault.Invalid, "%s values need a type: this target declares several", s.attr)
		}
		if typ != "" && !strings.EqualFold(typ, s.cfg.Name) {
			continue
		}
		v, ok := m["value"]
		if !ok || v == nil || text(v) == "" {
			return nil, true, fault.New(fault.Invalid, "each of %s needs a value", s.attr)
		}
		out = append(out, text(v))
	}
	return out, true, nil
}
