package engine_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayers keeps the imports pointing down the layers: server → scim → resource,
// and store → sqlgen → run → dialects, with the root engine package wiring store
// and scim together and the filter language (engine/scim/filter) a leaf under all. A package may not reach what lies above it, even through another.
func TestLayers(t *testing.T) {
	const mod = "github.com/dbscim/dbscim/"
	// The filter language is a leaf every layer may use.
	leaf := mod + "engine/scim/filter"
	forbidden := map[string][]string{
		"engine/scim/filter": {"net/http", "database/sql", mod + "engine/scim", mod + "engine/resource", mod + "engine/store", mod + "engine/sqlgen", mod + "engine/run", mod + "dialects", mod + "operations"},
		"engine/fault":       {"net/http", "database/sql", mod},
		"engine/resource":    {"net/http", "database/sql", mod + "engine/scim", mod + "engine/store", mod + "engine/run", mod + "dialects", mod + "operations"},
		"engine/scim":        {"database/sql", mod + "engine/store", mod + "engine/run", mod + "engine/server", mod + "dialects", mod + "operations"},
		"engine/scim/memory": {"net/http", "database/sql", mod + "engine/scim"},
		"engine/scim11":      {"database/sql", mod + "engine/store", mod + "engine/run", mod + "engine/server", mod + "dialects", mod + "operations"},
		"engine/store":       {"net/http", mod + "engine/scim", mod + "engine/server"},
		"engine/sqlgen":      {"net/http", mod + "engine/store", mod + "engine/run", mod + "engine/scim", mod + "operations"},
		"engine/run":         {"net/http", mod + "engine/resource", mod + "engine/store", mod + "engine/scim"},
		"dialects":           {"net/http", mod + "engine", mod + "operations"},
		"operations":         {"net/http", mod + "engine"},
	}
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == mod+pkg || dep == leaf {
				continue
			}
			for _, b := range bad {
				if dep == b || strings.HasSuffix(b, "/") && strings.HasPrefix(dep, b) || strings.HasPrefix(dep, b+"/") {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
}
