package operations

import (
	"fmt"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	filter "github.com/scim2/filter-parser/v2"
	"gopkg.in/yaml.v3"
)

// userSchema is the core User schema URN; a path written with it is the same
// attribute as the path without it.
const userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"

var (
	usersKeys     = []string{"id", "attributes", "operations", "create_completion"}
	mappingKeys   = []string{"column", "type", "true", "false", "values", "write", "mutability", "table"}
	tableKeys     = []string{"columns", "read", "add", "remove"}
	mutabilities  = []string{"readOnly", "immutable", "writeOnly"}
	columnTypes   = []string{"string", "boolean", "integer", "datetime"}
	operationKeys = keys(UserKinds)
)

func (p *parser) users(e entry, d dialects.Dialect) *Users {
	u := &Users{Pos: p.pos(e.key)}
	o := p.object(e.key, e.val, "users", "a mapping with keys "+strings.Join(usersKeys, ", "), usersKeys...)
	if o == nil {
		return u
	}
	if v, ok := o.get("id"); ok {
		u.ID, _ = p.column(v.val, "id")
	} else {
		p.missing(o, "id", "the column that holds the SCIM id")
	}
	if v, ok := o.get("attributes"); ok {
		u.Attributes = p.attributes(v)
	} else {
		p.missing(o, "attributes", "a mapping of SCIM attribute to column; userName is required")
	}
	if v, ok := o.get("create_completion"); ok {
		if b, good := p.boolean(v.val, "create_completion"); good {
			u.NoCreateCompletion = !b
		}
	}
	for i := range u.Attributes {
		if m := &u.Attributes[i]; m.table != nil {
			m.Table = p.childTable(*m.table, d, m, u.ID)
			m.table = nil
		}
	}
	if v, ok := o.get("operations"); ok {
		u.Operations = Operations{}
		p.operations(v, d, newColumns(u), u.Operations)
		p.checkDeleted(u)
	} else {
		p.missing(o, "operations", "at least get and list")
	}
	return u
}

// column reads a column name. Columns come from the file only and are quoted by the
// dialect when the engine writes SQL around them; they only need to be plausible.
func (p *parser) column(n *yaml.Node, name string) (string, bool) {
	s, ok := p.str(n, name)
	if !ok {
		return "", false
	}
	if strings.TrimSpace(s) != s || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		p.errorf(deref(n), "%s: %q is not a column name (no leading or trailing spaces or control characters)", name, s)
		return "", false
	}
	return s, true
}

func (p *parser) attributes(e entry) []Mapping {
	o := p.object(e.key, e.val, "attributes", "a mapping of SCIM attribute path to column")
	if o == nil {
		return nil
	}
	var (
		out      []Mapping
		seen     = map[string]*yaml.Node{}
		userName bool
	)
	for _, path := range o.order {
		v := o.keys[path]
		m := Mapping{Path: path, Pos: p.pos(v.key)}
		key, ok := p.attributePath(v.key)
		switch {
		case !ok:
		case key == "id":
			p.errorf(v.key, "attributes: id is not mapped here: it is the column named by users.id")
		case seen[key] != nil:
			p.errorf(v.key, "attributes: %s is mapped twice (first at line %d)", path, seen[key].Line)
		default:
			seen[key] = v.key
			userName = userName || key == "username"
		}
		// Keep every mapping with a column, even a refused one, so that params naming
		// its column are not reported a second time. A refused file yields no Config.
		if p.mapping(v, &m) || m.Column != "" || m.table != nil {
			out = append(out, m)
		}
	}
	if !userName {
		p.missing(o, "userName", "every SCIM client identifies users by userName: map it to a column")
	}
	return out
}

// attributePath checks a SCIM path with the SCIM grammar and returns the key that
// identifies it: lower-case (SCIM names are case-insensitive), without the core User
// schema URN.
func (p *parser) attributePath(k *yaml.Node) (string, bool) {
	// The parser refuses "_" in a URN (urn:okta:onprem_app:1.0:user:custom), which
	// RFC 8141 allows; "-" stands for it in this check.
	parsed, err := filter.ParsePath([]byte(strings.ReplaceAll(k.Value, "_", "-")))
	if err != nil || k.Value == "" {
		p.errorf(k, "attributes: %q is not a SCIM attribute path (expected a name such as userName, name.givenName, emails[type eq \"work\"].value or urn:...:User:department)", k.Value)
		return "", false
	}
	if parsed.AttributePath.URI() == userSchema {
		parsed.AttributePath.URIPrefix = nil
	}
	return strings.ToLower(parsed.String()), true
}

