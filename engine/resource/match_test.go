package resource

import (
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

func testUser() Resource {
	return Resource{
		"id":         "2819c223-7f76-453a-919d-413861904646",
		"externalId": "jyoung",
		"userName":   "Bjensen@Example.com",
		"name":       map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
		"title":      "Tour Guide",
		"active":     true,
		"emails": []any{
			map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
			map[string]any{"value": "babs@jensen.org", "type": "home"},
		},
		"x509Certificates": []any{},
		EnterpriseUserURN: map[string]any{
			"employeeNumber": "701984",
			"department":     "Tour Operations",
			"manager":        map[string]any{"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"},
		},
		"meta": map[string]any{
			"created":      "2010-01-23T04:56:22Z",
			"lastModified": "2011-05-13T04:42:34Z",
			"version":      `W/"3694e05e9dff591"`,
		},
	}
}

func TestMatchSchemas(t *testing.T) {
	schemas := []*Schema{UserSchema(), EnterpriseUserSchema()}
	ext := `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	for _, c := range []struct {
		r    Resource
		want bool
	}{
		{Resource{"userName": "a"}, false},
		{Resource{"userName": "a", EnterpriseUserURN: map[string]any{"department": nil}}, false},
		{Resource{"userName": "a", EnterpriseUserURN: map[string]any{"department": "D"}}, true},
		{Resource{"userName": "a", "schemas": []any{UserSchemaURN, EnterpriseUserURN}}, true},
	} {
		got, err := Match(mustFilter(t, ext), c.r, schemas...)
		if err != nil || got != c.want {
			t.Errorf("%v: %v, %v; want %v", c.r, got, err, c.want)
		}
	}
}

func TestMatch(t *testing.T) {
	schemas := []*Schema{UserSchema(), EnterpriseUserSchema()}
	tests := []struct {
		filter string
		want   bool
	}{
		{`userName eq "bjensen@example.com"`, true}, // caseExact false: folded
		// schemas, derived from the data when the store's resource has none.
		{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, true},
		{`schemas eq "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"`, true},
		{`schemas eq "urn:example:other"`, false},
		{`not (schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")`, false},
		{`USERNAME eq "BJENSEN@EXAMPLE.COM"`, true}, // names are case-insensitive
		{`userName ne "bjensen@example.com"`, false},
		{`userName ne "other"`, true},
		{`userName co "jensen@"`, true},
		{`userName sw "BJ"`, true},
		{`userName ew ".COM"`, true},
		{`userName ew "org"`, false},
		{`userName gt "a"`, true},
		{`userName lt "a"`, false},
		{`userName ge "bjensen@example.com"`, true},
		{`userName le "bjensen@example.com"`, true},
		{`id eq "2819c223-7f76-453a-919d-413861904646"`, true},
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, false}, // id is case-exact
		{`externalId eq jyoung`, true},                          // Entra's unquoted value
		{`externalId eq "JYOUNG"`, false},                       // externalId is case-exact
		{`title pr`, true},
		{`nickName pr`, false},
		{`x509Certificates pr`, false}, // an empty array is unassigned
		{`nickName eq null`, true},
		{`title ne null`, true},
		{`active eq true`, true},
		{`active eq false`, false},
		{`active ne false`, true},
		{`active eq "True"`, true}, // Entra sends booleans as strings
		{`name.familyName eq "jensen"`, true},
		{`name.givenName sw "Bar" and name.familyName co "ens"`, true},
		{`name.givenName eq "x" or title co "guide"`, true},
		{`not (title co "guide")`, false},
		{`not(nickName pr)`, true},
		{`(userName eq "x" or userName eq "bjensen@example.com") and active eq true`, true},
		{`emails co "babs@"`, true}, // emails means emails.value
		{`emails.value ew "jensen.org"`, true},
		{`emails.type eq "other"`, false},
		{`emails.type ne "work"`, false}, // one of them is work
		{`emails[type eq "work" and value co "@example.com"]`, true},
		{`emails[type eq "home" and value co "@example.com"]`, false},
		{`emails[type eq "work"].value eq "bjensen@example.com"`, true}, // Entra form
		{`emails[type eq "home"].value eq "bjensen@example.com"`, false},
		{`emails[not (type eq "work")]`, true},
		{`emails[primary eq true].value eq "BJENSEN@example.com"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq 701984`, true}, // a number against a string
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bjensen"`, true},
		{`meta.lastModified gt "2011-05-13T04:42:33Z"`, true},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, false},
		{`meta.lastModified ge "2011-05-13T06:42:34+02:00"`, true}, // compared as times, not text
		{`meta.lastModified lt 2012-01-01T00:00:00Z`, true},
		{`meta.created eq "2010-01-23T04:56:22.000Z"`, true},
		{`unknownAttribute eq "x"`, false}, // unknown attributes match nothing
		{`not (unknownAttribute eq "x")`, true},
		{`name.unknown eq "x"`, false},
		{`urn:example:unknown:1.0:User:foo eq "x"`, false},
	}
	for _, tt := range tests {
		expr, err := filter.Parse(tt.filter)
		if err != nil {
			t.Fatalf("filter.Parse(%s): %v", tt.filter, err)
		}
		got, err := Match(expr, testUser(), schemas...)
		if err != nil {
			t.Errorf("Match(%s): %v", tt.filter, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Match(%s) = %v, want %v", tt.filter, got, tt.want)
		}
	}
}

