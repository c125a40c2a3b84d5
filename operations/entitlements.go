package operations

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"gopkg.in/yaml.v3"
)

// The kinds of entitlement type: where a user's grants appear.
const (
	// EntitlementKind types are listed in the user's entitlements attribute.
	EntitlementKind = "entitlement"
	// RoleKind types are listed in the user's roles attribute.
	RoleKind = "role"
)

var (
	entitlementKeys   = []string{"kind", "endpoint", "id", "display", "description", "operations"}
	entitlementKinds  = []string{EntitlementKind, RoleKind}
	entitlementOpKeys = keys(EntitlementKinds)

	// typeName is what an entitlement type may be called: a SCIM resource type name.
	typeName = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	// endpointName is a type's endpoint: one URL path segment.
	endpointName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
)

// ReservedEndpoints are the endpoints of the core resource types and of the
// protocol, which no entitlement type may take, compared case-insensitively as
// requests are routed. A test of the engine checks them against what the protocol
// layer and the core types serve.
var ReservedEndpoints = []string{"Users", "Groups", "ServiceProviderConfig", "ServiceProviderConfigs", "ResourceTypes", "Schemas", "Bulk", "Me"}

// entitlements reads a target's entitlement types. users is the target's users
// declaration (nil when it has none), whose id column params may name for the user.
func (p *parser) entitlements(e entry, d dialects.Dialect, users *Users) []*EntitlementType {
	n := deref(e.val)
	const expected = "a mapping of entitlement type name to type, such as Entitlement: {id: COLUMN, display: COLUMN, operations: ...}"
	if isNull(n) || n.Kind == yaml.MappingNode && len(n.Content) == 0 {
		p.errorf(e.key, "entitlements: expected at least one entitlement type (or leave entitlements out)")
		return nil
	}
	o := p.object(e.key, n, "entitlements", expected)
	if o == nil {
		return nil
	}
	var (
		out       []*EntitlementType
		names     = map[string]*EntitlementType{}
		endpoints = map[string]*EntitlementType{}
	)
	for _, name := range o.order {
		et, epPos := p.entitlementType(o.keys[name], d, users)
		if et == nil {
			continue
		}
		if prev := names[strings.ToLower(et.Name)]; prev != nil {
			p.errorAt(et.Pos, "entitlement type %s: the same name as %s (line %d): type names are compared case-insensitively", et.Name, prev.Name, prev.Pos.Line)
		} else {
			names[strings.ToLower(et.Name)] = et
		}
		if et.Endpoint != "" {
			if prev := endpoints[strings.ToLower(et.Endpoint)]; prev != nil {
				p.errorAt(epPos, "entitlement type %s: endpoint %s is already the endpoint of %s (line %d): give one of them another endpoint", et.Name, et.Endpoint, prev.Name, prev.Pos.Line)
			} else {
				endpoints[strings.ToLower(et.Endpoint)] = et
			}
		}
		out = append(out, et)
	}
	return out
}

// entitlementType reads one type. It returns the position of its endpoint too (the
// type's name when the endpoint is the default), for the check that endpoints differ.
func (p *parser) entitlementType(e entry, d dialects.Dialect, users *Users) (*EntitlementType, Position) {
	name := e.key.Value
	et := &EntitlementType{Name: name, Kind: EntitlementKind, Pos: p.pos(e.key)}
	switch {
	case !typeName.MatchString(name):
		p.errorf(e.key, "entitlement type %q: expected a name such as Entitlement or Role (a capital letter, then letters and digits): it is a SCIM resource type's name", name)
	case strings.EqualFold(name, "User") || strings.EqualFold(name, "Group"):
		p.errorf(e.key, "entitlement type %q: User and Group are the SCIM core resource types; choose another name", name)
	}
	what := "entitlement type " + name
	o := p.object(e.key, e.val, what, "a mapping with keys "+strings.Join(entitlementKeys, ", "), entitlementKeys...)
	if o == nil {
		return nil, Position{}
	}
	if v, ok := o.get("kind"); ok {
		if s, ok := p.str(v.val, "kind"); ok {
			if contains(entitlementKinds, s) {
				et.Kind = s
			} else {
				p.errorf(deref(v.val), "kind: expected entitlement or role, got %q", s)
			}
		}
	}
	epPos := p.endpoint(o, et)
	const userMeaning = "the user's id"
	if v, ok := o.get("id"); ok {
		et.ID, _ = p.refColumn(v.val, "id", UserParam, userMeaning)
	} else {
		p.missing(o, "id", "the column of the list, get and of_user rows that holds an entitlement's id")
	}
	if v, ok := o.get("display"); ok {
		et.Display, _ = p.refColumn(v.val, "display", UserParam, userMeaning)
	} else {
		p.missing(o, "display", "the column of the list, get and of_user rows that holds an entitlement's display name")
	}
	if v, ok := o.get("description"); ok {
		et.Description, _ = p.refColumn(v.val, "description", UserParam, userMeaning)
	}
	if v, ok := o.get("operations"); ok {
		p.entitlementOperations(v, d, et, users)
	} else {
		p.missing(o, "operations", "at least list and of_user")
	}
	return et, epPos
}

