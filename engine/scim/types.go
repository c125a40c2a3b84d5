package scim

import "github.com/dbscim/dbscim/engine/resource"

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
	Schema     *resource.Schema
	Extensions []*resource.Schema
	// Methods are the operations the store supports; others answer a SCIM error.
	Methods Method
	Store   resource.Store
}

// The URNs of the protocol's messages and discovery schemas.
const (
	ListResponseURN    = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchOpURN         = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorURN           = "urn:ietf:params:scim:api:messages:2.0:Error"
	SearchRequestURN   = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	ServiceProviderURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeURN    = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaURN          = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)