func TestMatchTypeErrors(t *testing.T) {
	schemas := []*Schema{UserSchema(), EnterpriseUserSchema()}
	for _, f := range []string{
		`active gt true`,
		`active co "t"`,
		`active eq "maybe"`,
		`active eq 1`,
		`meta.lastModified gt "yesterday"`,
		`name eq "Barbara"`, // complex without sub-attribute
		`password eq "secret"`,
		`password pr`,
		`userName gt null`,
		`emails[value eq "x"].type eq "work" and x509Certificates gt "a"`, // binary ordering
		`userName[value eq "x"]`, // value path on a simple attribute
	} {
		expr, err := filter.Parse(f)
		if err != nil {
			t.Fatalf("filter.Parse(%s): %v", f, err)
		}
		_, err = Match(expr, testUser(), schemas...)
		if !fault.Is(err, fault.InvalidFilter) {
			t.Errorf("Match(%s) error = %v, want an invalid filter", f, err)
		}
	}
}

func TestMatchWithoutSchemas(t *testing.T) {
	r := Resource{
		"id": "abc", "userName": "Alice", "active": "True", "logins": 3.0,
		"meta": map[string]any{"lastModified": time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
	}
	tests := []struct {
		filter string
		want   bool
	}{
		{`username eq "alice"`, true},
		{`id eq "ABC"`, false}, // id stays case-exact without schemas
		{`active eq true`, true},
		{`logins gt 2`, true},
		{`logins le 2`, false},
		{`meta.lastModified gt "2024-01-01T00:00:00Z"`, true},
		{`missing pr`, false},
	}
	for _, tt := range tests {
		expr, err := filter.Parse(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Match(expr, r)
		if err != nil || got != tt.want {
			t.Errorf("Match(%s) = %v, %v; want %v", tt.filter, got, err, tt.want)
		}
	}
	if ok, err := Match(nil, r); !ok || err != nil {
		t.Errorf("Match(nil) = %v, %v; want true", ok, err)
	}
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b  any
		exact bool
		want  int
	}{
		{"a", "B", false, -1},
		{"a", "B", true, 1},
		{"abc", "ABC", false, 0},
		{1, 2.5, false, -1},
		{int64(3), 3.0, false, 0},
		{false, true, false, -1},
		{nil, "a", false, 1}, // missing values sort last
		{nil, nil, false, 0},
		{"2024-01-01T00:00:00Z", "2023-12-31T23:00:00-02:00", false, -1}, // chronological
		{time.Unix(10, 0), "1970-01-01T00:00:05Z", false, 1},
	}
	for _, tt := range tests {
		if got := Compare(tt.a, tt.b, tt.exact); got != tt.want {
			t.Errorf("Compare(%v, %v, %v) = %d, want %d", tt.a, tt.b, tt.exact, got, tt.want)
		}
	}
}

func mustFilter(t *testing.T, s string) filter.Expression {
	t.Helper()
	expr, err := filter.Parse(s)
	if err != nil {
		t.Fatalf("filter.Parse(%s): %v", s, err)
	}
	return expr
}
