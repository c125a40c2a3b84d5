package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// random returns a random hex string, as the validators make their names.
func random() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// entraUser is the POST Microsoft Entra ID's SCIM validator sends.
func entraUser(userName, externalID, email string) string {
	return fmt.Sprintf(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": %q,
		"userName": %q,
		"active": true,
		"displayName": "Test User",
		"emails": [{"primary": true, "type": "work", "value": %q}],
		"meta": {"resourceType": "User"},
		"name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
		"title": "Tester",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Validation"},
		"roles": []
	}`, externalID, userName, email)
}

// entraCreate creates a user as Entra does and returns its id and userName.
func (e *env) entraCreate(t testing.TB) (string, string) {
	t.Helper()
	name := "Test_User_" + random() + "@testuser.com"
	r := e.do(t, "POST", "/Users", entraUser(name, random(), "Test_User_"+random()+"@testuser.com"))
	r.want(t, 201)
	id, _ := r.body["id"].(string)
	if id == "" {
		t.Fatalf("no id: %s", r.raw)
	}
	return id, name
}

// testEntraValidator replays the scenarios of Microsoft Entra ID's SCIM validator
// (and the requests of Entra's provisioning service they stand for) with Entra's
// shapes: capitalised ops, booleans as strings, the enterprise manager set with a
// bare id.
func testEntraValidator(t *testing.T, e *env) {
	run(t, e, "Entra/CreateUser", func(t testing.TB) {
		e.needs(t, UsersCreate, Attribute("externalId"), Attribute("emails"), Attribute("name.givenName"), Attribute("name.familyName"), Attribute("title"), Attribute(departmentP), Attribute("active"))
		name := "Test_User_" + random() + "@testuser.com"
		email := "Test_User_" + random() + "@testuser.com"
		ext := "0a21f0f2-" + random()
		r := e.do(t, "POST", "/Users", entraUser(name, ext, email))
		r.want(t, 201)
		id, _ := r.body["id"].(string)
		if id == "" || r.body["userName"] != name || r.body["externalId"] != ext || r.body["active"] != true {
			t.Fatalf("create answered %s", r.raw)
		}
		if em := list(r.body["emails"]); len(em) != 1 || obj(em[0])["value"] != email {
			t.Fatalf("emails: %s", r.raw)
		}
		if obj(r.body[enterprise])["department"] != "Validation" || obj(r.body["name"])["familyName"] != "familyName" {
			t.Fatalf("create answered %s", r.raw)
		}
		if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/Users/"+id) {
			t.Fatalf("Location %q", loc)
		}
		e.wantUser(t, id, map[string]string{"userName": name, "externalId": ext, "email": email, "givenName": "givenName",
			"familyName": "familyName", "title": "Tester", "department": "Validation", "active": "1"})
	})
	run(t, e, "Entra/CreateDuplicate", func(t testing.TB) {
		e.needs(t, UsersCreate)
		_, name := e.entraCreate(t)
		e.do(t, "POST", "/Users", entraUser(name, random(), "other@testuser.com")).wantError(t, 409, "uniqueness")
		if n := e.rows.CountUsers(t, name); n != 1 {
			t.Fatalf("%d rows named %s", n, name)
		}
	})
	run(t, e, "Entra/FilterExisting", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersList)
		id, name := e.entraCreate(t)
		if got := e.filter(t, "Users", `userName eq "`+name+`"`); !same(got, []string{id}) {
			t.Fatalf("filter: %v", got)
		}
	})
	run(t, e, "Entra/FilterNonExisting", func(t testing.TB) {
		e.needs(t, UsersList)
		r := e.do(t, "GET", "/Users?filter="+q(`userName eq "non-existent user"`), "")
		r.want(t, 200)
		if r.body["totalResults"] != 0.0 || len(list(r.body["Resources"])) != 0 {
			t.Fatalf("filter: %s", r.raw)
		}
	})
	run(t, e, "Entra/FilterDifferentCase", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersList)
		id, name := e.entraCreate(t)
		if got := e.filter(t, "Users", `userName eq "`+strings.ToUpper(name)+`"`); !same(got, []string{id}) {
			t.Fatalf("filter in upper case: %v", got)
		}
	})
	run(t, e, "Entra/FilterExternalId", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersList, Attribute("externalId"), Attribute("emails"))
		ext := random()
		r := e.do(t, "POST", "/Users", entraUser("Test_User_"+random()+"@testuser.com", ext, "x@testuser.com"))
		r.want(t, 201)
		if got := e.filter(t, "Users", `externalId eq "`+ext+`"`); !same(got, []string{r.body["id"].(string)}) {
			t.Fatalf("externalId filter: %v", got)
		}
		// Entra's unquoted value and the filtered email form.
		if got := e.filter(t, "Users", `externalId eq `+ext); len(got) != 1 {
			t.Fatalf("unquoted externalId filter: %v", got)
		}
		if got := e.filter(t, "Users", `emails[type eq "work"].value eq "x@testuser.com"`); len(got) != 1 {
			t.Fatalf("email filter: %v", got)
		}
	})
	run(t, e, "Entra/PatchReplaceStringBooleans", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersPatch, UsersGet, Attribute("title"), Attribute("emails"), Attribute("name.givenName"), Attribute("name.familyName"), Attribute("externalId"), Attribute(departmentP), Attribute("active"))
		id, _ := e.entraCreate(t)
		newName := "Test_User_" + random() + "@testuser.com"
		r := e.patch(t, "/Users/"+id, `[
			{"op": "Replace", "path": "userName", "value": "`+newName+`"},
			{"op": "Replace", "path": "displayName", "value": "Updated User"},
			{"op": "Replace", "path": "title", "value": "Senior Tester"},
			{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@testuser.com"},
			{"op": "Replace", "path": "name.givenName", "value": "updatedGivenName"},
			{"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
			{"op": "Replace", "path": "externalId", "value": "updated-external-id"},
			{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Updated Department"},
			{"op": "Replace", "path": "active", "value": "False"}]`)
		r.patched(t)
		e.wantUser(t, id, map[string]string{"userName": newName, "title": "Senior Tester", "email": "updatedEmail@testuser.com",
			"givenName": "updatedGivenName", "familyName": "updatedFamilyName", "externalId": "updated-external-id",
			"department": "Updated Department", "active": "0"})
		g := e.do(t, "GET", "/Users/"+id, "")
		if g.body["active"] != false || g.body["userName"] != newName {
			t.Fatalf("GET after PATCH: %s", g.raw)
		}
	})
	run(t, e, "Entra/PatchReplaceVerbose", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersPatch, UsersGet, Attribute("emails"), Attribute("name.givenName"), Attribute("name.familyName"), Attribute("title"), Attribute(departmentP), Attribute("active"))
		// The validator's create with every attribute it knows, most of them
		// unmapped here, then its verbose replace: one operation per attribute,
		// value filters on attributes the user may lack, a boolean filter value
		// as a string, and a path-less replace keyed by attribute paths.
		r := e.do(t, "POST", "/Users", entraFullUser("alfreda_kulas_"+random()+"@littlegutkowski.co.uk"))
		r.want(t, 201)
		id := r.body["id"].(string)
		p := e.do(t, "PATCH", "/Users/"+id, entraVerbose("replace"))
		p.want(t, 200, 204)
		e.wantUser(t, id, map[string]string{"email": "elbert@murphy.us", "givenName": "Janessa", "familyName": "Eloy",
			"title": "GWJZNRYZYFWD", "department": "ERQODAWELTIZ", "active": "1"})
		g := e.do(t, "GET", "/Users/"+id, "")
		if em := list(g.body["emails"]); len(em) != 1 || obj(em[0])["value"] != "elbert@murphy.us" || obj(g.body["name"])["givenName"] != "Janessa" {
			t.Fatalf("GET after the verbose replace: %s", g.raw)
		}
	})
	run(t, e, "Entra/PatchAddVerboseFull", func(t testing.TB) {
		e.needs(t, OptionalProfile, UsersCreate, UsersPatch, Attribute("emails"), Attribute("name.givenName"), Attribute("name.familyName"), Attribute("title"), Attribute(departmentP), Attribute("active"))
		r := e.do(t, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"add_`+random()+`@example.com","active":true}`)
		r.want(t, 201)
		id := r.body["id"].(string)
		e.do(t, "PATCH", "/Users/"+id, entraVerbose("add")).want(t, 200, 204)
		e.wantUser(t, id, map[string]string{"email": "elbert@murphy.us", "givenName": "Janessa", "familyName": "Eloy",
			"title": "GWJZNRYZYFWD", "department": "ERQODAWELTIZ", "active": "1"})
	})
	run(t, e, "Entra/PatchAddVerbose", func(t testing.TB) {
		e.needs(t, UsersPatch, Attribute("externalId"), Attribute("title"), Attribute("emails"), Attribute("name.givenName"), Attribute("name.familyName"), Attribute(departmentP), Attribute("active"))
		id := e.newUser(t, row{})
		r := e.patch(t, "/Users/"+id, `[
			{"op": "Add", "path": "externalId", "value": "added-external-id"},
			{"op": "Add", "path": "title", "value": "Added Title"},
			{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "added@testuser.com"},
			{"op": "Add", "path": "name.givenName", "value": "addedGiven"},
			{"op": "Add", "path": "name.familyName", "value": "addedFamily"},
			{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Added Department"},
			{"op": "Add", "path": "active", "value": "True"}]`)
		r.patched(t)
		e.wantUser(t, id, map[string]string{"externalId": "added-external-id", "title": "Added Title", "email": "added@testuser.com",
			"givenName": "addedGiven", "familyName": "addedFamily", "department": "Added Department", "active": "1"})
	})
	run(t, e, "Entra/UpdateUserName", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersPatch, UsersList)
		id, old := e.entraCreate(t)
		newName := "5b50642d-" + random() + "@testuser.com"
		e.patch(t, "/Users/"+id, `[{"op":"Replace","path":"userName","value":"`+newName+`"}]`).patched(t)
		e.wantUser(t, id, map[string]string{"userName": newName})
		if got := e.filter(t, "Users", `userName eq "`+newName+`"`); !same(got, []string{id}) {
			t.Fatalf("new name: %v", got)
		}
		if got := e.filter(t, "Users", `userName eq "`+old+`"`); len(got) != 0 {
			t.Fatalf("old name: %v", got)
		}
	})
	run(t, e, "Entra/DisableUser", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersPatch, UsersGet, Attribute("active"))
		id, _ := e.entraCreate(t)
		e.patch(t, "/Users/"+id, `[{"op":"Replace","path":"active","value":"False"}]`).patched(t)
		e.wantUser(t, id, map[string]string{"active": "0"})
		if r := e.do(t, "GET", "/Users/"+id, ""); r.body["active"] != false {
			t.Fatalf("GET: %s", r.raw)
		}
		// Entra's older path-less form, and enabling again.
		e.patch(t, "/Users/"+id, `[{"op":"Replace","value":{"active":"True"}}]`).patched(t)
		e.wantUser(t, id, map[string]string{"active": "1"})
	})
	run(t, e, "Entra/AddManager", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersPatch, UsersGet, UsersList, Attribute(managerP), Attribute(departmentP))
		id, _ := e.entraCreate(t)
		mgr, _ := e.entraCreate(t)
		e.patch(t, "/Users/"+id, `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+mgr+`"}]`).patched(t)
		e.wantUser(t, id, map[string]string{"manager": mgr, "department": "Validation"})
		r := e.do(t, "GET", "/Users/"+id, "")
		if m := obj(obj(r.body[enterprise])["manager"]); m["value"] != mgr {
			t.Fatalf("manager: %s", r.raw)
		}
		if got := e.filter(t, "Users", managerP+`.value eq "`+mgr+`"`); !same(got, []string{id}) {
			t.Fatalf("filter by manager: %v", got)
		}
	})
	run(t, e, "Entra/ReplaceManager", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersPatch, Attribute(managerP))
		id, _ := e.entraCreate(t)
		m1, _ := e.entraCreate(t)
		m2, _ := e.entraCreate(t)
		e.patch(t, "/Users/"+id, `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+m1+`"}]`).patched(t)
		e.patch(t, "/Users/"+id, `[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+m2+`"}]`).patched(t)
		e.wantUser(t, id, map[string]string{"manager": m2})
		// The object form some Entra versions send.
		e.patch(t, "/Users/"+id, `[{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"`+m1+`"}}]`).patched(t)
		e.wantUser(t, id, map[string]string{"manager": m1})
	})
	run(t, e, "Entra/RemoveManager", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersPatch, UsersGet, Attribute(managerP), Attribute(departmentP))
		id, _ := e.entraCreate(t)
		mgr, _ := e.entraCreate(t)
		e.patch(t, "/Users/"+id, `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+mgr+`"}]`).patched(t)
		e.patch(t, "/Users/"+id, `[{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]`).patched(t)
		e.wantUser(t, id, map[string]string{"manager": null, "department": "Validation"})
		if r := e.do(t, "GET", "/Users/"+id, ""); obj(r.body[enterprise])["manager"] != nil {
			t.Fatalf("manager still returned: %s", r.raw)
		}
		// The form with the manager to remove as the value.
		e.patch(t, "/Users/"+id, `[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"`+mgr+`"}]`).patched(t)
		e.patch(t, "/Users/"+id, `[{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":[{"value":"`+mgr+`"}]}]`).patched(t)
		e.wantUser(t, id, map[string]string{"manager": null})
	})
	run(t, e, "Entra/DeleteUser", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersDelete, UsersGet)
		id, _ := e.entraCreate(t)
		e.do(t, "DELETE", "/Users/"+id, "").want(t, 204)
		if e.user(t, id) != nil {
			t.Fatal("the row is still there")
		}
		e.do(t, "GET", "/Users/"+id, "").wantError(t, 404, "")
		e.do(t, "DELETE", "/Users/"+id, "").wantError(t, 404, "")
	})

	// Entra's group provisioning.
	run(t, e, "Entra/CreateGroup", func(t testing.TB) {
		e.needs(t, GroupsCreate, GroupsList, UniqueGroupNames)
		name := "Test_Group_" + random()
		r := e.do(t, "POST", "/Groups", `{"externalId":"`+random()+`","displayName":"`+name+`","meta":{"resourceType":"Group"},
			"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`)
		r.want(t, 201)
		if r.body["displayName"] != name || e.rows.CountGroups(t, name) != 1 {
			t.Fatalf("create group: %s", r.raw)
		}
		e.do(t, "POST", "/Groups", `{"displayName":"`+strings.ToUpper(name)+`","schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`).wantError(t, 409, "uniqueness")
		r = e.do(t, "GET", "/Groups?excludedAttributes=members&filter="+q(`displayName eq "`+name+`"`), "")
		r.want(t, 200)
		if r.body["totalResults"] != 1.0 {
			t.Fatalf("filter group: %s", r.raw)
		}
	})
	run(t, e, "Entra/GetUser", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersGet, Attribute(departmentP))
		id, name := e.entraCreate(t)
		r := e.do(t, "GET", "/Users/"+id, "")
		r.want(t, 200)
		if r.body["id"] != id || r.body["userName"] != name || obj(r.body[enterprise])["department"] != "Validation" {
			t.Fatalf("GET: %s", r.raw)
		}
	})
	run(t, e, "Entra/FilterGroups", func(t testing.TB) {
		e.needs(t, GroupsCreate, GroupsList, GroupsGet)
		name := "Test_Group_" + random()
		r := e.do(t, "POST", "/Groups", `{"displayName":"`+name+`","schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`)
		r.want(t, 201)
		g := r.body["id"].(string)
		for f, want := range map[string][]string{
			`displayName eq "` + name + `"`:                  {g},
			`displayName eq "` + strings.ToUpper(name) + `"`: {g},
			`displayName eq "non-existent group"`:            nil,
		} {
			r := e.do(t, "GET", "/Groups?excludedAttributes=members&filter="+q(f), "")
			r.want(t, 200)
			if got := sortedIDs(r); !same(got, want) || r.body["totalResults"] != float64(len(want)) {
				t.Fatalf("%s: %s", f, r.raw)
			}
		}
		r = e.do(t, "GET", "/Groups/"+g+"?excludedAttributes=members", "")
		r.want(t, 200)
		if r.body["displayName"] != name || r.body["members"] != nil {
			t.Fatalf("GET group: %s", r.raw)
		}
	})
	run(t, e, "Entra/GroupMembers", func(t testing.TB) {
		e.needs(t, UsersCreate, GroupsCreate, GroupsPatch, GroupsDelete)
		u1, _ := e.entraCreate(t)
		u2, _ := e.entraCreate(t)
		r := e.do(t, "POST", "/Groups", `{"displayName":"Test_Group_`+random()+`","schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]}`)
		r.want(t, 201)
		g := r.body["id"].(string)
		e.patch(t, "/Groups/"+g, `[{"op":"Add","path":"members","value":[{"value":"`+u1+`"},{"value":"`+u2+`"}]}]`).patched(t)
		if got := e.members(t, g); len(got) != 2 {
			t.Fatalf("members after add: %v", got)
		}
		e.patch(t, "/Groups/"+g, `[{"op":"Remove","path":"members","value":[{"value":"`+u1+`"}]}]`).patched(t)
		if got := e.members(t, g); !same(got, []string{u2}) {
			t.Fatalf("members after remove: %v", got)
		}
		e.patch(t, "/Groups/"+g, `[{"op":"Replace","path":"displayName","value":"Renamed_`+random()+`"}]`).patched(t)
		if got := e.members(t, g); !same(got, []string{u2}) {
			t.Fatalf("members after rename: %v", got)
		}
		e.do(t, "DELETE", "/Groups/"+g, "").want(t, 204)
		if _, ok, members := e.rows.Group(t, g); ok || len(members) != 0 {
			t.Fatal("group still there")
		}
	})
}

