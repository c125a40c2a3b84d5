package scim

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzParseFilter checks that no filter text makes ParseFilter (the Entra
// normaliser and filter-parser behind it) or Match panic, and that every failure
// is a 400 invalidFilter *Error. Seeds: f.Add below and testdata/fuzz/FuzzParseFilter.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		`userName eq "bjensen"`,
		`emails[type eq "work"].value eq "x"`,
		`externalId eq jyoung`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`not (title pr) or active eq false`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"`,
		`emails[type eq work and value co "@"]`,
		`a eq "\u00e9\"`,
		`((((`,
		`]].x eq y`,
	} {
		f.Add(s)
	}
	schemas := []*Schema{UserSchema(), EnterpriseUserSchema()}
	f.Fuzz(func(t *testing.T, s string) {
		expr, err := ParseFilter(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || e.ScimType != "invalidFilter" {
				t.Fatalf("ParseFilter(%q) error %v is not a 400 invalidFilter *Error", s, err)
			}
			return
		}
		if expr == nil {
			t.Fatalf("ParseFilter(%q) = nil, nil", s)
		}
		for _, sc := range [][]*Schema{schemas, nil} {
			if _, err := Match(expr, testUser(), sc...); err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Status != 400 {
					t.Fatalf("Match(%q) error %v is not a 400 *Error", s, err)
				}
			}
		}
	})
}

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
	ss := newSchemaSet([]*Schema{UserSchema(), EnterpriseUserSchema()})
	f.Fuzz(func(t *testing.T, body string) {
		var m map[string]any
		if json.Unmarshal([]byte(body), &m) != nil || m == nil {
			return
		}
		start := testUser()
		ops, e := parsePatch(ss, m, start["id"].(string))
		if e != nil {
			if e.Status != 400 {
				t.Fatalf("parsePatch: %v", e)
			}
			return
		}
		got, err := ApplyPatch(start, ops, UserSchema(), EnterpriseUserSchema())
		if !reflect.DeepEqual(start, testUser()) {
			t.Fatalf("ApplyPatch changed its input")
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status != 400 || e.ScimType == "" {
				t.Fatalf("ApplyPatch error %v is not a 400 *Error with a scimType", err)
			}
			return
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("result cannot be encoded: %v", err)
		}
		// ExpandOps describes the same change.
		expanded, err := ExpandOps(ops, UserSchema(), EnterpriseUserSchema())
		if err != nil {
			t.Fatalf("ExpandOps failed where ApplyPatch succeeded: %v", err)
		}
		again, err := ApplyPatch(start, expanded, UserSchema(), EnterpriseUserSchema())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("expanded ops differ:\n%v\n%v (%v)", got, again, err)
		}
	})
}
