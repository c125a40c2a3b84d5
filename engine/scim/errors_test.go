package scim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
)

const patchOp = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":%s}`

func TestErrorResponses(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","title":"x"}`)
	r.want(t, 201)
	id := r.body["id"].(string)
	user := "/Users/" + id
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		scimType                 string
	}{
		{"malformed filter", "GET", "/Users?filter=" + q(`userName eq`), "", nil, 400, "invalidFilter"},
		{"filter with an unknown operator", "GET", "/Users?filter=" + q(`userName xx "a"`), "", nil, 400, "invalidFilter"},
		{"filter with gt on a boolean", "GET", "/Users?filter=" + q(`active gt true`), "", nil, 400, "invalidFilter"},
		{"filter on password", "GET", "/Users?filter=" + q(`password sw "a"`), "", nil, 400, "invalidFilter"},
		{"non-integer startIndex", "GET", "/Users?startIndex=abc", "", nil, 400, "invalidValue"},
		{"non-integer count", "GET", "/Users?count=1.5", "", nil, 400, "invalidValue"},
		{"bad sortOrder", "GET", "/Users?sortBy=userName&sortOrder=up", "", nil, 400, "invalidValue"},
		{"bad sortBy", "GET", "/Users?sortBy=" + q("a b"), "", nil, 400, "invalidValue"},
		{"search with a string count", "POST", "/Users/.search", `{"count":"x"}`, nil, 400, "invalidValue"},
		{"search with a non-string filter", "POST", "/Users/.search", `{"filter":1}`, nil, 400, "invalidValue"},
		{"malformed JSON", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":`, nil, 400, "invalidSyntax"},
		{"JSON syntax error", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName" "a"}`, nil, 400, "invalidSyntax"},
		{"body is an array", "POST", "/Users", `[{"userName":"a"}]`, nil, 400, "invalidSyntax"},
		{"body is a string", "PUT", user, `"a"`, nil, 400, "invalidSyntax"},
		{"two JSON values", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"} {}`, nil, 400, "invalidSyntax"},
		{"empty body", "POST", "/Users", ` `, nil, 400, "invalidSyntax"},
		{"missing userName", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"name":{"givenName":"A"}}`, nil, 400, "invalidValue"},
		// Request bodies are checked against the schemas: no coercion, no silent drop.
		{"schemas missing", "POST", "/Users", `{"userName":"a"}`, nil, 400, "invalidSyntax"},
		{"schemas empty", "POST", "/Users", `{"schemas":[],"userName":"a"}`, nil, 400, "invalidSyntax"},
		{"schemas not an array", "PUT", user, `{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User","userName":"a"}`, nil, 400, "invalidSyntax"},
		{"a Group's schemas on /Users", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a","displayName":"g"}`, nil, 400, "invalidSyntax"},
		{"userName a number", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":42}`, nil, 400, "invalidValue"},
		{"emails a string", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","emails":"x@y"}`, nil, 400, "invalidValue"},
		{"emails of strings", "PUT", user, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","emails":["x@y"]}`, nil, 400, "invalidValue"},
		{"email value a number", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","emails":[{"value":7}]}`, nil, 400, "invalidValue"},
		{"department an object", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":{"x":1}}}`, nil, 400, "invalidValue"},
		{"active a number", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","active":1}`, nil, 400, "invalidValue"},
		{"empty userName on PUT", "PUT", user, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":""}`, nil, 400, "invalidValue"},
		{"active that is not a boolean", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","active":"perhaps"}`, nil, 400, "invalidValue"},
		{"name that is not an object", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","name":"A"}`, nil, 400, "invalidValue"},
		{"duplicate userName", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"BJensen"}`, nil, 409, "uniqueness"},
		{"unknown id", "GET", "/Users/nobody", "", nil, 404, ""},
		{"PUT unknown id", "PUT", "/Users/nobody", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`, nil, 404, ""},
		{"PATCH unknown id", "PATCH", "/Users/nobody", fmt.Sprintf(patchOp, `[{"op":"replace","path":"title","value":"x"}]`), nil, 404, ""},
		{"unknown endpoint", "GET", "/Widgets", "", nil, 404, ""},
		{"too deep", "GET", user + "/extra", "", nil, 404, ""},
		{"base URL itself", "GET", "/", "", nil, 404, ""},
		{"unknown schema", "GET", "/Schemas/urn:nope", "", nil, 404, ""},
		{"unknown resource type", "GET", "/ResourceTypes/Widget", "", nil, 404, ""},
		{"DELETE on the collection", "DELETE", "/Users", "", nil, 405, ""},
		{"POST on a resource", "POST", user, `{}`, nil, 405, ""},
		{"PUT on discovery", "PUT", "/ServiceProviderConfig", `{}`, nil, 405, ""},
		{"GET on /.search", "GET", "/.search", "", nil, 405, ""},
		{"text/plain body", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`, []string{"Content-Type", "text/plain"}, 415, ""},
		{"form body", "PATCH", user, `a=b`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, ""},
		{"PATCH without the PatchOp schema", "PATCH", user, `{"Operations":[{"op":"replace","path":"title","value":"x"}]}`, nil, 400, "invalidSyntax"},
		{"PATCH with empty Operations", "PATCH", user, fmt.Sprintf(patchOp, `[]`), nil, 400, "invalidSyntax"},
		{"PATCH with Operations not an array", "PATCH", user, fmt.Sprintf(patchOp, `{}`), nil, 400, "invalidSyntax"},
		{"PATCH with an unknown op", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"Move","path":"title","value":"x"}]`), nil, 400, "invalidSyntax"},
		{"PATCH with a missing op", "PATCH", user, fmt.Sprintf(patchOp, `[{"path":"title","value":"x"}]`), nil, 400, "invalidSyntax"},
		{"PATCH with a non-string path", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"add","path":1,"value":"x"}]`), nil, 400, "invalidSyntax"},
		{"PATCH with a bad path", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"add","path":"emails[type","value":"x"}]`), nil, 400, "invalidPath"},
		{"PATCH value filter type error", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"replace","path":"emails[primary gt true].value","value":"x"}]`), nil, 400, "invalidFilter"},
		{"PATCH value filter on a simple attribute", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"replace","path":"title[value eq \"x\"]","value":"x"}]`), nil, 400, "invalidPath"},
		{"PATCH remove without a path", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"remove"}]`), nil, 400, "noTarget"},
		{"PATCH replace through a filter that matches nothing", "PATCH", user,
			fmt.Sprintf(patchOp, `[{"op":"add","path":"emails","value":[{"type":"home","value":"h@x"}]},{"op":"replace","path":"emails[value co \"@nowhere\"].value","value":"x"}]`), nil, 400, "noTarget"},
		{"PATCH path id", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"replace","path":"id","value":"x"}]`), nil, 400, "mutability"},
		{"PATCH path meta", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"replace","path":"meta.lastModified","value":"x"}]`), nil, 400, "mutability"},
		{"PATCH path groups", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"add","path":"groups","value":[{"value":"g"}]}]`), nil, 400, "mutability"},
		{"PATCH no-path id that differs", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"replace","value":{"id":"other"}}]`), nil, 400, "mutability"},
		{"PATCH no-path value not an object", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"replace","value":"x"}]`), nil, 400, "invalidValue"},
		{"PATCH boolean that is not one", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"Replace","path":"active","value":"Nope"}]`), nil, 400, "invalidValue"},
		{"PATCH removing userName", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"remove","path":"userName"}]`), nil, 400, "mutability"},
		{"PATCH nulling userName", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"replace","path":"userName","value":null}]`), nil, 400, "mutability"},
		{"PATCH add without a value", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"add","path":"title"}]`), nil, 400, "invalidValue"},
		{"PATCH replace without a value", "PATCH", user, fmt.Sprintf(patchOp, `[{"op":"replace","path":"title"}]`), nil, 400, "invalidValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.do(t, tt.method, tt.path, tt.body, tt.header...).wantError(t, tt.status, tt.scimType)
		})
	}
	// Failed writes changed nothing.
	r = f.do(t, "GET", user, "")
	if r.body["title"] != "x" || r.body["userName"] != "bjensen" || f.users.Len() != 1 {
		t.Errorf("a failed request changed the store: %s", r.raw)
	}
}

