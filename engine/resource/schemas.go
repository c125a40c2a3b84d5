package resource

import "strings"

// Attribute characteristics (RFC 7643 §2.2, §7), as constants so that schema
// definitions and checks cannot drift apart by a typo.
const (
	TypeString    = "string"
	TypeBoolean   = "boolean"
	TypeDecimal   = "decimal"
	TypeInteger   = "integer"
	TypeDateTime  = "dateTime"
	TypeReference = "reference"
	TypeComplex   = "complex"
	TypeBinary    = "binary"

	MutabilityReadOnly  = "readOnly"
	MutabilityReadWrite = "readWrite"
	MutabilityImmutable = "immutable"
	MutabilityWriteOnly = "writeOnly"

	ReturnedAlways  = "always"
	ReturnedNever   = "never"
	ReturnedDefault = "default"
	ReturnedRequest = "request"

	UniquenessNone   = "none"
	UniquenessServer = "server"
	UniquenessGlobal = "global"
)

// Attribute returns the attribute with the given name, compared case-insensitively
// as RFC 7643 §2.1 asks. A dotted name ("name.givenName") returns the sub-attribute,
// and a name prefixed with the schema's URN is accepted. The common attributes every
// resource has (id, externalId, meta; RFC 7643 §3.1) are found too, although a schema
// document does not list them. It returns nil when there is no such attribute.
func (s *Schema) Attribute(name string) *Attribute {
	if s == nil {
		return nil
	}
	if len(name) > len(s.ID) && strings.EqualFold(name[:len(s.ID)], s.ID) && name[len(s.ID)] == ':' {
		name = name[len(s.ID)+1:]
	}
	top, sub, dotted := strings.Cut(name, ".")
	a := FindAttribute(s.Attributes, top)
	if a == nil {
		a = FindAttribute(CommonAttributes, top)
	}
	if a == nil || !dotted {
		return a
	}
	return a.SubAttribute(sub)
}

// SubAttribute returns the sub-attribute with the given name (case-insensitive),
// or nil.
func (a *Attribute) SubAttribute(name string) *Attribute {
	if a == nil {
		return nil
	}
	return FindAttribute(a.SubAttributes, name)
}

