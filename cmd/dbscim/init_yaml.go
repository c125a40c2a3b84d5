package main

import (
	"fmt"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/sqlgen"
)

// yamlWriter writes the configuration, one line at a time.
type yamlWriter struct {
	b strings.Builder
}

func (w *yamlWriter) line(format string, args ...any) { fmt.Fprintf(&w.b, format+"\n", args...) }

// op writes one operation at an indentation, with a comment when there is one.
func (w *yamlWriter) op(indent, key, value, comment string) {
	pad := strings.Repeat(" ", max(0, 7-len(key)))
	if comment != "" {
		w.line("%s%s:%s %s   # %s", indent, key, pad, value, comment)
	} else {
		w.line("%s%s:%s %s", indent, key, pad, value)
	}
}

// alternatives writes the routines proposed for an operation: chosen when the
// operation has no statement and the routine needs no check, else as comments.
func (w *yamlWriter) alternatives(indent string, rs []routineProposal, chosen bool) {
	for i, r := range rs {
		if chosen && i == 0 && len(r.unbound) == 0 && !r.reads {
			w.op(indent, r.op, r.value(), "guessed: "+r.name+" from the catalog, no statement does this; its parameters bound by name; check what it does")
			continue
		}
		w.line("%s# %s: %s   # or %s from the catalog: %s", indent, r.op, r.value(), r.name, r.why())
	}
}

// sqlText writes a statement as a YAML double-quoted string.
func sqlText(s string) string { return fmt.Sprintf("{sql: %s}", yamlString(s)) }

