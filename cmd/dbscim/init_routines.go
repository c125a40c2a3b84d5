package main

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"github.com/dbscim/dbscim/dialects"
)

// routineProposal is a routine of the catalog proposed for an operation, its
// parameters bound by name.
type routineProposal struct {
	op     string // "create", "grant", ...
	name   string
	form   string   // call or function
	params []string // as YAML
	// unbound are the routine's parameters whose names match no column the
	// operation can bind: bound to NULL in the proposal, which is therefore
	// only a comment.
	unbound []string
	// reads is true for a routine that returns rows: the catalog does not say
	// which columns, so it is a comment too.
	reads bool
}

// Words in routine names. A routine's resource is read from its words (a group
// or an entitlement named in it, else a user) and its operation from its verb.
var (
	userWords        = []string{"user", "users", "employee", "employees", "emp", "account", "accounts", "person", "people", "staff", "worker", "identity"}
	groupWords       = []string{"group", "groups", "team", "teams"}
	entitlementWords = []string{"entitlement", "entitlements", "role", "roles", "permission", "permissions", "right", "rights", "privilege", "privileges", "license", "licence", "licenses", "licences", "access"}
	createVerbs      = []string{"create", "add", "insert", "new", "hire", "provision", "onboard", "register", "ins"}
	updateVerbs      = []string{"update", "modify", "edit", "change", "upd", "set", "save"}
	activateVerbs    = []string{"activate", "enable", "reactivate", "unlock", "restore", "unsuspend", "rehire"}
	deactivateVerbs  = []string{"deactivate", "disable", "suspend", "terminate", "lock", "offboard", "inactivate", "fire"}
	deleteVerbs      = []string{"delete", "remove", "drop", "purge", "del", "destroy"}
	readVerbs        = []string{"get", "read", "fetch", "select", "find", "list", "lookup", "sel", "query", "search"}
	grantVerbs       = []string{"grant", "assign", "give"}
	revokeVerbs      = []string{"revoke", "unassign", "withdraw", "take"}
	routinePrefixes  = []string{"sp", "usp", "proc", "prc", "p", "fn", "f", "pr"}
)

// routineWords splits a routine's name into lower-case words: at _ and at a
// change from lower to upper case (CreateUser).
func routineWords(name string) []string {
	var words []string
	var cur []rune
	prev := rune(0)
	for _, r := range name {
		switch {
		case r == '_' || r == '$' || r == '#' || r == '.':
			if len(cur) > 0 {
				words = append(words, string(cur))
			}
			cur = nil
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			words = append(words, string(cur))
			cur = []rune{unicode.ToLower(r)}
		default:
			cur = append(cur, unicode.ToLower(r))
		}
		prev = r
	}
	if len(cur) > 0 {
		words = append(words, string(cur))
	}
	if len(words) > 1 && contains(routinePrefixes, words[0]) {
		words = words[1:]
	}
	return words
}

// hasWord says whether a word, or a run of words joined (activeusers), names
// one of list.
func hasWord(words, list []string) bool {
	for _, w := range words {
		for _, l := range list {
			if w == l || len(w) > len(l)+2 && (strings.HasSuffix(w, l) || strings.HasPrefix(w, l)) {
				return true
			}
		}
	}
	return false
}

// classifyRoutine says which resource ("users", "groups", "entitlements") and
// operation a routine's name suggests, or "" when it suggests none. table is
// the users table, whose name counts as a word for users.
func classifyRoutine(name, table string) (resource, op string) {
	words := routineWords(name)
	if len(words) == 0 {
		return "", ""
	}
	verb := words[0]
	if hasWord(words, []string{"password", "pwd", "passwd"}) {
		// A password routine is set_password's, which needs a password column
		// mapped first: the DBA writes it by hand.
		return "", ""
	}
	users := append(append([]string{}, userWords...), strings.ToLower(bare(table)), strings.TrimSuffix(strings.ToLower(bare(table)), "s"))
	isUser := hasWord(words[1:], users)
	isGroup := hasWord(words[1:], groupWords)
	isEnt := hasWord(words[1:], entitlementWords)
	plural := len(words) > 1 && (contains(words, "all") || hasWord(words[1:], []string{"users", "employees", "accounts", "people", "groups", "teams", "entitlements", "roles"}) ||
		strings.HasSuffix(words[len(words)-1], "s") && !strings.HasSuffix(words[len(words)-1], "ss"))
	switch {
	case isGroup:
		switch {
		case isUser && contains(createVerbs, verb), isUser && contains(grantVerbs, verb):
			return "groups", "add_member"
		case isUser && contains(deleteVerbs, verb), isUser && contains(revokeVerbs, verb):
			return "groups", "remove_member"
		case contains(readVerbs, verb) && hasWord(words[1:], []string{"member", "members"}):
			return "groups", "members"
		case contains(readVerbs, verb) && isUser:
			return "groups", "groups_of_user"
		}
		return own("groups", verb, words, plural)
	case isEnt || contains(grantVerbs, verb) || contains(revokeVerbs, verb):
		switch {
		case contains(grantVerbs, verb), isUser && contains(createVerbs, verb):
			return "entitlements", "grant"
		case contains(revokeVerbs, verb), isUser && contains(deleteVerbs, verb):
			return "entitlements", "revoke"
		case contains(readVerbs, verb) && isUser:
			return "entitlements", "of_user"
		case contains(readVerbs, verb) && plural:
			return "entitlements", "list"
		case contains(readVerbs, verb):
			return "entitlements", "get"
		}
	case isUser || len(words) == 1:
		switch {
		case contains(activateVerbs, verb):
			return "users", "activate"
		case contains(deactivateVerbs, verb):
			return "users", "deactivate"
		}
		return own("users", verb, words, plural)
	}
	return "", ""
}

