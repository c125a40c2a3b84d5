package store

import (
	"strings"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/operations"
)

// customSchemas makes a schema for each extension URN the mappings name that none
// of the known schemas is: its attributes are the mapped ones, typed by their
// mapping (string unless the mapping says otherwise). This is how a DBA declares
// a custom extension such as urn:example:params:scim:schemas:extension:acme:2.0:User:costCode.
func customSchemas(maps []operations.Mapping, known ...*resource.Schema) []*resource.Schema {
	var out []*resource.Schema
	find := func(urn string) *resource.Schema {
		for _, s := range append(append([]*resource.Schema{}, known...), out...) {
			if strings.EqualFold(s.ID, urn) {
				return s
			}
		}
		return nil
	}
	for _, m := range maps {
		p, err := filter.ParsePath(m.Path)
		if err != nil || p.AttributePath.URIPrefix == nil {
			continue
		}
		urn := *p.AttributePath.URIPrefix
		s := find(urn)
		if s == nil {
			name := urn[strings.LastIndex(urn, ":")+1:]
			s = &resource.Schema{ID: urn, Name: name, Description: "Extension attributes declared by this target's configuration"}
			out = append(out, s)
		} else if !isCustom(s, out) {
			continue
		}
		typ := scimType(m)
		a := resource.FindAttribute(s.Attributes, p.AttributePath.AttributeName)
		if a == nil {
			a = &resource.Attribute{Name: p.AttributePath.AttributeName, Type: typ, Mutability: resource.MutabilityReadWrite,
				Returned: resource.ReturnedDefault, Uniqueness: resource.UniquenessNone}
			s.Attributes = append(s.Attributes, a)
		}
		sub := p.AttributePath.SubAttributeName()
		if sub == "" && p.SubAttribute != nil {
			sub = *p.SubAttribute
		}
		if p.ValueExpression != nil {
			a.MultiValued = true
			if sub == "" {
				sub = "value"
			}
			if eq, ok := p.ValueExpression.(*filter.AttributeExpression); ok && resource.FindAttribute(a.SubAttributes, eq.AttributePath.AttributeName) == nil {
				a.SubAttributes = append(a.SubAttributes, &resource.Attribute{Name: eq.AttributePath.AttributeName, Type: resource.TypeString,
					Mutability: resource.MutabilityReadWrite, Returned: resource.ReturnedDefault, Uniqueness: resource.UniquenessNone})
			}
		}
		if sub != "" {
			a.Type = resource.TypeComplex
			if resource.FindAttribute(a.SubAttributes, sub) == nil {
				a.SubAttributes = append(a.SubAttributes, &resource.Attribute{Name: sub, Type: typ, Mutability: resource.MutabilityReadWrite,
					Returned: resource.ReturnedDefault, Uniqueness: resource.UniquenessNone})
			}
		}
	}
	return out
}

func isCustom(s *resource.Schema, custom []*resource.Schema) bool {
	for _, c := range custom {
		if c == s {
			return true
		}
	}
	return false
}

// scimType is the SCIM type a mapping's type: gives an attribute of a custom
// extension.
func scimType(m operations.Mapping) string {
	switch m.Type {
	case "boolean":
		return resource.TypeBoolean
	case "integer":
		return resource.TypeInteger
	case "datetime":
		return resource.TypeDateTime
	}
	return resource.TypeString
}

// mutability is what the configuration implies for a column: readWrite when an
// update binds it (or, for active, when activate or deactivate is declared),
// immutable when only create binds it, readOnly when no write binds it; the
// schema's own readOnly and writeOnly, and the mapping's mutability:, say more.
func mutability(c *column, bound func(*column) (create, update bool)) string {
	switch {
	case c.readOnly:
		return resource.MutabilityReadOnly
	case c.Mutability == resource.MutabilityReadOnly:
		return resource.MutabilityReadOnly
	}
	create, update := bound(c)
	m := resource.MutabilityReadWrite
	switch {
	case !create && !update:
		return resource.MutabilityReadOnly
	case !update || c.Mutability == resource.MutabilityImmutable:
		m = resource.MutabilityImmutable
	}
	if c.Mutability == resource.MutabilityWriteOnly || c.schemaWriteOnly {
		return resource.MutabilityWriteOnly
	}
	return m
}

