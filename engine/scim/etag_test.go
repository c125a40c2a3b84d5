package scim

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/memory"
)

// versionless is a memory.Store that sets no meta.version, as a database store
// without a version column: the handler computes the ETags.
type versionless struct {
	*memory.Store
	gets int // Get calls
	// trimMembers makes Get and List leave "members" out when the projection
	// does not want them, as engine.GroupStore does.
	trimMembers bool
	// patchNil makes Patch answer nil (204), as engine.GroupStore does.
	patchNil bool
}

func strip(r resource.Resource) resource.Resource {
	if m, ok := r["meta"].(map[string]any); ok {
		delete(m, "version")
	}
	return r
}

func (s *versionless) trim(r resource.Resource, p resource.Projection) resource.Resource {
	if s.trimMembers && !p.Wants("members") {
		delete(r, "members")
	}
	return r
}

func (s *versionless) Get(ctx context.Context, id string, p resource.Projection) (resource.Resource, error) {
	s.gets++
	r, err := s.Store.Get(ctx, id, p)
	if err != nil {
		return nil, err
	}
	return s.trim(strip(r), p), nil
}

func (s *versionless) List(ctx context.Context, q resource.Query) (*resource.Page, error) {
	p, err := s.Store.List(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, r := range p.Resources {
		s.trim(strip(r), q.Projection)
	}
	return p, nil
}

func (s *versionless) Create(ctx context.Context, c resource.Change) (resource.Resource, error) {
	out, err := s.Store.Create(ctx, c)
	return strip(out), err
}

func (s *versionless) Replace(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	out, err := s.Store.Replace(ctx, id, c)
	if err != nil {
		return nil, err
	}
	return strip(out), nil
}

func (s *versionless) Patch(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	out, err := s.Store.Patch(ctx, id, c)
	if err != nil || s.patchNil {
		return nil, err
	}
	return strip(out), nil
}

// fixedClock keeps meta.lastModified constant, so that a content ETag changes
// only with the data.
func fixedClock(m *memory.Store) *memory.Store {
	m.Now = func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }
	return m
}

func newETagFixture(t *testing.T) (*fixture, *versionless, *versionless) {
	t.Helper()
	users := &versionless{Store: fixedClock(memory.New("User", resource.UserSchema(), resource.EnterpriseUserSchema()))}
	groups := &versionless{Store: fixedClock(memory.New("Group", resource.GroupSchema())), trimMembers: true, patchNil: true}
	f := newFixture(t, func(c *Config) {
		c.ResourceTypes = []ResourceType{
			{ID: "User", Name: "User", Endpoint: "Users", Schema: resource.UserSchema(),
				Extensions: []*resource.Schema{resource.EnterpriseUserSchema()}, Methods: allMethods, Store: users},
			{ID: "Group", Name: "Group", Endpoint: "Groups", Schema: resource.GroupSchema(), Methods: allMethods, Store: groups},
		}
	})
	return f, users, groups
}

var weakTag = regexp.MustCompile(`^W/"[0-9a-f]{16}"$`)

func metaVersion(r response) string {
	m, _ := r.body["meta"].(map[string]any)
	s, _ := m["version"].(string)
	return s
}

const patchTitle = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":%q}]}`

