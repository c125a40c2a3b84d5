package resource

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// op builds a PatchOp with a parsed path ("" for none).
func op(t testing.TB, kind, path string, value any) PatchOp {
	t.Helper()
	o := PatchOp{Op: kind, Value: value}
	if path != "" {
		p, err := filter.ParsePath(path)
		if err != nil {
			t.Fatalf("filter.ParsePath(%s): %v", path, err)
		}
		o.Path = p
	}
	return o
}

func TestApplyPatch(t *testing.T) {
	group := Resource{
		"id": "g1", "displayName": "Admins",
		"members": []any{map[string]any{"value": "u1", "display": "One"}, map[string]any{"value": "u2"}},
	}
	tests := []struct {
		name  string
		start Resource
		ops   []PatchOp
		check func(t *testing.T, r Resource)
	}{
		{"okta deactivate: replace without path", testUser(),
			[]PatchOp{op(t, "replace", "", map[string]any{"active": false})},
			wantValue("active", false)},
		{"entra Replace with a string boolean", testUser(),
			[]PatchOp{op(t, "Replace", "active", "False")},
			wantValue("active", false)},
		{"entra no-path replace with URN-keyed object", testUser(),
			[]PatchOp{op(t, "replace", "", map[string]any{EnterpriseUserURN: map[string]any{"department": "Sales"}})},
			all(wantValue(department, "Sales"), wantValue(EnterpriseUserURN+":employeeNumber", "701984"))},
		{"entra no-path replace with URN attribute path keys", testUser(),
			[]PatchOp{op(t, "replace", "", map[string]any{department: "Sales", "name.givenName": "Babs", "userName": "new"})},
			all(wantValue(department, "Sales"), wantValue("name.givenName", "Babs"), wantValue("name.familyName", "Jensen"), wantValue("userName", "new"))},
		{"entra Add to a missing work email creates it", Resource{"userName": "u"},
			[]PatchOp{op(t, "Add", workEmail, "w@x")},
			wantValue("emails", []any{map[string]any{"type": "work", "value": "w@x"}})},
		{"replace through a value path updates", testUser(),
			[]PatchOp{op(t, "replace", workEmail, "new@example.com")},
			all(wantValue(workEmail, "new@example.com"), wantValue(`emails[type eq "home"].value`, "babs@jensen.org"))},
		{"replace through a value path on an absent attribute adds", Resource{"userName": "u"},
			[]PatchOp{op(t, "replace", workEmail, "w@x")},
			wantValue(workEmail, "w@x")},
		{"replace name.givenName keeps familyName", testUser(),
			[]PatchOp{op(t, "replace", "name.givenName", "Babs")},
			all(wantValue("name.givenName", "Babs"), wantValue("name.familyName", "Jensen"))},
		{"replace complex merges", testUser(),
			[]PatchOp{op(t, "replace", "name", map[string]any{"givenName": "Babs"})},
			all(wantValue("name.givenName", "Babs"), wantValue("name.familyName", "Jensen"))},
		{"add complex merges", testUser(),
			[]PatchOp{op(t, "add", "name", map[string]any{"middleName": "M"})},
			all(wantValue("name.givenName", "Barbara"), wantValue("name.middleName", "M"))},
		{"entra sets the manager with a bare id", Resource{"userName": "u"},
			[]PatchOp{op(t, "Add", EnterpriseUserURN+":manager", "m9")},
			wantValue(managerID, "m9")},
		{"replace a manager value in the extension", testUser(),
			[]PatchOp{op(t, "replace", managerID, "m2")},
			wantValue(managerID, "m2")},
		{"entra replace through a type filter adds the element beside others", testUser(),
			[]PatchOp{op(t, "Replace", `emails[type eq "other"].value`, "o@example.com")},
			func(t *testing.T, r Resource) {
				if l, _ := r["emails"].([]any); len(l) != 3 || l[2].(map[string]any)["type"] != "other" || l[2].(map[string]any)["value"] != "o@example.com" {
					t.Errorf("emails %v", r["emails"])
				}
			}},
		{"entra verbose replace: work, mobile and fax numbers, roles by a string boolean", Resource{"userName": "u"},
			[]PatchOp{op(t, "replace", `phoneNumbers[type eq "work"].value`, "1"), op(t, "replace", `phoneNumbers[type eq "work"].primary`, true),
				op(t, "replace", `phoneNumbers[type eq "mobile"].value`, "2"), op(t, "replace", `phoneNumbers[type eq "fax"].value`, "3"),
				op(t, "replace", `roles[primary eq "True"].display`, "D"), op(t, "replace", `roles[primary eq "True"].value`, "V")},
			func(t *testing.T, r Resource) {
				want := Resource{"userName": "u",
					"phoneNumbers": []any{map[string]any{"type": "work", "value": "1", "primary": true},
						map[string]any{"type": "mobile", "value": "2"}, map[string]any{"type": "fax", "value": "3"}},
					"roles": []any{map[string]any{"primary": true, "display": "D", "value": "V"}}}
				if !reflect.DeepEqual(r, want) {
					t.Errorf("got  %v\nwant %v", r, want)
				}
			}},
		{"remove the manager named by value", testUser(),
			[]PatchOp{op(t, "remove", EnterpriseUserURN+":manager", []any{map[string]any{"value": "26118915-6090-4610-87e4-49d8ca9f808d"}})},
			all(wantValue(managerID, nil), wantValue(department, "Tour Operations"))},
		{"remove a manager that is not the current one", testUser(),
			[]PatchOp{op(t, "remove", EnterpriseUserURN+":manager", []any{map[string]any{"value": "someone-else"}})},
			wantValue(managerID, "26118915-6090-4610-87e4-49d8ca9f808d")},
		{"remove an extension attribute", Resource{"userName": "u", EnterpriseUserURN: map[string]any{"department": "D"}},
			[]PatchOp{op(t, "remove", department, nil)},
			wantResource(Resource{"userName": "u"})},
		{"remove a whole extension", testUser(),
			[]PatchOp{op(t, "remove", EnterpriseUserURN, nil)},
			wantAbsent(EnterpriseUserURN)},
		{"remove a simple attribute", testUser(),
			[]PatchOp{op(t, "remove", "title", nil)},
			wantAbsent("title")},
		{"remove through a value path", testUser(),
			[]PatchOp{op(t, "remove", `emails[type eq "home"]`, nil)},
			wantValue("emails", []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}})},
		{"remove through a value path that matches nothing is a no-op", testUser(),
			[]PatchOp{op(t, "remove", `emails[type eq "other"]`, nil)},
			wantResource(testUser())},
		{"remove a sub-attribute through a value path drops the emptied element", testUser(),
			[]PatchOp{op(t, "remove", `emails[type eq "home"].value`, nil)},
			wantValue("emails", []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}})},
		{"okta group membership: remove by filter, add", group,
			[]PatchOp{
				op(t, "remove", `members[value eq "u2"]`, nil),
				op(t, "add", "members", []any{map[string]any{"value": "u3", "display": "Three"}}),
			},
			wantValue("members", []any{map[string]any{"value": "u1", "display": "One"}, map[string]any{"value": "u3", "display": "Three"}})},
		{"adding a present member does not duplicate it", group,
			[]PatchOp{op(t, "add", "members", []any{map[string]any{"value": "u1"}})},
			wantValue("members", group["members"])},
		{"entra Remove members with a value list", group,
			[]PatchOp{op(t, "Remove", "members", []any{map[string]any{"value": "u1", "$ref": nil}})},
			wantValue("members", []any{map[string]any{"value": "u2"}})},
		{"replace a multi-valued attribute entirely", group,
			[]PatchOp{op(t, "replace", "members", []any{map[string]any{"value": "u9"}})},
			wantValue("members", []any{map[string]any{"value": "u9"}})},
		{"a single element where an array belongs", group,
			[]PatchOp{op(t, "add", "members", map[string]any{"value": "u4"})},
			func(t *testing.T, r Resource) {
				if l, _ := r["members"].([]any); len(l) != 3 {
					t.Errorf("members = %v", r["members"])
				}
			}},
		{"primary true on a new email clears the old primary", testUser(),
			[]PatchOp{op(t, "add", "emails", []any{map[string]any{"value": "new@x", "type": "other", "primary": true}})},
			func(t *testing.T, r Resource) {
				primaries := 0
				for _, e := range r["emails"].([]any) {
					if e.(map[string]any)["primary"] == true {
						primaries++
						if e.(map[string]any)["value"] != "new@x" {
							t.Errorf("wrong primary: %v", e)
						}
					}
				}
				if primaries != 1 {
					t.Errorf("%d primary emails: %v", primaries, r["emails"])
				}
			}},
		{"primary through a value path", testUser(),
			[]PatchOp{op(t, "replace", `emails[type eq "home"].primary`, true)},
			all(wantValue(`emails[type eq "home"].primary`, true), wantValue(`emails[type eq "work"].primary`, false))},
		{"okta group rename sends the same id along", group,
			[]PatchOp{op(t, "replace", "", map[string]any{"id": "g1", "displayName": "Admins 2"})},
			all(wantValue("displayName", "Admins 2"), wantValue("id", "g1"))},
		{"null value is a removal", testUser(),
			[]PatchOp{op(t, "replace", "title", nil)},
			wantAbsent("title")},
		{"operations apply in order", Resource{"userName": "u"},
			[]PatchOp{op(t, "add", "title", "a"), op(t, "replace", "title", "b"), op(t, "add", "nickName", "n"), op(t, "remove", "nickName", nil)},
			wantResource(Resource{"userName": "u", "title": "b"})},
		{"names in any case are stored canonically", Resource{"userName": "u"},
			[]PatchOp{op(t, "add", "NAME.GIVENNAME", "A"), op(t, "add", "", map[string]any{"DisplayName": "D"})},
			wantResource(Resource{"userName": "u", "name": map[string]any{"givenName": "A"}, "displayName": "D"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := CopyResource(tt.start)
			schemas := []*Schema{UserSchema(), EnterpriseUserSchema()}
			if _, isGroup := tt.start["displayName"]; isGroup && tt.start["userName"] == nil {
				schemas = []*Schema{GroupSchema()}
			}
			got, err := ApplyPatch(context.Background(), tt.start, tt.ops, schemas...)
			if err != nil {
				t.Fatalf("ApplyPatch: %v", err)
			}
			tt.check(t, got)
			if !reflect.DeepEqual(tt.start, before) {
				t.Errorf("ApplyPatch changed its input:\n got %v\nwant %v", tt.start, before)
			}
		})
	}
}

