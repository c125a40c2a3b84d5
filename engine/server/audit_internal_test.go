package server

import (
	"slices"
	"testing"

	"github.com/dbscim/dbscim/engine/scim"
	filter "github.com/scim2/filter-parser/v2"
)

// TestPatchKind names PATCH requests as Okta and Entra send them for the audit
// trail and the operation metric.
func TestPatchKind(t *testing.T) {
	path := func(s string) *filter.Path {
		p, err := filter.ParsePath([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return &p
	}
	op := func(o, p string, v any) scim.PatchOp {
		out := scim.PatchOp{Op: o, Value: v}
		if p != "" {
			out.Path = path(p)
		}
		return out
	}
	members := []any{map[string]any{"value": "u1"}, map[string]any{"value": "u2"}}
	for _, tc := range []struct {
		name   string
		ops    []scim.PatchOp
		kind   string
		values []string
	}{
		{"Okta deactivate", []scim.PatchOp{op("replace", "", map[string]any{"active": false})}, "deactivate", nil},
		{"Entra deactivate", []scim.PatchOp{op("replace", "active", false)}, "deactivate", nil},
		{"activate", []scim.PatchOp{op("replace", "active", true)}, "activate", nil},
		{"active and title", []scim.PatchOp{op("replace", "active", true), op("replace", "title", "x")}, "patch", nil},
		{"active with other keys", []scim.PatchOp{op("replace", "", map[string]any{"active": false, "title": "x"})}, "patch", nil},
		{"active as text", []scim.PatchOp{op("replace", "active", "False")}, "patch", nil},
		{"add members", []scim.PatchOp{op("add", "members", members)}, "add_members", []string{"u1", "u2"}},
		{"remove a member (Entra)", []scim.PatchOp{op("remove", `members[value eq "u3"]`, nil)}, "remove_members", []string{"u3"}},
		{"remove members (Okta)", []scim.PatchOp{op("remove", "members", members)}, "remove_members", []string{"u1", "u2"}},
		{"replace members", []scim.PatchOp{op("replace", "members", members)}, "patch", nil},
		{"grant", []scim.PatchOp{op("add", "roles", []any{map[string]any{"value": "admin"}})}, "grant", []string{"admin"}},
		{"revoke", []scim.PatchOp{op("remove", `entitlements[value eq "e1"]`, nil)}, "revoke", []string{"e1"}},
		{"grant and revoke", []scim.PatchOp{op("add", "roles", "a"), op("remove", "roles", "b")}, "patch", nil},
		{"rename", []scim.PatchOp{op("replace", "displayName", "Ops")}, "patch", nil},
		{"none", nil, "patch", nil},
	} {
		kind, values := patchKind(tc.ops)
		if kind != tc.kind || !slices.Equal(values, tc.values) {
			t.Errorf("%s: %s %v, want %s %v", tc.name, kind, values, tc.kind, tc.values)
		}
	}
	if got := patchNames([]scim.PatchOp{op("replace", "displayName", "Ops")}); got["displayName"] != "Ops" {
		t.Errorf("patchNames = %v", got)
	}
}