func TestMethodNotDeclared(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.ResourceTypes[0].Methods = MethodGet | MethodList | MethodCreate | MethodReplace
	})
	r := f.do(t, "PATCH", "/Users/x", fmt.Sprintf(patchOp, `[{"op":"replace","path":"active","value":false}]`))
	r.wantError(t, 405, "")
	if d := r.body["detail"].(string); !strings.Contains(d, "patch") || !strings.Contains(d, "does not declare") {
		t.Errorf("detail %q does not name the missing operation", d)
	}
	if a := r.header.Get("Allow"); a != "GET, PUT" {
		t.Errorf("Allow %q", a)
	}
	r = f.do(t, "DELETE", "/Users/x", "")
	r.wantError(t, 405, "")
	if !strings.Contains(r.body["detail"].(string), "delete") {
		t.Errorf("detail %q", r.body["detail"])
	}
	r = f.do(t, "DELETE", "/Users", "")
	r.wantError(t, 405, "")
	if a := r.header.Get("Allow"); a != "GET, POST" {
		t.Errorf("Allow %q", a)
	}
	r = f.do(t, "GET", "/ServiceProviderConfig", "")
	if p := r.body["patch"].(map[string]any); p["supported"] != true { // Groups still patch
		t.Errorf("patch %v", p)
	}
	f2 := newFixture(t, func(c *Config) {
		for i := range c.ResourceTypes {
			c.ResourceTypes[i].Methods &^= MethodPatch
		}
	})
	r = f2.do(t, "GET", "/ServiceProviderConfig", "")
	if p := r.body["patch"].(map[string]any); p["supported"] != false {
		t.Errorf("patch %v with no type patching", p)
	}
}