// mapping reads the column side of an attribute: a column name, or the long form with
// the column's type and stored boolean values.
func (p *parser) mapping(e entry, m *Mapping) bool {
	n := deref(e.val)
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		col, ok := p.column(n, m.Path)
		m.Column = col
		return ok
	}
	o := p.object(e.key, n, "attribute "+m.Path, "a column name or {column: NAME, type: TYPE, true: [...], false: [...], values: {...}, write: {...}}", mappingKeys...)
	if o == nil {
		return false
	}
	ok := true
	if v, found := o.get("table"); found {
		if c, has := o.get("column"); has {
			p.errorf(c.key, "attribute %s: give either column (one column of the users row) or table (rows of a child table), not both", m.Path)
			return false
		}
		m.table = &v
		return true
	}
	if v, found := o.get("column"); found {
		m.Column, ok = p.column(v.val, "column")
	} else {
		p.missing(o, "column", "or table")
		ok = false
	}
	if v, found := o.get("type"); found {
		if s, good := p.str(v.val, "type"); good {
			if contains(columnTypes, s) {
				m.Type = s
			} else {
				p.errorf(deref(v.val), "type: expected one of %s, got %q", strings.Join(columnTypes, ", "), s)
				ok = false
			}
		}
	}
	if v, found := o.get("mutability"); found {
		if s, good := p.str(v.val, "mutability"); good {
			if contains(mutabilities, s) {
				m.Mutability = s
			} else {
				p.errorf(deref(v.val), "mutability: expected one of %s, got %q", strings.Join(mutabilities, ", "), s)
				ok = false
			}
		}
	}
	t, hasT := o.get("true")
	f, hasF := o.get("false")
	vals, hasV := o.get("values")
	w, hasW := o.get("write")
	boolean := m.Type == "boolean" || m.Type == "" && (hasT || hasF || booleanPath(m.Path))
	switch {
	case hasV && (hasT || hasF):
		p.errorf(firstKey(t, f).key, "attribute %s: give either true and false (a boolean) or values (a string), not both", m.Path)
		ok = false
	case hasT || hasF:
		if !boolean {
			p.errorf(firstKey(t, f).key, "attribute %s: true and false are only for a boolean, not type: %s", m.Path, m.Type)
			ok = false
			break
		}
		if !hasT || !hasF {
			p.errorf(firstKey(t, f).key, "attribute %s: give both true and false (the stored forms of each value)", m.Path)
			ok = false
			break
		}
		m.Type = "boolean"
		tv, okT := p.codes(t.val, "true")
		fv, okF := p.codes(f.val, "false")
		m.Values = []CodedValue{{Value: true, Stored: tv}, {Value: false, Stored: fv}}
		ok = ok && okT && okF && p.distinctCodes(m, []entry{t, f})
	case hasV:
		if m.Type != "" && m.Type != "string" || booleanPath(m.Path) {
			p.errorf(vals.key, "attribute %s: values are for a string attribute; a boolean maps its stored forms with true: and false:", m.Path)
			ok = false
			break
		}
		vo := p.object(vals.key, vals.val, "values", "a mapping of SCIM value to its stored value or list of stored values")
		if vo == nil {
			ok = false
			break
		}
		if len(vo.order) == 0 {
			p.errorf(deref(vals.val), "attribute %s: values: give at least one SCIM value and its stored forms", m.Path)
			ok = false
			break
		}
		var es []entry
		for _, k := range vo.order {
			v := vo.keys[k]
			stored, good := p.codes(v.val, k)
			ok = ok && good
			m.Values = append(m.Values, CodedValue{Value: k, Stored: stored})
			es = append(es, v)
		}
		ok = ok && p.distinctCodes(m, es)
	case booleanPath(m.Path) && m.Type != "" && m.Type != "boolean":
		p.errorf(e.key, "attribute %s: a boolean over a %s column needs its stored forms: true: [...] and false: [...]", m.Path, m.Type)
		ok = false
	}
	if hasW {
		if len(m.Values) == 0 {
			p.errorf(w.key, "attribute %s: write: needs true and false or values (the stored forms it chooses among)", m.Path)
			return false
		}
		ok = p.writeCodes(m, w) && ok
	}
	for i := range m.Values {
		if m.Values[i].Write == nil && len(m.Values[i].Stored) > 0 {
			m.Values[i].Write = m.Values[i].Stored[0]
		}
	}
	return ok
}

