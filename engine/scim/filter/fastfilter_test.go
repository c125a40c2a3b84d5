package filter

import (
	"reflect"
	"testing"

	parser "github.com/scim2/filter-parser/v2"
)

// TestFastComparisonAgreesWithParser checks that every filter the fast path takes
// parses to the same expression through filter-parser, and that it declines the
// shapes it must leave to the parser.
func TestFastComparisonAgreesWithParser(t *testing.T) {
	taken := []string{
		`userName eq "bjensen@example.com"`,
		`USERNAME EQ "BJensen"`,
		`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
		`name.familyName co "O'Malley"`,
		`displayName sw "a \"quoted\" name"`,
		`title ew "été"`,
		`emails eq "x@example.com"`,
		`userName ne ""`,
		`meta.lastModified gt "2011-05-13T04:42:34Z"`,
		`a-b_c eq "tab\there"`,
	}
	for _, s := range taken {
		fast, ok := fastComparison(s)
		if !ok {
			t.Errorf("%s: fast path declined", s)
			continue
		}
		slow, err := parser.ParseFilter([]byte(s))
		if err != nil {
			t.Errorf("%s: parser rejects it: %v", s, err)
			continue
		}
		slow = unescapeExpr(slow)
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: fast %#v, parser %#v", s, fast, slow)
		}
	}
	declined := []string{
		`userName eq "a" and active eq true`,
		`userName eq "unterminated`,
		`userName  eq "two spaces"`,
		`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`,
		`emails[type eq "work"].value eq "x"`,
		`active eq true`,
		`userName pr`,
		`userName eq "a" "b"`,
		`1abc eq "x"`,
		`name.given.name eq "x"`,
		`userName xx "x"`,
		`userName eq jyoung`,
	}
	for _, s := range declined {
		if e, ok := fastComparison(s); ok {
			t.Errorf("%s: fast path took it as %#v", s, e)
		}
	}
}

// BenchmarkParseFilter shows what the fast path saves on the IdP lookup shape.
func BenchmarkParseFilter(b *testing.B) {
	for _, s := range []string{`userName eq "bjensen@example.com"`, `userName eq "bjensen@example.com" and active eq true`} {
		b.Run(s, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := Parse(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
