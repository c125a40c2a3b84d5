package scim11

import (
	"encoding/json"
	"testing"
)

func TestRenameIn(t *testing.T) {
	for in, want := range map[string]string{
		`urn:scim:schemas:extension:enterprise:1.0:department eq "Ops"`: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Ops"`,
		`URN:SCIM:SCHEMAS:CORE:1.0:userName eq "a" and title pr`:        `userName eq "a" and title pr`,
		`meta.lastModified gt "2026-01-01T00:00:00Z"`:                   `meta.lastModified gt "2026-01-01T00:00:00Z"`,
		`urn:okta:onprem_app:1.0:user:custom:employeeNumber eq "1"`:     `urn:okta:onprem_app:1.0:user:custom:employeeNumber eq "1"`,
	} {
		if got := renameIn(in); got != want {
			t.Errorf("renameIn(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestPatchOps pins how a 1.1 PATCH body becomes PatchOp operations: removals
// first, then element deletions and additions, then the replaced attributes.
func TestPatchOps(t *testing.T) {
	var body map[string]any
	json.Unmarshal([]byte(`{"schemas": ["urn:scim:schemas:core:1.0"],
		"meta": {"attributes": ["title", "urn:scim:schemas:extension:enterprise:1.0:department"]},
		"members": [{"value": "a", "operation": "delete"}, {"value": "b", "display": "B"}],
		"urn:scim:schemas:extension:enterprise:1.0": {"costCenter": "7"}}`), &body)
	ops, e := patchOps(body)
	if e != nil {
		t.Fatal(e)
	}
	got, _ := json.Marshal(ops)
	want := `[{"op":"remove","path":"title"},{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},` +
		`{"op":"remove","path":"members[value eq \"a\"]"},{"op":"add","path":"members","value":[{"display":"B","value":"b"}]},` +
		`{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"costCenter":"7"}}}]`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
