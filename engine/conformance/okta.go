package conformance

import (
	"fmt"
	"strings"
	"testing"
)

// oktaUser is the POST Okta's SCIM 2.0 SPEC test sends.
func oktaUser(userName, given, family string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName":%q,"name":{"givenName":%q,"familyName":%q},
		"emails":[{"primary":true,"value":%q,"type":"work"}],"displayName":"%s %s",
		"active":true,"password":"1mz050nq","groups":[]}`, userName, given, family, userName, given, family)
}

// testOktaSpec replays the steps of Okta's SCIM 2.0 SPEC test (the OIN submission
// test) in order, each a subtest; a step that needs an earlier one's user skips
// when it is missing.
func testOktaSpec(t *testing.T, e *env) {
	// The one user the import lists: seeded, or created through SCIM when the
	// target has no Backend.
	seedID := "okta-seed"
	if e.backend != nil {
		e.seed(t, row{ID: seedID, UserName: "seed@example.com", GivenName: "Seed", FamilyName: "User", Email: "seed@example.com"})
	} else {
		e.needs(t, UsersCreate)
		r := e.do(t, "POST", "/Users", `{"schemas":["`+coreUser+`"],"userName":"seed@example.com","name":{"givenName":"Seed","familyName":"User"},
			"emails":[{"primary":true,"type":"work","value":"seed@example.com"}],"active":true}`)
		r.want(t, 201)
		seedID, _ = r.body["id"].(string)
	}
	name := "spec-" + random() + "@example.com"
	var id string
	need := func(t testing.TB) {
		t.Helper()
		if id == "" {
			t.Fatal("the create step did not run or failed")
		}
	}

	run(t, e, "Okta/ListUsersShape", func(t testing.TB) {
		e.needs(t, UsersList, Attribute("name.givenName"), Attribute("name.familyName"), Attribute("emails"), Attribute("active"))
		r := e.do(t, "GET", "/Users?count=1&startIndex=1", "")
		r.want(t, 200)
		if s := list(r.body["schemas"]); len(s) != 1 || s[0] != listURN {
			t.Fatalf("schemas: %s", r.raw)
		}
		for _, k := range []string{"totalResults", "itemsPerPage", "startIndex"} {
			if _, ok := r.body[k].(float64); !ok {
				t.Fatalf("%s is not a number: %s", k, r.raw)
			}
		}
		if r.body["itemsPerPage"] != 1.0 || r.body["startIndex"] != 1.0 || r.body["totalResults"] != 1.0 {
			t.Fatalf("page: %s", r.raw)
		}
		x := obj(list(r.body["Resources"])[0])
		if x["id"] != seedID || x["userName"] != "seed@example.com" || obj(x["name"])["givenName"] != "Seed" ||
			obj(x["name"])["familyName"] != "User" || x["active"] != true || obj(list(x["emails"])[0])["value"] != "seed@example.com" {
			t.Fatalf("resource: %s", r.raw)
		}
	})
	run(t, e, "Okta/GetListedUser", func(t testing.TB) {
		e.needs(t, UsersGet)
		r := e.do(t, "GET", "/Users/"+seedID, "")
		r.want(t, 200)
		if r.body["id"] != seedID || r.body["userName"] != "seed@example.com" {
			t.Fatalf("GET: %s", r.raw)
		}
	})
	run(t, e, "Okta/FilterRandomUserNotFound", func(t testing.TB) {
		e.needs(t, UsersList)
		r := e.do(t, "GET", "/Users?filter="+q(`userName eq "`+random()+`@example.com"`), "")
		r.want(t, 200)
		if r.body["totalResults"] != 0.0 || len(list(r.body["Resources"])) != 0 {
			t.Fatalf("random user: %s", r.raw)
		}
	})
	run(t, e, "Okta/GetRandomIdNotFound", func(t testing.TB) {
		e.needs(t, UsersGet)
		r := e.do(t, "GET", "/Users/"+random()+"-"+random(), "")
		r.wantError(t, 404, "")
		if d, _ := r.body["detail"].(string); d == "" {
			t.Fatalf("no detail: %s", r.raw)
		}
	})
	run(t, e, "Okta/CreateWithPassword", func(t testing.TB) {
		e.needs(t, UsersCreate, Attribute("name.givenName"), Attribute("name.familyName"), Attribute("emails"), Attribute("active"))
		r := e.do(t, "POST", "/Users", oktaUser(name, "Test", "Spec"))
		r.want(t, 201)
		id, _ = r.body["id"].(string)
		if id == "" || r.body["userName"] != name || r.body["active"] != true || obj(r.body["name"])["familyName"] != "Spec" {
			t.Fatalf("create: %s", r.raw)
		}
		if r.body["password"] != nil || strings.Contains(r.raw, "1mz050nq") {
			t.Fatalf("password returned: %s", r.raw)
		}
		e.wantUser(t, id, map[string]string{"userName": name, "givenName": "Test", "familyName": "Spec", "email": name, "active": "1"})
	})
	run(t, e, "Okta/GetCreatedById", func(t testing.TB) {
		e.needs(t, UsersGet, Attribute("name.givenName"))
		need(t)
		r := e.do(t, "GET", "/Users/"+id, "")
		r.want(t, 200)
		if r.body["id"] != id || r.body["userName"] != name || obj(r.body["name"])["givenName"] != "Test" {
			t.Fatalf("GET: %s", r.raw)
		}
	})
	run(t, e, "Okta/FilterCreated", func(t testing.TB) {
		e.needs(t, UsersList)
		need(t)
		if got := e.filter(t, "Users", `userName eq "`+name+`"`); !same(got, []string{id}) {
			t.Fatalf("filter: %v", got)
		}
	})
	run(t, e, "Okta/UserNameCaseInsensitive", func(t testing.TB) {
		e.needs(t, UsersList)
		need(t)
		if got := e.filter(t, "Users", `userName eq "`+strings.ToUpper(name)+`"`); !same(got, []string{id}) {
			t.Fatalf("filter in upper case: %v", got)
		}
	})
	run(t, e, "Okta/CreateDuplicate", func(t testing.TB) {
		e.needs(t, UsersCreate)
		need(t)
		e.do(t, "POST", "/Users", oktaUser(name, "Test", "Spec")).wantError(t, 409, "uniqueness")
		if e.rows.CountUsers(t, "") != 2 {
			t.Fatal("a duplicate was created")
		}
	})
	run(t, e, "Okta/PutUpdate", func(t testing.TB) {
		e.needs(t, UsersGet, UsersReplace, Attribute("name.givenName"), Attribute("name.familyName"), Attribute("emails"), Attribute("active"))
		need(t)
		r := e.do(t, "GET", "/Users/"+id, "")
		r.want(t, 200)
		// Okta PUTs back what it read, with the change and the read-only attributes.
		r.body["name"] = map[string]any{"givenName": "Changed", "familyName": "Spec"}
		r.body["password"] = "1mz050nq"
		body := mustJSON(t, r.body)
		p := e.do(t, "PUT", "/Users/"+id, body)
		p.want(t, 200)
		if obj(p.body["name"])["givenName"] != "Changed" || p.body["id"] != id {
			t.Fatalf("PUT: %s", p.raw)
		}
		e.wantUser(t, id, map[string]string{"givenName": "Changed", "familyName": "Spec", "userName": name, "email": name, "active": "1"})
	})
	deactivated := false
	run(t, e, "Okta/PatchActiveFalse", func(t testing.TB) {
		e.needs(t, UsersPatch, UsersGet, Attribute("active"), Attribute("name.givenName"))
		need(t)
		r := e.patch(t, "/Users/"+id, `[{"op":"replace","value":{"active":false}}]`)
		r.patched(t)
		if r.status == 200 && r.body["active"] != false {
			t.Fatalf("PATCH: %s", r.raw)
		}
		e.wantUser(t, id, map[string]string{"active": "0", "givenName": "Changed"})
		g := e.do(t, "GET", "/Users/"+id, "")
		if g.body["active"] != false {
			t.Fatalf("GET: %s", g.raw)
		}
		deactivated = true
	})
	run(t, e, "Okta/FilterDeactivated", func(t testing.TB) {
		e.needs(t, UsersList, ListsInactiveUsers)
		if !deactivated {
			t.Fatal("the deactivation step did not run or failed")
		}
		// Okta still finds the deactivated user before creating one.
		if got := e.filter(t, "Users", `userName eq "`+name+`"`); !same(got, []string{id}) {
			t.Fatalf("deactivated user by filter: %v", got)
		}
	})
	run(t, e, "Okta/PutReactivate", func(t testing.TB) {
		e.needs(t, UsersReplace, Attribute("active"))
		need(t)
		e.do(t, "PUT", "/Users/"+id, oktaUser(name, "Changed", "Spec")).want(t, 200)
		e.wantUser(t, id, map[string]string{"active": "1"})
	})
}