// rank orders mutabilities from the least to the most a client may do.
var rank = map[string]int{resource.MutabilityReadOnly: 0, resource.MutabilityImmutable: 1, resource.MutabilityWriteOnly: 2, resource.MutabilityReadWrite: 2}

// servedSchemas trims the schemas to what the target serves: the attributes its
// columns fill (with the sub-attributes they fill and, for a value-filtered
// mapping such as emails[type eq "work"].value, the types it fills as canonical
// values), and the top-level attributes other operations serve (extra: groups,
// entitlements, members, each shaped by what its operations fill), with the
// mutability the operations imply. The first schema (the core) is always kept;
// an extension with nothing served is left out.
func servedSchemas(schemas []*resource.Schema, cols []column, extra map[string]shaper, mut func(*column) string) []*resource.Schema {
	var out []*resource.Schema
	for i, s := range schemas {
		var attrs []*resource.Attribute
		for _, a := range s.Attributes {
			key := strings.ToLower(a.Name)
			if i > 0 {
				key = strings.ToLower(s.ID + ":" + a.Name)
			}
			if shape := extra[key]; shape != nil {
				attrs = append(attrs, shape(a))
				continue
			}
			var mine []*column
			for j := range cols {
				if cols[j].attr == key {
					mine = append(mine, &cols[j])
				}
			}
			if len(mine) > 0 {
				attrs = append(attrs, servedAttribute(a, mine, mut))
			}
		}
		if i == 0 || len(attrs) > 0 {
			out = append(out, &resource.Schema{ID: s.ID, Name: s.Name, Description: s.Description, Attributes: attrs})
		}
	}
	return out
}

// A shaper makes the served form of a schema attribute that operations (not
// columns) fill.
type shaper func(*resource.Attribute) *resource.Attribute

// shape is a shaper keeping only the named sub-attributes (those the operations
// fill), with the mutability mut: a readOnly attribute's sub-attributes are
// readOnly too, and a writable one keeps the schema's own for each.
func shape(mut string, subs ...string) shaper {
	return func(a *resource.Attribute) *resource.Attribute {
		out := *a
		out.Mutability = mut
		out.SubAttributes = nil
		for _, name := range subs {
			sa := a.SubAttribute(name)
			if sa == nil {
				continue
			}
			sc := *sa
			if mut == resource.MutabilityReadOnly {
				sc.Mutability = resource.MutabilityReadOnly
			}
			out.SubAttributes = append(out.SubAttributes, &sc)
		}
		return &out
	}
}

// withTypes narrows a shaper's type sub-attribute to the values it is read with.
func withTypes(sh shaper, types []string) shaper {
	return func(a *resource.Attribute) *resource.Attribute {
		out := sh(a)
		for _, sc := range out.SubAttributes {
			if strings.EqualFold(sc.Name, "type") && len(types) > 0 {
				sc.CanonicalValues = types
			}
		}
		return out
	}
}

// servedExtras are the user attributes operations fill: groups through
// groups_of_user, always readOnly (RFC 7643 §4.1.2: membership changes through
// the Group resource); and each entitlement type's attribute (entitlements,
// roles), readWrite when a type of it declares grant and revoke, readOnly
// otherwise.
func (s *Users) servedExtras() map[string]shaper {
	out := map[string]shaper{}
	if g := s.groups; g != nil && g.ops[operations.GroupsOfUser] != nil {
		subs := []string{"value", "type"}
		if g.displayName != nil {
			subs = append(subs, "display")
		}
		out["groups"] = withTypes(shape(resource.MutabilityReadOnly, subs...), []string{"direct"})
	}
	type grants struct {
		writable, display bool
		types             []string
	}
	byAttr := map[string]*grants{}
	var attrs []string
	for _, e := range s.ents {
		g := byAttr[e.attr]
		if g == nil {
			g = &grants{}
			byAttr[e.attr] = g
			attrs = append(attrs, e.attr)
		}
		ops := e.cfg.Operations
		g.writable = g.writable || ops[operations.Grant] != nil && ops[operations.Revoke] != nil
		g.display = g.display || e.cfg.Display != ""
		g.types = append(g.types, e.cfg.Name)
	}
	for _, attr := range attrs {
		g := byAttr[attr]
		mut := resource.MutabilityReadOnly
		if g.writable {
			mut = resource.MutabilityReadWrite
		}
		subs := []string{"value", "type"}
		if g.display {
			subs = append(subs, "display")
		}
		out[attr] = withTypes(shape(mut, subs...), g.types)
	}
	return out
}