func TestContentETag(t *testing.T) {
	f, _, _ := newETagFixture(t)
	r := f.do(t, "POST", "/Users", oktaCreateUser)
	r.want(t, 201)
	id := r.body["id"].(string)
	tag := r.header.Get("ETag")
	if !weakTag.MatchString(tag) || metaVersion(r) != tag {
		t.Fatalf("POST: ETag %q, meta.version %q", tag, metaVersion(r))
	}

	// The same version through GET, a list, POST /.search and both kinds of base URL.
	r = f.do(t, "GET", "/Users/"+id, "")
	r.want(t, 200)
	if r.header.Get("ETag") != tag || metaVersion(r) != tag {
		t.Fatalf("GET: ETag %q, meta.version %q, want %q", r.header.Get("ETag"), metaVersion(r), tag)
	}
	r = f.do(t, "GET", "/Users?filter="+q(`id eq "`+id+`"`), "")
	res := r.body["Resources"].([]any)[0].(map[string]any)
	if res["meta"].(map[string]any)["version"] != tag {
		t.Fatalf("list: meta %v, want version %q", res["meta"], tag)
	}
	r = f.do(t, "POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"id eq \"`+id+`\""}`)
	res = r.body["Resources"].([]any)[0].(map[string]any)
	if res["meta"].(map[string]any)["version"] != tag {
		t.Fatalf(".search: meta %v, want version %q", res["meta"], tag)
	}

	// A change makes a new version; a PATCH that changes nothing keeps it.
	r = f.do(t, "PATCH", "/Users/"+id, strings.ReplaceAll(patchTitle, "%q", `"Chief"`))
	r.want(t, 200)
	tag2 := r.header.Get("ETag")
	if !weakTag.MatchString(tag2) || tag2 == tag || metaVersion(r) != tag2 {
		t.Fatalf("PATCH: ETag %q (before %q), meta.version %q", tag2, tag, metaVersion(r))
	}
	r = f.do(t, "PATCH", "/Users/"+id, strings.ReplaceAll(patchTitle, "%q", `"Chief"`))
	if r.header.Get("ETag") != tag2 {
		t.Fatalf("no-op PATCH changed the ETag: %q, want %q", r.header.Get("ETag"), tag2)
	}
	r = f.do(t, "GET", "/Users/"+id, "")
	if r.header.Get("ETag") != tag2 {
		t.Fatalf("GET after PATCH: %q, want %q", r.header.Get("ETag"), tag2)
	}
	r = f.do(t, "PUT", "/Users/"+id, oktaCreateUser)
	r.want(t, 200)
	if tag3 := r.header.Get("ETag"); !weakTag.MatchString(tag3) || tag3 == tag2 || metaVersion(r) != tag3 {
		t.Fatalf("PUT: ETag %q, meta.version %q", tag3, metaVersion(r))
	}

	// A projection that keeps meta still gets no computed version on a partial
	// read, while the full read keeps it.
	r = f.do(t, "GET", "/Users/"+id+"?attributes=userName,meta", "")
	r.want(t, 200)
	if r.header.Get("ETag") != "" || metaVersion(r) != "" {
		t.Errorf("partial GET: ETag %q, meta.version %q", r.header.Get("ETag"), metaVersion(r))
	}
	r = f.do(t, "GET", "/Users/"+id+"?excludedAttributes=password", "")
	if r.header.Get("ETag") == "" {
		t.Error("excluding a never-returned attribute made the representation partial")
	}
}

func TestIfMatch(t *testing.T) {
	f, users, _ := newETagFixture(t)
	r := f.do(t, "POST", "/Users", oktaCreateUser)
	id, tag := r.body["id"].(string), r.header.Get("ETag")
	stale := `W/"0000000000000000"`
	title := func() any {
		res, _ := users.Store.Get(context.Background(), id, resource.Projection{})
		return res["title"]
	}

	// PATCH
	r = f.do(t, "PATCH", "/Users/"+id, strings.ReplaceAll(patchTitle, "%q", `"Stale"`), "If-Match", stale)
	r.wantError(t, 412, "")
	if title() != nil {
		t.Fatalf("412 PATCH wrote: title %v", title())
	}
	if r.header.Get("ETag") != tag {
		t.Errorf("412 carries ETag %q, want the current %q", r.header.Get("ETag"), tag)
	}
	r = f.do(t, "PATCH", "/Users/"+id, strings.ReplaceAll(patchTitle, "%q", `"Fresh"`), "If-Match", tag)
	r.want(t, 200)
	if title() != "Fresh" {
		t.Fatalf("title %v", title())
	}
	tag = r.header.Get("ETag")
	// The tag without W/, several tags, and "*" match too (weak comparison).
	for _, h := range []string{strings.TrimPrefix(tag, "W/"), stale + ", " + tag, "*"} {
		r = f.do(t, "PATCH", "/Users/"+id, strings.ReplaceAll(patchTitle, "%q", `"Fresh"`), "If-Match", h)
		r.want(t, 200)
	}

	// PUT
	r = f.do(t, "PUT", "/Users/"+id, oktaCreateUser, "If-Match", stale)
	r.wantError(t, 412, "")
	if title() != "Fresh" {
		t.Fatalf("412 PUT wrote: title %v", title())
	}
	r = f.do(t, "PUT", "/Users/"+id, oktaCreateUser, "If-Match", tag)
	r.want(t, 200)
	tag = r.header.Get("ETag")
	// Bad input is still 400, not 412: preconditions come after validation.
	f.do(t, "PUT", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"]}`, "If-Match", stale).wantError(t, 400, "invalidValue")

	// A missing resource is 404 whatever the precondition.
	f.do(t, "PATCH", "/Users/nobody", strings.ReplaceAll(patchTitle, "%q", `"x"`), "If-Match", "*").wantError(t, 404, "")
	f.do(t, "PUT", "/Users/nobody", oktaCreateUser, "If-Match", tag).wantError(t, 404, "")
	f.do(t, "DELETE", "/Users/nobody", "", "If-Match", tag).wantError(t, 404, "")

	// GET with If-Match.
	f.do(t, "GET", "/Users/"+id, "", "If-Match", stale).wantError(t, 412, "")
	f.do(t, "GET", "/Users/"+id, "", "If-Match", tag).want(t, 200)

	// DELETE
	f.do(t, "DELETE", "/Users/"+id, "", "If-Match", stale).wantError(t, 412, "")
	if users.Len() != 1 {
		t.Fatal("412 DELETE deleted")
	}
	r = f.do(t, "DELETE", "/Users/"+id, "", "If-Match", tag)
	r.want(t, 204)
	if users.Len() != 0 {
		t.Fatal("not deleted")
	}
}

