package filter

import (
	"fmt"
	"testing"

	parser "github.com/scim2/filter-parser/v2"

	"github.com/dbscim/dbscim/engine/fault"
)

func TestNormalizeFilter(t *testing.T) {
	tests := []struct {
		name, in, want string
		rawRejected    bool // filter-parser v2.3.1 refuses the input as it is
	}{
		{"entra value path then comparison", `emails[type eq "work"].value eq "x"`, `emails[type eq "work" and value eq "x"]`, true},
		{"value path then pr", `emails[type eq "work"].value pr`, `emails[type eq "work" and value pr]`, true},
		{"value path inside a larger filter", `userName eq "a" and emails[type eq "work"].value co "@x.com"`, `userName eq "a" and emails[type eq "work" and value co "@x.com"]`, true},
		{"unquoted value", `externalId eq jyoung`, `externalId eq "jyoung"`, true},
		{"unquoted value with dots and @", `userName eq j.young@example.com`, `userName eq "j.young@example.com"`, true},
		{"unquoted dateTime", `meta.lastModified gt 2011-05-13T04:42:34Z`, `meta.lastModified gt "2011-05-13T04:42:34Z"`, true},
		{"unquoted value in parentheses", `(externalId eq jyoung)`, `(externalId eq "jyoung")`, true},
		{"unquoted value in brackets", `emails[type eq work]`, `emails[type eq "work"]`, true},
		{"both forms together", `emails[type eq work].value eq x`, `emails[type eq "work" and value eq "x"]`, true},
		{"number with leading zero is a string", `externalId eq 010007`, `externalId eq "010007"`, true},
		{"hex id that reads as a huge number is a string", `externalId eq 719283362675e616`, `externalId eq "719283362675e616"`, true},
		{"backslash in a bare value is escaped", `externalId eq a\b`, `externalId eq "a\\b"`, true},
		{"lower-case unicode escape", `displayName eq "\u00e9"`, `displayName eq "\u00E9"`, true},
		// Unchanged: valid RFC filters, and literals the grammar accepts.
		{"quoted value", `userName eq "bjensen"`, `userName eq "bjensen"`, false},
		{"true", `active eq true`, `active eq true`, false},
		{"False any case", `active eq False`, `active eq False`, false},
		{"null", `title eq null`, `title eq null`, false},
		{"integer", `externalId eq 12345`, `externalId eq 12345`, false},
		{"decimal", `x eq -1.5e3`, `x eq -1.5e3`, false},
		{"quoted text that looks like the Entra form", `title eq "emails[type eq \"work\"].value eq x"`, `title eq "emails[type eq \"work\"].value eq x"`, false},
		{"quoted text holding eq bare words", `title eq "a eq b"`, `title eq "a eq b"`, false},
		{"value path with sub-attribute alone", `emails[type eq "work" and value co "x"]`, `emails[type eq "work" and value co "x"]`, false},
		{"pr", `title pr`, `title pr`, false},
		{"not", `not (userName eq "a")`, `not (userName eq "a")`, false},
		{"URN path", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "D"`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "D"`, false},
		// Left alone: the grammar allows one "and" in brackets, so merging would not help.
		{"bracket already holds a logical expression", `emails[type eq "work" or type eq "home"].value eq "x"`, `emails[type eq "work" or type eq "home"].value eq "x"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normalizeFilter(tt.in); got != tt.want {
				t.Errorf("normalizeFilter(%s)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			_, rawErr := parser.ParseFilter([]byte(tt.in))
			if tt.rawRejected != (rawErr != nil) {
				t.Errorf("filter-parser on the raw form: err = %v, want rejected = %v", rawErr, tt.rawRejected)
			}
		})
	}
}

func TestParseFilter(t *testing.T) {
	tests := []struct {
		in, want string // want is the parsed expression's String()
	}{
		{`userName eq "bjensen"`, `userName eq "bjensen"`},
		{`userName Eq "bjensen"`, `userName eq "bjensen"`},
		{`emails[type eq "work"].value eq "x@y.z"`, `emails[type eq "work" and value eq "x@y.z"]`},
		{`externalId eq jyoung`, `externalId eq "jyoung"`},
		{`externalId eq 12345`, `externalId eq 12345`},
		{`externalId eq 719283362675e616`, `externalId eq "719283362675e616"`},
		{`displayName eq "say \"hi\""`, `displayName eq "say \"hi\""`},
		{`  userName eq "padded"  `, `userName eq "padded"`},
	}
	for _, tt := range tests {
		expr, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.in, err)
			continue
		}
		if got := fmt.Sprint(expr); got != tt.want {
			t.Errorf("Parse(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	// Escapes are decoded: the compare value is the text, not the JSON source.
	expr, _ := Parse(`displayName eq "say \"hi\" \u00e9"`)
	if v := expr.(*AttributeExpression).CompareValue; v != `say "hi" é` {
		t.Errorf("compare value = %q", v)
	}
}

func TestParseFilterErrors(t *testing.T) {
	for _, in := range []string{
		``, `   `, `userName`, `userName eq`, `userName eq "unterminated`, `userName xx "a"`,
		`(userName eq "a"`, `userName eq "a")`, `emails[type eq "work"`, `and`, `userName eq "a" and`,
		`emails[type eq "work" or type eq "home"].value eq "x"`, `"quoted" eq "x"`, `a eq b c`,
		string(make([]byte, maxFilterLen+1)),
	} {
		_, err := Parse(in)
		if !fault.Is(err, fault.InvalidFilter) {
			t.Errorf("Parse(%.40q) error = %v, want an invalid filter", in, err)
		}
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{`userName`, `userName`},
		{`name.givenName`, `name.givenName`},
		{`emails[type eq "work"].value`, `emails[type eq "work"].value`},
		{`emails[type eq work].value`, `emails[type eq "work"].value`},
		{`members[value eq "2819c223"]`, `members[value eq "2819c223"]`},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`},
	}
	for _, tt := range tests {
		p, err := ParsePath(tt.in)
		if err != nil {
			t.Errorf("ParsePath(%s): %v", tt.in, err)
			continue
		}
		if got := p.String(); got != tt.want {
			t.Errorf("ParsePath(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	for _, in := range []string{``, `emails[`, `name..givenName`, `emails[type eq "work"]x`, `a b`} {
		_, err := ParsePath(in)
		if !fault.Is(err, fault.InvalidPath) {
			t.Errorf("ParsePath(%q) error = %v, want an invalid path", in, err)
		}
	}
}