// entraFullUser is the validator's create with every attribute it generates.
func entraFullUser(userName string) string {
	return `{
    "active": true,
    "addresses": [{"type": "work", "formatted": "SMECGTNERCYB", "streetAddress": "48051 Wyman Crescent", "locality": "KZGMXRWUERYN",
        "region": "OPGOERCMMDMM", "postalCode": "sf9 2bi", "primary": true, "country": "Czech Republic"}],
    "displayName": "XHLNMLCHCDKY",
    "emails": [{"type": "work", "value": "buster.pfannerstill@lockmanlesch.us", "primary": true}],
    "locale": "EEQKCKVTLCGE",
    "name": {"givenName": "Marianna", "familyName": "Clarissa", "formatted": "Augusta", "middleName": "D'angelo",
        "honorificPrefix": "Felix", "honorificSuffix": "Verona"},
    "nickName": "DKYYDYXIFWAM",
    "phoneNumbers": [{"type": "work", "value": "18-569-6230", "primary": true}, {"type": "mobile", "value": "18-569-6230"},
        {"type": "fax", "value": "18-569-6230"}],
    "preferredLanguage": "sr-Latn-RS",
    "profileUrl": "PSEDIKWEYFMO",
    "roles": [{"primary": true, "display": "LMYZCPJGHNTQ", "value": "DVILABHTDNGE", "type": "DNLVKNPAJLNP"}],
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "timezone": "Africa/Libreville",
    "title": "MPNHXUBNKMMT",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "UVFGABTNSFTG", "department": "LGAWCIDHVMLI",
        "costCenter": "DOEHSQTDYUNN", "organization": "SPQQVVHWJIRG", "division": "AYOQREXHSPPI"},
    "userName": "` + userName + `",
    "userType": "CQYGEYKHFCTJ"
}`
}