// othersWrite reports whether operations other than the user's own write an
// attribute /Schemas lists as writable: an entitlement type's grant and revoke,
// a child table's add and remove. A PATCH or PUT is then served even without
// update.
func (s *Users) othersWrite() bool {
	for _, e := range s.ents {
		if e.cfg.Operations[operations.Grant] != nil && e.cfg.Operations[operations.Revoke] != nil {
			return true
		}
	}
	for _, c := range s.children {
		if c.writable() {
			return true
		}
	}
	return false
}

// servedExtras are the group attributes operations fill: members, listed only
// when the members operation reads them, and readWrite when add_member and a way
// to remove (remove_member or clear_members) are declared, readOnly otherwise.
func (s *Groups) servedExtras() map[string]shaper {
	if s.ops[operations.Members] == nil {
		return nil
	}
	subs := []string{"value", "type"}
	if s.cfg.MemberDisplay != "" {
		subs = append(subs, "display")
	}
	return map[string]shaper{"members": withTypes(shape(s.membersMutability(), subs...), []string{"User"})}
}

// membersMutability is what the member operations imply for members.
func (s *Groups) membersMutability() string {
	if s.ops[operations.AddMember] != nil && (s.ops[operations.RemoveMember] != nil || s.ops[operations.ClearMembers] != nil) {
		return resource.MutabilityReadWrite
	}
	return resource.MutabilityReadOnly
}

// servedAttribute is one attribute as served by the columns that fill it.
func servedAttribute(a *resource.Attribute, cols []*column, mut func(*column) string) *resource.Attribute {
	out := *a
	most := func(cs []*column) string {
		best := ""
		for _, c := range cs {
			if m := mut(c); best == "" || rank[m] > rank[best] {
				best = m
			}
		}
		return best
	}
	codes := func(cs []*column) []string {
		var vals []string
		for _, c := range cs {
			if c.kind != resource.TypeString {
				continue
			}
			for _, v := range c.Values {
				vals = append(vals, text(v.Value))
			}
		}
		return vals
	}
	if len(a.SubAttributes) == 0 {
		out.Mutability = most(cols)
		if v := codes(cols); len(v) > 0 {
			out.CanonicalValues = v
		}
		return &out
	}
	whole := false
	for _, c := range cols {
		whole = whole || c.sub == ""
	}
	out.SubAttributes = nil
	for _, s := range a.SubAttributes {
		var mine []*column
		var elems []string
		for _, c := range cols {
			if strings.EqualFold(c.sub, s.Name) {
				mine = append(mine, c)
			}
			if strings.EqualFold(c.elemAttr, s.Name) && !containsFold(elems, c.elemValue) {
				elems = append(elems, c.elemValue)
			}
		}
		sc := *s
		switch {
		case len(mine) > 0:
			sc.Mutability = most(mine)
			if v := codes(mine); len(v) > 0 {
				sc.CanonicalValues = v
			}
		case len(elems) > 0:
			// The type a value-filtered mapping fills: a constant of the mapping,
			// written by choosing the element.
			sc.CanonicalValues = elems
			sc.Mutability = most(cols)
		case whole:
		default:
			continue
		}
		if s.Mutability == resource.MutabilityReadOnly {
			sc.Mutability = resource.MutabilityReadOnly
		}
		out.SubAttributes = append(out.SubAttributes, &sc)
	}
	if a.Mutability != resource.MutabilityReadOnly {
		out.Mutability = resource.MutabilityReadOnly
		for _, s := range out.SubAttributes {
			if s.Mutability != resource.MutabilityReadOnly {
				out.Mutability = a.Mutability
			}
		}
	}
	return &out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// bound says which of a resource's create and update operations bind a column.
func bound(ops operations.Operations, c *column) (create, update bool) {
	if op := ops[operations.Create]; op != nil {
		create = bindsField(op, c.Column)
	}
	if op := ops[operations.Update]; op != nil {
		update = bindsField(op, c.Column)
	}
	return create, update
}