// own says which operation on a resource's own rows a routine's verb names:
// create, update, delete, or a read (list when the name is plural, get
// otherwise); "", "" when it names none. The users' and the groups' routines
// are read the same way. A lone read verb (a routine named get) names no rows
// at all. The verb lists have no word in common, so the order of the cases
// does not matter.
func own(resource, verb string, words []string, plural bool) (string, string) {
	switch {
	case contains(createVerbs, verb):
		return resource, "create"
	case contains(updateVerbs, verb):
		return resource, "update"
	case contains(deleteVerbs, verb):
		return resource, "delete"
	case contains(readVerbs, verb) && len(words) > 1 && plural:
		return resource, "list"
	case contains(readVerbs, verb) && len(words) > 1:
		return resource, "get"
	}
	return "", ""
}

// paramKeys are the forms of a routine parameter's name to compare with a
// column's: as written, and without a p_, in_, i_ or v_ prefix (or pUserId's p).
func paramKeys(param string) []string {
	param = strings.TrimLeft(param, "@:")
	keys := []string{squash(param)}
	lower := strings.ToLower(param)
	for _, pre := range []string{"p_", "in_", "i_", "v_", "pi_", "par_", "arg_", "a_", "in", "p"} {
		if !strings.HasPrefix(lower, pre) {
			continue
		}
		rest := param[len(pre):]
		if strings.HasSuffix(pre, "_") || rest != "" && unicode.IsUpper(rune(rest[0])) {
			keys = append(keys, squash(rest))
		}
	}
	return keys
}

// bindParam finds the binding of a routine parameter among candidates (a
// column's squashed name to what params writes for it), or "".
func bindParam(param string, candidates map[string]string) string {
	for _, k := range paramKeys(param) {
		if b, ok := candidates[k]; ok {
			return b
		}
	}
	return ""
}

// readRoutines lists the catalog's routines and proposes those that look like
// lifecycle operations, their parameters bound by name.
func (p *usersPlan) readRoutines(ctx context.Context, d dialects.Dialect, db *sql.DB) {
	if !d.Spec().Routines {
		return
	}
	cat, ok := d.(dialects.Catalog)
	if !ok {
		p.routineNotes = append(p.routineNotes, fmt.Sprintf("dbscim does not read %s's routines from its catalog yet: write a routine as call: by hand where a statement will not do", d.Name()))
		return
	}
	names, err := dialects.RoutineNames(ctx, d, db, p.table)
	if err != nil {
		p.routineNotes = append(p.routineNotes, "the catalog's routines could not be read ("+d.Classify(err).String()+")")
		return
	}
	sort.Strings(names)
	// An entitlement table given without its link table can still be served
	// when the catalog's routines read and write the grants: no statement
	// can, since init knows no table that holds them.
	var adopted []*relationPlan
	if len(p.entitlements) == 0 {
		for _, t := range p.unused {
			if r := planTable(t); r != nil && !r.groups {
				r.note = fmt.Sprintf("guessed: %s is an entitlement type; no link table was given, so the catalog's routines read and write the grants", t.name)
				adopted = append(adopted, r)
			}
		}
		p.entitlements = adopted
		p.nameTypes()
	}
	for _, name := range names {
		resource, op := classifyRoutine(name, p.table)
		if resource == "" {
			continue
		}
		key := resource + "." + op
		var candidates map[string]string
		switch resource {
		case "users":
			candidates = p.userCandidates()
		case "groups":
			if p.groups == nil {
				p.routineNotes = append(p.routineNotes, fmt.Sprintf("%s looks like groups.%s, but no groups table and link table were given", name, op))
				continue
			}
			candidates = p.relationCandidates(p.groups, "member")
		case "entitlements":
			if len(p.entitlements) == 0 {
				p.routineNotes = append(p.routineNotes, fmt.Sprintf("%s looks like an entitlement type's %s, but no entitlement table and link table were given", name, op))
				continue
			}
			r := p.entitlementFor(name)
			candidates = p.relationCandidates(r, "user")
			key = entitlementKey(r, op)
		}
		info, err := cat.Routine(ctx, db, name)
		if err != nil || len(info.Params) != 1 {
			p.routineNotes = append(p.routineNotes, fmt.Sprintf("%s looks like %s.%s, but its parameters could not be read (several routines of that name?)", name, resource, op))
			continue
		}
		form := "call"
		if info.Kinds[0] == dialects.Function {
			if !d.Spec().Functions {
				p.routineNotes = append(p.routineNotes, fmt.Sprintf("%s looks like %s.%s, but it is a function: call it from a sql: statement", name, resource, op))
				continue
			}
			form = "function"
		}
		r := routineProposal{op: op, name: name, form: form,
			reads: op == "list" || op == "get" || op == "of_user" || op == "members" || op == "groups_of_user"}
		var params []string
		if info.Names[0] != "" {
			params = strings.Split(info.Names[0], ", ")
		}
		if len(params) != info.Params[0] {
			p.routineNotes = append(p.routineNotes, fmt.Sprintf("%s looks like %s.%s, but the catalog does not name its parameters", name, resource, op))
			continue
		}
		for _, param := range params {
			if b := bindParam(param, candidates); b != "" {
				r.params = append(r.params, b)
			} else {
				r.params = append(r.params, "{literal: null}")
				r.unbound = append(r.unbound, param)
			}
		}
		p.routines[key] = append(p.routines[key], r)
	}
	if len(adopted) == 0 {
		return
	}
	p.entitlements = nil
	for _, r := range adopted {
		if usable(p.routines[entitlementKey(r, "of_user")]) != nil {
			p.entitlements = append(p.entitlements, r)
			for i, t := range p.unused {
				if t.name == r.table {
					p.unused = append(p.unused[:i], p.unused[i+1:]...)
					break
				}
			}
		}
	}
	p.nameTypes()
}

