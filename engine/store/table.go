package store

import (
	"context"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/dbscim/dbscim/engine/scim/filter"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/sqlgen"
	"github.com/dbscim/dbscim/operations"
)

// table is what a resource served from declared operations shares, whatever the
// resource: the id column, the attribute mappings resolved against the schemas, and
// reading by id and listing with filter and paging push-down.
type table struct {
	pool       *run.Pool
	kind       string // the resource type, for messages ("User", "Group")
	idColumn   string
	cols       []column
	schemas    []*resource.Schema
	maxResults int
	listOp     *operations.Operation
	getOp      *operations.Operation
	cursors    *cursorCache
	// outCols maps lower-cased column names to the list statement's own spelling,
	// learned on first use.
	outMu   sync.Mutex
	outCols map[string]string
	// names serialises the writes that claim one unique value.
	names names
	// gen is the list statement described to SQL generation, made once the
	// columns are learned.
	gen *sqlgen.Table
	// children are the attributes kept in child tables, which a filter tests
	// with EXISTS over their read statements (users only).
	children []*child
	// layout is the rows a list page can be handed over as (the id, then each
	// column's value at its path, then the attached attributes); nil when the
	// mappings spell a name two ways.
	layout *resource.Layout
	// attached are the attributes read for a page's resources apart from the
	// list statement, whole (users: groups, child-table attributes, grants),
	// last in a row.
	attached []string
}

// newLayout is the Layout of a resource's rows: the id, cols in order, then the
// attached attributes, set whole. nil when the mappings spell a name two ways,
// or when columns map into an attached attribute, whose values a row could not
// hold apart from the attribute's.
func newLayout(cols []column, attached []string) *resource.Layout {
	paths := make([]string, 0, len(cols)+len(attached))
	for i := range cols {
		if cols[i].mapped == nil {
			return nil
		}
		for _, a := range attached {
			if strings.EqualFold(cols[i].attr, a) {
				return nil
			}
		}
		paths = append(paths, cols[i].Path)
	}
	return resource.NewLayout(append(paths, attached...)...)
}

// get runs the get operation. SCIM ids are opaque, case-exact strings, but databases
// coerce '010007' to 10007 for a numeric column and MariaDB compares strings
// case-insensitively: only a row whose id reads back as exactly the requested string
// is the user.
func (s *table) get(ctx context.Context, q dialects.Querier, id string) (run.Record, error) {
	in := run.Record{}
	in.Set(s.idColumn, id)
	var found run.Record
	err := s.pool.Query(ctx, q, s.getOp, in, func(r run.Record) (bool, error) {
		v, ok := r.Get(s.idColumn)
		if !ok {
			r.Set(s.idColumn, id)
		} else if text(v) != id {
			return true, nil
		}
		found = r
		return false, nil
	})
	if fault.Is(err, fault.Invalid) {
		// An id the id column cannot even hold ("abc" for an integer column) names
		// no resource. A routine that refuses on purpose (fault.Refused) is not
		// mistaken for this: its author's message reaches the client.
		return nil, fault.New(fault.NotFound, "%s %q not found", s.kind, id)
	}
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, fault.New(fault.NotFound, "%s %q not found", s.kind, id)
	}
	return found, nil
}

// insert runs a create operation and works out the new row's id: the id the record
// carries, a UUID when the statement binds the id column itself (SCIM ids are the
// server's to choose), an OUT parameter, a returned row, a lookup by the
// resource's unique attribute (attr eq value), or, last, the driver's generated
// key.
func (s *table) insert(ctx context.Context, tx dialects.Querier, op *operations.Operation, rec run.Record, attr, value string) (string, error) {
	id := ""
	if v, ok := rec.Get(s.idColumn); ok && v != nil {
		id = text(v)
	} else if bindsField(op, s.idColumn) {
		id = uuid.NewString()
		rec.Set(s.idColumn, id)
	}
	// A generated value may be the id; the driver's last insert id (SQLite's rowid)
	// then is not, so such a create is found by its unique attribute instead.
	generated := false
	for _, p := range op.Params {
		generated = generated || p.Kind == operations.Generated
	}
	first, lastID, err := s.pool.Exec(ctx, tx, op, rec, id == "" && !generated)
	if err != nil {
		return "", err
	}
	if id == "" {
		if v, ok := rec.Get(s.idColumn); ok && v != nil { // an OUT parameter
			id = text(v)
		} else if v, ok := first.Get(s.idColumn); ok && v != nil {
			id = text(v)
		} else {
			// The driver's last insert id is SQLite's rowid, which is the id only
			// when the id column is the rowid: a create that binds the id column
			// from another value (USER_ID = USERNAME) is found by its unique
			// attribute first.
			if value != "" {
				if id, err = s.idBy(ctx, tx, attr, value); err != nil {
					return "", err
				}
			}
			if id == "" && lastID != nil {
				id = text(lastID)
			}
		}
	}
	if id == "" {
		return "", fault.New(fault.Misconfigured, "the %s create operation did not reveal the new id", s.kind)
	}
	return id, nil
}

// unique fails with 409 uniqueness when another resource (not exceptID) has this
// value of a unique attribute (userName, a group's displayName), compared in the
// attribute's letter-case rule through the list operation. The write claims the
// value first (cl), so that no other write of this process checks it before this
// one's transaction ends.
func (s *table) unique(ctx context.Context, cl *claims, q dialects.Querier, attr, value, exceptID string) error {
	if value == "" {
		return nil
	}
	if err := cl.claim(ctx, value); err != nil {
		return err
	}
	other, err := s.idBy(ctx, q, attr, value)
	if err != nil {
		return err
	}
	if other != "" && other != exceptID {
		return fault.New(fault.Uniqueness, "%s %q is already taken", attr, value)
	}
	return nil
}

// idBy finds the id of the resource whose attribute equals value (in its schema's
// case rules) through the list operation, or "".
func (s *table) idBy(ctx context.Context, q dialects.Querier, attr, value string) (string, error) {
	expr := &filter.AttributeExpression{
		AttributePath: filter.AttributePath{AttributeName: attr},
		Operator:      filter.EQ,
		CompareValue:  value,
	}
	page, err := s.list(ctx, q, resource.Query{Filter: expr, StartIndex: 1, Count: 1})
	if err != nil || len(page.Resources) == 0 {
		return "", err
	}
	id, _ := page.Resources[0]["id"].(string)
	return id, nil
}

// bindsField reports whether an operation takes the given column as an input; an
// OUT parameter of the same name returns the id instead of taking one.
func bindsField(op *operations.Operation, col string) bool {
	for _, p := range op.Params {
		if p.Kind == operations.Field && strings.EqualFold(p.Name, col) {
			return true
		}
	}
	return false
}
