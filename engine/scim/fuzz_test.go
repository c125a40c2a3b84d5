package scim

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
)

// FuzzApplyPatch feeds PatchOp request bodies through the handler's normalisation
// and ApplyPatch: no panic, failures are *Error, the input resource is never
// changed and a result can be encoded as JSON. Seeds: f.Add below and
// testdata/fuzz/FuzzApplyPatch.
func FuzzApplyPatch(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"x@y"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"emails[type eq \"home\"]"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m"}}}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"emails","value":[{"value":"a","primary":true},{"value":"b","primary":true}]}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members","value":[{"value":"u1"}]}]}`,
	} {
		f.Add(s)
	}
	ss := resource.NewSchemaSet([]*resource.Schema{resource.UserSchema(), resource.EnterpriseUserSchema()})
	f.Fuzz(func(t *testing.T, body string) {
		var m map[string]any
		if json.Unmarshal([]byte(body), &m) != nil || m == nil {
			return
		}
		start := fuzzUser()
		ops, e := parsePatch(context.Background(), ss, m, start["id"].(string))
		if e != nil {
			if e.Status != 400 {
				t.Fatalf("parsePatch: %v", e)
			}
			return
		}
		got, err := resource.ApplyPatch(context.Background(), start, ops, resource.UserSchema(), resource.EnterpriseUserSchema())
		if !reflect.DeepEqual(start, fuzzUser()) {
			t.Fatalf("ApplyPatch changed its input")
		}
		if err != nil {
			if e, ok := AsError(err); !ok || e.Status != 400 || e.ScimType == "" {
				t.Fatalf("ApplyPatch error %v is not answered 400 with a scimType", err)
			}
			return
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("result cannot be encoded: %v", err)
		}
	})
}

// fuzzUser is RFC 7643's example user, the resource every fuzzed patch starts from.
func fuzzUser() resource.Resource {
	return resource.Resource{
		"id":       "2819c223-7f76-453a-919d-413861904646",
		"userName": "Bjensen@Example.com",
		"name":     map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"active":   true,
		"emails": []any{
			map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
			map[string]any{"value": "babs@jensen.org", "type": "home"},
		},
		resource.EnterpriseUserURN: map[string]any{
			"department": "Tour Operations",
			"manager":    map[string]any{"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"},
		},
	}
}
