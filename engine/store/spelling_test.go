package store

import (
	"encoding/json"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// TestMappedRowsAsSetValue checks that a row mapped with exact key matches
// (mappings that spell each name one way) is the resource SetValue builds, and
// that mappings spelling a name two ways are mapped with SetValue.
func TestMappedRowsAsSetValue(t *testing.T) {
	rec := run.Record{"id": "u1", "login": "ann", "given": "Ann", "family": "Lee", "mail": "a@x", "home": "a@home",
		"dept": "Sales", "mgr": "u9", "ext": "X1", "act": true, "title": "Dr"}
	for _, tt := range []struct {
		name string
		maps []operations.Mapping
		one  bool
	}{
		{"one spelling", []operations.Mapping{
			{Path: "userName", Column: "login"}, {Path: "name.givenName", Column: "given"}, {Path: "name.familyName", Column: "family"},
			{Path: `emails[type eq "work"].value`, Column: "mail"}, {Path: `emails[type eq "home"].value`, Column: "home"},
			{Path: "externalid", Column: "ext"}, {Path: "active", Column: "act"}, {Path: "title", Column: "title"},
			{Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", Column: "dept"},
			{Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", Column: "mgr"},
		}, true},
		{"two spellings", []operations.Mapping{
			{Path: "userName", Column: "login"}, {Path: "name.givenName", Column: "given"}, {Path: "Name.familyName", Column: "family"},
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cols := resolve(tt.maps, resource.UserSchema(), resource.EnterpriseUserSchema())
			if cols[0].oneSpelling != tt.one {
				t.Fatalf("oneSpelling = %v, want %v", cols[0].oneSpelling, tt.one)
			}
			got, err := toResource("id", cols, rec)
			if err != nil {
				t.Fatal(err)
			}
			want := resource.Resource{"id": "u1"}
			for i := range cols {
				v, _ := rec.Get(cols[i].Column)
				sv, ok := cols[i].toSCIM(v)
				if ok {
					if err := resource.SetValue(want, cols[i].Path, sv); err != nil {
						t.Fatal(err)
					}
				}
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Errorf("mapped %s\nSetValue %s", g, w)
			}
		})
	}
}