func TestIfNoneMatch(t *testing.T) {
	f, _, groups := newETagFixture(t)
	r := f.do(t, "POST", "/Users", oktaCreateUser)
	id, tag := r.body["id"].(string), r.header.Get("ETag")

	for _, h := range []string{tag, strings.TrimPrefix(tag, "W/"), `"a", ` + tag, "*"} {
		r = f.do(t, "GET", "/Users/"+id, "", "If-None-Match", h)
		if r.status != 304 || r.raw != "" || r.header.Get("ETag") != tag {
			t.Fatalf("If-None-Match %s: %d %q ETag %q", h, r.status, r.raw, r.header.Get("ETag"))
		}
	}
	r = f.do(t, "GET", "/Users/"+id, "", "If-None-Match", `W/"0000000000000000"`)
	r.want(t, 200)
	if r.header.Get("ETag") != tag {
		t.Errorf("ETag %q", r.header.Get("ETag"))
	}
	f.do(t, "GET", "/Users/nobody", "", "If-None-Match", "*").wantError(t, 404, "")

	// A partial read answers the condition on the whole resource's version.
	r = f.do(t, "GET", "/Users/"+id+"?attributes=userName", "", "If-None-Match", tag)
	if r.status != 304 {
		t.Fatalf("partial conditional GET: %d %s", r.status, r.raw)
	}

	// A group read without its members has no computed version; a conditional one
	// reads the members to evaluate it, and the version covers them.
	r = f.do(t, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G","members":[{"value":"`+id+`"}]}`)
	gid, gtag := r.body["id"].(string), r.header.Get("ETag")
	r = f.do(t, "GET", "/Groups/"+gid+"?excludedAttributes=members", "")
	if r.header.Get("ETag") != "" || metaVersion(r) != "" {
		t.Errorf("a group without members got version %q / %q", r.header.Get("ETag"), metaVersion(r))
	}
	if _, ok := r.body["members"]; ok {
		t.Error("members returned")
	}
	before := groups.gets
	r = f.do(t, "GET", "/Groups/"+gid+"?excludedAttributes=members", "", "If-None-Match", gtag)
	if r.status != 304 || groups.gets != before+1 {
		t.Fatalf("conditional partial group GET: %d after %d reads", r.status, groups.gets-before)
	}
	f.do(t, "PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members"}]}`).want(t, 204)
	r = f.do(t, "GET", "/Groups/"+gid+"?excludedAttributes=members", "", "If-None-Match", gtag)
	r.want(t, 200)
	if _, ok := r.body["members"]; ok {
		t.Error("members returned after the full read")
	}
	if r.header.Get("ETag") == "" || r.header.Get("ETag") == gtag {
		t.Errorf("the version did not follow the members: %q (before %q)", r.header.Get("ETag"), gtag)
	}
}

func TestPatchAttributesAnswers200(t *testing.T) {
	f, _, _ := newETagFixture(t)
	r := f.do(t, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`)
	gid := r.body["id"].(string)
	const rename = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"H"}]}`
	f.do(t, "PATCH", "/Groups/"+gid, rename).want(t, 204)
	r = f.do(t, "PATCH", "/Groups/"+gid+"?attributes=displayName", rename)
	r.want(t, 200)
	if r.body["displayName"] != "H" || r.body["id"] != gid {
		t.Errorf("PATCH with attributes: %s", r.raw)
	}
}

func TestStoreVersion(t *testing.T) {
	s := &stubStore{get: func(id string) (resource.Resource, error) {
		return resource.Resource{"id": id, "userName": "u", "meta": map[string]any{"version": "v1"}}, nil
	}, patch: func(string, []resource.PatchOp) (resource.Resource, error) {
		return resource.Resource{"id": "x", "userName": "u", "meta": map[string]any{"version": "v2"}}, nil
	}}
	f := newStubFixture(t, s)
	r := f.do(t, "GET", "/Users/x", "")
	if r.header.Get("ETag") != `"v1"` || metaVersion(r) != "v1" {
		t.Fatalf("store version: ETag %q, meta.version %q", r.header.Get("ETag"), metaVersion(r))
	}
	f.do(t, "GET", "/Users/x", "", "If-None-Match", `W/"v1"`).want(t, 304)
	f.do(t, "PATCH", "/Users/x", strings.ReplaceAll(patchTitle, "%q", `"t"`), "If-Match", `"v0"`).wantError(t, 412, "")
	if s.gotOp != nil {
		t.Fatal("the store's Patch ran after a failed precondition")
	}
	r = f.do(t, "PATCH", "/Users/x", strings.ReplaceAll(patchTitle, "%q", `"t"`), "If-Match", `"v1"`)
	r.want(t, 200)
	if r.header.Get("ETag") != `"v2"` {
		t.Errorf("ETag after PATCH %q", r.header.Get("ETag"))
	}
	// A partial read keeps a store's version: it does not depend on the content.
	r = f.do(t, "GET", "/Users/x?attributes=userName,meta", "")
	if r.header.Get("ETag") != `"v1"` {
		t.Errorf("partial read with store version: ETag %q", r.header.Get("ETag"))
	}
}

func TestSplitTags(t *testing.T) {
	got := splitTags([]string{`W/"a,b", "c"`, ` * `})
	want := []string{`W/"a,b"`, `"c"`, "*"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("splitTags = %q", got)
	}
}
