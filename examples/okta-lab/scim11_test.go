package oktalab_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestOktaLabSCIM11 drives the lab as the Okta provisioning agent does in SCIM 1.1
// mode (base URL .../scim/v1/oktademo), with both configurations: capabilities,
// import, the pre-create lookup, create, profile push, deactivate and reactivate,
// checking the USERS rows after each write, and 2.0 reading what 1.1 wrote.
func TestOktaLabSCIM11(t *testing.T) {
	for _, config := range []string{"procedures", "statements"} {
		t.Run(config, func(t *testing.T) {
			e := newLab(t, config+".yaml")
			v1 := e.base + "/scim/v1/oktademo"
			do := func(method, url string, body any) (int, map[string]any) {
				t.Helper()
				var r io.Reader
				if body != nil {
					raw, _ := json.Marshal(body)
					r = bytes.NewReader(raw)
				}
				req, _ := http.NewRequest(method, url, r)
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := e.http.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}
			row := func(userName string) (first string, active bool) {
				t.Helper()
				if err := e.db.QueryRow("SELECT FIRSTNAME, IS_ACTIVE FROM USERS WHERE USERNAME = ?", userName).Scan(&first, &active); err != nil {
					t.Fatalf("row %s: %v", userName, err)
				}
				return first, active
			}

			st, cfg := do("GET", v1+"/ServiceProviderConfigs", nil)
			caps := fmt.Sprint(cfg["urn:okta:schemas:scim:providerconfig:1.0"])
			if st != 200 || !strings.Contains(caps, "PUSH_NEW_USERS") || !strings.Contains(caps, "PUSH_USER_DEACTIVATION") || strings.Contains(caps, "GROUP_PUSH") {
				t.Fatalf("ServiceProviderConfigs: %d %s", st, caps)
			}
			st, list := do("GET", v1+"/Users?startIndex=1&count=100", nil)
			if st != 200 || list["totalResults"] == float64(0) || fmt.Sprint(list["schemas"]) != "[urn:scim:schemas:core:1.0]" {
				t.Fatalf("import: %d %v", st, list)
			}
			st, list = do("GET", v1+`/Users?filter=userName%20eq%20%22agent.one%40example.com%22&startIndex=1&count=100`, nil)
			if st != 200 || list["totalResults"] != float64(0) {
				t.Fatalf("pre-create lookup: %d %v", st, list)
			}
			st, user := do("POST", v1+"/Users", map[string]any{
				"schemas": []string{"urn:scim:schemas:core:1.0", "urn:scim:schemas:extension:enterprise:1.0"}, "userName": "agent.one@example.com",
				"name": map[string]any{"givenName": "Agent", "familyName": "One"}, "emails": []any{map[string]any{"value": "agent.one@example.com", "type": "work"}},
				"active": true, "urn:scim:schemas:extension:enterprise:1.0": map[string]any{"department": "Ops"}})
			if st != 201 {
				t.Fatalf("create: %d %v", st, user)
			}
			if ext, _ := user["urn:scim:schemas:extension:enterprise:1.0"].(map[string]any); ext["department"] != "Ops" {
				t.Errorf("create answers the enterprise extension as %v", user)
			}
			if first, active := row("agent.one@example.com"); first != "Agent" || !active {
				t.Errorf("create: row %s %v", first, active)
			}
			id := fmt.Sprint(user["id"])
			for _, step := range []struct {
				name   string
				edit   func(map[string]any)
				first  string
				active bool
			}{
				{"profile push", func(u map[string]any) { u["name"] = map[string]any{"givenName": "Agentina", "familyName": "One"} }, "Agentina", true},
				{"deactivate", func(u map[string]any) { u["active"] = false }, "Agentina", false},
				{"reactivate", func(u map[string]any) { u["active"] = true }, "Agentina", true},
			} {
				step.edit(user)
				st, user = do("PUT", v1+"/Users/"+id, user)
				if st != 200 {
					t.Fatalf("%s: %d %v", step.name, st, user)
				}
				if first, active := row("agent.one@example.com"); first != step.first || active != step.active {
					t.Errorf("%s: row %s %v", step.name, first, active)
				}
			}
			st, two := do("GET", e.url+"/Users/"+id, nil)
			if n, _ := two["name"].(map[string]any); st != 200 || n["givenName"] != "Agentina" || two["active"] != true {
				t.Errorf("2.0 reads %d %v", st, two)
			}
		})
	}
}
