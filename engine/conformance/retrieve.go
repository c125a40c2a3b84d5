package conformance

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// hour returns the fixture's modified_at for hour h of 2024-01-01 (UTC).
func hour(h int) time.Time { return time.Date(2024, 1, 1, h, 0, 0, 0, time.UTC) }

// seedDirectory seeds the read-only directory the retrieval tests query:
//
//	id   userName            externalId  name             email                   title     department  manager  active  lastModified
//	u01  alice@example.com   x-alice     Alice O'Malley   alice@example.com       Engineer  NULL        NULL     true    01:00
//	u02  Bob@Example.org     x-Bob       Bob Smith        bob@example.org         Manager   Sales       NULL     true    02:00
//	u03  carol@example.com   NULL        Carol smith      carol@work.example.net  NULL      R&D         u02      false   03:00
//	u04  dave_%@example.com  NULL        Dave Jones       NULL                    NULL      ''          u02      true    04:00
//	u05  Eve@example.com     x-eve       Eve Brown        eve@example.org         Intern    Sales       u01      true    05:00
//
// and the groups Admins (u01, u02) and Readers (u03).
func seedDirectory(t testing.TB, e *env) {
	t.Helper()
	e.needsBackend(t)
	e.seed(t,
		row{ID: "u01", UserName: "alice@example.com", ExternalID: "x-alice", GivenName: "Alice", FamilyName: "O'Malley", Email: "alice@example.com", Title: "Engineer", LastModified: hour(1)},
		row{ID: "u02", UserName: "Bob@Example.org", ExternalID: "x-Bob", GivenName: "Bob", FamilyName: "Smith", Email: "bob@example.org", Title: "Manager", Department: "Sales", LastModified: hour(2)},
		row{ID: "u03", UserName: "carol@example.com", GivenName: "Carol", FamilyName: "smith", Email: "carol@work.example.net", Department: "R&D", Manager: "u02", Inactive: true, LastModified: hour(3)},
		row{ID: "u04", UserName: "dave_%@example.com", GivenName: "Dave", FamilyName: "Jones", Department: "", Manager: "u02", LastModified: hour(4)},
		row{ID: "u05", UserName: "Eve@example.com", ExternalID: "x-eve", GivenName: "Eve", FamilyName: "Brown", Email: "eve@example.org", Title: "Intern", Department: "Sales", Manager: "u01", LastModified: hour(5)},
	)
	if e.declares[GroupsGet] || e.declares[GroupsList] {
		e.seedGroup(t, "g1", "Admins", "u01", "u02")
		e.seedGroup(t, "g2", "Readers", "u03")
	}
}

func u(n ...int) []string {
	var out []string
	for _, i := range n {
		out = append(out, fmt.Sprintf("u%02d", i))
	}
	return out
}

// filterCase is one filter and the ids it must select.
type filterCase struct {
	name, filter string
	want         []string
}

func runFilters(t *testing.T, e *env, endpoint string, cases []filterCase) {
	t.Helper()
	for _, c := range cases {
		run(t, e, c.name, func(t testing.TB) {
			e.needs(t, filterNeeds(endpoint, c.filter)...)
			if got := e.filter(t, endpoint, c.filter); !same(got, c.want) {
				t.Fatalf("filter %s selected %v, want %v", c.filter, got, c.want)
			}
		})
	}
}

