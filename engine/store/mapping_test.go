package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

func TestBooleanForms(t *testing.T) {
	tests := []struct {
		in   any
		want bool
		ok   bool
	}{
		{true, true, true}, {false, false, true},
		{int64(1), true, true}, {int64(0), false, true},
		{"Y", true, true}, {"n", false, true}, {"T", true, true}, {"F", false, true},
		{"true", true, true}, {"FALSE", false, true}, {"yes", true, true}, {"off", false, true},
		{"1", true, true}, {"0", false, true}, {" Y ", true, true},
		{"maybe", false, false}, {nil, false, false}, {"", false, false},
	}
	for _, tt := range tests {
		got, ok := parseBool(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseBool(%#v) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestColumnConversions(t *testing.T) {
	yn := column{Mapping: operations.Mapping{Path: "active", Column: "IS_ACTIVE", Values: boolCodes("Y", "N")}, kind: "boolean"}
	status := column{Mapping: operations.Mapping{Path: "active", Column: "STATUS", Values: []operations.CodedValue{
		{Value: true, Stored: []any{"A", "L"}, Write: "A"}, {Value: false, Stored: []any{"T"}, Write: "T"}}}, kind: "boolean"}
	kind := column{Mapping: operations.Mapping{Path: "userType", Column: "KIND", Values: []operations.CodedValue{
		{Value: "Employee", Stored: []any{"E"}, Write: "E"}, {Value: "Contractor", Stored: []any{"C", int64(9)}, Write: "C"}}}, kind: "string", caseFold: true}
	plain := column{Mapping: operations.Mapping{Path: "active", Column: "IS_ACTIVE"}, kind: "boolean"}
	num := column{Mapping: operations.Mapping{Path: "x", Column: "N"}, kind: "integer"}
	when := column{Mapping: operations.Mapping{Path: "meta.lastModified", Column: "M"}, kind: "dateTime"}
	str := column{Mapping: operations.Mapping{Path: "title", Column: "TITLE"}, kind: "string"}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("x", 5*3600))

	toSCIM := []struct {
		c    column
		in   any
		want any
		ok   bool
	}{
		{yn, "Y", true, true}, {yn, "N", false, true}, {yn, "1", nil, false}, {yn, "y", nil, false},
		{status, "A", true, true}, {status, "L", true, true}, {status, "T", false, true}, {status, "T  ", false, true},
		{status, "X", nil, false}, {status, nil, nil, false},
		{kind, "E", "Employee", true}, {kind, "C", "Contractor", true}, {kind, "9", "Contractor", true}, {kind, int64(9), "Contractor", true},
		{kind, "Q", nil, false},
		{plain, int64(0), false, true}, {plain, true, true, true}, {plain, "x", false, false},
		{num, "42", int64(42), true}, {num, int64(7), int64(7), true}, {num, "4x", int64(0), false},
		{when, at, "2026-11-23T05:00:00Z", true},
		{str, int64(10007), "10007", true}, {str, "010007", "010007", true},
		{str, nil, nil, false},
	}
	for _, tt := range toSCIM {
		got, ok := tt.c.toSCIM(tt.in)
		if ok != tt.ok || ok && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s toSCIM(%#v) = %#v, %v; want %#v, %v", tt.c.Path, tt.in, got, ok, tt.want, tt.ok)
		}
	}

	toDB := []struct {
		c       column
		in      any
		want    any
		invalid bool
	}{
		{yn, true, "Y", false}, {yn, "False", "N", false}, {yn, "maybe", nil, true},
		{status, true, "A", false}, {status, false, "T", false}, {status, "true", "A", false},
		{kind, "Contractor", "C", false}, {kind, "employee", "E", false}, {kind, "Intern", nil, true}, {kind, float64(1), nil, true},
		{plain, true, true, false}, {plain, "True", true, false}, {plain, "nope", nil, true},
		{num, float64(3), int64(3), false}, {num, "12", int64(12), false}, {num, "x", nil, true},
		{when, "2026-11-23T10:00:00+05:00", at.UTC(), false}, {when, "yesterday", nil, true},
		{str, "O'Brien; DROP TABLE users", "O'Brien; DROP TABLE users", false},
		{str, float64(5), "5", false},
		{str, map[string]any{"a": 1}, nil, true},
		{str, nil, nil, false},
	}
	for _, tt := range toDB {
		got, err := tt.c.toDB(tt.in)
		if tt.invalid {
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("%s toDB(%#v): error %v, want an invalid value", tt.c.Path, tt.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s toDB(%#v) = %#v, %v; want %#v", tt.c.Path, tt.in, got, err, tt.want)
		}
	}
}

// TestResourceRecordRoundTrip maps a row to a resource and back through the path
// forms DBAs declare: sub-attributes, value-filtered multi-valued attributes and
// enterprise extension URNs.
func TestResourceRecordRoundTrip(t *testing.T) {
	maps := []operations.Mapping{
		{Path: "userName", Column: "USERNAME"},
		{Path: "name.givenName", Column: "FIRSTNAME"},
		{Path: `emails[type eq "work"].value`, Column: "EMAIL"},
		{Path: "active", Column: "IS_ACTIVE", Values: boolCodes(int64(1), int64(0))},
		{Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", Column: "DEPARTMENT"},
		{Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", Column: "MANAGERID"},
	}
	cols := resolve(maps, resource.UserSchema(), resource.EnterpriseUserSchema())
	rec := run.Record{"user_id": int64(10007), "username": "luke", "firstname": "Luke", "email": "luke@galaxy.local",
		"is_active": int64(1), "department": "Jedi", "managerid": "yoda"}
	res, err := toResource("USER_ID", cols, rec)
	if err != nil {
		t.Fatal(err)
	}
	want := resource.Resource{
		"id": "10007", "userName": "luke", "name": map[string]any{"givenName": "Luke"},
		"emails": []any{map[string]any{"type": "work", "value": "luke@galaxy.local"}},
		"active": true,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{
			"department": "Jedi", "manager": map[string]any{"value": "yoda"}},
	}
	if !reflect.DeepEqual(res, want) {
		t.Fatalf("toResource = %#v\nwant %#v", res, want)
	}
	back, err := toRecord(cols, res)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"username", "firstname", "email", "is_active", "department", "managerid"} {
		if !sameValue(back[k], rec[k]) {
			t.Errorf("%s: %#v, want %#v", k, back[k], rec[k])
		}
	}
	if !resolve(maps, resource.UserSchema())[0].simple || cols[2].simple {
		t.Errorf("userName must be filterable in SQL, a value-filtered email not")
	}
}

// TestReadOnlyMappings marks the columns a client cannot write, which a PUT then
// leaves as stored.
func TestReadOnlyMappings(t *testing.T) {
	cols := resolve([]operations.Mapping{
		{Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName", Column: "MANAGER"},
		{Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", Column: "MANAGERID"},
		{Path: "title", Column: "TITLE"},
	}, resource.UserSchema(), resource.EnterpriseUserSchema())
	if !cols[0].readOnly || cols[1].readOnly || cols[2].readOnly {
		t.Fatalf("readOnly: manager.displayName %v, manager.value %v, title %v", cols[0].readOnly, cols[1].readOnly, cols[2].readOnly)
	}
}

// boolCodes is the value map of a boolean stored as one form each.
func boolCodes(t, f any) []operations.CodedValue {
	return []operations.CodedValue{{Value: true, Stored: []any{t}, Write: t}, {Value: false, Stored: []any{f}, Write: f}}
}
