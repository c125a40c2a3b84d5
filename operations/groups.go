package operations

import (
	"fmt"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	filter "github.com/scim2/filter-parser/v2"
	"gopkg.in/yaml.v3"
)

// groupSchema is the core Group schema URN; a path written with it is the same
// attribute as the path without it.
const groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"

var (
	groupsKeys  = []string{"id", "attributes", "member_id", "member_display", "operations", "create_completion"}
	groupOpKeys = keys(GroupKinds)
	// groupPaths are the Group attributes a column may hold, as the schema spells
	// them: members are read and written by operations, id is groups.id, and the
	// other meta sub-attributes are the server's.
	groupPaths = []string{"displayName", "externalId", "meta.created", "meta.lastModified", "meta.version"}
	// memberOps bind the member's user id; groupIDOps must bind the group's id.
	memberOps  = keys([]OpKind{AddMember, RemoveMember, GroupsOfUser})
	groupIDOps = keys([]OpKind{Get, Update, Delete, Members, AddMember, RemoveMember, ClearMembers})
	// memberRowOps need member_id.
	memberRowOps = keys([]OpKind{Members, AddMember, RemoveMember})
)

// groups reads a target's groups declaration. users is the target's users
// declaration (nil when it has none), for hints.
func (p *parser) groups(e entry, d dialects.Dialect, users *Users) *Groups {
	g := &Groups{Pos: p.pos(e.key)}
	o := p.object(e.key, e.val, "groups", "a mapping with keys "+strings.Join(groupsKeys, ", "), groupsKeys...)
	if o == nil {
		return g
	}
	const memberMeaning = "the member's user id"
	if v, ok := o.get("id"); ok {
		g.ID, _ = p.refColumn(v.val, "id", MemberParam, memberMeaning)
	} else {
		p.missing(o, "id", "the column that holds the group's SCIM id")
	}
	if v, ok := o.get("attributes"); ok {
		g.Attributes = p.groupAttributes(v)
	} else {
		p.missing(o, "attributes", "a mapping of Group attribute to column; displayName is required")
	}
	if v, ok := o.get("member_id"); ok {
		g.MemberID, _ = p.column(v.val, "member_id")
	}
	if v, ok := o.get("member_display"); ok {
		g.MemberDisplay, _ = p.column(v.val, "member_display")
	}
	if v, ok := o.get("create_completion"); ok {
		if b, good := p.boolean(v.val, "create_completion"); good {
			g.NoCreateCompletion = !b
		}
	}
	v, ok := o.get("operations")
	if !ok {
		p.missing(o, "operations", "at least get and list")
		return g
	}
	p.groupOperations(v, d, g, users)
	if _, ok := o.get("member_id"); !ok {
		for _, name := range memberRowOps {
			if op := g.Operations[OpKind(name)]; op != nil {
				p.missing(o, "member_id", fmt.Sprintf("the column of the members rows that holds each member's user id: %s is declared at line %d", name, op.Pos.Line))
				break
			}
		}
	}
	return g
}

func (p *parser) groupAttributes(e entry) []Mapping {
	o := p.object(e.key, e.val, "attributes", "a mapping of Group attribute path to column")
	if o == nil {
		return nil
	}
	var (
		out         []Mapping
		seen        = map[string]*yaml.Node{}
		displayName bool
	)
	for _, path := range o.order {
		v := o.keys[path]
		m := Mapping{Path: path, Pos: p.pos(v.key)}
		key, ok := p.groupPath(v.key)
		switch {
		case !ok:
		case seen[key] != nil:
			p.errorf(v.key, "attributes: %s is mapped twice (first at line %d)", path, seen[key].Line)
		default:
			seen[key] = v.key
			displayName = displayName || key == "displayname"
		}
		good := p.mapping(v, &m)
		if strings.EqualFold(m.Column, MemberParam) {
			// Dropped, so that params naming member are read as meant.
			p.errorf(v.key, "attributes: %s: the column name %q is reserved: in params, member stands for the member's user id (select the column under another name, with AS)", path, m.Column)
			continue
		}
		// As for users: keep every mapping with a column, so that params naming it are
		// not reported a second time. A refused file yields no Config.
		if good || m.Column != "" {
			out = append(out, m)
		}
	}
	if !displayName {
		p.missing(o, "displayName", "every SCIM client identifies groups by displayName: map it to a column")
	}
	return out
}

