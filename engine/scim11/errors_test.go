package scim11_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/engine/scim11"
	"github.com/dbscim/dbscim/operations"
)

// TestBadInput sends what a broken or hostile 1.1 client could, and wants a 1.1
// error ({"Errors": [{"description", "code"}]}) with the right status, never a
// 500.
func TestBadInput(t *testing.T) {
	a := newAgent(t, "sqlite", "")
	a.seed("u-alice", "alice@example.com", "Alice", a.now())
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
	}{
		{"malformed JSON", "POST", "/Users", `{"userName": `, 400},
		{"not an object", "POST", "/Users", `["x"]`, 400},
		{"unknown id", "GET", "/Users/nobody", nil, 404},
		{"bad filter", "GET", "/Users?filter=userName%20xx%20%22a%22", nil, 400},
		{"duplicate userName", "POST", "/Users", map[string]any{"userName": "ALICE@example.com"}, 409},
		{"PUT unknown id", "PUT", "/Users/nobody", map[string]any{"userName": "x@example.com"}, 404},
		{"PATCH unknown operation", "PATCH", "/Groups/g", map[string]any{"members": []any{map[string]any{"value": "u-alice", "operation": "remove"}}}, 400},
		{"PATCH delete without value", "PATCH", "/Users/u-alice", map[string]any{"emails": []any{map[string]any{"operation": "delete"}}}, 400},
		{"PATCH meta not an object", "PATCH", "/Users/u-alice", map[string]any{"meta": "x"}, 400},
		{"PATCH meta.attributes not names", "PATCH", "/Users/u-alice", map[string]any{"meta": map[string]any{"attributes": "title"}}, 400},
		{"PATCH with nothing", "PATCH", "/Users/u-alice", map[string]any{"schemas": []string{scim11.CoreURN}}, 400},
		{"wrong type", "PUT", "/Users/u-alice", map[string]any{"userName": "alice@example.com", "active": "maybe"}, 400},
		{"no endpoint", "GET", "/Nothing", nil, 404},
		{"read-only discovery", "POST", "/ServiceProviderConfigs", `{}`, 405},
		{"undeclared delete", "DELETE", "/Users/u-alice", nil, 405},
	} {
		t.Run(c.name, func(t *testing.T) {
			a.t, a.step = t, c.name
			st, body, _ := a.do(c.method, a.v1+c.path, c.body)
			if st != c.status {
				t.Fatalf("status %d, want %d: %v", st, c.status, body)
			}
			errs, _ := body["Errors"].([]any)
			if len(errs) != 1 {
				t.Fatalf("not a 1.1 error: %v", body)
			}
			e, _ := errs[0].(map[string]any)
			if e["code"] != fmt.Sprint(c.status) || e["description"] == "" {
				t.Errorf("error %v", e)
			}
			if _, ok := body["schemas"]; ok {
				t.Errorf("a 1.1 error has no schemas: %v", body)
			}
		})
	}
}

// TestPaths serves a lone target at /scim/v1 too, and tolerates the trailing
// and doubled slashes the agent sends when its base URL ends with one.
func TestPaths(t *testing.T) {
	a := newAgent(t, "sqlite", "")
	a.seed("u-alice", "alice@example.com", "Alice", a.now())
	for _, p := range []string{"/scim/v1/agent/Users", "/scim/v1/agent/Users/", "/scim/v1/agent//Users/u-alice/", "/scim/v1/Users", "/scim/v1/Users/u-alice", "/scim/v1/ServiceProviderConfigs"} {
		a.step = p
		st, body, _ := a.do("GET", a.s.HTTP.URL+p, nil)
		a.want(st, 200, body)
		if s := schemasOf(body); len(s) == 0 || s[0] != scim11.CoreURN {
			t.Errorf("%s: schemas %v", p, s)
		}
	}
	a.step = "location"
	_, body, _ := a.do("GET", a.v1+"/Users/u-alice", nil)
	meta, _ := body["meta"].(map[string]any)
	if loc := fmt.Sprint(meta["location"]); !strings.HasSuffix(loc, "/scim/v1/agent/Users/u-alice") {
		t.Errorf("meta.location %s", loc)
	}
	if _, ok := meta["resourceType"]; ok {
		t.Errorf("1.1 meta has no resourceType: %v", meta)
	}
}

// TestCapabilities derives Okta's userManagementCapabilities from the methods
// the resource types declare.
func TestCapabilities(t *testing.T) {
	all := scim.MethodGet | scim.MethodList | scim.MethodCreate | scim.MethodReplace | scim.MethodPatch | scim.MethodDelete
	users := func(m scim.Method) scim.ResourceType {
		return scim.ResourceType{Name: "User", Endpoint: "Users", Schema: resource.UserSchema(), Methods: m}
	}
	groups := func(m scim.Method) scim.ResourceType {
		return scim.ResourceType{Name: "Group", Endpoint: "Groups", Methods: m}
	}
	for _, c := range []struct {
		name  string
		types []scim.ResourceType
		want  string
	}{
		{"everything", []scim.ResourceType{users(all), groups(all)},
			"[GROUP_PUSH IMPORT_NEW_USERS IMPORT_PROFILE_UPDATES PUSH_NEW_USERS PUSH_PASSWORD_UPDATES PUSH_PENDING_USERS PUSH_PROFILE_UPDATES PUSH_USER_DEACTIVATION REACTIVATE_USERS]"},
		{"import only", []scim.ResourceType{users(scim.MethodGet | scim.MethodList)}, "[IMPORT_NEW_USERS IMPORT_PROFILE_UPDATES]"},
		{"no create", []scim.ResourceType{users(all &^ scim.MethodCreate)},
			"[IMPORT_NEW_USERS IMPORT_PROFILE_UPDATES PUSH_PASSWORD_UPDATES PUSH_PROFILE_UPDATES PUSH_USER_DEACTIVATION REACTIVATE_USERS]"},
		{"read-only groups", []scim.ResourceType{groups(scim.MethodGet | scim.MethodList)}, "[]"},
	} {
		if got := fmt.Sprint(scim11.Capabilities(c.types)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestBodyLimit: a body over the server's limit is 413 in 1.1 shape, also when
// it arrives without a length.
func TestBodyLimit(t *testing.T) {
	a := newAgent(t, "sqlite", "")
	again := a.s.Again(t, func(c *operations.Config) { c.Server.MaxBodyBytes = 64 })
	a.s, a.v1 = again, again.HTTP.URL+"/scim/v1/agent"
	a.step = "large body"
	st, body, _ := a.do("POST", a.v1+"/Users", map[string]any{"userName": strings.Repeat("x", 200) + "@example.com"})
	if errs, _ := body["Errors"].([]any); st != 413 || len(errs) != 1 {
		t.Errorf("status %d: %v", st, body)
	}
}

// TestTransportErrors: what the server refuses before the 1.1 handler runs is a
// 1.1 error too.
func TestTransportErrors(t *testing.T) {
	a := newAgent(t, "sqlite", "")
	for _, c := range []struct {
		name, path, auth string
		status           int
	}{
		{"no credentials", "/scim/v1/agent/Users", "", 401},
		{"no such target", "/scim/v1/nobody/Users", "Bearer " + token, 404},
	} {
		req, _ := http.NewRequest("GET", a.s.HTTP.URL+c.path, nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := a.s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if errs, _ := body["Errors"].([]any); resp.StatusCode != c.status || len(errs) != 1 {
			t.Errorf("%s: %d %v", c.name, resp.StatusCode, body)
		}
		if c.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: no WWW-Authenticate", c.name)
		}
	}
}
