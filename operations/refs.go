package operations

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// This file holds what group and entitlement operations share: the names their
// params may use besides the resource's own columns (MemberParam, UserParam and the
// users' id column) and the checks that an operation binds what it needs.

func newRefColumns(expected string) *columns {
	return &columns{byFold: map[string]string{}, byPath: map[string]string{},
		aliases: map[string]string{}, hints: map[string]string{}, expected: expected}
}

// known reports whether name is a column or an alias already.
func (c *columns) known(name string) bool {
	f := strings.ToLower(name)
	_, col := c.byFold[f]
	_, alias := c.aliases[f]
	return col || alias
}

// addColumn adds a column of the resource, spelled as declared.
func (c *columns) addColumn(col string) {
	if col == "" || c.known(col) {
		return
	}
	c.byFold[strings.ToLower(col)] = col
	c.names = append(c.names, col)
}

// addAlias adds a name that params may use for stored: UserParam for itself and for
// the users' id column. A name that is a column already keeps meaning the column.
func (c *columns) addAlias(name, stored string) {
	if name == "" || c.known(name) {
		return
	}
	c.aliases[strings.ToLower(name)] = stored
	c.names = append(c.names, name)
}

// addHint explains a name that params may not use here.
func (c *columns) addHint(name, hint string) {
	if name == "" || c.known(name) {
		return
	}
	c.hints[strings.ToLower(name)] = hint
}

// bindsField reports whether op binds name (as stored) as an input.
func bindsField(op *Operation, name string) bool {
	for _, pr := range op.Params {
		if pr.Kind == Field && pr.Name == name {
			return true
		}
	}
	return false
}

// refsResolved reports whether every column param of op resolved. When one did not,
// it has been reported, and a check of what the operation binds would only repeat
// that problem.
func refsResolved(op *Operation, cols *columns) bool {
	for _, pr := range op.Params {
		if pr.Kind != Field && pr.Kind != OutParam {
			continue
		}
		if pr.Name == "" {
			return false
		}
		if col, _ := cols.lookup(pr.Name); col == "" {
			return false
		}
	}
	return true
}

// checkOuts refuses {out: user} and {out: member}: an OUT parameter is read back into
// a column of the resource, and those names are the other side's id, an input.
func (p *parser) checkOuts(op *Operation, reserved string) {
	for _, pr := range op.Params {
		if pr.Kind == OutParam && pr.Name == reserved {
			p.errorAt(pr.Pos, "%s: out: %s is an input (the %s's id), not a column to read back", op.Name, reserved, reserved)
		}
	}
}

// refColumn reads a column that params may name, refusing the reserved name that
// stands for the other side of the relationship in the same params. A refused column
// is dropped, so that params naming the reserved name are read as meant.
func (p *parser) refColumn(n *yaml.Node, name, reserved, meaning string) (string, bool) {
	col, ok := p.column(n, name)
	if ok && strings.EqualFold(col, reserved) {
		p.errorf(deref(n), "%s: the column name %q is reserved: in params, %s stands for %s (select the column under another name, with AS)", name, col, reserved, meaning)
		return "", false
	}
	return col, ok
}