// entraVerbose is the validator's verbose PATCH with the given op.
func entraVerbose(op string) string {
	ops := ""
	for _, pv := range [][2]string{
		{`emails[type eq \"work\"].value`, `"elbert@murphy.us"`},
		{`emails[type eq \"work\"].primary`, `true`},
		{`addresses[type eq \"work\"].formatted`, `"VFPRNMVLQPFG"`},
		{`addresses[type eq \"work\"].streetAddress`, `"116 Towne Summit"`},
		{`addresses[type eq \"work\"].locality`, `"UQSMOIYPGKQI"`},
		{`addresses[type eq \"work\"].region`, `"RGSFCPWGLJRP"`},
		{`addresses[type eq \"work\"].postalCode`, `"wp2 3oc"`},
		{`addresses[type eq \"work\"].primary`, `true`},
		{`addresses[type eq \"work\"].country`, `"Namibia"`},
		{`phoneNumbers[type eq \"work\"].value`, `"33-749-9990"`},
		{`phoneNumbers[type eq \"work\"].primary`, `true`},
		{`phoneNumbers[type eq \"mobile\"].value`, `"33-749-9990"`},
		{`phoneNumbers[type eq \"fax\"].value`, `"33-749-9990"`},
		{`roles[primary eq \"True\"].display`, `"WMIIFOEBBTKE"`},
		{`roles[primary eq \"True\"].value`, `"JVQBTZOTYYVB"`},
		{`roles[primary eq \"True\"].type`, `"BHOZLXUVBKAG"`},
	} {
		ops += `{"op": "` + op + `", "path": "` + pv[0] + `", "value": ` + pv[1] + `},`
	}
	return `{"Operations": [` + ops + `
    {"op": "` + op + `", "value": {
        "active": true, "displayName": "QWUNAMCBRHTB", "title": "GWJZNRYZYFWD", "preferredLanguage": "dsb-DE",
        "name.givenName": "Janessa", "name.familyName": "Eloy", "name.formatted": "Petra", "name.middleName": "Amanda",
        "name.honorificPrefix": "Cheyenne", "name.honorificSuffix": "Loren",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "PQFWQUWGUFQK",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "ERQODAWELTIZ",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter": "LTQKRXTPYGIA",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:organization": "TLHYWCPUMAVI",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division": "XOHRCGTBDZFH",
        "userType": "KFZAEDZCBHLI", "nickName": "XELTCHWSZKDN", "locale": "KDEDZZBGRAOB", "timezone": "America/Belize",
        "profileUrl": "EEASFOPRMBDT"}}],
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`
}
