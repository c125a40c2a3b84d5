package engine

import (
	"context"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/operations"
)

// table is what a resource served from declared operations shares, whatever the
// resource: the id column, the attribute mappings resolved against the schemas, and
// reading by id and listing with filter and paging push-down.
type table struct {
	t          *Target
	kind       string // the resource type, for messages ("User", "Group")
	idColumn   string
	cols       []column
	schemas    []*scim.Schema
	maxResults int
	listOp     *operations.Operation
	getOp      *operations.Operation
}

// get runs the get operation. SCIM ids are opaque, case-exact strings, but databases
// coerce '010007' to 10007 for a numeric column and MariaDB compares strings
// case-insensitively: only a row whose id reads back as exactly the requested string
// is the user.
func (s *table) get(ctx context.Context, q dialects.Querier, id string) (Record, error) {
	in := Record{}
	in.Set(s.idColumn, id)
	var found Record
	err := s.t.query(ctx, q, s.getOp, in, func(r Record) (bool, error) {
		v, ok := r.Get(s.idColumn)
		if !ok {
			r.Set(s.idColumn, id)
		} else if text(v) != id {
			return true, nil
		}
		found = r
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if found == nil {
		return nil, scim.ErrNotFound(s.kind, id)
	}
	return found, nil
}
