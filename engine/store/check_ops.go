package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// CheckOperations checks operations one by one against the live database: each
// statement is prepared (a table it names that does not exist is reported with
// the nearest one), each call is compared with the routine's catalog entry
// (name, parameter count, kind), and the columns each binds are compared by type
// with the routine's parameters or the columns a statement writes them into.
// It is what validate can still check when the file has errors that keep the
// target from being built whole; Check runs it for every declared operation. t is
// the target the operations belong to (its users' id is what the user and member
// params of entitlement and member operations bind).
func CheckOperations(ctx context.Context, pool *run.Pool, t *operations.Target, ops []*operations.Operation) []Problem {
	c := &opChecker{pool: pool, fields: fieldTypes(ctx, pool, ops)}
	if t != nil && t.Users != nil {
		c.usersID = t.Users.ID
	}
	var out []Problem
	for _, op := range ops {
		out = append(out, c.check(ctx, op)...)
	}
	return out
}

type opChecker struct {
	pool *run.Pool
	// fields are the database types of the columns the read operations return,
	// by run.Key; "" for a column two reads give different kinds of type.
	fields map[string]string
	// usersID is the users' id column, which the user and member params of
	// entitlement and member operations bind.
	usersID string
}

func (c *opChecker) check(ctx context.Context, op *operations.Operation) []Problem {
	if op.Kind == operations.Call {
		catalog, ok := c.pool.Dialect.(dialects.Catalog)
		if !ok {
			return nil
		}
		return c.routine(ctx, catalog, op)
	}
	st, err := c.pool.DB.PrepareContext(ctx, op.Text)
	if err != nil {
		return []Problem{c.refused(ctx, op, err)}
	}
	st.Close()
	return c.statementTypes(ctx, op)
}

// refused reports a statement the database refuses, naming the table it meant
// when the database says a table does not exist.
func (c *opChecker) refused(ctx context.Context, op *operations.Operation, err error) Problem {
	if table, ok := dialects.MissingTable(c.pool.Dialect, err); ok {
		msg := fmt.Sprintf("%s: no table %s exists in the database (or this account cannot see it)", op.Name, table)
		schema, name := splitTable(table)
		if tables, err := dialects.Tables(ctx, c.pool.Dialect, c.pool.DB, schema); err == nil {
			names := make([]string, len(tables))
			for i, t := range tables {
				names[i] = t.Name
			}
			if near := operations.Closest(name, names); near != "" {
				msg += ": did you mean " + near + "?"
			}
		}
		return Problem{Pos: op.Pos, Msg: msg}
	}
	p := Problem{Pos: op.Pos, Msg: fmt.Sprintf("%s: the database refuses the statement: %s", op.Name, c.pool.Dialect.Classify(err))}
	if msg := firstLine(err.Error()); msg != "" {
		p.Msg += " (" + msg + ")"
	}
	return p
}

// splitTable splits "schema.table" and takes the quotes off both.
func splitTable(name string) (schema, table string) {
	unquote := func(s string) string { return strings.Trim(s, "`\"[]") }
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return unquote(name[:i]), unquote(name[i+1:])
	}
	return "", unquote(name)
}

// routine compares a call with the catalog: the routine exists, takes as many
// parameters as the call binds, is a procedure or a function as the call form
// says (CALL cannot run a function; PostgreSQL refuses SELECT on a procedure
// too), and takes the kinds of value the bound columns hold.
func (c *opChecker) routine(ctx context.Context, catalog dialects.Catalog, op *operations.Operation) []Problem {
	info, err := catalog.Routine(ctx, c.pool.DB, op.Routine)
	if err != nil {
		return []Problem{{Pos: op.Pos, Msg: fmt.Sprintf("%s: cannot read the catalog for %s: %s", op.Name, op.Routine, firstLine(err.Error()))}}
	}
	if len(info.Params) == 0 {
		msg := fmt.Sprintf("%s: no routine %s exists in the database (or this account cannot see it)", op.Name, op.Routine)
		if names, err := dialects.RoutineNames(ctx, c.pool.Dialect, c.pool.DB, op.Routine); err == nil {
			if near := operations.Closest(routineName(op.Routine), names); near != "" {
				msg += ": did you mean " + near + "?"
			}
		}
		return []Problem{{Pos: op.Pos, Msg: msg}}
	}
	want := len(op.Params)
	var counts []string
	for i, n := range info.Params {
		if n == want {
			if info.Kinds[i] != op.RoutineKind {
				if op.RoutineKind == dialects.Function {
					return []Problem{{Pos: op.Pos, Msg: fmt.Sprintf("%s: %s is a procedure: declare it with call:, not function:", op.Name, op.Routine)}}
				}
				return []Problem{{Pos: op.Pos, Msg: fmt.Sprintf("%s: %s is a function, which call: cannot run: declare it with function: (PostgreSQL) or read it in a sql: SELECT", op.Name, op.Routine)}}
			}
			if len(info.Params) > 1 {
				return nil // overloads: which one the database picks depends on the values
			}
			return c.routineTypes(op, info.Names[i], info.Types[i])
		}
		count := fmt.Sprintf("%d parameters", n)
		if i < len(info.Names) && info.Names[i] != "" {
			count += " (" + info.Names[i] + ")"
		}
		counts = append(counts, count)
	}
	return []Problem{{Pos: op.Pos, Msg: fmt.Sprintf("%s: %s takes %s, but the call binds %d", op.Name, op.Routine, strings.Join(counts, " or "), want)}}
}

