package operations

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"gopkg.in/yaml.v3"
)

// requiredOperations are the ones every target must declare: without them no SCIM
// client can read a user, and Okta cannot import.
var requiredOperations = keys([]OpKind{Get, List})

func (p *parser) operations(e entry, d dialects.Dialect, cols *columns, ops Operations) {
	o := p.object(e.key, e.val, "operations", "a mapping of operation name to {sql: ...} or {call: ...}", operationKeys...)
	if o == nil {
		return
	}
	for _, name := range o.order {
		ops[OpKind(name)] = p.operation(o.keys[name], d, cols)
	}
	for _, name := range requiredOperations {
		if _, ok := o.get(name); !ok {
			p.missing(o, name, "every target must declare get and list")
		}
	}
}

var (
	opKeys       = []string{"sql", "call", "function", "params"}
	opStatements = []string{"sql", "call", "function"}
	paramKeys    = []string{"literal", "generate", "out", "cursor"}
	generators   = []string{"uuid", "now"}
)

func (p *parser) operation(e entry, d dialects.Dialect, cols *columns) *Operation {
	name := e.key.Value
	op := &Operation{Name: name, Pos: p.pos(e.key)}
	o := p.object(e.key, e.val, name, "{sql: STATEMENT} or {call: PROCEDURE(?, ...)}, with optional params", opKeys...)
	if o == nil {
		return op
	}
	var given []string
	for _, k := range o.order {
		if contains(opStatements, k) {
			given = append(given, k)
		}
	}
	switch len(given) {
	case 0:
		p.errorf(e.key, "%s: expected one of sql: (a statement), call: (a stored procedure) or function: (a PostgreSQL set-returning function)", name)
		return op
	case 1:
	default:
		p.errorf(o.keys[given[1]].key, "%s: expected one of sql, call or function, got %s", name, strings.Join(given, " and "))
		return op
	}
	kind := given[0]
	stmt := o.keys[kind]

	// nParams is the length of the params list, or -1 when params is not a list, in
	// which case counting placeholders against it would only repeat that problem.
	nParams := 0
	if v, ok := o.get("params"); ok {
		op.Params, nParams = p.params(v, name, kind, cols)
	}

	src, ok := p.str(stmt.val, kind)
	if !ok {
		return op
	}
	op.Source = src
	if kind == "sql" {
		op.Kind = SQL
		if d == nil {
			return op
		}
		text, n, err := d.Rewrite(src)
		if err != nil {
			p.errorf(deref(stmt.val), "sql: %v", err)
			return op
		}
		op.Text = text
		if nParams >= 0 && n != nParams {
			msg := fmt.Sprintf("%s: the statement has %s but %s", name, plural(n, "placeholder"), plural(nParams, "param"))
			if hint := foreignPlaceholder(d, src); hint != "" {
				msg += "; " + hint
			}
			p.errorf(e.key, "%s", msg)
		}
		return op
	}

	op.Kind = Call
	op.RoutineKind = dialects.Procedure
	if kind == "function" {
		op.RoutineKind = dialects.Function
		if d != nil && !d.Spec().Functions {
			p.errorf(stmt.key, "function: only for %s (a set-returning function); for %s use call: or sql:", dialectsWith(func(s dialects.Spec) bool { return s.Functions }), d.Name())
			return op
		}
	}
	routine, args, written, msg := parseCall(src, kind == "function")
	if msg != "" {
		p.errorf(deref(stmt.val), "%s: %s", kind, msg)
		return op
	}
	op.Routine = routine
	if written && nParams >= 0 && args != nParams {
		p.errorf(e.key, "%s: the call has %s but %s", name, plural(args, "placeholder"), plural(nParams, "param"))
		return op
	}
	if d == nil || nParams < 0 {
		return op
	}
	text, err := d.Call(routine, op.Modes(), op.RoutineKind)
	if err != nil {
		p.errorf(e.key, "%s: %v", name, err)
		return op
	}
	op.Text = text
	return op
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// params reads the ordered parameter bindings. It returns them with the number of list
// items, which is what the placeholders are counted against even when an item is
// refused, or -1 when params is not a list.
func (p *parser) params(e entry, op, kind string, cols *columns) ([]Param, int) {
	n := deref(e.val)
	if isNull(n) {
		return nil, 0
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: params: expected a list, such as [USER_ID, USERNAME], got %s", op, describe(n))
		return nil, -1
	}
	out := make([]Param, 0, len(n.Content))
	for _, item := range n.Content {
		out = append(out, p.param(item, op, kind, cols))
	}
	return out, len(n.Content)
}

// param reads one binding: a column name (Okta's DATABASE_FIELD), CURSOR, or a
// mapping with one of literal, generate, out, cursor.
func (p *parser) param(n *yaml.Node, op, kind string, cols *columns) Param {
	n = deref(n)
	pr := Param{Kind: Field, Pos: p.pos(n)}
	if n.Kind == yaml.ScalarNode {
		if tag := n.ShortTag(); tag != "!!str" && n.Style&yaml.TaggedStyle == 0 {
			p.errorf(n, "%s: params: expected a column name, got %s (write {literal: %s} for a constant)", op, describe(n), n.Value)
			return pr
		}
		s, ok := p.str(n, op)
		if !ok {
			return pr
		}
		if strings.EqualFold(s, "CURSOR") {
			pr.Kind = CursorParam
			p.checkCursor(n, op, kind)
			return pr
		}
		pr.Name = p.paramColumn(n, op, s, cols)
		return pr
	}
	o := p.object(n, n, op+" param", "a column name or one of {literal: VALUE}, {generate: uuid|now}, {out: COLUMN}, {cursor: true}", paramKeys...)
	if o == nil {
		return pr
	}
	switch len(o.order) {
	case 0:
		p.errorf(n, "%s: params: expected a column name or one of {literal: VALUE}, {generate: uuid|now}, {out: COLUMN}, {cursor: true}", op)
		return pr
	case 1:
	default:
		p.errorf(o.keys[o.order[1]].key, "%s: a param is one of literal, generate, out or cursor, got %s", op, strings.Join(o.order, " and "))
		return pr
	}
	v := o.keys[o.order[0]]
	switch o.order[0] {
	case "literal":
		pr.Kind = Literal
		pr.Value, _ = p.value(v.val, "literal")
	case "generate":
		pr.Kind = Generated
		if s, ok := p.str(v.val, "generate"); ok {
			if !contains(generators, s) {
				p.errorf(deref(v.val), "generate: expected uuid or now, got %q", s)
			}
			pr.Generator = s
		}
	case "out":
		pr.Kind = OutParam
		if s, ok := p.str(v.val, "out"); ok {
			pr.Name = p.paramColumn(deref(v.val), op, s, cols)
		}
	case "cursor":
		pr.Kind = CursorParam
		if b, ok := p.boolean(v.val, "cursor"); ok && !b {
			p.errorf(deref(v.val), "cursor: only cursor: true is meaningful")
		}
		p.checkCursor(n, op, kind)
	}
	return pr
}

func (p *parser) checkCursor(n *yaml.Node, op, kind string) {
	if kind != "call" {
		p.errorf(n, "%s: a cursor param is only valid in call: (a procedure's ref cursor OUT parameter)", op)
	}
}

// paramColumn resolves a column param to the column as declared in users, so that the
// engine can match it exactly.
func (p *parser) paramColumn(n *yaml.Node, op, name string, cols *columns) string {
	col, hint := cols.lookup(name)
	if col == "" {
		p.errorf(n, "%s: unknown column %q in params (%s)", op, name, hint)
		return name
	}
	return col
}

var (
	callKeyword     = regexp.MustCompile(`(?i)^(call|execute|exec)\s+`)
	functionKeyword = regexp.MustCompile(`(?i)^select\s+(\*\s+from\s+)?`)
	// callWords are keywords that cannot be a routine's name: "CALL" alone is a
	// keyword without its routine.
	callWords   = []string{"CALL", "EXEC", "EXECUTE", "SELECT"}
	routineName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$#]*(\.[A-Za-z_][A-Za-z0-9_$#]*){0,2}`)
)

// parseCall reads the forms of a routine call that Okta admins paste: "CALL
// GET_USER_BY_ID(?)", "GET_USER_BY_ID(?)", "GET_ACTIVEUSERS()", "GET_ACTIVEUSERS",
// "EXEC NAME ?, ?" and the JDBC escape "{call NAME(?)}"; for a function also "SELECT *
// FROM name(?)". Only a name and ? placeholders are accepted: the dialect writes the
// statement itself, so no SQL may hide in a call. written is false when the text has
// no argument list, in which case params alone say how many arguments there are.
func parseCall(src string, function bool) (name string, args int, written bool, problem string) {
	s := strings.TrimSpace(src)
	s = strings.TrimSpace(strings.TrimSuffix(s, ";"))
	if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	form := "NAME, NAME(?, ...) or EXEC NAME ?, ..."
	if function {
		s = functionKeyword.ReplaceAllString(s, "")
		form = "NAME or NAME(?, ...)"
	} else {
		s = callKeyword.ReplaceAllString(s, "")
	}
	bad := fmt.Sprintf("expected %s, got %q (a call names a routine and its ? arguments; write statements under sql:)", form, src)
	name = routineName.FindString(s)
	if name == "" || contains(callWords, strings.ToUpper(name)) {
		return "", 0, false, bad
	}
	rest := strings.TrimSpace(s[len(name):])
	switch {
	case rest == "":
		return name, 0, false, ""
	case strings.HasPrefix(rest, "("):
		if !strings.HasSuffix(rest, ")") {
			return "", 0, false, bad
		}
		rest = strings.TrimSpace(rest[1 : len(rest)-1])
		if rest == "" {
			return name, 0, true, ""
		}
	case function:
		return "", 0, false, bad
	case !strings.HasPrefix(rest, "?"):
		// EXEC NAME ?, ? is the only form without parentheses.
		return "", 0, false, bad
	}
	for _, a := range strings.Split(rest, ",") {
		if strings.TrimSpace(a) != "?" {
			return "", 0, false, fmt.Sprintf("the arguments of %s must all be ? placeholders, got %q (bind columns and constants with params: [COLUMN, {literal: VALUE}])", name, src)
		}
		args++
	}
	return name, args, true, ""
}

// placeholderLike finds what other databases write as placeholders: $1
// (PostgreSQL), @p1 (SQL Server), :1 or :name (Oracle, named parameters).
var placeholderLike = regexp.MustCompile(`\$[0-9]+|@p[0-9]+|:[0-9]+|:[A-Za-z_][A-Za-z0-9_]*`)

// foreignPlaceholder explains a placeholder count that does not match when the
// statement uses another database's placeholder form, which this dialect does not
// read as one: "" otherwise.
func foreignPlaceholder(d dialects.Dialect, src string) string {
	// Leave quoted text alone: '$1' in a string literal is not a placeholder.
	var outside strings.Builder
	quoted := false
	for _, r := range src {
		if r == '\'' {
			quoted = !quoted
			continue
		}
		if !quoted {
			outside.WriteRune(r)
		}
	}
	text := outside.String()
	for _, loc := range placeholderLike.FindAllStringIndex(text, -1) {
		token := text[loc[0]:loc[1]]
		if loc[0] > 0 && text[loc[0]-1] == ':' {
			continue // a PostgreSQL cast (x::text)
		}
		if _, n, err := d.Rewrite(token); err == nil && n == 0 {
			return fmt.Sprintf("%s is not a placeholder for %s: write ? for each value (dbscim writes them the way %s wants)", token, d.Name(), d.Name())
		}
	}
	return ""
}
