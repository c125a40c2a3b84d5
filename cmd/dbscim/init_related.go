package main

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/dbscim/dbscim/dialects"
)

// childPlan is a child table proposed as a multi-valued attribute (a table:
// mapping): one row per value, tied to the user by a foreign key.
type childPlan struct {
	attr    string // phoneNumbers, emails
	table   string
	userCol string   // the child's column holding the user's id
	subs    []string // sub-attributes, in order
	cols    []string // the child's column of each sub-attribute
	note    string
}

// relationPlan is a table of things users hold through a link table: the
// target's groups or one of its entitlement types.
type relationPlan struct {
	groups      bool   // a groups block; otherwise an entitlement type
	typeName    string // the entitlement type's name (Entitlement, Role)
	role        bool   // kind: role
	table       string
	id          dialects.TableColumn
	idGenerated bool
	display     dialects.TableColumn
	description string
	externalID  string
	link        string // the link table; "" when no link table was given
	linkUser    string // the link table's column holding the user's id
	linkRef     string // the link table's column holding this table's id
	note        string
}

// bare is a table name without its schema, for comparing with a foreign key's
// referenced table (the catalogs name it without one).
func bare(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// fkNote names a foreign key for a comment.
func fkNote(k dialects.ForeignKey) string {
	on := " on " + strings.Join(k.Columns, ", ")
	if strings.HasPrefix(k.Name, "fk") && strings.TrimLeft(k.Name[2:], "0123456789") == "" {
		return "a foreign key" + on // SQLite's keys have no names
	}
	return "foreign key " + k.Name + on
}

// relate reads the foreign keys of the tables named on the command line: the
// users table's reference to itself (a manager), link tables between the users
// and another table (groups, entitlements) and child tables (phone numbers).
func (p *usersPlan) relate(tables []initTable) {
	users := tables[0]
	if users.fkError != "" {
		p.notes = append(p.notes, fmt.Sprintf("the foreign keys of %s could not be read (%s): a manager column is guessed from its name only", users.name, users.fkError))
	}
	for _, k := range users.fks {
		if len(k.Columns) != 1 || !strings.EqualFold(k.RefTable, bare(users.name)) {
			continue
		}
		col := k.Columns[0]
		i := -1
		for j, m := range p.attrs {
			if strings.EqualFold(m.col.Name, col) {
				i = j
			}
		}
		if !strings.EqualFold(k.RefColumns[0], p.id.Name) {
			// manager.value must be the manager's SCIM id: a reference to
			// another column (the manager's login) would be read as an id.
			if i >= 0 && p.attrs[i].path == managerPath {
				p.attrs = append(p.attrs[:i], p.attrs[i+1:]...)
				p.unmapped = append(p.unmapped, col)
			}
			p.notes = append(p.notes, fmt.Sprintf("%s refers to %s.%s (%s), not to the id: not mapped as the manager, whose value is the manager's id", col, users.name, k.RefColumns[0], fkNote(k)))
			continue
		}
		note := fmt.Sprintf("guessed: the manager's id (%s to this table's id)", fkNote(k))
		switch {
		case i >= 0 && p.attrs[i].path == managerPath:
			p.attrs[i].note = note
		case i < 0 && !p.hasPath(enterpriseURN+"manager"):
			for _, c := range p.cols {
				if strings.EqualFold(c.Name, col) {
					p.attrs = append(p.attrs, mapped{col: c, path: managerPath, write: true, note: note})
				}
			}
			p.unmapped = remove(p.unmapped, col)
		}
	}
	byName := map[string]*initTable{}
	for i := range tables[1:] {
		byName[strings.ToLower(bare(tables[i+1].name))] = &tables[i+1]
	}
	used := map[string]bool{}
	var relations []*relationPlan
	relationOf := map[string]*relationPlan{}
	for _, t := range tables[1:] {
		if t.fkError != "" {
			p.notes = append(p.notes, fmt.Sprintf("the foreign keys of %s could not be read (%s): it is not used", t.name, t.fkError))
			continue
		}
		var toUser *dialects.ForeignKey
		var toOther []dialects.ForeignKey
		for i, k := range t.fks {
			if len(k.Columns) != 1 {
				continue
			}
			switch {
			case strings.EqualFold(k.RefTable, bare(users.name)) && strings.EqualFold(k.RefColumns[0], p.id.Name):
				toUser = &t.fks[i]
			case byName[strings.ToLower(k.RefTable)] != nil && !strings.EqualFold(k.RefTable, bare(t.name)):
				toOther = append(toOther, k)
			}
		}
		switch {
		case toUser != nil && len(toOther) == 1:
			target := byName[strings.ToLower(toOther[0].RefTable)]
			if relationOf[strings.ToLower(target.name)] != nil {
				p.notes = append(p.notes, fmt.Sprintf("%s links %s to %s a second time: not used", t.name, target.name, users.name))
				continue
			}
			r := planRelation(*target, t.name, toUser.Columns[0], toOther[0], *toUser)
			if r == nil {
				p.notes = append(p.notes, fmt.Sprintf("%s has no single-column primary key: %s is not proposed", target.name, t.name))
				continue
			}
			relations = append(relations, r)
			relationOf[strings.ToLower(target.name)] = r
			used[strings.ToLower(t.name)], used[strings.ToLower(target.name)] = true, true
		case toUser != nil && len(toOther) == 0:
			if c, note := p.planChild(t, *toUser); c != nil {
				p.children = append(p.children, *c)
				used[strings.ToLower(t.name)] = true
			} else {
				p.notes = append(p.notes, note)
				used[strings.ToLower(t.name)] = true
			}
		}
	}
	for _, r := range relations {
		switch {
		case r.groups && p.groups == nil:
			p.groups = r
		default:
			r.groups = false
			p.entitlements = append(p.entitlements, r)
		}
	}
	p.nameTypes()
	for _, t := range tables[1:] {
		if !used[strings.ToLower(t.name)] && t.fkError == "" {
			p.unused = append(p.unused, t)
		}
	}
}

// nameTypes names the entitlement types: Entitlement and Role first, then
// after their tables.
func (p *usersPlan) nameTypes() {
	names := map[string]bool{}
	for _, r := range p.entitlements {
		switch {
		case r.role && !names["Role"]:
			r.typeName = "Role"
		case !r.role && !names["Entitlement"]:
			r.typeName = "Entitlement"
		default:
			r.typeName = typeName(r.table)
		}
		names[r.typeName] = true
	}
}

// typeName makes an entitlement type's name from a table's: a capital letter,
// then letters and digits, singular.
func typeName(table string) string {
	var b strings.Builder
	up := true
	for _, r := range strings.TrimSuffix(strings.ToLower(bare(table)), "s") {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) && b.Len() > 0:
			if up {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	if b.Len() == 0 {
		return "Entitlement"
	}
	return b.String()
}

// planRelation proposes a table that a link table ties to the users: groups
// when its name says so, else an entitlement type (a role when named so).
func planRelation(t initTable, link, linkUser string, toRef, toUser dialects.ForeignKey) *relationPlan {
	r := planTable(t)
	if r == nil || !strings.EqualFold(r.id.Name, toRef.RefColumns[0]) {
		return nil
	}
	r.link, r.linkUser, r.linkRef = link, linkUser, toRef.Columns[0]
	what := "an entitlement type"
	switch {
	case r.groups:
		what = "the groups"
	case r.role:
		what = "a role type"
	}
	r.note = fmt.Sprintf("guessed: %s is %s, %s links it to the users (%s; %s)", t.name, what, link, fkNote(toUser), fkNote(toRef))
	return r
}

// planTable reads a group or entitlement table: its single-column primary key,
// the column that names a row and the one that describes it; nil without such
// a key.
func planTable(t initTable) *relationPlan {
	r := &relationPlan{table: t.name}
	n := strings.ToLower(bare(t.name))
	r.groups = strings.Contains(n, "group") || strings.Contains(n, "team")
	r.role = !r.groups && strings.Contains(n, "role")
	found := 0
	for _, c := range t.cols {
		if c.Primary {
			r.id = c
			found++
		}
	}
	if found != 1 {
		return nil
	}
	r.idGenerated = isIntegerType(r.id.Type)
	pick, score := -1, 0
	for i, c := range t.cols {
		key := squash(c.Name)
		s := 0
		switch {
		case c.Primary:
			continue
		case key == "displayname" || key == "name" || strings.HasSuffix(key, "name") && !strings.Contains(key, "user"):
			s = 3
		case c.Unique && !isIntegerType(c.Type) && !isTimeType(c.Type):
			s = 2
		case !isIntegerType(c.Type) && !isTimeType(c.Type) && !strings.Contains(key, "desc"):
			s = 1
		}
		if s > score {
			pick, score = i, s
		}
		if strings.Contains(key, "desc") && r.description == "" {
			r.description = c.Name
		}
		if key == "externalid" || key == "extid" {
			r.externalID = c.Name
		}
	}
	if pick >= 0 {
		r.display = t.cols[pick]
	} else {
		r.display = r.id
	}
	return r
}

// childAttributes are the multi-valued attributes a child table may hold, by
// words in its name, with the names of the columns that hold each sub-attribute.
var childAttributes = []struct {
	words []string
	attr  string
	value []string
}{
	{[]string{"phone", "tel"}, "phoneNumbers", []string{"number", "phone", "phonenumber", "phoneno", "num", "tel", "telephone", "value"}},
	{[]string{"email", "mail"}, "emails", []string{"email", "emailaddress", "address", "mail", "value"}},
}

var (
	typeColumns    = map[string]bool{"type": true, "kind": true, "phonetype": true, "emailtype": true, "label": true, "category": true, "usage": true}
	primaryColumns = map[string]bool{"primary": true, "isprimary": true, "preferred": true}
)

// planChild proposes a child table as a multi-valued attribute, or says why not.
func (p *usersPlan) planChild(t initTable, toUser dialects.ForeignKey) (*childPlan, string) {
	n := squash(bare(t.name))
	for _, ca := range childAttributes {
		hit := false
		for _, w := range ca.words {
			hit = hit || strings.Contains(n, w)
		}
		if !hit {
			continue
		}
		if p.hasPath(ca.attr) {
			return nil, fmt.Sprintf("%s refers to %s (%s) and looks like %s, but %s is already mapped from a column of %s: map one or the other", t.name, p.table, fkNote(toUser), ca.attr, ca.attr, p.table)
		}
		c := &childPlan{attr: ca.attr, table: t.name, userCol: toUser.Columns[0]}
		var value, typ, primary string
		var left []string
		for _, col := range t.cols {
			key := squash(col.Name)
			switch {
			case strings.EqualFold(col.Name, c.userCol):
			case typ == "" && typeColumns[key]:
				typ = col.Name
			case primary == "" && primaryColumns[key]:
				primary = col.Name
			case value == "" && contains(ca.value, key):
				value = col.Name
			case !col.Nullable && !col.Primary:
				left = append(left, col.Name)
			}
		}
		if value == "" {
			return nil, fmt.Sprintf("%s refers to %s (%s) and looks like %s, but no column is named like its value: map it by hand (a table: attribute)", t.name, p.table, fkNote(toUser), ca.attr)
		}
		c.subs, c.cols = append(c.subs, "value"), append(c.cols, value)
		if typ != "" {
			c.subs, c.cols = append(c.subs, "type"), append(c.cols, typ)
		}
		if primary != "" {
			c.subs, c.cols = append(c.subs, "primary"), append(c.cols, primary)
		}
		c.note = fmt.Sprintf("guessed: %s holds one row per value, tied to the user by %s", t.name, fkNote(toUser))
		if len(left) > 0 {
			c.note += "; add leaves " + strings.Join(left, ", ") + " to their defaults"
		}
		return c, ""
	}
	return nil, fmt.Sprintf("%s refers to %s (%s) but its name says no SCIM attribute: map it by hand as a child table (docs/configuration.md, Child tables)", t.name, p.table, fkNote(toUser))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
