package conformance

import (
	"fmt"
	"strings"
	"testing"
)

// testUndeclared checks that what a target declares is what it serves: every
// method it does not declare answers a SCIM error (405 on a resource type it
// serves, 404 for a resource type it does not), /ServiceProviderConfig advertises
// sorting and PATCH as declared, and every user attribute declared is in /Schemas.
func testUndeclared(t *testing.T, e *env) {
	user := `{"schemas":["` + coreUser + `"],"userName":"undeclared@example.com"}`
	group := `{"schemas":["` + coreGroup + `"],"displayName":"Undeclared"}`
	patch := patchBody(`[{"op":"replace","path":"title","value":"X"}]`)
	requests := []struct {
		c                  Capability
		method, path, body string
		endpoint           string
	}{
		{UsersGet, "GET", "/Users/undeclared", "", "Users"},
		{UsersList, "GET", "/Users", "", "Users"},
		{UsersCreate, "POST", "/Users", user, "Users"},
		{UsersReplace, "PUT", "/Users/undeclared", user, "Users"},
		{UsersPatch, "PATCH", "/Users/undeclared", patch, "Users"},
		{UsersDelete, "DELETE", "/Users/undeclared", "", "Users"},
		{GroupsGet, "GET", "/Groups/undeclared", "", "Groups"},
		{GroupsList, "GET", "/Groups", "", "Groups"},
		{GroupsCreate, "POST", "/Groups", group, "Groups"},
		{GroupsReplace, "PUT", "/Groups/undeclared", group, "Groups"},
		{GroupsPatch, "PATCH", "/Groups/undeclared", patchBody(`[{"op":"replace","path":"displayName","value":"X"}]`), "Groups"},
		{GroupsDelete, "DELETE", "/Groups/undeclared", "", "Groups"},
	}
	served := map[string]bool{}
	for _, r := range requests {
		if e.declares[r.c] {
			served[r.endpoint] = true
		}
	}
	for _, r := range requests {
		if e.declares[r.c] {
			continue // the other parts of the suite check what it does
		}
		name := fmt.Sprintf("%s-%s", r.method, strings.ReplaceAll(strings.TrimPrefix(r.path, "/"), "/", "-"))
		run(t, e, "Undeclared/"+name, func(t testing.TB) {
			got := e.do(t, r.method, r.path, r.body)
			if served[r.endpoint] {
				got.wantError(t, 405, "")
				return
			}
			got.wantError(t, 404, "")
		})
	}
	run(t, e, "Undeclared/ServiceProviderConfig", func(t testing.TB) {
		r := e.do(t, "GET", "/ServiceProviderConfig", "")
		r.want(t, 200)
		if got, want := obj(r.body["sort"])["supported"] == true, e.declares[Sort]; got != want {
			t.Fatalf("sort.supported is %v, the target declares sorting: %v", got, want)
		}
		if got, want := obj(r.body["patch"])["supported"] == true, e.declares[UsersPatch] || e.declares[GroupsPatch]; got != want {
			t.Fatalf("patch.supported is %v, the target declares PATCH: %v", got, want)
		}
	})
	run(t, e, "Undeclared/attributes-in-Schemas", func(t testing.TB) {
		r := e.do(t, "GET", "/Schemas", "")
		r.want(t, 200)
		served := map[Capability]bool{}
		for _, s := range list(r.body["Resources"]) {
			id, _ := obj(s)["id"].(string)
			prefix := ""
			if id != coreUser {
				prefix = id + ":" // the enterprise extension, or a custom one
			}
			for _, a := range list(obj(s)["attributes"]) {
				name, _ := obj(a)["name"].(string)
				served[Attribute(prefix+name)] = true
				for _, sub := range list(obj(a)["subAttributes"]) {
					subName, _ := obj(sub)["name"].(string)
					served[Attribute(prefix+name+"."+subName)] = true
				}
			}
		}
		for c := range e.declares {
			path, ok := strings.CutPrefix(string(c), string(Attribute("")))
			if !ok || path == "externalId" || path == "meta" || strings.HasPrefix(path, "meta.") { // common attributes, in no schema
				continue
			}
			if !served[c] {
				t.Fatalf("the target declares %s, which /Schemas does not list", path)
			}
		}
	})
}