func TestApplyPatchErrors(t *testing.T) {
	tests := []struct {
		name     string
		ops      []PatchOp
		status   int
		scimType string
	}{
		{"unknown op", []PatchOp{op(t, "move", "title", "x")}, 400, "invalidSyntax"},
		{"remove without path", []PatchOp{op(t, "remove", "", nil)}, 400, "noTarget"},
		{"replace through a filter that matches nothing", []PatchOp{op(t, "replace", `emails[value co "@nowhere"].value`, "x")}, 400, "noTarget"},
		{"replace through an or filter that matches nothing", []PatchOp{op(t, "replace", `emails[type eq "other" or type eq "x"]`, map[string]any{"value": "x"})}, 400, "noTarget"},
		{"path naming id", []PatchOp{op(t, "replace", "id", "x")}, 400, "mutability"},
		{"path naming meta", []PatchOp{op(t, "replace", "meta.created", "x")}, 400, "mutability"},
		{"path naming groups", []PatchOp{op(t, "add", "groups", []any{map[string]any{"value": "g"}})}, 400, "mutability"},
		{"path naming a read-only sub-attribute", []PatchOp{op(t, "replace", EnterpriseUserURN+":manager.displayName", "x")}, 400, "mutability"},
		{"no-path id that differs", []PatchOp{op(t, "replace", "", map[string]any{"id": "other"})}, 400, "mutability"},
		{"no-path value that is not an object", []PatchOp{op(t, "replace", "", "x")}, 400, "invalidValue"},
		{"boolean that is not one", []PatchOp{op(t, "replace", "active", "maybe")}, 400, "invalidValue"},
		{"object for a simple attribute", []PatchOp{op(t, "replace", "title", map[string]any{"a": 1})}, 400, "invalidValue"},
		{"string for a complex attribute", []PatchOp{op(t, "replace", "name", "Barbara")}, 400, "invalidValue"},
		{"removing userName", []PatchOp{op(t, "remove", "userName", nil)}, 400, "mutability"},
		{"a later op fails: nothing applies", []PatchOp{op(t, "replace", "title", "new"), op(t, "replace", "id", "x")}, 400, "mutability"},
		{"value filter on a simple attribute", []PatchOp{op(t, "replace", `title[value eq "x"]`, "y")}, 400, "invalidPath"},
		{"value filter type error", []PatchOp{op(t, "replace", `emails[primary gt true].value`, "y")}, 400, "invalidFilter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := testUser()
			got, err := ApplyPatch(context.Background(), start, tt.ops, UserSchema(), EnterpriseUserSchema())
			if k := fault.KindOf(err); tt.status != 400 || k != scimTypeKinds[tt.scimType] {
				t.Fatalf("ApplyPatch = %v, %v; want an error answered %d %s", got, err, tt.status, tt.scimType)
			}
			if !reflect.DeepEqual(start, testUser()) {
				t.Error("a failed ApplyPatch changed its input")
			}
		})
	}
}

