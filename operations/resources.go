package operations

// Reserved parameter names of group and entitlement operations. They name the other
// side of a relationship, whose column may share a name with the resource's own id
// column ("id" in both users and groups tables).
const (
	// MemberParam is the member's SCIM id (a user id) in add_member, remove_member and
	// groups_of_user.
	MemberParam = "member"
	// UserParam is the user's SCIM id in of_user, grant and revoke. The users' id
	// column name (e.g. USER_ID) is accepted too, when it is not also a column of the
	// entitlement type.
	UserParam = "user"
)

// EntitlementType is one kind of grantable thing a target declares: Okta Identity
// Governance entitlements, roles, licences. Okta's own connector allows one type;
// a target here may declare several.
type EntitlementType struct {
	// Name is the type's name, used as the SCIM resource type name and as the "type"
	// of each grant on a user ("Entitlement", "Role").
	Name string
	// Endpoint is the list endpoint without slash; default Name + "s".
	Endpoint string
	// Kind is "entitlement" (grants appear in the user's entitlements attribute,
	// schema urn:okta:scim:schemas:core:1.0:Entitlement) or "role" (the user's roles
	// attribute, schema urn:okta:scim:schemas:core:1.0:Role). Default "entitlement".
	Kind string
	// ID, Display and Description are the columns of the list, get and of_user rows.
	// Description is optional.
	ID          string
	Display     string
	Description string
	Operations  Operations
	Pos         Position
}

// Groups is the declaration of the SCIM Group resource over a target's tables.
type Groups struct {
	// ID is the column that holds the group's SCIM id.
	ID string
	// Attributes maps group attribute paths (displayName, externalId, ...) to
	// columns, in file order. displayName must be mapped.
	Attributes []Mapping
	// MemberID and MemberDisplay are the columns of the members operation's rows
	// that hold a member's user id and its display name (optional).
	MemberID      string
	MemberDisplay string
	Operations    Operations
	// NoCreateCompletion is set by create_completion: false, as for users: a
	// create carrying members or attributes the create operation does not bind
	// is refused instead of completed by add_member and update.
	NoCreateCompletion bool
	Pos                Position
}
