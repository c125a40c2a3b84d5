package operations

import (
	"fmt"
	"strings"
	"testing"
)

// TestDeleted checks the tombstone operation: it needs meta.lastModified mapped,
// and binds the time through that column only.
func TestDeleted(t *testing.T) {
	with := func(attrs, deleted string) string {
		src := strings.Replace(minimal, "name.givenName: given_name}", attrs+"}", 1)
		return src + "        deleted: " + deleted + "\n"
	}
	const del = `{sql: "SELECT id, deleted_at FROM gone WHERE deleted_at > ?", params: [deleted_at]}`
	cfg := mustParse(t, with("meta.lastModified: deleted_at", del), nil)
	u := cfg.Targets[0].Users
	if u.Operations[Deleted] == nil || u.LastModified() != "deleted_at" {
		t.Fatalf("deleted not loaded: %+v", u.Operations)
	}
	for _, c := range []struct{ name, src, want string }{
		{"no meta.lastModified", with("name.givenName: given_name", del), "12:9: deleted: map meta.lastModified first"},
		{"another column", with("meta.lastModified: deleted_at, name.givenName: given_name",
			`{sql: "SELECT id, deleted_at FROM gone WHERE deleted_at > ? AND x = ?", params: [deleted_at, given_name]}`),
			"12:111: deleted: params: given_name is not bound by an incremental import"},
	} {
		_, list := parse(t, c.src, nil)
		if got := fmt.Sprint(messages(list)); !strings.Contains(got, c.want) {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestUnderscoreURN: Okta's 1.1 extension URN holds "_", which the SCIM path
// grammar of the parser refuses and RFC 8141 allows; it maps like any extension.
func TestUnderscoreURN(t *testing.T) {
	src := strings.Replace(minimal, "name.givenName: given_name}", "urn:okta:onprem_app:1.0:user:custom:employeeNumber: emp_no}", 1)
	cfg := mustParse(t, src, nil)
	if m := cfg.Targets[0].Users.Attributes[1]; m.Path != "urn:okta:onprem_app:1.0:user:custom:employeeNumber" || m.Column != "emp_no" {
		t.Errorf("mapping %+v", m)
	}
}
