package resource

import (
	"testing"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/scim/filter"
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
		expr, err := filter.Parse(s)
		if err != nil {
			if !fault.Is(err, fault.InvalidFilter) {
				t.Fatalf("filter.Parse(%q) error %v is not an invalid filter", s, err)
			}
			return
		}
		if expr == nil {
			t.Fatalf("filter.Parse(%q) = nil, nil", s)
		}
		for _, sc := range [][]*Schema{schemas, nil} {
			if _, err := Match(expr, testUser(), sc...); err != nil {
				if fault.KindOf(err) == fault.Internal {
					t.Fatalf("Match(%q) error %v is not a client error", s, err)
				}
			}
		}
	})
}
