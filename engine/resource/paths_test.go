package resource

import (
	"reflect"
	"testing"

	"github.com/dbscim/dbscim/engine/fault"
)

const (
	workEmail  = `emails[type eq "work"].value`
	department = EnterpriseUserURN + ":department"
	managerID  = EnterpriseUserURN + ":manager.value"
)

func TestGetValue(t *testing.T) {
	r := testUser()
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{"userName", "Bjensen@Example.com", true},
		{"USERNAME", "Bjensen@Example.com", true},
		{"name.givenName", "Barbara", true},
		{"name.GIVENNAME", "Barbara", true},
		{"name.middleName", nil, false},
		{workEmail, "bjensen@example.com", true},
		{`emails[type eq "home"].value`, "babs@jensen.org", true},
		{`emails[type eq "other"].value`, nil, false},
		{"emails.value", "bjensen@example.com", true}, // the primary one
		{"active", true, true},
		{department, "Tour Operations", true},
		{managerID, "26118915-6090-4610-87e4-49d8ca9f808d", true},
		{"urn:ietf:params:scim:schemas:core:2.0:User:userName", "Bjensen@Example.com", true},
		{"nickName", nil, false},
		{"emails[", nil, false},
	}
	for _, tt := range tests {
		got, ok := GetValue(r, tt.path)
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("GetValue(%s) = %v, %v; want %v, %v", tt.path, got, ok, tt.want, tt.ok)
		}
	}
	if m, ok := GetValue(r, EnterpriseUserURN); !ok || m.(map[string]any)["department"] != "Tour Operations" {
		t.Errorf("GetValue(extension URN) = %v, %v", m, ok)
	}
}

func TestSetValue(t *testing.T) {
	tests := []struct {
		name  string
		start Resource
		path  string
		v     any
		want  Resource
	}{
		{"simple", Resource{}, "userName", "a", Resource{"userName": "a"}},
		{"keeps existing casing", Resource{"USERNAME": "a"}, "userName", "b", Resource{"USERNAME": "b"}},
		{"sub-attribute creates the parent", Resource{}, "name.givenName", "A", Resource{"name": map[string]any{"givenName": "A"}}},
		{"sub-attribute keeps siblings", Resource{"name": map[string]any{"familyName": "F"}}, "name.givenName", "A",
			Resource{"name": map[string]any{"familyName": "F", "givenName": "A"}}},
		{"value path appends an element", Resource{}, workEmail, "w@x",
			Resource{"emails": []any{map[string]any{"type": "work", "value": "w@x"}}}},
		{"value path updates the matching element",
			Resource{"emails": []any{map[string]any{"type": "home", "value": "h@x"}, map[string]any{"type": "Work", "value": "old"}}},
			workEmail, "new",
			Resource{"emails": []any{map[string]any{"type": "home", "value": "h@x"}, map[string]any{"type": "Work", "value": "new"}}}},
		{"value path appends beside other elements",
			Resource{"emails": []any{map[string]any{"type": "home", "value": "h@x"}}}, workEmail, "w@x",
			Resource{"emails": []any{map[string]any{"type": "home", "value": "h@x"}, map[string]any{"type": "work", "value": "w@x"}}}},
		{"nil removes the element it created",
			Resource{"emails": []any{map[string]any{"type": "work", "value": "w@x", "primary": true}}}, workEmail, nil, Resource{}},
		{"nil keeps an element with other data",
			Resource{"emails": []any{map[string]any{"type": "work", "value": "w@x", "note": "n"}}}, workEmail, nil,
			Resource{"emails": []any{map[string]any{"type": "work", "note": "n"}}}},
		{"boolean", Resource{}, "active", false, Resource{"active": false}},
		{"extension attribute", Resource{}, department, "D", Resource{EnterpriseUserURN: map[string]any{"department": "D"}}},
		{"extension sub-attribute", Resource{}, managerID, "m1",
			Resource{EnterpriseUserURN: map[string]any{"manager": map[string]any{"value": "m1"}}}},
		{"nil removes and prunes", Resource{"name": map[string]any{"givenName": "A"}}, "name.givenName", nil, Resource{}},
		{"nil removes an extension attribute and the empty extension",
			Resource{EnterpriseUserURN: map[string]any{"department": "D"}}, department, nil, Resource{}},
		{"nil on nothing", Resource{}, department, nil, Resource{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CopyResource(tt.start)
			if err := SetValue(r, tt.path, tt.v); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r, tt.want) {
				t.Errorf("SetValue(%s, %v):\n got %v\nwant %v", tt.path, tt.v, r, tt.want)
			}
			if tt.v != nil {
				if got, ok := GetValue(r, tt.path); !ok || got != tt.v {
					t.Errorf("GetValue after SetValue = %v, %v", got, ok)
				}
			}
		})
	}
	if err := SetValue(Resource{}, "emails[", "x"); !fault.Is(err, fault.InvalidPath) {
		t.Errorf("SetValue with a bad path: %v", err)
	}
	if err := SetValue(Resource{}, `emails[type ne "work"].value`, "x"); !fault.Is(err, fault.NoTarget) {
		t.Errorf("SetValue through a filter that cannot build an element: %v", err)
	}
}

func TestCanonicalize(t *testing.T) {
	in := Resource{
		"schemas":  []any{UserSchemaURN},
		"USERNAME": "a",
		"Active":   "False",
		"NAME":     map[string]any{"GivenName": "A"},
		"emails":   []any{map[string]any{"VALUE": "a@x", "Primary": "TRUE"}},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": map[string]any{"Department": "D"},
		EnterpriseUserURN + ":employeeNumber":                        "7",
		UserSchemaURN + ":title":                                     "T",
		"customThing":                                                "kept",
	}
	want := Resource{
		"schemas":     []any{UserSchemaURN},
		"userName":    "a",
		"active":      false,
		"name":        map[string]any{"givenName": "A"},
		"emails":      []any{map[string]any{"value": "a@x", "primary": true}},
		"title":       "T",
		"customThing": "kept",
		EnterpriseUserURN: map[string]any{
			"department":     "D",
			"employeeNumber": "7",
		},
	}
	got := Canonicalize(in, UserSchema(), EnterpriseUserSchema())
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Canonicalize:\n got %v\nwant %v", got, want)
	}
	if in["Active"] != "False" {
		t.Error("Canonicalize changed its input")
	}
	// The canonically spelled key wins over another casing, whatever the map order.
	for range 20 {
		got := Canonicalize(Resource{"userName": "right", "USERNAME": "wrong"}, UserSchema())
		if got["userName"] != "right" {
			t.Fatalf("duplicate casing: got %v", got)
		}
	}
}
