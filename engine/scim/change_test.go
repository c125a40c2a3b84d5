package scim

import (
	"slices"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// TestChangeSummary names PATCH requests as Okta and Entra send them, through the
// change value the handler builds, for the audit trail and the operation metric.
func TestChangeSummary(t *testing.T) {
	path := func(s string) *filter.Path {
		p, err := filter.ParsePath(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	op := func(o, p string, v any) resource.PatchOp {
		out := resource.PatchOp{Op: o, Value: v}
		if p != "" {
			out.Path = path(p)
		}
		return out
	}
	users := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "User", Schema: resource.UserSchema()}}}).types[0]
	groups := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "Group", Schema: resource.GroupSchema()}}}).types[0]
	members := []any{map[string]any{"value": "u1"}, map[string]any{"value": "u2"}}
	for _, tc := range []struct {
		name   string
		rt     *resourceType
		ops    []resource.PatchOp
		kind   string
		values []string
	}{
		{"Okta deactivate", users, []resource.PatchOp{op("replace", "", map[string]any{"active": false})}, "deactivate", nil},
		{"Entra deactivate", users, []resource.PatchOp{op("replace", "active", false)}, "deactivate", nil},
		{"activate", users, []resource.PatchOp{op("replace", "active", true)}, "activate", nil},
		{"active and title", users, []resource.PatchOp{op("replace", "active", true), op("replace", "title", "x")}, "patch", nil},
		{"active with other keys", users, []resource.PatchOp{op("replace", "", map[string]any{"active": false, "title": "x"})}, "patch", nil},
		{"active as text", users, []resource.PatchOp{op("replace", "active", "False")}, "patch", nil},
		{"add members", groups, []resource.PatchOp{op("add", "members", members)}, "add_members", []string{"u1", "u2"}},
		{"remove a member (Entra)", groups, []resource.PatchOp{op("remove", `members[value eq "u3"]`, nil)}, "remove_members", []string{"u3"}},
		{"remove members by a filter with or", groups, []resource.PatchOp{op("remove", `members[value eq "a" or value eq "b"]`, nil)}, "remove_members", []string{"a", "b"}},
		{"remove members (Okta)", groups, []resource.PatchOp{op("remove", "members", members)}, "remove_members", []string{"u1", "u2"}},
		{"remove every member", groups, []resource.PatchOp{op("remove", "members", nil)}, "remove_members", nil},
		{"add members without a path", groups, []resource.PatchOp{op("add", "", map[string]any{"members": members})}, "add_members", []string{"u1", "u2"}},
		{"add then remove one", groups, []resource.PatchOp{op("add", "members", members), op("remove", `members[value eq "u2"]`, nil)}, "patch", nil},
		{"replace members", groups, []resource.PatchOp{op("replace", "members", members)}, "patch", nil},
		{"members and rename", groups, []resource.PatchOp{op("add", "members", members), op("replace", "displayName", "Ops")}, "patch", nil},
		{"grant", users, []resource.PatchOp{op("add", "roles", []any{map[string]any{"value": "admin"}})}, "grant", []string{"admin"}},
		{"revoke", users, []resource.PatchOp{op("remove", `entitlements[value eq "e1"]`, nil)}, "revoke", []string{"e1"}},
		{"revoke two by a filter with or", users, []resource.PatchOp{op("remove", `entitlements[value eq "e1" or value eq "e2"]`, nil)}, "revoke", []string{"e1", "e2"}},
		{"grant and revoke", users, []resource.PatchOp{op("add", "roles", "a"), op("remove", "roles", "b")}, "patch", nil},
		{"rename", groups, []resource.PatchOp{op("replace", "displayName", "Ops")}, "patch", nil},
		{"none", users, nil, "patch", nil},
	} {
		c, e := patchChange(tc.rt, tc.ops)
		if e != nil {
			t.Errorf("%s: %v", tc.name, e)
			continue
		}
		kind, values := c.Summary()
		if kind != tc.kind || !slices.Equal(values, tc.values) {
			t.Errorf("%s: %s %v, want %s %v", tc.name, kind, values, tc.kind, tc.values)
		}
	}
	c, _ := patchChange(groups, []resource.PatchOp{op("replace", "displayName", "Ops")})
	if got := c.Sets("displayName"); got != "Ops" {
		t.Errorf("Sets(displayName) = %q", got)
	}
}

// TestMemberChange reduces member operations, in order, to one change and applies
// it to a set of members.
func TestMemberChange(t *testing.T) {
	ids := func(s ...string) []any {
		out := make([]any, len(s))
		for i, id := range s {
			out[i] = map[string]any{"value": id}
		}
		return out
	}
	path := func(s string) *filter.Path {
		p, err := filter.ParsePath(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	groups := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "Group", Schema: resource.GroupSchema()}}}).types[0]
	for _, tc := range []struct {
		name    string
		ops     []resource.PatchOp
		current []string
		want    []string
	}{
		{"add", []resource.PatchOp{{Op: "add", Path: path("members"), Value: ids("c")}}, []string{"a", "b"}, []string{"a", "b", "c"}},
		{"remove by or filter", []resource.PatchOp{{Op: "remove", Path: path(`members[value eq "a" or value eq "b"]`)}}, []string{"a", "b", "c"}, []string{"c"}},
		{"remove all then add", []resource.PatchOp{{Op: "remove", Path: path("members")}, {Op: "add", Path: path("members"), Value: ids("z")}}, []string{"a"}, []string{"z"}},
		{"remove then add back", []resource.PatchOp{{Op: "remove", Path: path(`members[value eq "a"]`)}, {Op: "add", Path: path("members"), Value: ids("a")}}, []string{"a", "b"}, []string{"a", "b"}},
		{"add then remove", []resource.PatchOp{{Op: "add", Path: path("members"), Value: ids("c")}, {Op: "remove", Path: path(`members[value eq "c"]`)}}, []string{"a"}, []string{"a"}},
		{"replace", []resource.PatchOp{{Op: "replace", Path: path("members"), Value: ids("x", "y")}}, []string{"a"}, []string{"x", "y"}},
	} {
		c, e := patchChange(groups, tc.ops)
		if e != nil {
			t.Fatalf("%s: %v", tc.name, e)
		}
		if got := c.Members.Result(tc.current); !slices.Equal(got, tc.want) {
			t.Errorf("%s: members %v, want %v", tc.name, got, tc.want)
		}
	}
	bad := []resource.PatchOp{{Op: "remove", Path: path(`members[value co "a"]`)}}
	if _, e := patchChange(groups, bad); e == nil || e.ScimType != InvalidFilter {
		t.Errorf("a members filter other than value eq: %v, want invalidFilter", e)
	}
	bad = []resource.PatchOp{{Op: "add", Path: path(`members[value eq "a"]`), Value: ids("a")}}
	if _, e := patchChange(groups, bad); e == nil || e.ScimType != InvalidPath {
		t.Errorf("add through a members filter: %v, want invalidPath", e)
	}
}