// booleanPath reports whether a mapped path is one of the core schemas' boolean
// attributes: active, or the primary flag of a multi-valued attribute.
func booleanPath(path string) bool {
	l := strings.ToLower(strings.TrimPrefix(strings.ToLower(path), strings.ToLower(userSchema)+":"))
	return l == "active" || strings.HasSuffix(l, ".primary")
}

// codes reads the stored forms of one SCIM value: a single value or a non-empty
// list of them, each keeping its YAML type.
func (p *parser) codes(n *yaml.Node, name string) ([]any, bool) {
	n = deref(n)
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			p.errorf(n, "%s: give at least one stored value", name)
			return nil, false
		}
	}
	var out []any
	ok := true
	for _, it := range items {
		if isNull(deref(it)) {
			p.errorf(deref(it), "%s: a stored value cannot be null (an absent value is NULL already)", name)
			ok = false
			continue
		}
		v, good := p.value(it, name)
		if !good {
			ok = false
			continue
		}
		out = append(out, v)
	}
	return out, ok
}

// distinctCodes refuses a stored form listed for two SCIM values, which could not
// be read back as either.
func (p *parser) distinctCodes(m *Mapping, es []entry) bool {
	seen := map[string]any{}
	for i, cv := range m.Values {
		for _, s := range cv.Stored {
			k := fmt.Sprint(s)
			if prev, dup := seen[k]; dup {
				if fmt.Sprint(prev) == fmt.Sprint(cv.Value) {
					p.errorf(es[i].key, "attribute %s: %v is listed twice for %v", m.Path, s, cv.Value)
				} else {
					p.errorf(es[i].key, "attribute %s: %v is read as both %v and %v", m.Path, s, prev, cv.Value)
				}
				return false
			}
			seen[k] = cv.Value
		}
	}
	return true
}

// writeCodes reads write:, the stored form written for each SCIM value when it is
// not the first listed; each must be one of that value's stored forms, so that
// what is written reads back as the value written.
func (p *parser) writeCodes(m *Mapping, w entry) bool {
	o := p.object(w.key, w.val, "write", "a mapping of SCIM value to the stored form written for it")
	if o == nil {
		return false
	}
	ok := true
	for _, k := range o.order {
		v := o.keys[k]
		var cv *CodedValue
		for i := range m.Values {
			if fmt.Sprint(m.Values[i].Value) == k {
				cv = &m.Values[i]
			}
		}
		if cv == nil {
			var names []string
			for _, c := range m.Values {
				names = append(names, fmt.Sprint(c.Value))
			}
			p.errorf(v.key, "attribute %s: write: %s is not one of the mapped values (%s)", m.Path, k, strings.Join(names, ", "))
			ok = false
			continue
		}
		val, good := p.value(v.val, k)
		if !good {
			ok = false
			continue
		}
		found := false
		for _, s := range cv.Stored {
			found = found || fmt.Sprint(s) == fmt.Sprint(val)
		}
		if !found {
			p.errorf(deref(v.val), "attribute %s: write: %s: %v is not among the stored forms read as %s, so it would not read back", m.Path, k, val, k)
			ok = false
			continue
		}
		cv.Write = val
	}
	return ok
}

// firstKey returns whichever of two entries is present and written first.
func firstKey(a, b entry) entry {
	switch {
	case a.key == nil:
		return b
	case b.key == nil:
		return a
	case b.key.Line < a.key.Line || b.key.Line == a.key.Line && b.key.Column < a.key.Column:
		return b
	}
	return a
}

// columns are the columns an operation's params may name: the id column and the
// mapped ones, compared case-insensitively (as databases compare unquoted names).
type columns struct {
	byFold map[string]string // folded name -> name as first declared
	byPath map[string]string // folded SCIM path -> column, for suggestions
	names  []string
	// The rest is for group and entitlement operations (see refs.go); users leave it
	// empty. aliases are names that are not columns of the resource, by folded name,
	// with the name a Param stores for them (user, member); hints are messages for
	// names that are refused but whose meaning is known; expected describes the
	// accepted names in messages, instead of users.id and users.attributes.
	aliases  map[string]string
	hints    map[string]string
	expected string
}

