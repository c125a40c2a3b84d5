package store

import (
	"context"
	"time"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

// SettleTimeout bounds the time a write whose commit outcome is unknown spends
// finding out. It starts after the request's own deadline may have passed: the
// answer must say what happened, not that time ran out. The server waits that
// long past a write's deadline before it answers in the handler's place.
const SettleTimeout = 5 * time.Second

// settle answers a write whose commit outcome is unknown (fault.Indeterminate) with
// what happened: nil when stored reports, on a fresh connection, that the database
// holds the change; Unavailable (safe to retry) when it does not; Indeterminate,
// with a detail telling the client to read before retrying, only when even that
// check cannot run. Any other err is returned as it is.
func settle(ctx context.Context, err error, stored func(ctx context.Context) (bool, error)) error {
	if !fault.Is(err, fault.Indeterminate) {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SettleTimeout)
	defer cancel()
	ok, checkErr := stored(ctx)
	switch {
	case checkErr != nil:
		return fault.Wrap(fault.Indeterminate, err, "the connection to the database was lost while committing and the outcome is unknown: read the resource before retrying")
	case ok:
		return nil
	default:
		return fault.Wrap(fault.Unavailable, err, "the connection to the database was lost while committing; the change was not stored, retry")
	}
}

// sameResource reports whether two readings of a resource hold the same content.
func (s *table) sameResource(a, b resource.Resource) bool {
	ss := resource.NewSchemaSet(s.schemas)
	return ss.ContentETag(a) == ss.ContentETag(b)
}

// userAsStored reads a user with its grants and groups, as the write methods
// answer it, from the pool.
func (s *Users) userAsStored(ctx context.Context, id string) (resource.Resource, error) {
	rec, err := s.get(ctx, s.pool.DB, id)
	if err != nil {
		return nil, err
	}
	res, err := toResource(s.cfg.ID, s.cols, rec)
	if err != nil {
		return nil, err
	}
	return res, s.attachGrants(ctx, s.pool.DB, resource.Projection{}, res)
}

// settleUser settles a user write whose transaction would have left the user as
// want (nil: deleted).
func (s *Users) settleUser(ctx context.Context, err error, id string, want resource.Resource) error {
	return settle(ctx, err, func(ctx context.Context) (bool, error) {
		got, err := s.userAsStored(ctx, id)
		if fault.Is(err, fault.NotFound) {
			return want == nil, nil
		}
		if err != nil {
			return false, err
		}
		return want != nil && s.sameResource(got, want), nil
	})
}

// settleGroup settles a group write whose transaction would have left the group's
// attributes as want (nil: deleted) and, unless members is nil, its members as
// members.
func (s *Groups) settleGroup(ctx context.Context, err error, id string, want resource.Resource, members []string) error {
	return settle(ctx, err, func(ctx context.Context) (bool, error) {
		rec, err := s.get(ctx, s.pool.DB, id)
		if fault.Is(err, fault.NotFound) {
			return want == nil, nil
		}
		if err != nil || want == nil {
			return false, err
		}
		got, err := toResource(s.idColumn, s.cols, rec)
		if err != nil {
			return false, err
		}
		if !s.sameResource(got, want) {
			return false, nil
		}
		if members == nil {
			return true, nil
		}
		have, err := s.memberSet(ctx, s.pool.DB, id)
		if err != nil {
			return false, err
		}
		if len(have) != len(distinct(members)) {
			return false, nil
		}
		for _, m := range members {
			if !have[m] {
				return false, nil
			}
		}
		return true, nil
	})
}

// distinct returns the distinct values of list.
func distinct(list []string) map[string]bool {
	out := make(map[string]bool, len(list))
	for _, v := range list {
		out[v] = true
	}
	return out
}
