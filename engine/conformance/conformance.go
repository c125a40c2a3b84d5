package conformance

import (
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/scim"
)

// AllAttributes are the user attributes the suite reads and writes, as a
// configuration maps them: a target that maps all of them passes them to Declared.
var AllAttributes = []string{"userName", "externalId", "name.givenName", "name.familyName", `emails[type eq "work"].value`,
	"title", "active", "meta.lastModified", departmentP, managerP + ".value"}

// Target is a served SCIM target as the suite sees it: where to send requests,
// what the target declares, and how to reach its data without SCIM.
type Target struct {
	// URL is the target's SCIM base URL, such as
	// "http://127.0.0.1:41234/scim/v2/conf": resources are at URL+"/Users".
	URL string
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Authorization is the Authorization header every request carries, such as
	// "Bearer <token>"; empty sends none.
	Authorization string
	// Declares lists what the target declares: its SCIM methods, the user
	// attributes it maps and the behaviours its database gives (see Capability).
	// A subtest that needs a capability the target does not declare is skipped
	// with a message naming it; an undeclared method is expected to answer a SCIM
	// error instead.
	Declares []Capability
	// Backend reaches the target's data without SCIM, to seed rows and read them
	// back. Nil means the suite cannot: the subtests that seed are skipped with a
	// message saying so, and read-backs go through SCIM GET instead.
	Backend Backend
	// Gaps are the requirements the target does not meet, by subtest name
	// ("Okta/PatchActiveFalse") with the reason: a defect not fixed yet, or a
	// constraint of the target's own schema. Such a subtest still runs: when it
	// fails it is skipped with "known gap: <reason>" and the failure; when it
	// passes it passes and logs that the gap can go.
	Gaps map[string]string
	// WithMaxResults serves the same data again with max_results set to n, for the
	// paging cap; nil when the target cannot be served again.
	WithMaxResults func(t testing.TB, n int) Target
	// WithVersion serves the same data again with a row version column mapped to
	// meta.version (starting at 1, incremented by every write), for store-made
	// ETags; nil when the target has no such column.
	WithVersion func(t testing.TB) Target
}

// A Capability is something a target may declare. The suite checks what a target
// declares and skips, with the capability's name, what it does not.
type Capability string

// The SCIM methods of Users and Groups, as scim.Method names them.
const (
	UsersGet      Capability = "Users get (GET /Users/{id})"
	UsersList     Capability = "Users list (GET /Users, filters)"
	UsersCreate   Capability = "Users create (POST /Users)"
	UsersReplace  Capability = "Users update (PUT /Users/{id})"
	UsersPatch    Capability = "Users update (PATCH /Users/{id})"
	UsersDelete   Capability = "Users delete (DELETE /Users/{id})"
	GroupsGet     Capability = "Groups get (GET /Groups/{id})"
	GroupsList    Capability = "Groups list (GET /Groups)"
	GroupsCreate  Capability = "Groups create (POST /Groups)"
	GroupsReplace Capability = "Groups update (PUT /Groups/{id})"
	GroupsPatch   Capability = "Groups update (PATCH /Groups/{id})"
	GroupsDelete  Capability = "Groups delete (DELETE /Groups/{id})"
)

// Behaviours a target may have beyond its declared operations.
const (
	// Sort: sortBy and sortOrder are honoured and advertised.
	Sort Capability = "sorting (sortBy)"
	// MemberIntegrity: a group member that is not a user is refused (a foreign key).
	MemberIntegrity Capability = "members must be users (a foreign key)"
	// UniqueGroupNames: a second group with the same displayName, in any letter
	// case, is refused with 409 uniqueness.
	UniqueGroupNames Capability = "unique group displayName"
	// StableModify: a PATCH that changes nothing writes nothing (the row, its
	// modification time and its ETag stay).
	StableModify Capability = "a no-op PATCH writes nothing"
	// ContentETags: ETags are computed from the resource (W/"<16 hex digits>").
	ContentETags Capability = "ETags computed from content"
	// ListsInactiveUsers: a list of users includes the inactive ones (Okta's
	// lab lists active users only).
	ListsInactiveUsers Capability = "inactive users in lists"
	// OptionalProfile: a user may have no first name, last name or e-mail (the
	// Okta lab requires all three).
	OptionalProfile Capability = "users without a name or e-mail"
)

// Attribute is the capability of mapping a User attribute: "userName",
// "name.givenName", "emails", "meta.lastModified", or an extension attribute by
// its full path ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department").
func Attribute(path string) Capability { return Capability("the user attribute " + path) }

// methodCapabilities maps scim.Method to the capabilities of each resource type.
var methodCapabilities = []struct {
	m             scim.Method
	users, groups Capability
}{
	{scim.MethodGet, UsersGet, GroupsGet},
	{scim.MethodList, UsersList, GroupsList},
	{scim.MethodCreate, UsersCreate, GroupsCreate},
	{scim.MethodReplace, UsersReplace, GroupsReplace},
	{scim.MethodPatch, UsersPatch, GroupsPatch},
	{scim.MethodDelete, UsersDelete, GroupsDelete},
}