// routineTypes compares the kind of value each bound column holds with the
// routine's parameter it is bound to.
func (c *opChecker) routineTypes(op *operations.Operation, names, types string) []Problem {
	pn, pt := splitList(names), splitList(types)
	if len(pt) != len(op.Params) {
		return nil
	}
	var out []Problem
	for i, p := range op.Params {
		name := "parameter " + fmt.Sprint(i+1)
		if i < len(pn) && pn[i] != "" {
			name = pn[i]
		}
		if msg := c.clash(p, pt[i]); msg != "" {
			out = append(out, Problem{Pos: paramPos(op, p), Msg: fmt.Sprintf("%s: %s's parameter %s (%s) is bound to %s: put the params in the routine's order (%s)",
				op.Name, op.Routine, name, pt[i], msg, names)})
		}
	}
	return out
}

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// paramPos is the param's place in the file, or the operation's where the param
// has none.
func paramPos(op *operations.Operation, p operations.Param) operations.Position {
	if p.Pos.Line > 0 {
		return p.Pos
	}
	return op.Pos
}

// clash says, for a param bound to a value of type target (the parameter's or
// the column's), what the param binds when that is clearly the wrong kind of
// value ("user_code, a text column (varchar)"), or "". Only clear mismatches
// count: text into a number, date or boolean, a date or boolean into text, a
// date and a number or boolean for each other. Numbers into text are common
// (numeric ids in VARCHAR parameters) and work; numbers and booleans mix in
// MySQL, whose BOOLEAN is TINYINT.
func (c *opChecker) clash(p operations.Param, target string) string {
	var from, fromType string
	switch p.Kind {
	case operations.Field:
		if c.usersID != "" && (p.Name == operations.UserParam || p.Name == operations.MemberParam) {
			p.Name = c.usersID
		}
		fromType = c.fields[run.Key(p.Name)]
		from = typeKind(fromType)
	case operations.Generated:
		fromType, from = p.Generator, map[string]string{"uuid": "text", "now": "date"}[p.Generator]
	default:
		return ""
	}
	to := typeKind(target)
	if from == "" || to == "" || from == to {
		return ""
	}
	switch {
	case from == "number" && to == "boolean", from == "boolean" && to == "number":
		return ""
	case to == "text" && from == "number":
		return ""
	}
	if p.Kind == operations.Generated {
		return fmt.Sprintf("a generated %s (%s)", p.Generator, from)
	}
	return fmt.Sprintf("%s, a %s column (%s)", p.Name, from, strings.ToLower(fromType))
}

// typeKind sorts a database type name, as a catalog or a driver spells it, into
// text, number, date or boolean; "" for anything else (uuid, json, binary).
func typeKind(t string) string {
	t = strings.ToLower(strings.TrimSpace(t))
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	t = strings.TrimPrefix(t, "unsigned ")
	t = strings.TrimSuffix(t, " unsigned")
	switch {
	case t == "":
		return ""
	case strings.Contains(t, "char") || strings.Contains(t, "text") || strings.Contains(t, "clob") || t == "string" || t == "name":
		return "text"
	case t == "bool" || t == "boolean":
		return "boolean"
	case strings.HasPrefix(t, "date") || strings.HasPrefix(t, "time") || strings.HasPrefix(t, "smalldatetime"):
		return "date"
	case strings.HasPrefix(t, "int") && !strings.HasPrefix(t, "interval") || strings.HasSuffix(t, "int") || strings.HasPrefix(t, "serial") || t == "bigserial" ||
		strings.HasPrefix(t, "numeric") || strings.HasPrefix(t, "decimal") || t == "number" || t == "float" ||
		strings.HasPrefix(t, "float") || strings.HasPrefix(t, "double") || t == "real" || t == "money":
		return "number"
	}
	return ""
}

