// Package scim is the SCIM 2.0 protocol (RFC 7643, RFC 7644) as dbscim speaks it:
// routing, request parsing, PATCH normalisation (Okta's and Entra's shapes become one),
// filters, list responses, discovery documents and the SCIM error type.
//
// It knows nothing about SQL. Each resource type is served from a Store, a small
// context-first interface that receives already normalised input; an in-memory Store
// (MemoryStore) serves the package's own tests and examples.
//
// # What a Store can rely on
//
// The Handler does the protocol work before and after a Store runs:
//
//   - Create and Replace receive the body canonicalised against the type's schemas
//     (Canonicalize: schema casing, "True"/"False" as booleans, flat
//     "urn:...:attr" keys moved under their extension object, a single element of a
//     multi-valued attribute wrapped in an array), with "schemas" and every
//     read-only attribute removed (id, meta, groups, manager.displayName: Okta
//     sends them back on PUT), type-checked, and with the required attributes
//     (userName, displayName) present. password is kept (writeOnly: the store may
//     use it). Replace gets the id from the URL; a different id in the body is
//     ignored.
//   - Patch receives the operations normalised by the handler: see PatchOp and
//     ApplyPatch. They were all checked (path syntax, mutability, value types,
//     remove without path) before the store is called, so a store that applies
//     them with ApplyPatch on the current resource only sees errors for
//     data-dependent cases (noTarget, removing a required attribute).
//   - List receives a parsed, type-checked filter, a startIndex of at least 1 and a
//     count already capped at MaxResults; sortBy is empty unless Config.Sort.
//   - The handler sets "schemas", meta.resourceType and meta.location on every
//     resource a store returns, leaves out null attributes, sends the version as
//     the ETag header and meta.version (the store's meta.version when it sets one,
//     else a weak tag computed from the content), evaluates If-Match (through Get,
//     before Replace, Patch and Delete) and If-None-Match, and applies
//     attributes/excludedAttributes (and drops
//     password) itself: a store may return every attribute and may use Projection
//     only to skip expensive ones. An id may be a string or a number; it is sent
//     as a string.
//   - A store answers client errors with *Error (ErrNotFound, Errorf with 409
//     uniqueness, 503 with RetryAfter when the database is down). Any other error
//     is logged with its text and answered as a 500 without it; a panic is
//     recovered, logged with its stack and answered as a 500.
package scim

import (
	"context"

	filter "github.com/scim2/filter-parser/v2"
)

// Resource is a SCIM resource as JSON attributes: canonical attribute names
// ("userName", "name", "emails", extension URNs as keys holding objects), values of
// the JSON types (string, bool, float64 or int, map[string]any, []any).
type Resource = map[string]any

// Store serves one resource type. Implementations return *Error for anything the
// client should see (ErrNotFound and the other constructors below); any other error
// is logged and answered as 500 without its text.
type Store interface {
	// Get returns the resource with the given id, or an error with status 404.
	// The projection says which attributes the client asked for, so that a store can
	// skip expensive ones (a group's members).
	Get(ctx context.Context, id string, p Projection) (Resource, error)
	// List returns one page of resources matching the query.
	List(ctx context.Context, q Query) (*Page, error)
	// Create stores a new resource (c.Op is OpCreate, c.Resource the resource with
	// schemas validated and read-only attributes removed, c.Members its members)
	// and returns it as stored, with its id.
	Create(ctx context.Context, c Change) (Resource, error)
	// Replace replaces the resource with the given id (PUT: c.Op is OpReplace)
	// and returns it as stored. Members are replaced when c.Members is set.
	Replace(ctx context.Context, id string, c Change) (Resource, error)
	// Patch applies a patch (c.Op is OpPatch) atomically: all or nothing. It
	// returns the resource after the change, or nil when it chooses to answer
	// 204. Change.Apply computes the new resource from the current one.
	Patch(ctx context.Context, id string, c Change) (Resource, error)
	// Delete removes the resource.
	Delete(ctx context.Context, id string) error
}

// Query is a normalised list request.
type Query struct {
	// Filter is the parsed filter, nil when the request has none. Entra's extended
	// forms have already been normalised into the RFC grammar.
	Filter filter.Expression
	// StartIndex is 1-based (at least 1).
	StartIndex int
	// Count is the page size, already capped at the advertised maxResults; 0 asks
	// only for totalResults.
	Count int
	// SortBy is an attribute path, empty for the store's stable default order.
	SortBy     string
	Descending bool
	Projection Projection
}

// Projection is a request's attributes / excludedAttributes.
type Projection struct {
	Attributes []string
	Excluded   []string
}

// Wants reports whether an attribute (a top-level name such as "members") is to be
// returned under this projection. Attributes returned "always" (id) are always wanted.
func (p Projection) Wants(attr string) bool {
	return projectionWants(p, attr)
}

// Page is one page of a list.
type Page struct {
	// Total is totalResults: how many resources match the filter in all.
	Total     int
	Resources []Resource
}

// PatchOp is one normalised PATCH operation.
type PatchOp struct {
	// Op is "add", "replace" or "remove", lower case whatever the client sent. An
	// add or replace with a null value arrives as remove.
	Op string
	// Path is the parsed path, nil when the operation has none. Only add and replace
	// come without a path; their Value is then an object whose keys are attribute
	// paths ("active", "name.givenName", "urn:...:User:department", or an extension
	// URN holding an object), as Okta and Entra send them. Keys naming read-only
	// attributes have been dropped.
	Path *filter.Path
	// Value is the operation's value with string booleans ("True") already turned
	// into bool where the schema says boolean; nil for remove without value.
	Value any
}

// Method is a set of operations a resource type supports.
type Method int

const (
	// MethodGet allows GET of one resource.
	MethodGet Method = 1 << iota
	// MethodList allows GET of the collection and POST /.search.
	MethodList
	// MethodCreate allows POST.
	MethodCreate
	// MethodReplace allows PUT.
	MethodReplace
	// MethodPatch allows PATCH.
	MethodPatch
	// MethodDelete allows DELETE.
	MethodDelete
)

// ResourceType is one resource type a handler serves.
type ResourceType struct {
	// ID and Name as in /ResourceTypes ("User"), Endpoint without slash ("Users").
	ID       string
	Name     string
	Endpoint string
	// Description is shown in /ResourceTypes.
	Description string
	// Schema is the core schema; Extensions are its schema extensions.
	Schema     *Schema
	Extensions []*Schema
	// Methods are the operations the store supports; others answer a SCIM error.
	Methods Method
	Store   Store
}