func newColumns(u *Users) *columns {
	c := &columns{byFold: map[string]string{}, byPath: map[string]string{}}
	add := func(col string) {
		if col == "" {
			return
		}
		if _, ok := c.byFold[strings.ToLower(col)]; !ok {
			c.byFold[strings.ToLower(col)] = col
			c.names = append(c.names, col)
		}
	}
	add(u.ID)
	for _, m := range u.Attributes {
		add(m.Column)
		c.byPath[strings.ToLower(m.Path)] = m.Column
	}
	return c
}

// lookup returns the column as declared, or a hint at what was meant.
func (c *columns) lookup(name string) (string, string) {
	if col, ok := c.byFold[strings.ToLower(name)]; ok {
		return col, ""
	}
	if a, ok := c.aliases[strings.ToLower(name)]; ok {
		return a, ""
	}
	if h, ok := c.hints[strings.ToLower(name)]; ok {
		return "", h
	}
	if col, ok := c.byPath[strings.ToLower(name)]; ok {
		return "", fmt.Sprintf("params name columns, not SCIM attributes: did you mean %s?", col)
	}
	if best := Closest(name, c.names); best != "" {
		return "", fmt.Sprintf("did you mean %s?", best)
	}
	expected := c.expected
	if expected == "" {
		expected = "users.id or a column mapped in users.attributes"
	}
	if len(c.names) == 0 {
		return "", "it must be " + expected
	}
	return "", "expected " + expected + ": " + strings.Join(c.names, ", ")
}

// Closest returns the candidate nearest to name, ignoring letter case, when it is
// near enough to be what name misspells (at most max(2, len/3) edits); "" when
// none is. It makes the "did you mean" of messages about names in the
// configuration.
func Closest(name string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(name), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" && bestD <= max(2, len(name)/3) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance, for "did you mean" suggestions.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// childTable reads a child-table attribute: its sub-attribute columns and its
// read, add and remove operations, whose params may name the users' id column
// and the child's columns.
func (p *parser) childTable(e entry, d dialects.Dialect, m *Mapping, usersID string) *ChildTable {
	ct := &ChildTable{Pos: p.pos(e.key)}
	o := p.object(e.key, e.val, "table", "a mapping with keys "+strings.Join(tableKeys, ", "), tableKeys...)
	if o == nil {
		return ct
	}
	if strings.ContainsAny(m.Path, ".[") {
		p.errorf(e.key, "attribute %s: a child table holds a whole multi-valued attribute: map it by its name (phoneNumbers), with its sub-attributes under columns", m.Path)
	}
	cols := &columns{byFold: map[string]string{}, byPath: map[string]string{}, expected: "users.id or a column under table.columns"}
	add := func(col string) {
		if _, ok := cols.byFold[strings.ToLower(col)]; !ok && col != "" {
			cols.byFold[strings.ToLower(col)] = col
			cols.names = append(cols.names, col)
		}
	}
	add(usersID)
	if v, ok := o.get("columns"); ok {
		co := p.object(v.key, v.val, "columns", "a mapping of sub-attribute (value, type, ...) to column")
		if co != nil {
			for _, sub := range co.order {
				col, good := p.column(co.keys[sub].val, sub)
				if good {
					ct.Columns = append(ct.Columns, SubColumn{Sub: sub, Column: col})
					add(col)
				}
			}
		}
	} else {
		p.missing(o, "columns", "the child's column of each sub-attribute, such as {value: PHONE, type: KIND}")
	}
	if v, ok := o.get("read"); ok {
		ct.Read = p.operation(v, d, cols)
	} else {
		p.missing(o, "read", "the statement that returns every value of one user")
	}
	if v, ok := o.get("add"); ok {
		ct.Add = p.operation(v, d, cols)
	}
	if v, ok := o.get("remove"); ok {
		ct.Remove = p.operation(v, d, cols)
	}
	if (ct.Add == nil) != (ct.Remove == nil) {
		p.errorf(e.key, "attribute %s: declare both add and remove (a change removes the values that go and adds those that come), or neither (read-only)", m.Path)
	}
	return ct
}