// fieldTypes reads, from the list operations among ops, the database type of
// each column they return. A column two lists type differently (an id in one
// table, a code in another) is left out: its kind cannot be told.
func fieldTypes(ctx context.Context, pool *run.Pool, ops []*operations.Operation) map[string]string {
	out := map[string]string{}
	for _, op := range ops {
		if op.Name != string(operations.List) {
			continue
		}
		rows, err := pool.Dialect.Query(ctx, pool.DB, op.Text, run.Bind(op, run.Record{}))
		if err != nil {
			continue
		}
		types, err := rows.ColumnTypes()
		rows.Close()
		if err != nil {
			continue
		}
		for _, t := range types {
			k, name := run.Key(t.Name()), t.DatabaseTypeName()
			if old, seen := out[k]; seen && typeKind(old) != typeKind(name) {
				name = ""
			}
			out[k] = name
		}
	}
	return out
}

var (
	// insertValues is INSERT INTO t (a, b) VALUES (?, ?): one value per column.
	insertValues = regexp.MustCompile(`(?is)^\s*INSERT\s+(?:IGNORE\s+|OR\s+\w+\s+)?INTO\s+([\w$."` + "`" + `\[\]]+)\s*\(([^()]*)\)\s*VALUES\s*\(([^()]*)\)`)
	// assignTable is the table of an UPDATE or DELETE.
	assignTable = regexp.MustCompile(`(?is)^\s*(?:UPDATE\s+([\w$."` + "`" + `\[\]]+)\s+SET|DELETE\s+FROM\s+([\w$."` + "`" + `\[\]]+))\s`)
	// assignment is column = ?, in a SET list or a WHERE clause.
	assignment = regexp.MustCompile(`([\w$."` + "`" + `\[\]]+)\s*=\s*\?`)
)

// statementTypes compares, for a statement that writes into one table, the kind
// of value each param binds with the column it goes into. It reads only the
// plain forms where that is certain: INSERT INTO t (cols) VALUES (?, ...), and
// UPDATE or DELETE whose every ? is a column = ?.
func (c *opChecker) statementTypes(ctx context.Context, op *operations.Operation) []Problem {
	src := op.Source
	if strings.Count(src, "?") != len(op.Params) || len(op.Params) == 0 {
		return nil
	}
	var table string
	var targets []string // the column each ? goes into, in order; "" where unknown
	if m := insertValues.FindStringSubmatch(src); m != nil {
		table = m[1]
		cols, vals := splitList(m[2]), splitList(m[3])
		if len(cols) != len(vals) {
			return nil
		}
		for i, v := range vals {
			for range strings.Count(v, "?") {
				if v == "?" {
					targets = append(targets, cols[i])
				} else {
					targets = append(targets, "")
				}
			}
		}
	} else if m := assignTable.FindStringSubmatch(src); m != nil {
		table = m[1] + m[2]
		for _, a := range assignment.FindAllStringSubmatch(src, -1) {
			targets = append(targets, a[1])
		}
	}
	if table == "" || len(targets) != len(op.Params) {
		return nil
	}
	cols, err := dialects.ReadColumns(ctx, c.pool.Dialect, c.pool.DB, strings.Trim(table, "`\"[]"))
	if err != nil {
		return nil
	}
	types := map[string]string{}
	for _, col := range cols {
		types[run.Key(col.Name)] = col.Type
	}
	var out []Problem
	for i, p := range op.Params {
		_, col := splitTable(targets[i])
		if col == "" {
			continue
		}
		if msg := c.clash(p, types[run.Key(col)]); msg != "" {
			out = append(out, Problem{Pos: paramPos(op, p), Msg: fmt.Sprintf("%s: column %s (%s) is bound to %s: put the params in the order of the statement's ?",
				op.Name, col, strings.ToLower(types[run.Key(col)]), msg)})
		}
	}
	return out
}
