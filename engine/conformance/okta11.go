package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// core11 is SCIM 1.1's core schema URN.
const core11 = "urn:scim:schemas:core:1.0"

// do11 sends a SCIM 1.1 request to the target's /scim/v1 base URL and checks that a
// JSON answer is application/json, and in 1.1 shape: resources and lists list
// urn:scim:schemas:core:1.0 first, errors are {"Errors": [{"description", "code"}]}.
func (e *env) do11(t testing.TB, base, method, path, body string) res {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if e.auth != "" {
		req.Header.Set("Authorization", e.auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := res{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) == 0 {
		return r
	}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Fatalf("1.1 %s %s: the response is not a JSON object: %q", method, path, raw)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("1.1 %s %s: Content-Type %q", method, path, ct)
	}
	if resp.StatusCode >= 400 {
		errs := list(r.body["Errors"])
		if len(errs) != 1 || obj(errs[0])["code"] != fmt.Sprint(resp.StatusCode) {
			t.Fatalf("1.1 %s %s: not a 1.1 error: %s", method, path, raw)
		}
		return r
	}
	if s := list(r.body["schemas"]); len(s) == 0 || s[0] != core11 {
		t.Fatalf("1.1 %s %s: schemas do not start with %s: %s", method, path, core11, raw)
	}
	return r
}

// testOkta11 replays the Okta provisioning agent's SCIM 1.1 messages ("SCIM
// messages for on-premises provisioning") against the target's /scim/v1 base
// URL, checking the stored rows after each write. A target served elsewhere
// than under /scim/v2 has no 1.1 URL, and the part skips.
func testOkta11(t *testing.T, e *env) {
	if !strings.Contains(e.url, "/scim/v2") {
		t.Skip("the target is not served under /scim/v2, so it has no /scim/v1 twin")
	}
	v1 := strings.Replace(e.url, "/scim/v2", "/scim/v1", 1)
	user11 := func(userName, given, family string, active bool) string {
		return fmt.Sprintf(`{"schemas":[%q],"userName":%q,"name":{"givenName":%q,"familyName":%q},
			"emails":[{"value":%q,"type":"work","primary":true}],"active":%v}`, core11, userName, given, family, userName, active)
	}

	run(t, e, "Okta11/Capabilities", func(t testing.TB) {
		r := e.do11(t, v1, "GET", "/ServiceProviderConfigs", "")
		r.want(t, 200)
		caps := fmt.Sprint(obj(r.body["urn:okta:schemas:scim:providerconfig:1.0"])["userManagementCapabilities"])
		for _, c := range []struct {
			name string
			when bool
		}{
			{"IMPORT_NEW_USERS", e.declares[UsersList]},
			{"PUSH_NEW_USERS", e.declares[UsersCreate]},
			{"PUSH_PROFILE_UPDATES", e.declares[UsersReplace]},
			{"GROUP_PUSH", e.declares[GroupsCreate] && e.declares[GroupsReplace] && e.declares[GroupsDelete]},
		} {
			if strings.Contains(caps, c.name) != c.when {
				t.Errorf("userManagementCapabilities %s: %s should be claimed: %v", caps, c.name, c.when)
			}
		}
	})
	run(t, e, "Okta11/Import", func(t testing.TB) {
		e.needs(t, UsersList, UsersGet)
		id := e.newUser(t, row{GivenName: "Import", FamilyName: "Eleven"})
		r := e.do11(t, v1, "GET", "/Users?startIndex=1&count=100", "")
		r.want(t, 200)
		if n, _ := r.body["totalResults"].(float64); n < 1 || len(list(r.body["Resources"])) == 0 {
			t.Fatalf("import: %s", r.raw)
		}
		r = e.do11(t, v1, "GET", "/Users/"+id, "")
		r.want(t, 200)
		if r.body["id"] != id || obj(r.body["name"])["givenName"] != "Import" {
			t.Fatalf("import a user profile: %s", r.raw)
		}
		e.do11(t, v1, "GET", "/Users/"+random()+"-"+random(), "").want(t, 404)
	})
	run(t, e, "Okta11/CreateAfterLookup", func(t testing.TB) {
		e.needs(t, UsersList, UsersCreate, Attribute("name.givenName"), Attribute("name.familyName"), Attribute("emails"), Attribute("active"))
		name := "agent-" + random() + "@example.com"
		r := e.do11(t, v1, "GET", "/Users?filter="+q(`userName eq "`+name+`"`)+"&startIndex=1&count=100", "")
		r.want(t, 200)
		if r.body["totalResults"] != 0.0 {
			t.Fatalf("lookup: %s", r.raw)
		}
		r = e.do11(t, v1, "POST", "/Users", user11(name, "Agent", "Eleven", true))
		r.want(t, 201)
		id, _ := r.body["id"].(string)
		if id == "" || r.body["userName"] != name {
			t.Fatalf("create: %s", r.raw)
		}
		e.wantUser(t, id, map[string]string{"userName": name, "givenName": "Agent", "familyName": "Eleven", "email": name, "active": "1"})
		r = e.do11(t, v1, "POST", "/Users", user11(name, "Agent", "Again", true))
		r.want(t, 409)
	})
	run(t, e, "Okta11/LifecycleByPut", func(t testing.TB) {
		e.needs(t, UsersGet, UsersReplace, Attribute("name.givenName"), Attribute("active"))
		id := e.newUser(t, row{GivenName: "Put", FamilyName: "Eleven", Email: "put11@example.com"})
		r := e.do11(t, v1, "GET", "/Users/"+id, "")
		r.want(t, 200)
		user := r.body
		for _, step := range []struct {
			name   string
			set    func(map[string]any)
			given  string
			active string
		}{
			{"profile push", func(u map[string]any) { u["name"] = map[string]any{"givenName": "Pushed", "familyName": "Eleven"} }, "Pushed", "1"},
			{"deactivate", func(u map[string]any) { u["active"] = false }, "Pushed", "0"},
			{"reactivate", func(u map[string]any) { u["active"] = true }, "Pushed", "1"},
		} {
			step.set(user)
			r := e.do11(t, v1, "PUT", "/Users/"+id, mustJSON(t, user))
			r.want(t, 200)
			user = r.body
			e.wantUser(t, id, map[string]string{"givenName": step.given, "active": step.active})
		}
	})
	run(t, e, "Okta11/GroupPush", func(t testing.TB) {
		e.needs(t, GroupsCreate, GroupsReplace, GroupsPatch, GroupsGet)
		a := e.newUser(t, row{})
		b := e.newUser(t, row{})
		c := e.newUser(t, row{})
		name := "Push " + random()
		r := e.do11(t, v1, "POST", "/Groups", fmt.Sprintf(`{"schemas":[%q],"displayName":%q,"members":[{"value":%q},{"value":%q}]}`, core11, name, a, b))
		r.want(t, 201)
		gid, _ := r.body["id"].(string)
		if got := e.members(t, gid); !same(got, sorted(a, b)) {
			t.Fatalf("create: members %v", got)
		}
		r = e.do11(t, v1, "PUT", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"id":%q,"displayName":%q,"members":[{"value":%q},{"value":%q}]}`, core11, gid, name+" EU", b, c))
		r.want(t, 200)
		if got := e.members(t, gid); !same(got, sorted(b, c)) || e.groupName(t, gid) != name+" EU" {
			t.Fatalf("update: %s members %v", e.groupName(t, gid), got)
		}
		r = e.do11(t, v1, "PATCH", "/Groups/"+gid, fmt.Sprintf(`{"schemas":[%q],"members":[{"value":%q},{"value":%q,"operation":"delete"}]}`, core11, a, b))
		r.want(t, 200, 204)
		if got := e.members(t, gid); !same(got, sorted(a, c)) {
			t.Fatalf("patch: members %v", got)
		}
		if e.declares[GroupsDelete] {
			e.do11(t, v1, "DELETE", "/Groups/"+gid, "").want(t, 204)
			if _, ok, _ := e.rows.Group(t, gid); ok {
				t.Fatalf("delete: the group is still there")
			}
		}
	})
	run(t, e, "Okta11/SameDataAs20", func(t testing.TB) {
		e.needs(t, UsersGet, UsersPatch, Attribute("name.givenName"))
		id := e.newUser(t, row{GivenName: "Both", FamilyName: "Versions"})
		e.do(t, "PATCH", "/Users/"+id, patchBody(`[{"op":"replace","path":"name.givenName","value":"Two"}]`)).want(t, 200, 204)
		r := e.do11(t, v1, "GET", "/Users/"+id, "")
		r.want(t, 200)
		if obj(r.body["name"])["givenName"] != "Two" {
			t.Fatalf("1.1 reads %s", r.raw)
		}
		e.do11(t, v1, "PATCH", "/Users/"+id, fmt.Sprintf(`{"schemas":[%q],"name":{"givenName":"Eleven"}}`, core11)).want(t, 200, 204)
		r = e.do(t, "GET", "/Users/"+id, "")
		r.want(t, 200)
		if obj(r.body["name"])["givenName"] != "Eleven" {
			t.Fatalf("2.0 reads %s", r.raw)
		}
	})
}

// sorted returns ids in order, as members returns them.
func sorted(ids ...string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}
