package conformance

import (
	"reflect"
	"testing"

	"github.com/dbscim/dbscim/engine/scim"
)

func TestAttributes(t *testing.T) {
	for _, c := range []struct {
		path string
		want []Capability
	}{
		{"userName", []Capability{Attribute("userName")}},
		{"name.givenName", []Capability{Attribute("name"), Attribute("name.givenName")}},
		{`emails[type eq "work"].value`, []Capability{Attribute("emails"), Attribute("emails.value")}},
		{`emails[type eq "work"]`, []Capability{Attribute("emails")}},
		{"meta.lastModified", []Capability{Attribute("meta"), Attribute("meta.lastModified")}},
		{departmentP, []Capability{Attribute(departmentP)}},
		{managerP + ".value", []Capability{Attribute(managerP), Attribute(managerP + ".value")}},
	} {
		if got := attributes(c.path); !reflect.DeepEqual(got, c.want) {
			t.Errorf("attributes(%q) = %q, want %q", c.path, got, c.want)
		}
	}
}

func TestDeclared(t *testing.T) {
	types := []scim.ResourceType{
		{Name: "User", Methods: scim.MethodGet | scim.MethodList | scim.MethodPatch},
		{ID: "Group", Methods: scim.MethodGet},
		{Name: "Entitlement", Methods: scim.MethodGet | scim.MethodList},
	}
	got := map[Capability]bool{}
	for _, c := range Declared(types, []string{"title"}, Sort) {
		got[c] = true
	}
	want := map[Capability]bool{UsersGet: true, UsersList: true, UsersPatch: true, GroupsGet: true, Attribute("title"): true, Sort: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Declared = %v, want %v", got, want)
	}
}
