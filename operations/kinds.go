package operations

// OpKind names an operation a resource may declare, as the configuration spells
// it under operations:.
type OpKind string

// The operations of users, groups and entitlement types.
const (
	List         OpKind = "list"
	Get          OpKind = "get"
	Create       OpKind = "create"
	Update       OpKind = "update"
	Activate     OpKind = "activate"
	Deactivate   OpKind = "deactivate"
	Delete       OpKind = "delete"
	Members      OpKind = "members"
	AddMember    OpKind = "add_member"
	RemoveMember OpKind = "remove_member"
	ClearMembers OpKind = "clear_members"
	GroupsOfUser OpKind = "groups_of_user"
	OfUser       OpKind = "of_user"
	Grant        OpKind = "grant"
	Revoke       OpKind = "revoke"
	// Deleted returns the users deleted since a time (tombstones), for
	// incremental imports; see checkDeleted.
	Deleted OpKind = "deleted"
	// SetPassword writes a password that create and update do not bind.
	SetPassword OpKind = "set_password"
)

// The kinds each resource may declare, in the order the documentation lists them.
var (
	UserKinds        = []OpKind{List, Get, Create, Update, Activate, Deactivate, Delete, Deleted, SetPassword}
	GroupKinds       = []OpKind{List, Get, Create, Update, Delete, Members, AddMember, RemoveMember, ClearMembers, GroupsOfUser}
	EntitlementKinds = []OpKind{List, Get, OfUser, Grant, Revoke}
)

// Operations are a resource's declared operations by kind. An operation the
// configuration does not declare is absent, so indexing gives nil.
type Operations map[OpKind]*Operation

// In returns the declared operations of the kinds, in their order.
func (o Operations) In(kinds []OpKind) []*Operation {
	var out []*Operation
	for _, k := range kinds {
		if op := o[k]; op != nil {
			out = append(out, op)
		}
	}
	return out
}

// keys are the kinds as configuration keys.
func keys(kinds []OpKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// Declared lists every operation the target declares: its users', its groups',
// then each entitlement type's, each in the order of its kinds.
func (t *Target) Declared() []*Operation {
	var out []*Operation
	if t.Users != nil {
		out = append(out, t.Users.Operations.In(UserKinds)...)
	}
	if t.Groups != nil {
		out = append(out, t.Groups.Operations.In(GroupKinds)...)
	}
	for _, e := range t.Entitlements {
		out = append(out, e.Operations.In(EntitlementKinds)...)
	}
	return out
}
