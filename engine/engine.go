// Package engine wires one configured target together: it opens the target's
// database pool (engine/run), makes the stores its configuration declares
// (engine/store), and describes them as the resource types the SCIM layer
// (engine/scim) serves. It holds no logic of its own.
package engine

import (
	"context"
	"log/slog"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/engine/store"
	"github.com/dbscim/dbscim/operations"
)

// Target is one configured database, open and ready to serve.
type Target struct {
	Name   string
	Config *operations.Target
	// Pool is the target's database.
	Pool *run.Pool
	// Stores serve the target's resource types; Users and Groups are nil when
	// the target does not declare them.
	*store.Stores
}

// Options tune how a target is opened.
type Options struct {
	Logger *slog.Logger
	// MaxResults is the largest page a list returns; 0 means the default.
	MaxResults int
}

// Open opens a target's database pool and makes its stores. It does not fail when
// the database is down: the pool connects lazily, requests answer 503 until the
// database answers, and the target recovers by itself. It fails only for what a
// restart would not fix, such as a DSN the driver rejects or an init script that
// does not run.
func Open(ctx context.Context, t *operations.Target, opt Options) (*Target, error) {
	pool, err := run.Open(ctx, t, opt.Logger)
	if err != nil {
		return nil, err
	}
	maxResults := opt.MaxResults
	if maxResults <= 0 {
		maxResults = operations.DefaultMaxResults
	}
	return &Target{Name: t.Name, Config: t, Pool: pool, Stores: store.New(pool, t, maxResults)}, nil
}

// Close closes the database pool.
func (t *Target) Close() error { return t.Pool.Close() }

// Ping checks that the database answers.
func (t *Target) Ping(ctx context.Context) error { return t.Pool.Ping(ctx) }

// ResourceTypes are the SCIM resource types the target serves, with the methods its
// declared operations allow.
func (t *Target) ResourceTypes() []scim.ResourceType {
	var types []scim.ResourceType
	if t.Users != nil {
		types = append(types, resourceType(t.Users.Type(), t.Users))
	}
	if t.Groups != nil {
		types = append(types, resourceType(t.Groups.Type(), t.Groups))
	}
	for _, e := range t.Entitlements {
		types = append(types, resourceType(e.Type(), e))
	}
	return types
}

// resourceType turns a store's description into the SCIM layer's.
func resourceType(st store.Type, s resource.Store) scim.ResourceType {
	m := scim.MethodGet | scim.MethodList
	if st.Create {
		m |= scim.MethodCreate
	}
	if st.Modify {
		m |= scim.MethodReplace | scim.MethodPatch
	}
	if st.Delete {
		m |= scim.MethodDelete
	}
	rt := scim.ResourceType{ID: st.ID, Name: st.ID, Endpoint: st.Endpoint, Description: st.Description, Methods: m, Store: s}
	if len(st.Schemas) > 0 {
		rt.Schema, rt.Extensions = st.Schemas[0], st.Schemas[1:]
	}
	return rt
}