// Declared returns the capabilities of a target: the methods of the User and
// Group resource types (as a target's ResourceTypes or a scim.Config lists them),
// the user attributes it maps, by their paths as a configuration writes them
// ("userName", "name.givenName", `emails[type eq "work"].value`, "meta.lastModified",
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"),
// then extra, for what neither can say: Sort and the database's behaviours.
func Declared(types []scim.ResourceType, mapped []string, extra ...Capability) []Capability {
	var out []Capability
	for _, rt := range types {
		name := rt.Name
		if name == "" {
			name = rt.ID
		}
		for _, mc := range methodCapabilities {
			if rt.Methods&mc.m == 0 {
				continue
			}
			switch name {
			case "User":
				out = append(out, mc.users)
			case "Group":
				out = append(out, mc.groups)
			}
		}
	}
	for _, p := range mapped {
		out = append(out, attributes(p)...)
	}
	return append(out, extra...)
}

// attributes returns the Attribute capabilities a mapped path gives: the path
// without its value filter, and each attribute it is a sub-attribute of
// (`emails[type eq "work"].value` gives "emails" and "emails.value").
func attributes(path string) []Capability {
	if i := strings.Index(path, "["); i >= 0 {
		if j := strings.Index(path[i:], "]"); j >= 0 {
			path = path[:i] + path[i+j+1:]
		}
	}
	prefix := ""
	if strings.HasPrefix(strings.ToLower(path), "urn:") {
		i := strings.LastIndex(path, ":")
		prefix, path = path[:i+1], path[i+1:]
	}
	var out []Capability
	parts := strings.Split(path, ".")
	for i := range parts {
		out = append(out, Attribute(prefix+strings.Join(parts[:i+1], ".")))
	}
	return out
}

// Backend reaches a target's data without SCIM, as the database's own tools
// would: the suite seeds rows with it and reads back what a request wrote. Ids are
// the SCIM ids. A Backend fails the test on any error.
type Backend interface {
	// SeedUser inserts a user.
	SeedUser(t testing.TB, u User)
	// SeedGroup inserts a group and its members (user ids).
	SeedGroup(t testing.TB, id, displayName string, members ...string)
	// User reads a user as text, nil when there is no such user. The keys are
	// userName, externalId, givenName, familyName, email (the work email),
	// title, department, manager (the manager's id), active ("1" or "0") and
	// lastModified (RFC 3339 in UTC); an unset value is Null.
	User(t testing.TB, id string) map[string]string
	// CountUsers counts the users, or with a userName those whose userName
	// equals it ignoring case.
	CountUsers(t testing.TB, userName string) int
	// Group returns a group's displayName, whether the group exists, and the ids
	// of the members linked to it (also after the group is gone), sorted.
	Group(t testing.TB, id string) (displayName string, ok bool, members []string)
	// CountGroups counts the groups whose displayName is exactly the one given.
	CountGroups(t testing.TB, displayName string) int
	// SetTitle changes a user's title, and only that, as another application
	// writing to the database would.
	SetTitle(t testing.TB, id, title string)
}

// Null stands for an unset value in what Backend.User returns.
const Null = "<NULL>"

// User is a user a Backend seeds. The optional attributes hold a string, or nil
// for none (NULL); the empty string is a value.
type User struct {
	ID, UserName                                                         string
	ExternalID, GivenName, FamilyName, Email, Title, Department, Manager any
	Inactive                                                             bool
	// LastModified is the modification time; zero means 2024-01-01T00:00:00Z.
	LastModified time.Time
}

// DefaultLastModified is the modification time of a seeded user that gives none.
var DefaultLastModified = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// RunTests runs the suite: RFC 7644 §3.4 (retrieving), §3.5 (PUT and PATCH) and
// §3.14 (ETags), Okta's SCIM 2.0 SPEC test, the scenarios of Microsoft Entra ID's
// SCIM validator, and the answers to undeclared operations. newTarget serves a
// fresh target over empty data (no users, no groups) for each part; it is called
// once per part, in that part's subtest.
func RunTests(t *testing.T, newTarget func(t *testing.T) Target) {
	parts := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"RFC7644Retrieve", testRetrieve},
		{"RFC7644Modify", testModify},
		{"RFC7644ETags", testETags},
		{"OktaSpec", testOktaSpec},
		{"OktaAgent11", testOkta11},
		{"EntraValidator", testEntraValidator},
		{"Undeclared", testUndeclared},
		{"DeclaredSchema", testDeclaredSchema},
	}
	for _, p := range parts {
		t.Run(p.name, func(t *testing.T) { p.fn(t, newEnv(t, newTarget(t))) })
	}
}

// lacking returns, sorted, the capabilities of want that the target does not
// declare.
func (e *env) lacking(want ...Capability) []string {
	var out []string
	for _, c := range want {
		if !e.declares[c] {
			out = append(out, string(c))
		}
	}
	sort.Strings(out)
	return out
}

// needs skips the test unless the target declares every capability.
func (e *env) needs(t testing.TB, want ...Capability) {
	t.Helper()
	if missing := e.lacking(want...); len(missing) > 0 {
		t.Skipf("the target does not declare %s", strings.Join(missing, ", "))
	}
}

// needsBackend skips the test unless the target has a Backend to seed rows.
func (e *env) needsBackend(t testing.TB) {
	t.Helper()
	if e.backend == nil {
		t.Skip("the target has no Backend: the suite cannot seed rows")
	}
}