func sqlParams(s string, params ...string) string {
	return fmt.Sprintf("{sql: %s, params: [%s]}", yamlString(s), strings.Join(params, ", "))
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// yaml writes the configuration.
func (p *usersPlan) yaml(d dialects.Dialect, conn dialects.Connection, target, passwordEnv string) string {
	w := &yamlWriter{}
	ident := func(c string) string { return sqlgen.Ident(d, c) }
	w.line("# dbscim.yaml for table %s, written by dbscim init from the %s catalog.", p.table, d.Name())
	w.line("# Review every line marked \"guessed\", then check it against the database:")
	w.line("#   dbscim validate --config dbscim.yaml")
	for _, n := range p.notes {
		w.line("# NOTE: %s.", n)
	}
	for _, t := range p.unused {
		w.line("# NOTE: %s is not used: no foreign key ties it to %s's id as a link table or a child table.", t.name, p.table)
	}
	for _, n := range p.routineNotes {
		w.line("# NOTE (routines): %s.", n)
	}
	tokenVar := strings.ToUpper(strings.ReplaceAll(target, "-", "_")) + "_TOKEN"
	w.line("version: 1\nserver:\n  listen: 127.0.0.1:8443\n  tls: auto\ntargets:")
	w.line("  %s:\n    auth:\n      bearer: ${%s}   # the token the identity provider sends", target, tokenVar)
	w.line("    database:\n      dialect: %s", d.Name())
	if d.Spec().Networked {
		w.line("      host: %s\n      port: %d", yamlString(conn.Host), conn.Port)
	}
	w.line("      name: %s", yamlString(conn.Name))
	if conn.User != "" {
		w.line("      user: %s", yamlString(conn.User))
	}
	if d.Spec().Networked {
		w.line("      password: ${%s}", passwordEnv)
	}
	w.line("    users:")
	idNote := "the primary key"
	if !p.id.Primary {
		idNote = "guessed: not a primary key"
	}
	w.line("      id: %s   # %s", p.id.Name, idNote)
	w.line("      attributes:")
	readCols := []string{ident(p.id.Name)}
	seen := map[string]bool{strings.ToLower(p.id.Name): true}
	for _, m := range p.attrs {
		if m.path == "userName" {
			for _, l := range p.userNameIndex {
				w.line("        # %s", l)
			}
		}
		w.line("        %s: %s   # %s", yamlKey(m.path), m.col.Name, m.note)
		if !seen[strings.ToLower(m.col.Name)] {
			readCols = append(readCols, ident(m.col.Name))
			seen[strings.ToLower(m.col.Name)] = true
		}
	}
	statusWrite := ""
	if p.status != nil {
		sp := proposeStatus(p.statusValues)
		numeric := isIntegerType(p.status.Type)
		if numeric && len(sp.unknown) == 0 && len(sp.yes) <= 1 && len(sp.no) <= 1 {
			// An integer flag: 1 and 0, whether or not the table holds both yet.
			sp.yes, sp.no = []string{"1"}, []string{"0"}
		}
		var why []string
		if len(sp.yes) > 0 {
			why = append(why, strings.Join(sp.yes, ", ")+" read as active")
		}
		if len(sp.no) > 0 {
			why = append(why, strings.Join(sp.no, ", ")+" as inactive")
		}
		switch {
		case sp.ok():
			w.line("        # guessed from the values %s holds (%s); check every code:", p.status.Name, strings.Join(why, "; "))
			if len(sp.unknown) > 0 {
				w.line("        # left out, not guessed: %s (a user holding one is served without active, and validate warns of it): add each to true or false", strings.Join(sp.unknown, ", "))
			}
			w.line("        active: {column: %s, true: %s, false: %s}   # deactivating writes %s, activating %s",
				p.status.Name, yamlList(sp.yes, numeric), yamlList(sp.no, numeric), sp.no[0], sp.yes[0])
			if !seen[strings.ToLower(p.status.Name)] {
				readCols = append(readCols, ident(p.status.Name))
			}
			statusWrite = p.status.Name
		default:
			if len(sp.unknown) > 0 {
				why = append(why, strings.Join(sp.unknown, ", ")+" unknown")
			}
			w.line("        # active: {column: %s, true: [...], false: [...]}   # guessed: %s holds %s (%s); name the active and the inactive codes",
				p.status.Name, p.status.Name, valueList(p.statusValues), strings.Join(why, "; "))
		}
	}
	for _, c := range p.children {
		p.writeChild(w, d, c)
	}
	for _, c := range p.unmapped {
		if k := squash(c); strings.Contains(k, "password") || strings.Contains(k, "pwd") {
			w.line("        # ?: %s   # not mapped: dbscim writes a password as the client sends it; map password only to a column that stores it so, or that a routine hashes (set_password)", c)
			continue
		}
		w.line("        # ?: %s   # not mapped: name a SCIM attribute for it, or leave it", c)
	}
	list := "SELECT " + strings.Join(readCols, ", ") + " FROM " + p.table
	w.line("      operations:")
	w.op("        ", "list", sqlText(list), "")
	w.alternatives("        ", p.routines["users.list"], false)
	w.op("        ", "get", sqlParams(list+" WHERE "+ident(p.id.Name)+" = ?", p.id.Name), "")
	w.alternatives("        ", p.routines["users.get"], false)
	var insCols, insParams, setCols, setParams []string
	written := map[string]bool{}
	if !p.idGenerated {
		insCols, insParams = append(insCols, ident(p.id.Name)), append(insParams, p.id.Name)
		written[strings.ToLower(p.id.Name)] = true
	}
	for _, m := range p.attrs {
		if !m.write || written[strings.ToLower(m.col.Name)] {
			continue
		}
		written[strings.ToLower(m.col.Name)] = true
		insCols, insParams = append(insCols, ident(m.col.Name)), append(insParams, m.col.Name)
		setCols, setParams = append(setCols, ident(m.col.Name)+" = ?"), append(setParams, m.col.Name)
	}
	if statusWrite != "" && !written[strings.ToLower(statusWrite)] {
		insCols, insParams = append(insCols, ident(statusWrite)), append(insParams, statusWrite)
		setCols, setParams = append(setCols, ident(statusWrite)+" = ?"), append(setParams, statusWrite)
	}
	insert := "INSERT INTO " + p.table + " (" + strings.Join(insCols, ", ") + ") VALUES (" + marks(len(insCols)) + ")"
	if p.idGenerated && d.Name() == "postgres" {
		insert += " RETURNING " + ident(p.id.Name)
	}
	idComment := "dbscim fills the id with a new UUID"
	if p.idGenerated {
		idComment = generatedID
	}
	p.userWrite(w, "create", sqlParams(insert, insParams...), idComment, false)
	update := ""
	if len(setCols) > 0 {
		update = sqlParams("UPDATE "+p.table+" SET "+strings.Join(setCols, ", ")+" WHERE "+ident(p.id.Name)+" = ?", append(setParams, p.id.Name)...)
	}
	p.userWrite(w, "update", update, "", true)
	// update writes active; activate and deactivate routines are alternatives.
	p.userWrite(w, "activate", "", "", false)
	p.userWrite(w, "deactivate", "", "", false)
	p.userWrite(w, "delete", sqlParams("DELETE FROM "+p.table+" WHERE "+ident(p.id.Name)+" = ?", p.id.Name),
		"remove it to keep deprovisioned users as inactive rows", false)
	if p.groups != nil {
		p.writeGroups(w, d, p.groups)
	}
	if len(p.entitlements) > 0 {
		w.line("    entitlements:")
		for _, r := range p.entitlements {
			p.writeEntitlement(w, d, r)
		}
	}
	return w.b.String()
}

// writeChild writes a child table as a table: attribute.
func (p *usersPlan) writeChild(w *yamlWriter, d dialects.Dialect, c childPlan) {
	ident := func(s string) string { return sqlgen.Ident(d, s) }
	var cols, idents, where []string
	for i, s := range c.subs {
		cols = append(cols, s+": "+c.cols[i])
		idents = append(idents, ident(c.cols[i]))
	}
	where = append(where, ident(c.userCol)+" = ?")
	for _, col := range c.cols {
		where = append(where, ident(col)+" = ?")
	}
	params := append([]string{p.id.Name}, c.cols...)
	w.line("        %s:   # %s", c.attr, c.note)
	w.line("          table:")
	w.line("            columns: {%s}", strings.Join(cols, ", "))
	w.op("            ", "read", sqlParams("SELECT "+strings.Join(idents, ", ")+" FROM "+c.table+" WHERE "+ident(c.userCol)+" = ?", p.id.Name), "")
	w.op("            ", "add", sqlParams("INSERT INTO "+c.table+" ("+ident(c.userCol)+", "+strings.Join(idents, ", ")+") VALUES ("+marks(len(params))+")", params...), "")
	w.op("            ", "remove", sqlParams("DELETE FROM "+c.table+" WHERE "+strings.Join(where, " AND "), params...), "")
}

// writeGroups writes the groups block over a groups table and its link table.
func (p *usersPlan) writeGroups(w *yamlWriter, d dialects.Dialect, r *relationPlan) {
	ident := func(s string) string { return sqlgen.Ident(d, s) }
	in := "        "
	w.line("    groups:   # %s", r.note)
	w.line("      id: %s   # the primary key", r.id.Name)
	w.line("      attributes:")
	displayNote := "guessed: the group's name"
	if r.display.Name == r.id.Name {
		displayNote = "guessed: no other column names the group"
	}
	w.line("        displayName: %s   # %s", r.display.Name, displayNote)
	cols := []string{ident(r.id.Name)}
	var writes []string
	if r.display.Name != r.id.Name {
		cols, writes = append(cols, ident(r.display.Name)), append(writes, r.display.Name)
	}
	if r.externalID != "" {
		w.line("        externalId: %s   # guessed from the column's name", r.externalID)
		cols, writes = append(cols, ident(r.externalID)), append(writes, r.externalID)
	}
	w.line("      member_id: %s   # the column of %s holding a member's user id", r.linkUser, r.link)
	w.line("      operations:")
	list := "SELECT " + strings.Join(cols, ", ") + " FROM " + r.table
	byID := " WHERE " + ident(r.id.Name) + " = ?"
	w.op(in, "list", sqlText(list), "")
	w.alternatives(in, p.routines["groups.list"], false)
	w.op(in, "get", sqlParams(list+byID, r.id.Name), "")
	w.alternatives(in, p.routines["groups.get"], false)
	if len(writes) > 0 {
		insCols, insParams := []string{}, []string{}
		comment := generatedID
		if !r.idGenerated {
			insCols, insParams = append(insCols, ident(r.id.Name)), append(insParams, r.id.Name)
			comment = "dbscim fills the id with a new UUID"
		}
		set := []string{}
		for _, c := range writes {
			insCols, insParams = append(insCols, ident(c)), append(insParams, c)
			set = append(set, ident(c)+" = ?")
		}
		insert := "INSERT INTO " + r.table + " (" + strings.Join(insCols, ", ") + ") VALUES (" + marks(len(insCols)) + ")"
		if r.idGenerated && d.Name() == "postgres" {
			insert += " RETURNING " + ident(r.id.Name)
		}
		w.op(in, "create", sqlParams(insert, insParams...), comment)
		w.alternatives(in, p.routines["groups.create"], false)
		w.op(in, "update", sqlParams("UPDATE "+r.table+" SET "+strings.Join(set, ", ")+byID, append(writes, r.id.Name)...), "")
		w.alternatives(in, p.routines["groups.update"], false)
	}
	w.op(in, "delete", sqlParams("DELETE FROM "+r.table+byID, r.id.Name), "after clear_members")
	w.alternatives(in, p.routines["groups.delete"], false)
	ref := ident(r.linkRef)
	user := ident(r.linkUser)
	w.op(in, "members", sqlParams("SELECT "+user+" FROM "+r.link+" WHERE "+ref+" = ?", r.id.Name), "")
	w.alternatives(in, p.routines["groups.members"], false)
	w.op(in, "add_member", sqlParams("INSERT INTO "+r.link+" ("+ref+", "+user+") VALUES (?, ?)", r.id.Name, "member"), "")
	w.alternatives(in, p.routines["groups.add_member"], false)
	w.op(in, "remove_member", sqlParams("DELETE FROM "+r.link+" WHERE "+ref+" = ? AND "+user+" = ?", r.id.Name, "member"), "")
	w.alternatives(in, p.routines["groups.remove_member"], false)
	w.op(in, "clear_members", sqlParams("DELETE FROM "+r.link+" WHERE "+ref+" = ?", r.id.Name), "")
	gcols := []string{"g." + ident(r.id.Name)}
	if r.display.Name != r.id.Name {
		gcols = append(gcols, "g."+ident(r.display.Name))
	}
	w.op(in, "groups_of_user", sqlParams("SELECT "+strings.Join(gcols, ", ")+" FROM "+r.table+" g JOIN "+r.link+" m ON m."+ref+" = g."+ident(r.id.Name)+
		" WHERE m."+user+" = ?", "member"), "")
	w.alternatives(in, p.routines["groups.groups_of_user"], false)
}

// writeEntitlement writes one entitlement type over its table and link table.
func (p *usersPlan) writeEntitlement(w *yamlWriter, d dialects.Dialect, r *relationPlan) {
	ident := func(s string) string { return sqlgen.Ident(d, s) }
	in := "          "
	w.line("      %s:   # %s", r.typeName, r.note)
	if r.role {
		w.line("        kind: role   # granted as the user's roles")
	}
	w.line("        id: %s   # the primary key", r.id.Name)
	w.line("        display: %s   # guessed: the name shown", r.display.Name)
	cols := []string{ident(r.id.Name)}
	ecols := []string{"e." + ident(r.id.Name)}
	if r.display.Name != r.id.Name {
		cols, ecols = append(cols, ident(r.display.Name)), append(ecols, "e."+ident(r.display.Name))
	}
	if r.description != "" {
		w.line("        description: %s   # guessed from the column's name", r.description)
		cols, ecols = append(cols, ident(r.description)), append(ecols, "e."+ident(r.description))
	}
	w.line("        operations:")
	list := "SELECT " + strings.Join(cols, ", ") + " FROM " + r.table
	ref, user := ident(r.linkRef), ident(r.linkUser)
	w.op(in, "list", sqlText(list), "")
	w.alternatives(in, p.routines[entitlementKey(r, "list")], false)
	w.op(in, "get", sqlParams(list+" WHERE "+ident(r.id.Name)+" = ?", r.id.Name), "")
	w.alternatives(in, p.routines[entitlementKey(r, "get")], false)
	if r.link == "" {
		p.writeGrantRoutines(w, r, cols)
		return
	}
	w.op(in, "of_user", sqlParams("SELECT "+strings.Join(ecols, ", ")+" FROM "+r.table+" e JOIN "+r.link+" l ON l."+ref+" = e."+ident(r.id.Name)+
		" WHERE l."+user+" = ?", "user"), "")
	w.alternatives(in, p.routines[entitlementKey(r, "of_user")], false)
	w.op(in, "grant", sqlParams("INSERT INTO "+r.link+" ("+user+", "+ref+") VALUES (?, ?)", "user", r.id.Name), "")
	w.alternatives(in, p.routines[entitlementKey(r, "grant")], false)
	w.op(in, "revoke", sqlParams("DELETE FROM "+r.link+" WHERE "+user+" = ? AND "+ref+" = ?", "user", r.id.Name), "")
	w.alternatives(in, p.routines[entitlementKey(r, "revoke")], false)
}

// writeGrantRoutines writes an entitlement type's of_user, grant and revoke as
// the catalog's routines, for a type whose link table init does not know.
func (p *usersPlan) writeGrantRoutines(w *yamlWriter, r *relationPlan, cols []string) {
	in := "          "
	of := usable(p.routines[entitlementKey(r, "of_user")])
	w.op(in, "of_user", of.value(), fmt.Sprintf("guessed: %s from the catalog; check it returns %s", of.name, strings.Join(cols, ", ")))
	grant, revoke := usable(p.routines[entitlementKey(r, "grant")]), usable(p.routines[entitlementKey(r, "revoke")])
	if grant == nil || revoke == nil {
		// Both or neither: without them the user's grants are read-only.
		w.line("%s# grant and revoke: no routine of the catalog does both with parameters bound by name; the grants are read-only", in)
		w.alternatives(in, p.routines[entitlementKey(r, "grant")], false)
		w.alternatives(in, p.routines[entitlementKey(r, "revoke")], false)
		return
	}
	w.op(in, "grant", grant.value(), "guessed: "+grant.name+" from the catalog, its parameters bound by name; check what it does")
	w.op(in, "revoke", revoke.value(), "guessed: "+revoke.name+" from the catalog, its parameters bound by name; check what it does")
}

// generatedID is the comment on a create that leaves an integer key to the
// database: the catalog query does not say whether the database fills it.
const generatedID = "guessed: the database generates the integer id (check it is AUTO_INCREMENT, SERIAL or IDENTITY)"

// userWrite writes one of the users' write operations: the statement (if
// any), with the catalog's routines for it as commented alternatives. Over a
// view, whose writes the database may refuse, a routine whose parameters all
// bind is chosen instead and the statement kept as a comment; without a
// statement, a routine is chosen when choose says so.
func (p *usersPlan) userWrite(w *yamlWriter, op, stmt, comment string, choose bool) {
	in := "        "
	rs := p.routines["users."+op]
	if p.view {
		if r := usable(rs); r != nil {
			w.op(in, op, r.value(), "guessed: "+r.name+" from the catalog, since "+p.table+" is a view; its parameters bound by name; check what it does")
			if stmt != "" {
				w.line("%s# %s: %s   # the statement over the view, if the database writes through it", in, op, stmt)
			}
			var others []routineProposal
			for _, o := range rs {
				if o.name != r.name {
					others = append(others, o)
				}
			}
			w.alternatives(in, others, false)
			return
		}
		if stmt != "" {
			comment = strings.TrimPrefix(comment+"; "+p.table+" is a view: check the database writes through it", "; ")
		}
	}
	if stmt != "" {
		w.op(in, op, stmt, comment)
	}
	w.alternatives(in, rs, stmt == "" && choose)
}