// usable returns the first proposal whose parameters all bind, or nil.
func usable(rs []routineProposal) *routineProposal {
	for i := range rs {
		if len(rs[i].unbound) == 0 {
			return &rs[i]
		}
	}
	return nil
}

// userCandidates are what a users routine's parameters may bind: the id and
// the mapped columns.
func (p *usersPlan) userCandidates() map[string]string {
	c := map[string]string{squash(p.id.Name): p.id.Name}
	for _, m := range p.attrs {
		if _, ok := c[squash(m.col.Name)]; !ok {
			c[squash(m.col.Name)] = m.col.Name
		}
	}
	if p.status != nil && proposeStatus(p.statusValues).ok() {
		c[squash(p.status.Name)] = p.status.Name
	}
	return c
}

// relationCandidates are what a group's or an entitlement type's routine may
// bind: its own columns, and the user's id as userName ("member" or "user").
func (p *usersPlan) relationCandidates(r *relationPlan, userName string) map[string]string {
	c := map[string]string{squash(p.id.Name): userName, "user": userName, "userid": userName, "member": userName, "memberid": userName}
	c[squash(r.id.Name)] = r.id.Name
	c[squash(r.display.Name)] = r.display.Name
	if r.description != "" {
		c[squash(r.description)] = r.description
	}
	if r.externalID != "" {
		c[squash(r.externalID)] = r.externalID
	}
	return c
}

// entitlementFor picks the entitlement type a routine's name speaks of: the one
// whose table it names, else the first.
func (p *usersPlan) entitlementFor(routine string) *relationPlan {
	n := squash(routine)
	for _, r := range p.entitlements {
		t := strings.TrimSuffix(squash(bare(r.table)), "s")
		if t != "" && strings.Contains(n, t) {
			return r
		}
	}
	return p.entitlements[0]
}

// entitlementKey is where an entitlement type's routines are kept in
// usersPlan.routines.
func entitlementKey(r *relationPlan, op string) string { return "entitlements:" + r.table + "." + op }

// value writes a proposal as a YAML operation line (without its key).
func (r routineProposal) value() string {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(r.params)), ", ")
	s := fmt.Sprintf("{%s: %s", r.form, yamlString(r.name+"("+marks+")"))
	if len(r.params) > 0 {
		s += ", params: [" + strings.Join(r.params, ", ") + "]"
	}
	return s + "}"
}

// why says in a comment what the DBA must check before using a proposal.
func (r routineProposal) why() string {
	var s []string
	if len(r.unbound) > 0 {
		s = append(s, "binds NULL to "+strings.Join(r.unbound, ", ")+" (no mapped column has that name): map a column for each, or check what the routine does with NULL")
	}
	if r.reads {
		s = append(s, "check it returns every mapped column (the catalog does not say which it returns)")
	}
	if r.op == "list" && strings.Contains(strings.ToLower(r.name), "active") {
		s = append(s, "its name says it may return active users only, and an import then never sees a deactivation")
	}
	if len(s) == 0 {
		s = append(s, "its parameters bound by name; check what it does")
	}
	return strings.Join(s, "; ")
}
