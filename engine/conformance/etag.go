package conformance

import (
	"regexp"
	"testing"
)

var weakETag = regexp.MustCompile(`^W/"[0-9a-f]{16}"$`)

// wellFormedETag reports whether an ETag has the form the target's ETags have:
// W/"<16 hex digits>" when they are computed from content (ContentETags), any
// non-empty tag when a store makes them.
func (e *env) wellFormedETag(tag string) bool {
	if e.declares[ContentETags] {
		return weakETag.MatchString(tag)
	}
	return tag != ""
}

// testETags checks RFC 7644 §3.14 (versioning resources) as dbscim offers
// it: every response carrying a resource has an ETag equal to meta.version, which
// changes when the row changes (by SCIM or by SQL); If-Match makes PUT, PATCH and
// DELETE conditional (412 when stale, nothing written) and If-None-Match makes GET
// answer 304.
func testETags(t *testing.T, e *env) {
	version := func(r res) string {
		s, _ := obj(r.body["meta"])["version"].(string)
		return s
	}
	run(t, e, "RFC7644-3.14/advertised", func(t testing.TB) {
		r := e.do(t, "GET", "/ServiceProviderConfig", "")
		r.want(t, 200)
		if obj(r.body["etag"])["supported"] != true {
			t.Fatalf("etag: %s", r.raw)
		}
	})
	run(t, e, "RFC7644-3.14/etag-is-meta.version", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersGet, UsersList, UsersPatch, Attribute("title"))
		r := e.do(t, "POST", "/Users", oktaUser("etag-"+random()+"@example.com", "E", "Tag"))
		r.want(t, 201)
		id, tag := r.body["id"].(string), r.header.Get("ETag")
		if !e.wellFormedETag(tag) || version(r) != tag {
			t.Fatalf("POST: ETag %q, meta.version %q", tag, version(r))
		}
		g := e.do(t, "GET", "/Users/"+id, "")
		if g.header.Get("ETag") != tag || version(g) != tag {
			t.Fatalf("GET: ETag %q, meta.version %q, want %q", g.header.Get("ETag"), version(g), tag)
		}
		l := e.do(t, "GET", "/Users?filter="+q(`id eq "`+id+`"`), "")
		if v, _ := obj(obj(list(l.body["Resources"])[0])["meta"])["version"].(string); v != tag {
			t.Fatalf("list: meta.version %q, want %q", v, tag)
		}
		p := e.patch(t, "/Users/"+id, `[{"op":"replace","path":"title","value":"Versioned"}]`)
		p.want(t, 200)
		if p.header.Get("ETag") == tag || !e.wellFormedETag(p.header.Get("ETag")) || version(p) != p.header.Get("ETag") {
			t.Fatalf("PATCH: ETag %q (before %q), meta.version %q", p.header.Get("ETag"), tag, version(p))
		}
		if g := e.do(t, "GET", "/Users/"+id, ""); g.header.Get("ETag") != p.header.Get("ETag") {
			t.Fatalf("GET after PATCH: %q, PATCH answered %q", g.header.Get("ETag"), p.header.Get("ETag"))
		}
	})
	run(t, e, "RFC7644-3.14/changes-with-the-row", func(t testing.TB) {
		e.needs(t, UsersGet, Attribute("title"))
		id := e.newUser(t, clerk())
		tag := e.do(t, "GET", "/Users/"+id, "").header.Get("ETag")
		e.backend.SetTitle(t, id, "Changed by SQL")
		if now := e.do(t, "GET", "/Users/"+id, "").header.Get("ETag"); now == tag || now == "" {
			t.Fatalf("ETag %q after the row changed (before %q)", now, tag)
		}
	})
	run(t, e, "RFC7644-3.14/if-none-match-304", func(t testing.TB) {
		e.needs(t, UsersGet)
		id := e.newUser(t, clerk())
		tag := e.do(t, "GET", "/Users/"+id, "").header.Get("ETag")
		r := e.do(t, "GET", "/Users/"+id, "", "If-None-Match", tag)
		if r.status != 304 || r.raw != "" || r.header.Get("ETag") != tag {
			t.Fatalf("If-None-Match current: %d %q ETag %q", r.status, r.raw, r.header.Get("ETag"))
		}
		e.do(t, "GET", "/Users/"+id, "", "If-None-Match", `W/"0000000000000000"`).want(t, 200)
	})
	run(t, e, "RFC7644-3.14/if-match-412", func(t testing.TB) {
		e.needs(t, OptionalProfile, UsersGet, UsersPatch, UsersReplace, UsersDelete, Attribute("title"), Attribute("name.givenName"))
		id := e.newUser(t, clerk())
		tag := e.do(t, "GET", "/Users/"+id, "").header.Get("ETag")
		stale := `W/"0000000000000000"`
		e.patch(t, "/Users/"+id, `[{"op":"replace","path":"title","value":"Stale"}]`, "If-Match", stale).wantError(t, 412, "")
		e.do(t, "PUT", "/Users/"+id, `{"schemas":["`+coreUser+`"],"userName":"`+id+`@example.com"}`, "If-Match", stale).wantError(t, 412, "")
		e.do(t, "DELETE", "/Users/"+id, "", "If-Match", stale).wantError(t, 412, "")
		e.wantUser(t, id, map[string]string{"title": "Clerk", "givenName": "Ann"})

		p := e.patch(t, "/Users/"+id, `[{"op":"replace","path":"title","value":"Fresh"}]`, "If-Match", tag)
		p.want(t, 200)
		e.wantUser(t, id, map[string]string{"title": "Fresh"})
		// The old version is now stale.
		e.patch(t, "/Users/"+id, `[{"op":"replace","path":"title","value":"Lost update"}]`, "If-Match", tag).wantError(t, 412, "")
		e.wantUser(t, id, map[string]string{"title": "Fresh"})
		e.do(t, "PUT", "/Users/"+id, `{"schemas":["`+coreUser+`"],"userName":"`+id+`@example.com","title":"Put"}`, "If-Match", p.header.Get("ETag")).want(t, 200)
		e.wantUser(t, id, map[string]string{"title": "Put", "givenName": null})
		e.do(t, "DELETE", "/Users/"+id, "", "If-Match", "*").want(t, 204)
		if e.user(t, id) != nil {
			t.Fatal("not deleted")
		}
	})
	run(t, e, "RFC7644-3.14/store-version", func(t testing.TB) {
		e.needs(t, UsersGet, UsersPatch, UsersDelete, Attribute("title"))
		// A target that maps a row version column to meta.version: the version
		// is the column's, and If-Match compares with it.
		if e.target.WithVersion == nil {
			t.Skip("the target cannot be served with a row version mapped to meta.version (WithVersion)")
		}
		versioned := e.again(e.target.WithVersion(t))
		id := e.newUser(t, clerk())
		do := func(method, path, body string, hdr ...string) res {
			return versioned.do(t, method, path, body, hdr...)
		}
		r := do("GET", "/Users/"+id, "")
		r.want(t, 200)
		if r.header.Get("ETag") != `"1"` || version(r) != "1" {
			t.Fatalf("versioned GET: ETag %q, meta.version %q", r.header.Get("ETag"), version(r))
		}
		p := do("PATCH", "/Users/"+id, patchBody(`[{"op":"replace","path":"title","value":"v2"}]`), "If-Match", `"1"`)
		p.want(t, 200)
		if p.header.Get("ETag") != `"2"` || version(p) != "2" {
			t.Fatalf("versioned PATCH: ETag %q, meta.version %q", p.header.Get("ETag"), version(p))
		}
		do("PATCH", "/Users/"+id, patchBody(`[{"op":"replace","path":"title","value":"lost"}]`), "If-Match", `"1"`).wantError(t, 412, "")
		do("GET", "/Users/"+id, "", "If-None-Match", `W/"2"`).want(t, 304)
		do("DELETE", "/Users/"+id, "", "If-Match", `"1"`).wantError(t, 412, "")
		e.wantUser(t, id, map[string]string{"title": "v2"})
		do("DELETE", "/Users/"+id, "", "If-Match", `W/"2"`).want(t, 204)
	})
	run(t, e, "RFC7644-3.14/groups", func(t testing.TB) {
		e.needs(t, GroupsGet, GroupsPatch)
		e.seed(t, row{ID: "gm1", UserName: "gm1@example.com"}, row{ID: "gm2", UserName: "gm2@example.com"})
		e.seedGroup(t, "etag-g", "ETag Group", "gm1")
		tag := e.do(t, "GET", "/Groups/etag-g", "").header.Get("ETag")
		if !e.wellFormedETag(tag) {
			t.Fatalf("group ETag %q", tag)
		}
		e.patch(t, "/Groups/etag-g", `[{"op":"add","path":"members","value":[{"value":"gm2"}]}]`).patched(t)
		// A member change is a new version, also when read without the members.
		e.do(t, "GET", "/Groups/etag-g?excludedAttributes=members", "", "If-None-Match", tag).want(t, 200)
		e.patch(t, "/Groups/etag-g", `[{"op":"remove","path":"members"}]`, "If-Match", tag).wantError(t, 412, "")
		if got := e.members(t, "etag-g"); len(got) != 2 {
			t.Fatalf("members after 412: %v", got)
		}
	})
}