// stubStore is a Store whose answers the test chooses.
type stubStore struct {
	get   func(id string) (resource.Resource, error)
	patch func(id string, ops []resource.PatchOp) (resource.Resource, error)
	list  func(q resource.Query) (*resource.Page, error)
	gotID string
	gotOp []resource.PatchOp
}

func (s *stubStore) Get(_ context.Context, id string, _ resource.Projection) (resource.Resource, error) {
	s.gotID = id
	return s.get(id)
}
func (s *stubStore) List(_ context.Context, q resource.Query) (*resource.Page, error) {
	return s.list(q)
}
func (s *stubStore) Create(context.Context, resource.Change) (resource.Resource, error) {
	return nil, errors.New("dial tcp 10.0.0.5:3306: connection refused; table USERS")
}
func (s *stubStore) Replace(context.Context, string, resource.Change) (resource.Resource, error) {
	return nil, &Error{Status: 503, Detail: "the database is unavailable", RetryAfter: 30}
}
func (s *stubStore) Patch(_ context.Context, id string, c resource.Change) (resource.Resource, error) {
	s.gotID, s.gotOp = id, c.Patch
	return s.patch(id, c.Patch)
}
func (s *stubStore) Delete(context.Context, string) error {
	return fmt.Errorf("wrapped: %w", &Error{Status: 409, ScimType: "mutability", Detail: "still referenced"})
}

func newStubFixture(t *testing.T, s *stubStore) *fixture {
	return newFixture(t, func(c *Config) {
		c.ResourceTypes = []ResourceType{{ID: "User", Name: "User", Endpoint: "Users", Schema: resource.UserSchema(),
			Extensions: []*resource.Schema{resource.EnterpriseUserSchema()}, Methods: allMethods, Store: s}}
	})
}

