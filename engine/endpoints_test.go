package engine_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/operations"
)

// TestReservedEndpoints: the endpoints a configuration may not give an entitlement
// type are exactly those the protocol layer serves by itself and those of the core
// resource types, so the loader and the router cannot drift apart.
func TestReservedEndpoints(t *testing.T) {
	dir := t.TempDir()
	yaml := `version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: sqlite, name: "` + filepath.ToSlash(filepath.Join(dir, "t.db")) + `"}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {sql: "SELECT id, user_name FROM users"}
        get:  {sql: "SELECT id, user_name FROM users WHERE id = ?", params: [id]}
    groups:
      id: id
      attributes: {displayName: display_name}
      operations:
        list: {sql: "SELECT id, display_name FROM groups"}
        get:  {sql: "SELECT id, display_name FROM groups WHERE id = ?", params: [id]}
`
	cfg, err := operations.Parse(filepath.Join(dir, "dbscim.yaml"), []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	target, err := engine.Open(context.Background(), cfg.Targets[0], engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	var served []string
	for _, rt := range target.ResourceTypes() {
		served = append(served, rt.Endpoint)
	}
	for _, name := range scim.ProtocolEndpoints() {
		if name != ".search" {
			served = append(served, name)
		}
	}
	reserved := slices.Clone(operations.ReservedEndpoints)
	slices.SortFunc(served, strings.Compare)
	slices.SortFunc(reserved, strings.Compare)
	if !slices.Equal(served, reserved) {
		t.Errorf("served by the protocol and the core types: %v\nreserved by the loader: %v", served, reserved)
	}
}
