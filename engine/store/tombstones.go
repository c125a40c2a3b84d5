package store

import (
	"context"
	"sort"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/operations"
)

// incremental reports whether a query is an incremental import
// (meta.lastModified gt "T", or ge) on a target that declares the deleted
// operation, and returns the meta.lastModified column and T as that column binds it.
func (s *Users) incremental(q resource.Query) (*column, any, bool, error) {
	if s.ops[operations.Deleted] == nil {
		return nil, nil, false, nil
	}
	e, ok := q.Filter.(*filter.AttributeExpression)
	if !ok || e.Operator != filter.GT && e.Operator != filter.GE {
		return nil, nil, false, nil
	}
	p := e.AttributePath
	if p.URIPrefix != nil && !strings.EqualFold(*p.URIPrefix, resource.UserSchemaURN) ||
		!strings.EqualFold(p.AttributeName, "meta") || p.SubAttribute == nil || !strings.EqualFold(*p.SubAttribute, "lastModified") {
		return nil, nil, false, nil
	}
	for i := range s.cols {
		c := &s.cols[i]
		if strings.EqualFold(c.Path, "meta.lastModified") {
			since, err := c.toDB(e.CompareValue)
			return c, since, err == nil, err
		}
	}
	return nil, nil, false, nil
}

// withTombstones adds the users deleted since the incremental import's time to
// its page: after the live users (their positions follow the live total), as
// active: false with meta.lastModified at their deletion, in id order so that
// pages agree. The live users' part of the page is as the list made it.
func (s *Users) withTombstones(ctx context.Context, page *resource.Page, q resource.Query, c *column, since any) (*resource.Page, error) {
	in := run.Record{}
	in.Set(c.Column, since)
	var dead []resource.Resource
	err := s.pool.Query(ctx, s.pool.DB, s.ops[operations.Deleted], in, func(r run.Record) (bool, error) {
		if v, ok := r.Get(s.cfg.ID); !ok || v == nil {
			return false, fault.New(fault.Misconfigured, "the users.deleted operation returns no %s column (the id of each deleted user)", s.cfg.ID)
		}
		res, err := toResource(s.cfg.ID, s.cols, r)
		if err != nil {
			return false, err
		}
		res["active"] = false
		dead = append(dead, res)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(dead, func(i, j int) bool { return text(dead[i]["id"]) < text(dead[j]["id"]) })
	live := page.Total
	page.Total += len(dead)
	count := min(q.Count, s.maxResults)
	start := max(q.StartIndex, 1)
	if start-1+len(page.Resources) < live {
		return page, nil // the live users fill this page
	}
	for i := max(start-1-live, 0); i < len(dead) && len(page.Resources) < count; i++ {
		page.Resources = append(page.Resources, dead[i])
	}
	return page, nil
}