func wantValue(path string, want any) func(*testing.T, Resource) {
	return func(t *testing.T, r Resource) {
		t.Helper()
		got, _ := GetValue(r, path)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
}

func wantAbsent(path string) func(*testing.T, Resource) {
	return func(t *testing.T, r Resource) {
		t.Helper()
		if got, ok := GetValue(r, path); ok {
			t.Errorf("%s = %v, want absent", path, got)
		}
	}
}

func wantResource(want Resource) func(*testing.T, Resource) {
	return func(t *testing.T, r Resource) {
		t.Helper()
		if !reflect.DeepEqual(r, want) {
			t.Errorf("resource:\n got %v\nwant %v", r, want)
		}
	}
}

func all(checks ...func(*testing.T, Resource)) func(*testing.T, Resource) {
	return func(t *testing.T, r Resource) {
		t.Helper()
		for _, c := range checks {
			c(t, r)
		}
	}
}

// scimTypeKinds are the kinds of error answered with each scimType, so that the
// cases above read as the client sees them.
var scimTypeKinds = map[string]fault.Kind{
	"invalidValue":  fault.Invalid,
	"invalidPath":   fault.InvalidPath,
	"invalidFilter": fault.InvalidFilter,
	"invalidSyntax": fault.InvalidSyntax,
	"noTarget":      fault.NoTarget,
	"mutability":    fault.ReadOnly,
}

// TestApplyPatchStopsAtDeadline: adding thousands of values to a multi-valued
// attribute (each one looked for among the others) stops once the request's time
// is up, with the Timeout the store answers 503 for, and leaves the input alone.
func TestApplyPatchStopsAtDeadline(t *testing.T) {
	var roles []any
	for i := 0; i < 5000; i++ {
		roles = append(roles, map[string]any{"value": fmt.Sprintf("role-%d", i)})
	}
	start := Resource{"id": "u1", "userName": "a"}
	ops := []PatchOp{op(t, "add", "roles", roles)}
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	if _, err := ApplyPatch(ctx, start, ops, UserSchema()); !fault.Is(err, fault.Timeout) {
		t.Fatalf("a patch applied past its deadline: %v, want Timeout", err)
	}
	if len(start) != 2 {
		t.Fatalf("the input changed: %v", start)
	}
	live, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	got, err := ApplyPatch(live, start, ops, UserSchema())
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := AsList(got["roles"]); len(l) != 5000 {
		t.Fatalf("%d roles after the patch, want 5000", len(l))
	}
	// Canceled between two values: the loop itself looks at the context.
	list := []any{}
	for i := 0; i < 3*checkEvery; i++ {
		list = append(list, fmt.Sprintf("v%d", i))
	}
	cancel2()
	err = (&SchemaSet{}).applyAttr(live, map[string]any{"x": []any{}}, Target{Name: "x"}, PatchOp{Op: "add", Value: list})
	if !fault.Is(err, fault.Canceled) {
		t.Fatalf("a long add after cancel: %v, want Canceled", err)
	}
}

// TestElementIndexFinds: the index finds the same element indexOfElement finds,
// for values of every shape (letter case, types, numbers, dateTime text, objects
// without a value), case-exact or not.
func TestElementIndexFinds(t *testing.T) {
	values := []any{
		"a", "A", "b", "2024-01-01T00:00:00Z", "2024-01-01t00:00:00z", "2024-01-01T01:00:00+01:00", 5.0, "5", true, nil,
		map[string]any{"value": "a"}, map[string]any{"Value": "A", "type": "work"}, map[string]any{"value": "a", "type": "home"},
		map[string]any{"value": "b", "type": nil}, map[string]any{"display": "x"}, map[string]any{"value": 5.0},
		map[string]any{"value": "2024-01-01T00:00:00Z"}, map[string]any{"value": "2024-01-01T01:00:00+01:00", "type": "work"},
	}
	for _, exact := range []bool{false, true} {
		a := &Attribute{Name: "x", MultiValued: true, CaseExact: exact}
		for shift := range values {
			list := append(append([]any(nil), values[shift:]...), values[:shift]...)
			ix := newElementIndex(list, a)
			for _, x := range values {
				if got, want := ix.find(list, x), indexOfElement(list, x, a); got != want {
					t.Errorf("exact %v, list %v: find(%v) = %d, indexOfElement = %d", exact, list, x, got, want)
				}
			}
		}
	}
}