func TestStoreErrors(t *testing.T) {
	s := &stubStore{
		get: func(id string) (resource.Resource, error) {
			if id == "boom" {
				panic("nil map in store")
			}
			return resource.Resource{"id": id, "userName": "u", "password": "secret", "meta": map[string]any{"version": "v1"}}, nil
		},
		patch: func(string, []resource.PatchOp) (resource.Resource, error) { return nil, nil },
		list: func(resource.Query) (*resource.Page, error) {
			return nil, errors.New("ORA-00942: table or view does not exist")
		},
	}
	f := newStubFixture(t, s)

	r := f.do(t, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`)
	r.wantError(t, 500, "")
	if strings.Contains(r.raw, "10.0.0.5") || strings.Contains(r.raw, "USERS") {
		t.Errorf("the store's error text reached the client: %s", r.raw)
	}
	if !strings.Contains(f.logs.String(), "connection refused") {
		t.Errorf("the store's error was not logged: %s", f.logs.String())
	}
	r = f.do(t, "GET", "/Users", "")
	r.wantError(t, 500, "")
	if strings.Contains(r.raw, "ORA-") {
		t.Errorf("leak: %s", r.raw)
	}

	r = f.do(t, "PUT", "/Users/x", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}`)
	r.wantError(t, 503, "")
	if r.header.Get("Retry-After") != "30" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	f.do(t, "DELETE", "/Users/x", "").wantError(t, 409, "mutability") // a wrapped *Error

	r = f.do(t, "GET", "/Users/boom", "")
	r.wantError(t, 500, "")
	if !strings.Contains(f.logs.String(), "nil map in store") || !strings.Contains(f.logs.String(), "goroutine") {
		t.Errorf("the panic was not logged with its stack: %s", f.logs.String())
	}

	// ETag from meta.version, quoted.
	r = f.do(t, "GET", "/Users/x", "")
	r.want(t, 200)
	if r.header.Get("ETag") != `"v1"` {
		t.Errorf("ETag %q", r.header.Get("ETag"))
	}
	if _, ok := r.body["password"]; ok {
		t.Error("password returned by GET")
	}

	// PATCH answered with nil: 204.
	r = f.do(t, "PATCH", "/Users/x", fmt.Sprintf(patchOp, `[{"op":"Replace","path":"active","value":"True"}]`))
	r.want(t, 204)
	if len(s.gotOp) != 1 || s.gotOp[0].Op != "replace" || s.gotOp[0].Value != true || s.gotOp[0].Path.String() != "active" {
		t.Errorf("store received %+v", s.gotOp)
	}
}

func TestPatchNormalisation(t *testing.T) {
	s := &stubStore{patch: func(id string, _ []resource.PatchOp) (resource.Resource, error) {
		return resource.Resource{"id": id, "userName": "u"}, nil
	}}
	f := newStubFixture(t, s)
	r := f.do(t, "PATCH", "/Users/u1", fmt.Sprintf(patchOp, `[
		{"op":"Replace","path":"active","value":"False"},
		{"op":"ADD","path":"emails[type eq \"work\"].value","value":"w@x"},
		{"op":"replace","value":{"Active":"true","name.givenName":"A","id":"u1","meta":{"x":1},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"Department":"D","manager":{"value":"m","displayName":"M"}}}},
		{"op":"add","path":"emails","value":{"value":"single@x"}},
		{"op":"replace","path":"title","value":null}
	]`))
	r.want(t, 200)
	ops := s.gotOp
	if len(ops) != 5 {
		t.Fatalf("ops %+v", ops)
	}
	if ops[0].Op != "replace" || ops[0].Value != false {
		t.Errorf("op 0: %+v", ops[0])
	}
	if ops[1].Op != "add" || ops[1].Path.String() != `emails[type eq "work"].value` || ops[1].Value != "w@x" {
		t.Errorf("op 1: %+v", ops[1])
	}
	want := map[string]any{
		"active":         true,
		"name.givenName": "A",
		resource.EnterpriseUserURN: map[string]any{
			"department": "D",
			"manager":    map[string]any{"value": "m", "displayName": "M"},
		},
	}
	if ops[2].Path != nil || fmt.Sprint(ops[2].Value) != fmt.Sprint(want) {
		t.Errorf("op 2: %+v\nwant value %v", ops[2], want)
	}
	if l, ok := ops[3].Value.([]any); !ok || len(l) != 1 {
		t.Errorf("op 3: single element not wrapped: %+v", ops[3])
	}
	if ops[4].Op != "remove" || ops[4].Value != nil {
		t.Errorf("op 4: replace with null is not a remove: %+v", ops[4])
	}
}

