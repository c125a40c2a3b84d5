package quickstart_test

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine/enginetest"
)

// TestQuickstartSCIM11: the quickstart serves SCIM 1.1 beside 2.0, at /scim/v1 (the
// lone target) and /scim/v1/quickstart, over the same database.
func TestQuickstartSCIM11(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "dbscim.yaml", filepath.Join(dir, "dbscim.yaml"))
	copyFile(t, "schema.sql", filepath.Join(dir, "schema.sql"))
	cfg := enginetest.Load(t, filepath.Join(dir, "dbscim.yaml"), map[string]string{"DBSCIM_TOKEN": token})
	ts := enginetest.Serve(t, cfg, enginetest.Options{}).HTTP
	do := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
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
	status, list := do("GET", "/scim/v1/Users?startIndex=1&count=100", "")
	if status != 200 || list["totalResults"] != float64(5) {
		t.Fatalf("GET /scim/v1/Users: %d %v", status, list)
	}
	if s, _ := list["schemas"].([]any); len(s) != 1 || s[0] != "urn:scim:schemas:core:1.0" {
		t.Errorf("1.1 list schemas %v", list["schemas"])
	}
	status, user := do("POST", "/scim/v1/quickstart/Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"pending@example.com","name":{"givenName":"Pen","familyName":"Ding"},"active":false}`)
	if status != 201 || user["active"] != false {
		t.Fatalf("pending user: %d %v", status, user)
	}
	id := user["id"].(string)
	status, user = do("PATCH", "/scim/v1/quickstart/Users/"+id, `{"schemas":["urn:scim:schemas:core:1.0"],"active":true,"title":"Engineer"}`)
	if status != 200 || user["active"] != true || user["title"] != "Engineer" {
		t.Fatalf("1.1 PATCH: %d %v", status, user)
	}
	status, two := do("GET", "/scim/v2/Users/"+id, "")
	if status != 200 || two["active"] != true || two["title"] != "Engineer" {
		t.Errorf("2.0 reads %d %v", status, two)
	}
}
