// Package quickstart_test drives the quickstart example end to end: the database is
// created from schema.sql on first start, as `make run` does, and served over SCIM.
package quickstart_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine"
	"github.com/dbscim/dbscim/engine/server"
	"github.com/dbscim/dbscim/operations"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestQuickstart(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "dbscim.yaml", filepath.Join(dir, "dbscim.yaml"))
	copyFile(t, "schema.sql", filepath.Join(dir, "schema.sql"))
	const token = "quickstart-test-token-0123456789"
	env := map[string]string{"DBSCIM_TOKEN": token}
	data, _ := os.ReadFile(filepath.Join(dir, "dbscim.yaml"))
	cfg, err := operations.Parse(filepath.Join(dir, "dbscim.yaml"), data, func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Server.TLS.Mode != "off" || cfg.Server.Listen != "127.0.0.1:8080" {
		t.Fatalf("quickstart serves %s with tls %s", cfg.Server.Listen, cfg.Server.TLS.Mode)
	}
	target, err := engine.Open(context.Background(), cfg.Targets[0], engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	if _, err := os.Stat(filepath.Join(dir, "data", "quickstart.db")); err != nil {
		t.Fatalf("the database was not created next to the config: %v", err)
	}
	ts := httptest.NewServer(server.New(cfg, []*engine.Target{target}, nil))
	defer ts.Close()

	do := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+"/scim/v2"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	// The README's curl: the lone target at /scim/v2/Users lists the five users.
	status, list := do("GET", "/Users", "")
	if status != 200 || list["totalResults"] != float64(5) {
		t.Fatalf("GET /Users: %d %v", status, list)
	}
	status, list = do("GET", `/Users?filter=userName%20eq%20%22MCHEN@example.com%22`, "")
	if status != 200 || list["totalResults"] != float64(1) {
		t.Fatalf("filter: %d %v", status, list)
	}
	status, user := do("POST", "/quickstart/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new@example.com","name":{"givenName":"New","familyName":"User"},"active":false}`)
	if status != 201 || user["active"] != false {
		t.Fatalf("create: %d %v", status, user)
	}
	status, _ = do("DELETE", "/quickstart/Users/"+user["id"].(string), "")
	if status != 204 {
		t.Fatalf("delete: %d", status)
	}
	if status, _ := do("GET", "/Users", ""); status != 200 {
		t.Fatalf("after delete: %d", status)
	}
}
