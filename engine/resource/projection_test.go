package resource

import (
	"reflect"
	"testing"
)

// TestKeepsWhole checks that every member KeepsWhole lets through is one the
// projection returns unchanged, and that the members it must drop or trim are
// not let through.
func TestKeepsWhole(t *testing.T) {
	ss := NewSchemaSet([]*Schema{UserSchema(), EnterpriseUserSchema()})
	pr := NewProjector(ss, Projection{})
	r := testUser()
	r["schemas"] = []any{UserSchemaURN}
	r["meta"] = map[string]any{"resourceType": "User", "location": "l", "version": "v"}
	r["password"] = "secret"
	r["Password"] = "secret"
	r["unknownAttribute"] = "x"
	r[EnterpriseUserURN+"x"] = "not an object"
	kept := 0
	for k, v := range r {
		one := Resource{k: v}
		if !pr.KeepsWhole(k, v) {
			continue
		}
		kept++
		if got := pr.Apply(one); !reflect.DeepEqual(got, one) {
			t.Errorf("%s: KeepsWhole, but the projection returns %v", k, got)
		}
	}
	if kept < 8 {
		t.Errorf("only %d of %d members kept whole", kept, len(r))
	}
	for _, k := range []string{"password", "Password", "unknownAttribute"} {
		if pr.KeepsWhole(k, r[k]) {
			t.Errorf("%s kept whole", k)
		}
	}
	if pr.KeepsWhole(EnterpriseUserURN, "text") || pr.KeepsWhole(EnterpriseUserURN, map[string]any{}) {
		t.Error("an extension that is not a non-empty object kept whole")
	}
	if NewProjector(ss, Projection{Excluded: []string{"title"}}).KeepsWhole("userName", "x") {
		t.Error("a projection with excludedAttributes keeps members whole")
	}
	if NewProjector(NewSchemaSet(nil), Projection{}).KeepsWhole("userName", "x") {
		t.Error("a schema-less projection keeps members whole")
	}
}
