package filter_test

import (
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// Okta's SCIM 1.1 extension URN holds "_", which RFC 8141 allows and the filter
// parser refuses: paths and filters under it parse, with the URN intact.
func TestURNWithUnderscore(t *testing.T) {
	const urn = "urn:okta:onprem_app:1.0:user:custom"
	p, err := filter.ParsePath(urn + ":employee_number")
	if err != nil {
		t.Fatal(err)
	}
	if p.AttributePath.URI() != urn || p.AttributePath.AttributeName != "employee_number" {
		t.Errorf("path %q %q", p.AttributePath.URI(), p.AttributePath.AttributeName)
	}
	e, err := filter.Parse(urn + `:employeeNumber eq "a_b" and userName sw "x_"`)
	if err != nil {
		t.Fatal(err)
	}
	r := resource.Resource{"userName": "x_1", urn: map[string]any{"employeeNumber": "a_b"}}
	if ok, err := resource.Match(e, r); err != nil || !ok {
		t.Errorf("filter %v does not match %v: %v", e, r, err)
	}
	r[urn] = map[string]any{"employeeNumber": "aZ5fZb"}
	if ok, _ := resource.Match(e, r); ok {
		t.Errorf("the stand-in leaked into a compared value")
	}
}
