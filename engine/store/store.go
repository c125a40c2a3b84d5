// Package store serves resources over the operations a configuration declares:
// Users, Groups and entitlement types of one target. It maps columns to attributes
// and back, applies a resource.Change by choosing declared operations (create,
// update, activate, deactivate, grants, member changes) inside one transaction,
// pushes filters and paging into SQL around the list statement, and checks a
// configuration against the live database. It speaks in engine errors
// (engine/fault), never in HTTP statuses, and runs every statement through
// engine/run.
package store

import (
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// Type describes what a store serves, for a protocol layer to advertise and route.
type Type struct {
	// ID is the resource type's name ("User"); Endpoint its collection's path
	// segment ("Users").
	ID, Endpoint string
	// Description is shown in /ResourceTypes; empty for the core types.
	Description string
	// Schemas are the core schema followed by its extensions.
	Schemas []*resource.Schema
	// Create, Modify (replace and patch) and Delete say which writes the
	// declared operations allow; reads are always served.
	Create, Modify, Delete bool
}

// Stores are the resource stores of one target.
type Stores struct {
	// Users serves the User resource; nil when the target declares no users.
	Users *Users
	// Groups serves the Group resource; nil when the target declares no groups.
	Groups *Groups
	// Entitlements serve the declared entitlement types.
	Entitlements []*Entitlements
	pool         *run.Pool
	cfg          *operations.Target
}

// New makes the stores a target declares, over its pool. maxResults is the
// largest page a list returns.
func New(pool *run.Pool, t *operations.Target, maxResults int) *Stores {
	s := &Stores{pool: pool, cfg: t}
	usersID := ""
	if t.Users != nil {
		usersID = t.Users.ID
	}
	for _, e := range t.Entitlements {
		s.Entitlements = append(s.Entitlements, newEntitlements(pool, e, usersID))
	}
	if t.Groups != nil {
		s.Groups = newGroups(pool, t.Groups, maxResults)
	}
	if t.Users != nil {
		s.Users = newUsers(pool, t.Users, maxResults, s.Entitlements)
		s.Users.groups = s.Groups
		s.Users.initLayout()
	}
	return s
}
