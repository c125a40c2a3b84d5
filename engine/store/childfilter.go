package store

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/engine/sqlgen"
	"github.com/dbscim/dbscim/operations"
)

// childChunk is how many users a filter on a child-table attribute reads at a
// time when it is evaluated in memory: memory holds one chunk and the page.
const childChunk = 200

// listUsers answers the users matching a query: through the list statement (with
// the filter pushed into SQL where it can be) or, when the filter or the sort
// names an attribute kept in a child table, which the list statement does not
// carry, by reading the users a chunk at a time with those values and
// evaluating the filter and the sort in memory.
func (s *Users) listUsers(ctx context.Context, q resource.Query) (*resource.Page, error) {
	mentioned := s.filteredChildren(q)
	sorting := s.sortingChild(q.SortBy)
	if len(mentioned) == 0 && sorting == "" {
		return s.list(ctx, s.pool.DB, q)
	}
	if sorting != "" {
		// SQL cannot order by values the list statement does not carry: the
		// users are read with them and sorted in memory.
		if !slices.Contains(mentioned, sorting) {
			mentioned = append(mentioned, sorting)
		}
		return s.listByChildren(ctx, q, mentioned)
	}
	if s.listOp.Kind == operations.SQL {
		// Pushed down as EXISTS over the child's read statement, where it nests;
		// otherwise (the list streamed as declared would not carry the values)
		// evaluated in memory.
		pq := q
		pq.StartIndex = max(pq.StartIndex, 1)
		pq.Count = max(0, min(pq.Count, s.maxResults))
		if err := s.checkFilter(pq); err != nil {
			return nil, err
		}
		page, err := s.listSQL(ctx, s.pool.DB, s.listOp, pq)
		if !errors.Is(err, sqlgen.ErrNoPushdown) {
			return page, err
		}
	}
	return s.listByChildren(ctx, q, mentioned)
}

// relax returns a filter that every user matching e matches too, without the
// conditions on the named child-table attributes; nil when nothing is left (any
// user may match). A condition on a child is true there, so a disjunction with
// one, or its negation, relaxes to nothing.
func relax(e filter.Expression, children []string) filter.Expression {
	onChild := func(e filter.Expression) bool {
		for _, c := range children {
			if mentions(e, c) {
				return true
			}
		}
		return false
	}
	switch x := e.(type) {
	case *filter.LogicalExpression:
		l, r := relax(x.Left, children), relax(x.Right, children)
		switch {
		case x.Operator == filter.OR && (l == nil || r == nil):
			return nil
		case l == nil:
			return r
		case r == nil:
			return l
		}
		return &filter.LogicalExpression{Left: l, Right: r, Operator: x.Operator}
	case *filter.NotExpression:
		if onChild(x.Expression) {
			return nil
		}
		return x
	}
	if onChild(e) {
		return nil
	}
	return e
}

// childrenSQL describes the child tables to SQL generation. A child's read
// statement nests in a filter when it is a statement whose one parameter is the
// user's id and the database lets a derived table name the outer query's
// columns; the parameter then becomes idRef, the list's id column.
func childrenSQL(d dialects.Dialect, idColumn, idRef string, children []*child) []sqlgen.Child {
	var out []sqlgen.Child
	for _, c := range children {
		sc := sqlgen.Child{Attr: strings.ToLower(c.name)}
		for _, col := range c.cfg.Columns {
			kind, fold := resource.TypeString, true
			if sa := c.attr.SubAttribute(col.Sub); sa != nil {
				kind, fold = sa.Type, !sa.CaseExact
			}
			sc.Columns = append(sc.Columns, sqlgen.Column{Ref: "c." + sqlgen.Ident(d, col.Column), Kind: kind, Fold: fold, Simple: true, Attr: sc.Attr, Sub: col.Sub})
		}
		read := c.cfg.Read
		if d.Spec().CorrelatedDerived && read != nil && read.Kind == operations.SQL && len(read.Params) == 1 &&
			read.Params[0].Kind == operations.Field && strings.EqualFold(read.Params[0].Name, idColumn) && !namesT(read.Text) {
			if text, err := dialects.Substitute(d, read.Text, func(int) string { return idRef }); err == nil {
				sc.Read = text
			}
		}
		out = append(out, sc)
	}
	return out
}

// namesT reports whether a statement may use the name t of its own (an alias),
// which would hide the list's derived table t from the nested parameter. A t
// inside a string literal says so too: it only keeps the filter in memory.
func namesT(text string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 0x80)
	}) {
		if w == "t" {
			return true
		}
	}
	return false
}

// sortingChild is the child-table attribute a sortBy path names ("" for none):
// phoneNumbers for "phoneNumbers.value" or the core schema's URN before it.
func (s *Users) sortingChild(sortBy string) string {
	if sortBy == "" || len(s.children) == 0 {
		return ""
	}
	ap, err := filter.ParseAttrPath(sortBy)
	if err != nil || ap.URIPrefix != nil && !strings.EqualFold(*ap.URIPrefix, resource.UserSchemaURN) {
		return ""
	}
	for _, c := range s.children {
		if strings.EqualFold(ap.AttributeName, c.name) {
			return c.name
		}
	}
	return ""
}

// filteredChildren are the child-table attributes a query's filter names.
func (s *Users) filteredChildren(q resource.Query) []string {
	var out []string
	for _, c := range s.children {
		if q.Filter != nil && mentions(q.Filter, c.name) {
			out = append(out, c.name)
		}
	}
	return out
}

// listByChildren walks the users in id order, a chunk at a time (keyset pages of
// the list statement, so the walk stays linear), reads the child values the
// filter names for each chunk, and keeps the matching users of the requested
// page, sorted when asked: memory holds a chunk and at most twice the page's
// end, never the whole list.
func (s *Users) listByChildren(ctx context.Context, q resource.Query, children []string) (*resource.Page, error) {
	if q.StartIndex < 1 {
		q.StartIndex = 1
	}
	q.Count = max(0, min(q.Count, s.maxResults))
	if err := s.checkFilter(q); err != nil {
		return nil, err
	}
	pk := newPageKeeper(q, s.schemas)
	want := resource.Projection{Attributes: children}
	// The candidates: the users the filter's other conditions allow, found by
	// SQL where those push down (Okta's userName eq "x" and ... reads one user).
	candidates := relax(q.Filter, children)
	for start := 1; ; start += childChunk {
		chunk, err := s.list(ctx, s.pool.DB, resource.Query{Filter: candidates, StartIndex: start, Count: childChunk})
		if err != nil {
			return nil, err
		}
		if err := s.attachGrants(ctx, s.pool.DB, want, chunk.Resources...); err != nil {
			return nil, err
		}
		for _, res := range chunk.Resources {
			if q.Filter != nil {
				ok, err := resource.Match(q.Filter, res, s.schemas...)
				if err != nil {
					return nil, err
				}
				if !ok {
					continue
				}
			}
			pk.add(res)
		}
		if len(chunk.Resources) < childChunk {
			break
		}
	}
	page := pk.page()
	// The page's own projection is attached by the caller.
	for _, res := range page.Resources {
		for _, name := range children {
			delete(res, name)
		}
	}
	return page, nil
}