// testRetrieve checks RFC 7644 §3.4: retrieving known resources, query
// filters (§3.4.2.2), sorting (§3.4.2.3), paging (§3.4.2.4), attributes
// (§3.4.2.5) and POST /.search (§3.4.3).
func testRetrieve(t *testing.T, e *env) {
	seedDirectory(t, e)

	run(t, e, "RFC7644-3.4.1/get", func(t testing.TB) {
		e.needs(t, UsersGet, Attribute("name.familyName"), Attribute(departmentP))
		r := e.do(t, "GET", "/Users/u02", "")
		r.want(t, 200)
		if r.body["id"] != "u02" || r.body["userName"] != "Bob@Example.org" || obj(r.body["name"])["familyName"] != "Smith" {
			t.Fatalf("GET: %s", r.raw)
		}
		schemas := fmt.Sprint(r.body["schemas"])
		if !strings.Contains(schemas, coreUser) || !strings.Contains(schemas, enterprise) {
			t.Fatalf("schemas %v", r.body["schemas"])
		}
		meta := obj(r.body["meta"])
		if meta["resourceType"] != "User" || !strings.HasSuffix(fmt.Sprint(meta["location"]), e.path()+"/Users/u02") {
			t.Fatalf("meta %v", meta)
		}
		if obj(r.body[enterprise])["department"] != "Sales" {
			t.Fatalf("enterprise extension: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.1/manager", func(t testing.TB) {
		e.needs(t, UsersGet, Attribute(managerP))
		r := e.do(t, "GET", "/Users/u03", "")
		r.want(t, 200)
		if obj(obj(r.body[enterprise])["manager"])["value"] != "u02" {
			t.Fatalf("manager: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.1/not-found", func(t testing.TB) {
		e.needs(t, UsersGet)
		e.do(t, "GET", "/Users/u99", "").wantError(t, 404, "")
	})
	run(t, e, "RFC7644-3.4.1/id-case-exact", func(t testing.TB) {
		e.needs(t, UsersGet)
		e.do(t, "GET", "/Users/U01", "").wantError(t, 404, "")
	})
	run(t, e, "RFC7644-3.4.1/group-members", func(t testing.TB) {
		e.needs(t, GroupsGet)
		r := e.do(t, "GET", "/Groups/g1", "")
		r.want(t, 200)
		var got []string
		for _, m := range list(r.body["members"]) {
			got = append(got, fmt.Sprint(obj(m)["value"]))
		}
		if strings.Join(got, ",") != "u01,u02" && strings.Join(got, ",") != "u02,u01" {
			t.Fatalf("members: %s", r.raw)
		}
	})

	run(t, e, "RFC7644-3.4.2/list-response", func(t testing.TB) {
		e.needs(t, UsersList, ListsInactiveUsers)
		r := e.do(t, "GET", "/Users", "")
		r.want(t, 200)
		if s := list(r.body["schemas"]); len(s) != 1 || s[0] != listURN {
			t.Fatalf("schemas %v", r.body["schemas"])
		}
		if r.body["totalResults"] != 5.0 || r.body["startIndex"] != 1.0 || r.body["itemsPerPage"] != 5.0 {
			t.Fatalf("ListResponse: %s", r.raw)
		}
		if !same(sortedIDs(r), u(1, 2, 3, 4, 5)) {
			t.Fatalf("ids %v", ids(r))
		}
		for _, x := range list(r.body["Resources"]) {
			if !strings.Contains(fmt.Sprint(obj(x)["schemas"]), coreUser) || obj(obj(x)["meta"])["resourceType"] != "User" {
				t.Fatalf("resource %v", x)
			}
		}
	})
	run(t, e, "RFC7644-3.4.2/no-results", func(t testing.TB) {
		e.needs(t, UsersList)
		r := e.do(t, "GET", "/Users?filter="+q(`userName eq "nobody@example.com"`), "")
		r.want(t, 200)
		if r.body["totalResults"] != 0.0 || len(list(r.body["Resources"])) != 0 {
			t.Fatalf("no results: %s", r.raw)
		}
	})

	// §3.4.2.2: every operator, on simple, complex, multi-valued, extension and
	// meta attributes, with each attribute's case rules.
	ext := departmentP
	runFilters(t, e, "Users", []filterCase{
		{"RFC7644-3.4.2.2/eq", `userName eq "bob@example.org"`, u(2)},
		{"RFC7644-3.4.2.2/eq-sub-attribute", `name.familyName eq "smith"`, u(2, 3)},
		{"RFC7644-3.4.2.2/eq-multi-valued", `emails.value eq "EVE@example.org"`, u(5)},
		{"RFC7644-3.4.2.2/eq-extension", ext + ` eq "r&d"`, u(3)},
		{"RFC7644-3.4.2.2/eq-manager", managerP + `.value eq "u02"`, u(3, 4)},
		{"RFC7644-3.4.2.2/eq-meta", `meta.lastModified eq "2024-01-01T03:00:00Z"`, u(3)},
		{"RFC7644-3.4.2.2/eq-boolean", `active eq false`, u(3)},
		{"RFC7644-3.4.2.2/ne", `userName ne "ALICE@example.com"`, u(2, 3, 4, 5)},
		{"RFC7644-3.4.2.2/ne-unassigned", `title ne "Engineer"`, u(2, 3, 4, 5)},
		{"RFC7644-3.4.2.2/co", `name.familyName co "O'Malley"`, u(1)},
		{"RFC7644-3.4.2.2/co-case-insensitive", `userName co "EXAMPLE.COM"`, u(1, 3, 4, 5)},
		{"RFC7644-3.4.2.2/co-wildcards-literal", `userName co "_%"`, u(4)},
		{"RFC7644-3.4.2.2/co-multi-valued", `emails co "example.org"`, u(2, 5)},
		{"RFC7644-3.4.2.2/sw", `userName sw "b"`, u(2)},
		{"RFC7644-3.4.2.2/sw-urn", coreUser + `:userName sw "A"`, u(1)},
		{"RFC7644-3.4.2.2/ew", `userName ew ".ORG"`, u(2)},
		{"RFC7644-3.4.2.2/ew-sub-attribute", `name.familyName ew "ITH"`, u(2, 3)},
		{"RFC7644-3.4.2.2/pr", `title pr`, u(1, 2, 5)},
		{"RFC7644-3.4.2.2/pr-empty-string", ext + ` pr`, u(2, 3, 5)},
		{"RFC7644-3.4.2.2/pr-multi-valued", `emails pr`, u(1, 2, 3, 5)},
		{"RFC7644-3.4.2.2/pr-complex", managerP + ` pr`, u(3, 4, 5)},
		{"RFC7644-3.4.2.2/gt", `userName gt "carol@example.com"`, u(4, 5)},
		{"RFC7644-3.4.2.2/ge", `userName ge "CAROL@example.com"`, u(3, 4, 5)},
		{"RFC7644-3.4.2.2/lt", `userName lt "carol@example.com"`, u(1, 2)},
		{"RFC7644-3.4.2.2/le", `userName le "carol@example.com"`, u(1, 2, 3)},
		{"RFC7644-3.4.2.2/gt-dateTime", `meta.lastModified gt "2024-01-01T03:00:00Z"`, u(4, 5)},
		{"RFC7644-3.4.2.2/ge-dateTime", `meta.lastModified ge "2024-01-01T03:00:00Z"`, u(3, 4, 5)},
		{"RFC7644-3.4.2.2/lt-dateTime", `meta.lastModified lt "2024-01-01T03:00:00Z"`, u(1, 2)},
		{"RFC7644-3.4.2.2/le-dateTime", `meta.lastModified le "2024-01-01T03:00:00Z"`, u(1, 2, 3)},
		{"RFC7644-3.4.2.2/dateTime-with-offset", `meta.lastModified gt "2024-01-01T04:00:00+01:00"`, u(4, 5)},
		{"RFC7644-3.4.2.2/dateTime-fraction", `meta.lastModified eq "2024-01-01T03:00:00.000Z"`, u(3)},
		{"RFC7644-3.4.2.2/unmapped-attribute", `nickName eq "x" or nickName pr`, nil},
		{"RFC7644-3.4.2.2/not-unmapped-attribute", `not (nickName pr)`, u(1, 2, 3, 4, 5)},
		{"RFC7644-3.4.2.2/and", `name.familyName eq "smith" and active eq true`, u(2)},
		{"RFC7644-3.4.2.2/or", `userName eq "alice@example.com" or ` + managerP + `.value eq "u01"`, u(1, 5)},
		{"RFC7644-3.4.2.2/not", `not (title eq "Manager")`, u(1, 3, 4, 5)},
		{"RFC7644-3.4.2.2/precedence-and-before-or", `userName eq "alice@example.com" or userName eq "bob@example.org" and active eq false`, u(1)},
		{"RFC7644-3.4.2.2/grouping", `(userName eq "alice@example.com" or userName eq "bob@example.org") and active eq true`, u(1, 2)},
		{"RFC7644-3.4.2.2/grouping-not", `title pr and not (` + ext + ` eq "Sales" or userName sw "a")`, nil},
		{"RFC7644-3.4.2.2/value-path", `emails[type eq "work" and value co "@example.com"]`, u(1)},
		{"RFC7644-3.4.2.2/value-path-entra", `emails[type eq "work"].value eq "bob@example.org"`, u(2)},
		{"RFC7644-3.4.2.2/sub-attribute-of-multi-valued", `emails.type eq "work"`, u(1, 2, 3, 5)},
		{"RFC7644-3.4.2.2/example-grouped-emails", `title eq "Intern" and (emails co "example.com" or emails.value co "example.org")`, u(5)},
		{"RFC7644-3.4.2.2/schemas-eq-extension", `schemas eq "` + enterprise + `"`, u(2, 3, 4, 5)},
		{"RFC7644-3.4.2.2/attribute-names-and-operators-case-insensitive", `USERNAME EQ "ALICE@EXAMPLE.COM" and NAME.familyname Co "malley"`, u(1)},
		{"RFC7644-3.4.2.2/caseExact-externalId", `externalId eq "X-ALICE"`, nil},
		{"RFC7644-3.4.2.2/caseExact-externalId-exact", `externalId eq "x-alice"`, u(1)},
		{"RFC7644-3.4.2.2/caseExact-id", `id eq "U01"`, nil},
	})

	// Every operator on each kind of attribute: a sub-attribute of a complex
	// one (name.familyName), a multi-valued one (emails.value) and a dateTime
	// (meta.lastModified); userName's are above.
	const lm = "meta.lastModified"
	runFilters(t, e, "Users", []filterCase{
		{"RFC7644-3.4.2.2/pr/userName", `userName pr`, u(1, 2, 3, 4, 5)},
		{"RFC7644-3.4.2.2/ne/name.familyName", `name.familyName ne "SMITH"`, u(1, 4, 5)},
		{"RFC7644-3.4.2.2/co/name.familyName", `name.familyName co "MIT"`, u(2, 3)},
		{"RFC7644-3.4.2.2/sw/name.familyName", `name.familyName sw "s"`, u(2, 3)},
		{"RFC7644-3.4.2.2/pr/name.familyName", `name.familyName pr`, u(1, 2, 3, 4, 5)},
		{"RFC7644-3.4.2.2/gt/name.familyName", `name.familyName gt "Jones"`, u(1, 2, 3)},
		{"RFC7644-3.4.2.2/ge/name.familyName", `name.familyName ge "jones"`, u(1, 2, 3, 4)},
		{"RFC7644-3.4.2.2/lt/name.familyName", `name.familyName lt "jones"`, u(5)},
		{"RFC7644-3.4.2.2/le/name.familyName", `name.familyName le "JONES"`, u(4, 5)},
		{"RFC7644-3.4.2.2/ne/emails.value", `emails.value ne "alice@example.com"`, u(2, 3, 4, 5)},
		{"RFC7644-3.4.2.2/co/emails.value", `emails.value co "@EXAMPLE."`, u(1, 2, 5)},
		{"RFC7644-3.4.2.2/sw/emails.value", `emails.value sw "C"`, u(3)},
		{"RFC7644-3.4.2.2/ew/emails.value", `emails.value ew ".org"`, u(2, 5)},
		{"RFC7644-3.4.2.2/pr/emails.value", `emails.value pr`, u(1, 2, 3, 5)},
		{"RFC7644-3.4.2.2/gt/emails.value", `emails.value gt "carol@work.example.net"`, u(5)},
		{"RFC7644-3.4.2.2/ge/emails.value", `emails.value ge "carol@work.example.net"`, u(3, 5)},
		{"RFC7644-3.4.2.2/lt/emails.value", `emails.value lt "bob@example.org"`, u(1)},
		{"RFC7644-3.4.2.2/le/emails.value", `emails.value le "BOB@example.org"`, u(1, 2)},
		{"RFC7644-3.4.2.2/ne/" + lm, lm + ` ne "2024-01-01T03:00:00Z"`, u(1, 2, 4, 5)},
		{"RFC7644-3.4.2.2/pr/" + lm, lm + ` pr`, u(1, 2, 3, 4, 5)},
	})

	runFilters(t, e, "Groups", []filterCase{
		{"RFC7644-3.4.2.2/groups-eq", `displayName eq "admins"`, []string{"g1"}},
		{"RFC7644-3.4.2.2/groups-members-value-path", `members[value eq "u03"]`, []string{"g2"}},
		{"RFC7644-3.4.2.2/groups-members-sub-attribute", `members.value eq "u01"`, []string{"g1"}},
	})

	run(t, e, "RFC7644-3.4.2.2/boolean-ordering-invalidFilter", func(t testing.TB) {
		e.needs(t, UsersList, Attribute("active"))
		e.do(t, "GET", "/Users?filter="+q(`active gt true`), "").wantError(t, 400, "invalidFilter")
	})
	run(t, e, "RFC7644-3.4.2.2/complex-needs-sub-attribute", func(t testing.TB) {
		e.needs(t, UsersList, Attribute("name.familyName"))
		e.do(t, "GET", "/Users?filter="+q(`name eq "Smith"`), "").wantError(t, 400, "invalidFilter")
	})
	run(t, e, "RFC7644-3.4.2.2/invalidFilter", func(t testing.TB) {
		e.needs(t, UsersList)
		for _, f := range []string{`userName eq`, `userName zz "a"`, `(userName eq "a"`, `userName eq "a" and`, `emails[type eq "work"`} {
			e.do(t, "GET", "/Users?filter="+q(f), "").wantError(t, 400, "invalidFilter")
		}
	})

	// §3.4.2.3
	sorted := func(t testing.TB, query string, want []string) {
		t.Helper()
		e.needs(t, append(filterNeeds("Users", query), Sort)...)
		r := e.do(t, "GET", "/Users?"+query, "")
		r.want(t, 200)
		if got := ids(r); !same(got, want) {
			t.Fatalf("%s: order %v, want %v", query, got, want)
		}
	}
	run(t, e, "RFC7644-3.4.2.3/advertised", func(t testing.TB) {
		e.needs(t, Sort)
		r := e.do(t, "GET", "/ServiceProviderConfig", "")
		r.want(t, 200)
		if obj(r.body["sort"])["supported"] != true {
			t.Fatalf("sort: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.2.3/ascending-by-default", func(t testing.TB) {
		sorted(t, "sortBy=userName", u(1, 2, 3, 4, 5))
		sorted(t, "sortBy=userName&sortOrder=ascending", u(1, 2, 3, 4, 5))
	})
	run(t, e, "RFC7644-3.4.2.3/descending", func(t testing.TB) {
		sorted(t, "sortBy=userName&sortOrder=descending", u(5, 4, 3, 2, 1))
	})
	run(t, e, "RFC7644-3.4.2.3/caseExact-sorts-case-sensitive", func(t testing.TB) {
		sorted(t, "filter="+q("externalId pr")+"&sortBy=externalId", u(2, 1, 5))
	})
	run(t, e, "RFC7644-3.4.2.3/sub-attribute", func(t testing.TB) {
		e.needs(t, UsersList, ListsInactiveUsers, Sort, Attribute("name.familyName"))
		r := e.do(t, "GET", "/Users?sortBy=name.familyName", "")
		r.want(t, 200)
		if got := strings.Join(ids(r), ","); got != "u05,u04,u01,u02,u03" && got != "u05,u04,u01,u03,u02" {
			t.Fatalf("order %s", got)
		}
	})
	run(t, e, "RFC7644-3.4.2.3/dateTime", func(t testing.TB) {
		sorted(t, "sortBy=meta.lastModified&sortOrder=descending", u(5, 4, 3, 2, 1))
	})
	run(t, e, "RFC7644-3.4.2.3/extension", func(t testing.TB) {
		sorted(t, "filter="+q(managerP+".value pr")+"&sortBy="+q(managerP+".value")+"&sortOrder=ascending", []string{"u05", "u03", "u04"})
	})
	run(t, e, "RFC7644-3.4.2.3/multi-valued", func(t testing.TB) {
		sorted(t, "filter="+q("emails pr")+"&sortBy=emails.value&sortOrder=descending", u(5, 3, 2, 1))
	})
	run(t, e, "RFC7644-3.4.2.3/with-in-memory-filter", func(t testing.TB) {
		sorted(t, "filter="+q(`emails co "example"`)+"&sortBy=userName&sortOrder=descending", u(5, 3, 2, 1))
	})
	run(t, e, "RFC7644-3.4.2.3/with-paging", func(t testing.TB) {
		sorted(t, "sortBy=userName&startIndex=2&count=2", u(2, 3))
		sorted(t, "sortBy=userName&sortOrder=descending&startIndex=4&count=2", u(2, 1))
	})

	// §3.4.2.4
	page := func(t testing.TB, query string) res {
		t.Helper()
		e.needs(t, filterNeeds("Users", query)...)
		r := e.do(t, "GET", "/Users?"+query, "")
		r.want(t, 200)
		return r
	}
	run(t, e, "RFC7644-3.4.2.4/startIndex-count", func(t testing.TB) {
		seen := map[string]int{}
		for start := 1; start <= 5; start += 2 {
			r := page(t, fmt.Sprintf("startIndex=%d&count=2", start))
			n := min(2, 5-start+1)
			if r.body["totalResults"] != 5.0 || r.body["startIndex"] != float64(start) || r.body["itemsPerPage"] != float64(n) || len(ids(r)) != n {
				t.Fatalf("page at %d: %s", start, r.raw)
			}
			for _, id := range ids(r) {
				seen[id]++
			}
		}
		if len(seen) != 5 {
			t.Fatalf("pages returned %v", seen)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("%s on %d pages", id, n)
			}
		}
	})
	run(t, e, "RFC7644-3.4.2.4/filtered-walk", func(t testing.TB) {
		for _, f := range []string{`userName co "example"`, `emails co "example" or title pr`} {
			seen := map[string]int{}
			total := 0
			for start := 1; start <= 5; start += 2 {
				r := page(t, fmt.Sprintf("startIndex=%d&count=2&filter=%s", start, q(f)))
				n, _ := r.body["totalResults"].(float64)
				total = int(n)
				for _, id := range ids(r) {
					seen[id]++
				}
			}
			if len(seen) != total {
				t.Fatalf("%s: pages returned %v of %d", f, seen, total)
			}
			for id, n := range seen {
				if n != 1 {
					t.Fatalf("%s: %s on %d pages", f, id, n)
				}
			}
		}
	})
	run(t, e, "RFC7644-3.4.2.4/startIndex-defaults-to-1", func(t testing.TB) {
		r := page(t, "count=2")
		if r.body["startIndex"] != 1.0 || !same(ids(r), ids(page(t, "startIndex=1&count=2"))) {
			t.Fatalf("default startIndex: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.2.4/startIndex-below-1-is-1", func(t testing.TB) {
		first := ids(page(t, "startIndex=1&count=2"))
		for _, s := range []string{"0", "-4"} {
			r := page(t, "startIndex="+s+"&count=2")
			if r.body["startIndex"] != 1.0 || !same(ids(r), first) {
				t.Fatalf("startIndex=%s: %s", s, r.raw)
			}
		}
	})
	run(t, e, "RFC7644-3.4.2.4/count-0-only-totalResults", func(t testing.TB) {
		r := page(t, "count=0")
		if r.body["totalResults"] != 5.0 || len(list(r.body["Resources"])) != 0 || r.body["itemsPerPage"] != 0.0 {
			t.Fatalf("count=0: %s", r.raw)
		}
		r = page(t, "count=0&filter="+q(`name.familyName eq "smith"`))
		if r.body["totalResults"] != 2.0 || len(list(r.body["Resources"])) != 0 {
			t.Fatalf("count=0 with filter: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.2.4/count-negative-is-0", func(t testing.TB) {
		r := page(t, "count=-1")
		if r.body["totalResults"] != 5.0 || len(list(r.body["Resources"])) != 0 {
			t.Fatalf("count=-1: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.2.4/startIndex-beyond-end", func(t testing.TB) {
		for _, s := range []string{"6", "1000"} {
			r := page(t, "startIndex="+s+"&count=2")
			if r.body["totalResults"] != 5.0 || len(list(r.body["Resources"])) != 0 || r.body["itemsPerPage"] != 0.0 || fmt.Sprint(r.body["startIndex"]) != s {
				t.Fatalf("startIndex=%s: %s", s, r.raw)
			}
		}
	})
	run(t, e, "RFC7644-3.4.2.4/last-page-short", func(t testing.TB) {
		r := page(t, "startIndex=5&count=2")
		if r.body["totalResults"] != 5.0 || len(ids(r)) != 1 || r.body["itemsPerPage"] != 1.0 {
			t.Fatalf("last page: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.2.4/with-filter", func(t testing.TB) {
		r := page(t, "startIndex=2&count=2&filter="+q(`userName co "example.com"`))
		if r.body["totalResults"] != 4.0 || len(ids(r)) != 2 {
			t.Fatalf("filtered page: %s", r.raw)
		}
		r = page(t, "startIndex=2&count=2&filter="+q(`emails co "example"`))
		if r.body["totalResults"] != 4.0 || len(ids(r)) != 2 {
			t.Fatalf("filtered in memory: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.2.4/count-capped-at-maxResults", func(t testing.TB) {
		if e.target.WithMaxResults == nil {
			t.Skip("the target cannot be served again with another max_results (WithMaxResults)")
		}
		e.needs(t, UsersList, ListsInactiveUsers)
		capped := e.again(e.target.WithMaxResults(t, 2))
		r := capped.do(t, "GET", "/ServiceProviderConfig", "")
		r.want(t, 200)
		if obj(r.body["filter"])["maxResults"] != 2.0 {
			t.Fatalf("maxResults: %s", r.raw)
		}
		for _, query := range []string{"count=10", ""} {
			r = capped.do(t, "GET", "/Users?"+query, "")
			r.want(t, 200)
			if r.body["totalResults"] != 5.0 || len(ids(r)) != 2 || r.body["itemsPerPage"] != 2.0 {
				t.Fatalf("%q over maxResults 2: %s", query, r.raw)
			}
		}
	})

	// §3.4.2.5
	get := func(t testing.TB, path string) map[string]any {
		t.Helper()
		e.needs(t, UsersGet)
		r := e.do(t, "GET", path, "")
		r.want(t, 200)
		return r.body
	}
	run(t, e, "RFC7644-3.4.2.5/attributes", func(t testing.TB) {
		b := get(t, "/Users/u02?attributes=userName")
		if b["id"] != "u02" || b["userName"] != "Bob@Example.org" {
			t.Fatalf("attributes=userName: %v", b)
		}
		for _, k := range []string{"name", "emails", "title", "active", enterprise} {
			if _, ok := b[k]; ok {
				t.Fatalf("attributes=userName returned %s: %v", k, b)
			}
		}
	})
	run(t, e, "RFC7644-3.4.2.5/attributes-sub-attribute", func(t testing.TB) {
		e.needs(t, Attribute("name.familyName"))
		b := get(t, "/Users/u02?attributes=name.familyName")
		if n := obj(b["name"]); len(n) != 1 || n["familyName"] != "Smith" {
			t.Fatalf("attributes=name.familyName: %v", b)
		}
	})
	run(t, e, "RFC7644-3.4.2.5/attributes-extension", func(t testing.TB) {
		e.needs(t, Attribute(departmentP))
		b := get(t, "/Users/u03?attributes="+q(departmentP))
		x := obj(b[enterprise])
		if len(x) != 1 || x["department"] != "R&D" || b["userName"] != nil {
			t.Fatalf("attributes=department: %v", b)
		}
	})
	run(t, e, "RFC7644-3.4.2.5/excludedAttributes", func(t testing.TB) {
		e.needs(t, Attribute("title"))
		b := get(t, "/Users/u02?excludedAttributes=name,emails")
		if b["name"] != nil || b["emails"] != nil || b["userName"] != "Bob@Example.org" || b["title"] != "Manager" {
			t.Fatalf("excludedAttributes=name,emails: %v", b)
		}
	})
	run(t, e, "RFC7644-3.4.2.5/id-always-returned", func(t testing.TB) {
		if b := get(t, "/Users/u02?excludedAttributes=id"); b["id"] != "u02" {
			t.Fatalf("excludedAttributes=id: %v", b)
		}
		if b := get(t, "/Users/u02?attributes=title"); b["id"] != "u02" {
			t.Fatalf("attributes=title: %v", b)
		}
	})
	run(t, e, "RFC7644-3.4.2.5/on-lists", func(t testing.TB) {
		e.needs(t, UsersList, GroupsList)
		r := e.do(t, "GET", "/Users?attributes=userName&filter="+q(`userName sw "a"`), "")
		r.want(t, 200)
		x := obj(list(r.body["Resources"])[0])
		if x["userName"] != "alice@example.com" || x["name"] != nil || x["id"] != "u01" {
			t.Fatalf("list with attributes: %s", r.raw)
		}
		r = e.do(t, "GET", "/Groups?excludedAttributes=members&filter="+q(`displayName eq "Admins"`), "")
		r.want(t, 200)
		x = obj(list(r.body["Resources"])[0])
		if x["members"] != nil || x["displayName"] != "Admins" {
			t.Fatalf("groups without members: %s", r.raw)
		}
	})

	// §3.4.3
	run(t, e, "RFC7644-3.4.3/search", func(t testing.TB) {
		e.needs(t, UsersList, ListsInactiveUsers, Sort, Attribute("name.familyName"))
		body := `{"schemas":["` + searchURN + `"],"filter":"name.familyName eq \"smith\"","attributes":["userName"],"sortBy":"userName","sortOrder":"descending","startIndex":1,"count":10}`
		r := e.do(t, "POST", "/Users/.search", body)
		r.want(t, 200)
		if s := list(r.body["schemas"]); len(s) != 1 || s[0] != listURN {
			t.Fatalf(".search schemas: %s", r.raw)
		}
		if !same(ids(r), u(3, 2)) || r.body["totalResults"] != 2.0 {
			t.Fatalf(".search: %s", r.raw)
		}
		if x := obj(list(r.body["Resources"])[0]); x["name"] != nil || x["userName"] != "carol@example.com" {
			t.Fatalf(".search attributes: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.3/search-paging-excludedAttributes", func(t testing.TB) {
		e.needs(t, UsersList, ListsInactiveUsers, Sort)
		body := `{"schemas":["` + searchURN + `"],"excludedAttributes":["emails"],"startIndex":2,"count":2,"sortBy":"userName"}`
		r := e.do(t, "POST", "/Users/.search", body)
		r.want(t, 200)
		if !same(ids(r), u(2, 3)) || r.body["totalResults"] != 5.0 || obj(list(r.body["Resources"])[0])["emails"] != nil {
			t.Fatalf(".search: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.3/search-groups", func(t testing.TB) {
		e.needs(t, GroupsList)
		r := e.do(t, "POST", "/Groups/.search", `{"schemas":["`+searchURN+`"],"filter":"displayName sw \"r\""}`)
		r.want(t, 200)
		if !same(ids(r), []string{"g2"}) {
			t.Fatalf("groups .search: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.3/root-search", func(t testing.TB) {
		e.needs(t, UsersList, ListsInactiveUsers, GroupsList)
		r := e.do(t, "POST", "/.search", `{"schemas":["`+searchURN+`"],"startIndex":5,"count":3}`)
		r.want(t, 200)
		if r.body["totalResults"] != 7.0 || len(ids(r)) != 3 {
			t.Fatalf("root .search: %s", r.raw)
		}
		types := ""
		for _, x := range list(r.body["Resources"]) {
			types += fmt.Sprint(obj(obj(x)["meta"])["resourceType"]) + ","
		}
		if types != "User,Group,Group," {
			t.Fatalf("root .search across types: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.4.3/invalidFilter", func(t testing.TB) {
		e.needs(t, UsersList)
		e.do(t, "POST", "/Users/.search", `{"schemas":["`+searchURN+`"],"filter":"userName eq"}`).wantError(t, 400, "invalidFilter")
	})
}

// filterNeeds returns what a list request needs: the endpoint's list and the
// user attributes its query names.
func filterNeeds(endpoint, query string) []Capability {
	if endpoint == "Groups" {
		return []Capability{GroupsList}
	}
	needs := []Capability{UsersList, ListsInactiveUsers}
	lower := strings.ToLower(query)
	for _, a := range []string{"externalId", "name.familyName", "name.givenName", "emails", "title", "active",
		"meta.lastModified", departmentP, managerP} {
		if strings.Contains(lower, strings.ToLower(a)) || strings.Contains(lower, strings.ToLower(url.QueryEscape(a))) {
			needs = append(needs, Attribute(a))
		}
	}
	if strings.Contains(lower, `schemas eq "`+strings.ToLower(enterprise)+`"`) {
		// Which users have the extension depends on both extension attributes.
		needs = append(needs, Attribute(departmentP), Attribute(managerP))
	}
	return needs
}
