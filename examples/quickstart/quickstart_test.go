// Package quickstart_test drives the quickstart example end to end: the database is
// created from schema.sql on first start, as `make run` does, and served over SCIM;
// then the conformance suite runs on it.
package quickstart_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine/conformance"
	"github.com/dbscim/dbscim/engine/enginetest"
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
	cfg := enginetest.Load(t, filepath.Join(dir, "dbscim.yaml"), map[string]string{"DBSCIM_TOKEN": token})
	if cfg.Server.TLS.Mode != "off" || cfg.Server.Listen != "127.0.0.1:8080" {
		t.Fatalf("quickstart serves %s with tls %s", cfg.Server.Listen, cfg.Server.TLS.Mode)
	}
	ts := enginetest.Serve(t, cfg, enginetest.Options{}).HTTP
	if _, err := os.Stat(filepath.Join(dir, "data", "quickstart.db")); err != nil {
		t.Fatalf("the database was not created next to the config: %v", err)
	}

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

// TestQuickstartConformance runs the conformance suite on the quickstart as
// written: a fresh database from schema.sql on each start, emptied of its five
// sample users first, since the suite starts from no data. The quickstart has
// users only, no manager and no modification time in SCIM: what needs them skips.
func TestQuickstartConformance(t *testing.T) {
	const token = "quickstart-test-token-0123456789"
	conformance.RunTests(t, func(t *testing.T) conformance.Target {
		dir := t.TempDir()
		copyFile(t, "dbscim.yaml", filepath.Join(dir, "dbscim.yaml"))
		copyFile(t, "schema.sql", filepath.Join(dir, "schema.sql"))
		s := enginetest.ServeFile(t, filepath.Join(dir, "dbscim.yaml"), enginetest.Options{Env: map[string]string{"DBSCIM_TOKEN": token}})
		d := s.Config.Targets[0].Database
		dsn, err := d.Dialect.DSN(d.Connection)
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open(d.Dialect.Driver(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Exec("DELETE FROM users"); err != nil {
			t.Fatal(err)
		}
		return conformance.Target{
			URL: s.URL("quickstart"), Client: s.Client(), Authorization: "Bearer " + token,
			WithMaxResults: func(t testing.TB, n int) conformance.Target {
				again := s.Again(t, func(c *operations.Config) { c.Server.MaxResults = n })
				return conformance.Target{URL: again.URL("quickstart"), Client: again.Client()}
			},
			Declares: conformance.Declared(s.ResourceTypes(t, "quickstart"), s.Mapped("quickstart"),
				conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile, conformance.StableModify,
				conformance.ContentETags),
			Backend: &conformance.SQLBackend{DB: db, Dialect: d.Dialect, Users: conformance.UserTable{
				Table: "users", ID: "id", Active: "active", True: 1, False: 0,
				Columns: map[string]string{"userName": "user_name", "externalId": "external_id", "givenName": "given_name",
					"familyName": "family_name", "email": "email", "title": "title", "department": "department"}}},
		}
	})
}