// endpoint sets the type's endpoint: as written, or Name + "s".
func (p *parser) endpoint(o *object, et *EntitlementType) Position {
	ep, at, how := et.Name+"s", o.at, fmt.Sprintf(" (the default, %s + s: set endpoint to choose another)", et.Name)
	if v, ok := o.get("endpoint"); ok {
		s, ok := p.str(v.val, "endpoint")
		if !ok {
			return Position{}
		}
		// SCIM writes endpoints with their slash, /Roles: accept it.
		ep, at, how = strings.TrimPrefix(s, "/"), deref(v.val), ""
		if !endpointName.MatchString(ep) {
			p.errorf(at, "endpoint: expected a name such as %ss (a letter, then letters, digits, _ or -), got %q", et.Name, s)
			return Position{}
		}
	} else if !typeName.MatchString(et.Name) {
		return Position{} // the name is reported already
	}
	for _, r := range ReservedEndpoints {
		if strings.EqualFold(ep, r) {
			p.errorf(at, "entitlement type %s: endpoint %s%s is a SCIM endpoint (%s are reserved)", et.Name, ep, how, strings.Join(ReservedEndpoints, ", "))
			return Position{}
		}
	}
	et.Endpoint = ep
	return p.pos(at)
}

// entitlementColumns are what an entitlement type's params may name: its columns,
// and the user's id as user or as the users' id column, unless that is also one of
// the type's columns, which it then means.
// It returns them with the names that stand for the user ("user or USER_ID").
func entitlementColumns(et *EntitlementType, users *Users) (*columns, string) {
	refs := UserParam
	usersID := ""
	if users != nil {
		usersID = users.ID
	}
	if usersID != "" && !strings.EqualFold(usersID, et.ID) && !strings.EqualFold(usersID, et.Display) &&
		!strings.EqualFold(usersID, et.Description) && !strings.EqualFold(usersID, UserParam) {
		refs += " or " + usersID
	}
	c := newRefColumns(fmt.Sprintf("a column of entitlement type %s (id, display, description) or the user's id (%s)", et.Name, refs))
	c.addColumn(et.ID)
	c.addColumn(et.Display)
	c.addColumn(et.Description)
	c.addAlias(UserParam, UserParam)
	c.addAlias(usersID, UserParam)
	return c, refs
}

// entitlementOperations reads an entitlement type's operations and checks that each
// binds what it needs: the user's id (of_user, grant, revoke) and the entitlement's
// id (get, grant, revoke).
func (p *parser) entitlementOperations(e entry, d dialects.Dialect, et *EntitlementType, users *Users) {
	o := p.object(e.key, e.val, "operations", "a mapping of operation name to {sql: ...} or {call: ...}", entitlementOpKeys...)
	if o == nil {
		return
	}
	cols, refs := entitlementColumns(et, users)
	et.Operations = Operations{}
	for _, name := range o.order {
		op := p.operation(o.keys[name], d, cols)
		et.Operations[OpKind(name)] = op
		p.checkOuts(op, UserParam)
		if !refsResolved(op, cols) {
			continue
		}
		if k := OpKind(name); (k == OfUser || k == Grant || k == Revoke) && !bindsField(op, UserParam) {
			p.errorAt(op.Pos, "%s: params must bind the user's id: write %s", name, refs)
		}
		if k := OpKind(name); (k == Get || k == Grant || k == Revoke) && et.ID != "" && !bindsField(op, et.ID) {
			p.errorAt(op.Pos, "%s: params must bind the entitlement's id: write %s", name, et.ID)
		}
	}
	for _, name := range keys([]OpKind{List, OfUser}) {
		if _, ok := o.get(name); !ok {
			hint := "the entitlements of the type, for the import"
			if OpKind(name) == OfUser {
				hint = "the entitlements of one user, params binding user"
			}
			p.missing(o, name, hint)
		}
	}
	g, grant := o.get(string(Grant))
	r, revoke := o.get(string(Revoke))
	switch {
	case grant && !revoke:
		p.errorf(g.key, "grant: declare revoke too (grants can only be changed when both are declared)")
	case revoke && !grant:
		p.errorf(r.key, "revoke: declare grant too (grants can only be changed when both are declared)")
	}
}
