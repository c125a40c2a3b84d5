package store

import (
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/operations"
)

// TestMutability derives an attribute's mutability from the operations that bind
// its column, narrowed by the schema and by the mapping's mutability:.
func TestMutability(t *testing.T) {
	tests := []struct {
		name           string
		c              column
		create, update bool
		want           string
	}{
		{"bound by update", column{}, true, true, resource.MutabilityReadWrite},
		{"update only", column{}, false, true, resource.MutabilityReadWrite},
		{"create only", column{}, true, false, resource.MutabilityImmutable},
		{"bound by nothing", column{}, false, false, resource.MutabilityReadOnly},
		{"schema read-only", column{readOnly: true}, true, true, resource.MutabilityReadOnly},
		{"password", column{schemaWriteOnly: true}, true, true, resource.MutabilityWriteOnly},
		{"password bound by nothing", column{schemaWriteOnly: true}, false, false, resource.MutabilityReadOnly},
		{"said immutable", column{Mapping: operations.Mapping{Mutability: "immutable"}}, true, true, resource.MutabilityImmutable},
		{"said read-only", column{Mapping: operations.Mapping{Mutability: "readOnly"}}, true, true, resource.MutabilityReadOnly},
		{"said write-only", column{Mapping: operations.Mapping{Mutability: "writeOnly"}}, true, true, resource.MutabilityWriteOnly},
	}
	for _, tt := range tests {
		got := mutability(&tt.c, func(*column) (bool, bool) { return tt.create, tt.update })
		if got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestCustomSchemas makes a schema per custom extension URN from its mappings,
// typed by the mappings, and leaves the known schemas alone.
func TestCustomSchemas(t *testing.T) {
	core, ent := resource.UserSchema(), resource.EnterpriseUserSchema()
	got := customSchemas([]operations.Mapping{
		{Path: "userName"},
		{Path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
		{Path: "urn:example:acme:User:costCode"},
		{Path: "urn:example:acme:User:hired", Type: "datetime"},
		{Path: "urn:example:acme:User:badge.level", Type: "integer"},
		{Path: `urn:example:other:User:phones[type eq "desk"].value`},
	}, core, ent)
	if len(got) != 2 || got[0].ID != "urn:example:acme:User" || got[1].ID != "urn:example:other:User" {
		t.Fatalf("schemas: %+v", got)
	}
	a := got[0].Attributes
	if len(a) != 3 || a[0].Type != "string" || a[1].Type != "dateTime" || a[2].Type != "complex" || a[2].SubAttributes[0].Type != "integer" {
		t.Errorf("acme attributes: %+v", a)
	}
	p := got[1].Attributes[0]
	if !p.MultiValued || p.Type != "complex" || len(p.SubAttributes) != 2 {
		t.Errorf("phones: %+v", p)
	}
	if len(ent.Attributes) != 6 {
		t.Errorf("the enterprise schema changed: %d attributes", len(ent.Attributes))
	}
}
