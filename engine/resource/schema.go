package resource

// Schema is a SCIM schema definition (RFC 7643 §7): what /Schemas returns and what
// filters, PATCH and PUT consult for types, case sensitivity and mutability.
type Schema struct {
	// ID is the schema URN; Name and Description are for humans.
	ID          string
	Name        string
	Description string
	// Attributes are the top-level attributes, in document order.
	Attributes []*Attribute
}

// Attribute is one attribute definition.
type Attribute struct {
	// Name is the canonical spelling; lookups ignore case.
	Name string
	Type string // "string", "boolean", "decimal", "integer", "dateTime", "reference", "complex", "binary"
	// MultiValued, Required, CaseExact, Mutability, Returned and Uniqueness are the
	// characteristics of RFC 7643 §2.2; empty strings mean the RFC's defaults
	// (readWrite, default, none).
	MultiValued bool
	Required    bool
	CaseExact   bool
	Mutability  string // "readOnly", "readWrite", "immutable", "writeOnly"
	Returned    string // "always", "never", "default", "request"
	Uniqueness  string // "none", "server", "global"
	Description string
	// SubAttributes are the sub-attributes of a complex attribute.
	SubAttributes []*Attribute
	// CanonicalValues and ReferenceTypes as in RFC 7643.
	CanonicalValues []string
	ReferenceTypes  []string
}

// The URNs of the schemas the resource model defines.
const (
	UserSchemaURN      = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchemaURN     = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseUserURN  = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	OktaEntitlementURN = "urn:okta:scim:schemas:core:1.0:Entitlement"
	OktaRoleURN        = "urn:okta:scim:schemas:core:1.0:Role"
)
