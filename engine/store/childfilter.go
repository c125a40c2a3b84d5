package store

import (
	"context"

	"github.com/dbscim/dbscim/engine/resource"
)

// childChunk is how many users a filter on a child-table attribute reads at a
// time when it is evaluated in memory: memory holds one chunk and the page.
const childChunk = 200

// listUsers answers the users matching a query: through the list statement (with
// the filter pushed into SQL where it can be) or, when the filter names an
// attribute kept in a child table, which the list statement does not carry, by
// reading the users a chunk at a time with those values and evaluating the
// filter in memory.
func (s *Users) listUsers(ctx context.Context, q resource.Query) (*resource.Page, error) {
	mentioned := s.filteredChildren(q)
	if len(mentioned) == 0 {
		return s.list(ctx, s.pool.DB, q)
	}
	return s.listByChildren(ctx, q, mentioned)
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
	page := &resource.Page{}
	skip := q.StartIndex - 1
	keep := skip + q.Count
	var kept []resource.Resource
	trim := func() {
		resource.SortResources(kept, q.SortBy, q.Descending, s.schemas...)
		if len(kept) > keep {
			kept = kept[:keep]
		}
	}
	want := resource.Projection{Attributes: children}
	for start := 1; ; start += childChunk {
		chunk, err := s.list(ctx, s.pool.DB, resource.Query{StartIndex: start, Count: childChunk})
		if err != nil {
			return nil, err
		}
		if err := s.attachGrants(ctx, s.pool.DB, want, chunk.Resources...); err != nil {
			return nil, err
		}
		for _, res := range chunk.Resources {
			ok, err := resource.Match(q.Filter, res, s.schemas...)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			// The page's own projection is attached by the caller.
			for _, name := range children {
				delete(res, name)
			}
			page.Total++
			switch {
			case q.SortBy != "":
				if keep > 0 {
					kept = append(kept, res)
					if len(kept) >= 2*keep {
						trim()
					}
				}
			case page.Total > skip && len(kept) < q.Count:
				kept = append(kept, res)
			}
		}
		if len(chunk.Resources) < childChunk {
			break
		}
	}
	if q.SortBy != "" {
		trim()
		if skip >= len(kept) {
			kept = nil
		} else {
			kept = kept[skip:]
		}
	}
	page.Resources = kept
	return page, nil
}