func FindAttribute(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// ReturnWhen is the attribute's "returned" characteristic with RFC 7643's default.
func (a *Attribute) ReturnWhen() string {
	if a == nil || a.Returned == "" {
		return ReturnedDefault
	}
	return a.Returned
}

// ReadOnly reports whether clients may not set the attribute.
func (a *Attribute) ReadOnly() bool {
	return a != nil && a.Mutability == MutabilityReadOnly
}

// attr builds a single-valued string attribute, the most common kind, with RFC
// 7643's defaults; the options below adjust it. This keeps the RFC tables readable.
func attr(name, description string, opts ...func(*Attribute)) *Attribute {
	a := &Attribute{
		Name:        name,
		Type:        TypeString,
		Mutability:  MutabilityReadWrite,
		Returned:    ReturnedDefault,
		Uniqueness:  UniquenessNone,
		Description: description,
	}
	for _, o := range opts {
		o(a)
	}
	return a
}

func typ(t string) func(*Attribute) { return func(a *Attribute) { a.Type = t } }
func multi(a *Attribute)            { a.MultiValued = true }
func required(a *Attribute)         { a.Required = true }
func caseExact(a *Attribute)        { a.CaseExact = true }
func readOnly(a *Attribute)         { a.Mutability = MutabilityReadOnly }
func immutable(a *Attribute)        { a.Mutability = MutabilityImmutable }
func uniqueServer(a *Attribute)     { a.Uniqueness = UniquenessServer }
func canonical(v ...string) func(*Attribute) {
	return func(a *Attribute) { a.CanonicalValues = v }
}
func refTypes(v ...string) func(*Attribute) {
	return func(a *Attribute) { a.Type = TypeReference; a.ReferenceTypes = v }
}
func sub(subs ...*Attribute) func(*Attribute) {
	return func(a *Attribute) { a.Type = TypeComplex; a.SubAttributes = subs }
}

// CommonAttributes are RFC 7643 §3.1's attributes of every resource. Schema
// documents do not list them, but filters, sorting and PATCH must know their types:
// id is case-exact (a database collation must not make "ABC" find "abc") and
// meta.lastModified is a dateTime.
var CommonAttributes = []*Attribute{
	attr("id", "Unique identifier for the SCIM resource as defined by the service provider.",
		caseExact, readOnly, uniqueServer, func(a *Attribute) { a.Returned = ReturnedAlways }),
	attr("externalId", "Identifier for the resource as defined by the provisioning client.", caseExact),
	attr("meta", "Resource metadata.", readOnly, sub(
		attr("resourceType", "The name of the resource type of the resource.", caseExact, readOnly),
		attr("created", "The date and time the resource was added to the service provider.", typ(TypeDateTime), readOnly),
		attr("lastModified", "The most recent date and time the resource was modified.", typ(TypeDateTime), readOnly),
		attr("location", "The URI of the resource being returned.", refTypes("uri"), caseExact, readOnly),
		attr("version", "The version of the resource being returned.", caseExact, readOnly),
	)),
}

// multiValue builds the {value, display, type, primary} sub-attributes that most of
// the User's multi-valued attributes share (RFC 7643 §2.4).
func multiValue(valueDesc string, valueOpts []func(*Attribute), types ...string) func(*Attribute) {
	typeOpts := []func(*Attribute){}
	if len(types) > 0 {
		typeOpts = append(typeOpts, canonical(types...))
	}
	return sub(
		attr("value", valueDesc, valueOpts...),
		attr("display", "A human-readable name, primarily used for display purposes."),
		attr("type", "A label indicating the attribute's function.", typeOpts...),
		attr("primary", "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.", typ(TypeBoolean)),
	)
}

// UserSchema returns the core User schema of RFC 7643 §4.1 as §8.7.1 defines it.
// Each call returns a fresh copy that the caller may change.
func UserSchema() *Schema {
	return &Schema{
		ID:          UserSchemaURN,
		Name:        "User",
		Description: "User Account",
		Attributes: []*Attribute{
			attr("userName", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.",
				required, uniqueServer),
			attr("name", "The components of the user's real name.", sub(
				attr("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
				attr("familyName", "The family name of the User, or last name in most Western languages."),
				attr("givenName", "The given name of the User, or first name in most Western languages."),
				attr("middleName", "The middle name(s) of the User."),
				attr("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages."),
				attr("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages."),
			)),
			attr("displayName", "The name of the User, suitable for display to end-users."),
			attr("nickName", "The casual way to address the user in real life."),
			attr("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", refTypes("external")),
			attr("title", "The user's title, such as \"Vice President\"."),
			attr("userType", "Used to identify the relationship between the organization and the user."),
			attr("preferredLanguage", "Indicates the User's preferred written or spoken language."),
			attr("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
			attr("timezone", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
			attr("active", "A Boolean value indicating the User's administrative status.", typ(TypeBoolean)),
			attr("password", "The User's cleartext password.", func(a *Attribute) {
				a.Mutability = MutabilityWriteOnly
				a.Returned = ReturnedNever
			}),
			attr("emails", "Email addresses for the user.", multi,
				multiValue("Email addresses for the user.", nil, "work", "home", "other")),
			attr("phoneNumbers", "Phone numbers for the User.", multi,
				multiValue("Phone number of the User.", nil, "work", "home", "mobile", "fax", "pager", "other")),
			attr("ims", "Instant messaging addresses for the User.", multi,
				multiValue("Instant messaging address for the User.", nil, "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo")),
			attr("photos", "URLs of photos of the User.", multi,
				multiValue("URL of a photo of the User.", []func(*Attribute){refTypes("external")}, "photo", "thumbnail")),
			attr("addresses", "A physical mailing address for this User.", multi, sub(
				attr("formatted", "The full mailing address, formatted for display or use with a mailing label."),
				attr("streetAddress", "The full street address component."),
				attr("locality", "The city or locality component."),
				attr("region", "The state or region component."),
				attr("postalCode", "The zip code or postal code component."),
				attr("country", "The country name component."),
				attr("type", "A label indicating the attribute's function.", canonical("work", "home", "other")),
				attr("primary", "A Boolean value indicating the 'primary' or preferred address.", typ(TypeBoolean)),
			)),
			attr("groups", "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.",
				multi, readOnly, sub(
					attr("value", "The identifier of the User's group.", readOnly),
					attr("$ref", "The URI of the corresponding 'Group' resource to which the user belongs.", refTypes("User", "Group"), readOnly),
					attr("display", "A human-readable name, primarily used for display purposes.", readOnly),
					attr("type", "A label indicating the attribute's function.", canonical("direct", "indirect"), readOnly),
				)),
			attr("entitlements", "A list of entitlements for the User that represent a thing the User has.", multi,
				multiValue("The value of an entitlement.", nil)),
			attr("roles", "A list of roles for the User that collectively represent who the User is.", multi,
				multiValue("The value of a role.", nil)),
			attr("x509Certificates", "A list of certificates issued to the User.", multi,
				multiValue("The value of an X.509 certificate.", []func(*Attribute){typ(TypeBinary)})),
		},
	}
}

// EnterpriseUserSchema returns the Enterprise User extension of RFC 7643 §4.3.
func EnterpriseUserSchema() *Schema {
	return &Schema{
		ID:          EnterpriseUserURN,
		Name:        "EnterpriseUser",
		Description: "Enterprise User",
		Attributes: []*Attribute{
			attr("employeeNumber", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
			attr("costCenter", "Identifies the name of a cost center."),
			attr("organization", "Identifies the name of an organization."),
			attr("division", "Identifies the name of a division."),
			attr("department", "Identifies the name of a department."),
			attr("manager", "The User's manager.", sub(
				attr("value", "The id of the SCIM resource representing the User's manager."),
				attr("$ref", "The URI of the SCIM resource representing the User's manager.", refTypes("User")),
				attr("displayName", "The displayName of the User's manager.", readOnly),
			)),
		},
	}
}

// GroupSchema returns the core Group schema of RFC 7643 §4.2. displayName is
// required as §4.2's text says (the §8.7.1 listing marks it optional): a group
// without a name cannot be matched by an IdP.
func GroupSchema() *Schema {
	return &Schema{
		ID:          GroupSchemaURN,
		Name:        "Group",
		Description: "Group",
		Attributes: []*Attribute{
			attr("displayName", "A human-readable name for the Group.", required),
			attr("members", "A list of members of the Group.", multi, sub(
				attr("value", "Identifier of the member of this Group.", immutable),
				attr("$ref", "The URI corresponding to a SCIM resource that is a member of this Group.", refTypes("User", "Group"), immutable),
				attr("display", "A human-readable name for the member.", immutable),
				attr("type", "A label indicating the type of resource, e.g., 'User' or 'Group'.", canonical("User", "Group"), immutable),
			)),
		},
	}
}