// groupPath checks a path against the Group schema and returns it lower-cased,
// without the core Group schema URN.
func (p *parser) groupPath(k *yaml.Node) (string, bool) {
	expected := strings.Join(groupPaths, ", ")
	parsed, err := filter.ParsePath([]byte(k.Value))
	if err != nil || k.Value == "" {
		p.errorf(k, "attributes: %q is not a SCIM attribute path (expected one of: %s)", k.Value, expected)
		return "", false
	}
	if parsed.AttributePath.URI() == groupSchema {
		parsed.AttributePath.URIPrefix = nil
	}
	key := strings.ToLower(parsed.String())
	switch {
	case key == "id":
		p.errorf(k, "attributes: id is not mapped here: it is the column named by groups.id")
		return "", false
	case key == "members" || strings.HasPrefix(key, "members.") || strings.HasPrefix(key, "members["):
		p.errorf(k, "attributes: members is not mapped: the operations members, add_member and remove_member read and write them")
		return "", false
	}
	for _, gp := range groupPaths {
		if key == strings.ToLower(gp) {
			return key, true
		}
	}
	p.errorf(k, "attributes: %s is not an attribute of the Group schema that a column can hold (expected one of: %s)", k.Value, expected)
	return "", false
}

// groupColumns are what group operations' params may name: the group's id column
// and mapped columns, and, with member, MemberParam for the member's user id.
func groupColumns(g *Groups, users *Users, member bool) *columns {
	expected := "groups.id or a column mapped in groups.attributes"
	if member {
		expected = "groups.id, a column mapped in groups.attributes, or member"
	}
	c := newRefColumns(expected)
	c.addColumn(g.ID)
	for _, m := range g.Attributes {
		c.addColumn(m.Column)
		c.byPath[strings.ToLower(m.Path)] = m.Column
	}
	usersID := ""
	if users != nil {
		usersID = users.ID
	}
	if member {
		c.addAlias(MemberParam, MemberParam)
		hint := "the member's user id is written member"
		c.addHint(UserParam, hint)
		c.addHint(usersID, hint)
	} else {
		hint := "member, the member's user id, is only bound by add_member, remove_member and groups_of_user"
		c.addHint(MemberParam, hint)
	}
	return c
}

// groupOperations reads the group operations and checks that each binds what it
// needs: the group's id and the member's user id.
func (p *parser) groupOperations(e entry, d dialects.Dialect, g *Groups, users *Users) {
	o := p.object(e.key, e.val, "operations", "a mapping of operation name to {sql: ...} or {call: ...}", groupOpKeys...)
	if o == nil {
		return
	}
	plain, withMember := groupColumns(g, users, false), groupColumns(g, users, true)
	g.Operations = Operations{}
	for _, name := range o.order {
		cols := plain
		if contains(memberOps, name) {
			cols = withMember
		}
		op := p.operation(o.keys[name], d, cols)
		g.Operations[OpKind(name)] = op
		p.checkOuts(op, MemberParam)
		if !refsResolved(op, cols) {
			continue
		}
		if contains(groupIDOps, name) && g.ID != "" && !bindsField(op, g.ID) {
			p.errorAt(op.Pos, "%s: params must bind the group's id: write %s", name, g.ID)
		}
		if contains(memberOps, name) && !bindsField(op, MemberParam) {
			p.errorAt(op.Pos, "%s: params must bind the member's user id: write member", name)
		}
	}
	for _, name := range keys([]OpKind{Get, List}) {
		if _, ok := o.get(name); !ok {
			p.missing(o, name, "groups must declare get and list")
		}
	}
}
