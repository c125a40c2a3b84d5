// Package resource is the model the layers of dbscim share: a SCIM resource as
// JSON attributes, the schemas that describe it (RFC 7643), attribute paths,
// filters parsed and evaluated in memory, PATCH operations applied, and the
// neutral Change every write is reduced to. It also defines Store, the interface a
// protocol layer serves one resource type from. It knows neither HTTP nor SQL;
// its errors are engine errors (engine/fault) of the kinds a client can act on.
package resource

import (
	"context"

	"github.com/dbscim/dbscim/engine/scim/filter"
)

// Resource is a SCIM resource as JSON attributes: canonical attribute names
// ("userName", "name", "emails", extension URNs as keys holding objects), values of
// the JSON types (string, bool, float64 or int, map[string]any, []any).
type Resource = map[string]any

// Store serves one resource type. Implementations return engine errors
// (engine/fault) for anything the client should see; any other error is logged
// and answered as 500 without its text. What a store can rely on from the
// protocol layer is in the engine/scim package documentation.
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

// RowGetter is a Store that can answer a Get with the resource's row, in the
// Layout its list pages come in, for a caller that writes rows through a plan.
type RowGetter interface {
	// GetRow returns the row of the resource with the given id (errors as Get),
	// or nil Rows when the resource under the projection holds more than its
	// row: the caller then asks Get.
	GetRow(ctx context.Context, id string, p Projection) (*Rows, error)
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
	// AsRows says that the caller takes the page as Rows where the store can give
	// it so (see Page.Rows); a store may always answer with Resources.
	AsRows bool
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
	// Rows, set instead of Resources for a query AsRows, holds the page as rows
	// of values in the store's Layout: what each row's resource is, without the
	// resource built.
	Rows *Rows
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