func TestRouting(t *testing.T) {
	s := &stubStore{get: func(id string) (resource.Resource, error) { return resource.Resource{"id": id, "userName": "u"}, nil }}
	f := newStubFixture(t, s)
	for _, tt := range []struct{ path, id string }{
		{"/Users/abc", "abc"},
		{"//Users/abc", "abc"},
		{"/Users/abc/", "abc"},
		{"/Users//abc", "abc"},
		{"/users/abc", "abc"},
		{"/Users/010007", "010007"},
		{"/Users/a%2Fb", "a/b"},
		{"/Users/a%20b%3F", "a b?"},
		{"/Users/%C3%A9", "é"},
	} {
		r := f.do(t, "GET", tt.path, "")
		r.want(t, 200)
		if s.gotID != tt.id {
			t.Errorf("GET %s: store got id %q, want %q", tt.path, s.gotID, tt.id)
		}
		if loc := r.body["meta"].(map[string]any)["location"]; !strings.HasPrefix(loc.(string), base+"/Users/") {
			t.Errorf("location %v", loc)
		}
	}
	r := f.do(t, "GET", "/Users/a%2Fb", "")
	if loc := r.body["meta"].(map[string]any)["location"]; loc != base+"/Users/a%2Fb" {
		t.Errorf("location %v: ids must be escaped", loc)
	}
	// application/json and a missing Content-Type are accepted.
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/scim+json; charset=UTF-8"} {
		f2 := newFixture(t)
		f2.do(t, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`, "Content-Type", ct).want(t, 201)
	}
	f3 := newFixture(t)
	req := httptest.NewRequest("POST", "/Users", strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`))
	rec := httptest.NewRecorder()
	f3.h.ServeHTTP(rec, req)
	if rec.Code != 201 {
		t.Errorf("no Content-Type: %d %s", rec.Code, rec.Body)
	}
	// HEAD answers like GET, without a body.
	f.do(t, "HEAD", "/ServiceProviderConfig", "").want(t, 200)
}

func TestBaseURLWithoutContext(t *testing.T) {
	f := newFixture(t)
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/oktademo/", http.StripPrefix("/scim/v2/oktademo", f.h))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/scim/v2/oktademo/Users", "application/scim+json", strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, srv.URL+"/scim/v2/oktademo/Users/") {
		t.Errorf("Location %q without WithBaseURL", loc)
	}
}

// TestBodyFormsIdPsSend accepts what Okta and Entra send: booleans as strings,
// a bare manager id, the enterprise URN listed in schemas, and attributes the
// target does not serve (Okta's password, locale and groups: []), which are
// ignored rather than refused.
func TestBodyFormsIdPsSend(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"userName":"okta","active":"True","locale":"en-US","groups":[],"nosuch":{"x":1},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"m-1","department":"R&D"}}`)
	r.want(t, 201)
	if r.body["active"] != true {
		t.Errorf("active = %v", r.body["active"])
	}
}
