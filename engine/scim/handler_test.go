package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/memory"
)

const allMethods = MethodGet | MethodList | MethodCreate | MethodReplace | MethodPatch | MethodDelete

type fixture struct {
	h      *Handler
	users  *memory.Store
	groups *memory.Store
	logs   *bytes.Buffer
}

func newFixture(t *testing.T, edit ...func(*Config)) *fixture {
	t.Helper()
	f := &fixture{
		users:  memory.New("User", resource.UserSchema(), resource.EnterpriseUserSchema()),
		groups: memory.New("Group", resource.GroupSchema()),
		logs:   &bytes.Buffer{},
	}
	c := Config{
		ResourceTypes: []ResourceType{
			{ID: "User", Name: "User", Endpoint: "Users", Description: "User Account", Schema: resource.UserSchema(),
				Extensions: []*resource.Schema{resource.EnterpriseUserSchema()}, Methods: allMethods, Store: f.users},
			{ID: "Group", Name: "Group", Endpoint: "Groups", Schema: resource.GroupSchema(), Methods: allMethods, Store: f.groups},
		},
		Sort:   true,
		Logger: slog.New(slog.NewTextHandler(f.logs, nil)),
		AuthenticationSchemes: []AuthScheme{{Type: "oauthbearertoken", Name: "OAuth Bearer Token",
			Description: "Bearer token in the Authorization header", Primary: true}},
	}
	for _, e := range edit {
		e(&c)
	}
	f.h = NewHandler(c)
	return f
}

type response struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// do sends a request; body is JSON text (sent as application/scim+json) or "".
func (f *fixture) do(t *testing.T, method, target, body string, header ...string) response {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, target, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req = req.WithContext(WithBaseURL(req.Context(), "https://scim.example.com:8443/scim/v2/oktademo/"))
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	r := response{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if ct := r.header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("%s %s: Content-Type %q", method, target, ct)
	}
	if r.raw != "" {
		if err := json.Unmarshal([]byte(r.raw), &r.body); err != nil {
			t.Fatalf("%s %s: response is not a JSON object: %v\n%s", method, target, err, r.raw)
		}
	}
	return r
}

// wantError checks a SCIM error response.
func (r response) wantError(t *testing.T, status int, scimType string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if r.body["status"] != fmt.Sprint(status) {
		t.Errorf("error status %#v, want the string %q", r.body["status"], fmt.Sprint(status))
	}
	if got, _ := r.body["scimType"].(string); got != scimType {
		t.Errorf("scimType %q, want %q: %s", got, scimType, r.raw)
	}
	if s, _ := r.body["schemas"].([]any); len(s) != 1 || s[0] != ErrorURN {
		t.Errorf("schemas %v", r.body["schemas"])
	}
	if d, _ := r.body["detail"].(string); d == "" {
		t.Error("no detail")
	}
}

func (r response) want(t *testing.T, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
}

func q(filter string) string { return url.QueryEscape(filter) }

// oktaCreateUser is the POST the Okta provisioning agent sends.
const oktaCreateUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "test.user@okta.local",
  "name": {"givenName": "Test", "familyName": "User"},
  "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
  "displayName": "Test User",
  "locale": "en-US",
  "externalId": "00ujl29u0le5T6Aj10h7",
  "groups": [],
  "password": "1mz050nq",
  "active": true
}`

// entraCreateUser is the POST Microsoft Entra ID sends.
const entraCreateUser = `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
  "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
  "userName": "Test_User_ab6490ee@testuser.com",
  "active": true,
  "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
  "meta": {"resourceType": "User"},
  "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
  "roles": [],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour Operations"}
}`

const base = "https://scim.example.com:8443/scim/v2/oktademo"

const (
	department = resource.EnterpriseUserURN + ":department"
	managerID  = resource.EnterpriseUserURN + ":manager.value"
)

func TestOktaUserLifecycle(t *testing.T) {
	f := newFixture(t)

	// Okta looks the user up before creating it.
	r := f.do(t, "GET", "/Users?filter="+q(`userName eq "test.user@okta.local"`)+"&startIndex=1&count=100", "")
	r.want(t, 200)
	if r.body["totalResults"] != 0.0 || r.body["startIndex"] != 1.0 || r.body["itemsPerPage"] != 0.0 {
		t.Errorf("empty list: %s", r.raw)
	}
	if res, ok := r.body["Resources"].([]any); !ok || len(res) != 0 {
		t.Errorf("Resources = %v, want []", r.body["Resources"])
	}

	r = f.do(t, "POST", "/Users", oktaCreateUser)
	r.want(t, 201)
	id, _ := r.body["id"].(string)
	if id == "" {
		t.Fatalf("no id: %s", r.raw)
	}
	if loc := r.header.Get("Location"); loc != base+"/Users/"+id {
		t.Errorf("Location %q", loc)
	}
	meta, _ := r.body["meta"].(map[string]any)
	if meta["location"] != base+"/Users/"+id || meta["resourceType"] != "User" {
		t.Errorf("meta %v", meta)
	}
	if r.header.Get("ETag") == "" || r.header.Get("ETag") != meta["version"] {
		t.Errorf("ETag %q, meta.version %v", r.header.Get("ETag"), meta["version"])
	}
	if _, ok := r.body["password"]; ok {
		t.Error("password returned")
	}
	if _, ok := r.body["groups"]; ok {
		t.Error("read-only groups stored from the request")
	}
	if s, _ := r.body["schemas"].([]any); len(s) != 1 || s[0] != resource.UserSchemaURN {
		t.Errorf("schemas %v", r.body["schemas"])
	}
	// The store received the password (writeOnly is for the store to use).
	stored, _ := f.users.Get(context.Background(), id, resource.Projection{})
	if stored["password"] != "1mz050nq" {
		t.Errorf("the store did not receive the password: %v", stored)
	}

	r = f.do(t, "GET", "/Users?filter="+q(`userName eq "TEST.USER@okta.local"`)+"&startIndex=1&count=100", "")
	r.want(t, 200)
	if r.body["totalResults"] != 1.0 {
		t.Fatalf("case-insensitive userName lookup: %s", r.raw)
	}

	r = f.do(t, "GET", "/Users/"+id, "")
	r.want(t, 200)
	if r.body["userName"] != "test.user@okta.local" {
		t.Errorf("GET: %s", r.raw)
	}

	// Okta's PUT sends id, meta and groups back.
	put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"some-other-id",
		"userName":"test.user@okta.local","name":{"givenName":"Another","middleName":"Excited","familyName":"User"},
		"emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],
		"active":true,"groups":[],"password":"newpass","meta":{"resourceType":"User"}}`
	r = f.do(t, "PUT", "/Users/"+id, put)
	r.want(t, 200)
	if r.body["id"] != id {
		t.Errorf("PUT changed the id: %v", r.body["id"])
	}
	if name, _ := r.body["name"].(map[string]any); name["middleName"] != "Excited" {
		t.Errorf("PUT: %s", r.raw)
	}

	// Deactivation.
	r = f.do(t, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`)
	r.want(t, 200)
	if r.body["active"] != false {
		t.Errorf("PATCH active: %s", r.raw)
	}

	// The same userName again, in another case, is a conflict.
	r = f.do(t, "POST", "/Users", strings.Replace(oktaCreateUser, "test.user@okta.local", "Test.User@OKTA.local", 1))
	r.wantError(t, 409, "uniqueness")
}

func TestEntraUserLifecycle(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, "GET", "/Users?filter="+q(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), "")
	r.want(t, 200)
	if r.body["totalResults"] != 0.0 {
		t.Fatal(r.raw)
	}
	r = f.do(t, "POST", "/Users", entraCreateUser)
	r.want(t, 201)
	id := r.body["id"].(string)
	if s, _ := r.body["schemas"].([]any); len(s) != 2 || s[1] != resource.EnterpriseUserURN {
		t.Errorf("schemas %v", r.body["schemas"])
	}

	for _, filter := range []string{
		`userName eq "test_user_ab6490ee@testuser.com"`,
		`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
		`externalId eq 0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef`, // unquoted, as Microsoft documents
		`emails[type eq "work"].value eq "test_user_fd0ea19b@testuser.com"`,
	} {
		r = f.do(t, "GET", "/Users?filter="+q(filter), "")
		r.want(t, 200)
		if r.body["totalResults"] != 1.0 {
			t.Errorf("filter %s: %s", filter, r.raw)
		}
	}

	patch := func(ops string) response {
		return f.do(t, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`)
	}
	r = patch(`[{"op":"Replace","path":"active","value":"False"}]`)
	r.want(t, 200)
	if r.body["active"] != false {
		t.Errorf("Replace active False: %s", r.raw)
	}
	r = patch(`[{"op":"Add","path":"emails[type eq \"work\"].value","value":"new@testuser.com"},
		{"op":"Replace","path":"name.givenName","value":"Barbara"}]`)
	r.want(t, 200)
	if v, _ := resource.GetValue(r.body, `emails[type eq "work"].value`); v != "new@testuser.com" {
		t.Errorf("Add work email: %s", r.raw)
	}
	if v, _ := resource.GetValue(r.body, "name.givenName"); v != "Barbara" {
		t.Errorf("name.givenName: %s", r.raw)
	}
	r = patch(`[{"op":"Replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Sales","displayName":"B"}}]`)
	r.want(t, 200)
	if v, _ := resource.GetValue(r.body, department); v != "Sales" {
		t.Errorf("URN-keyed replace: %s", r.raw)
	}
	r = patch(`[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"2819c223"}]`)
	r.want(t, 200)
	if v, _ := resource.GetValue(r.body, managerID); v != "2819c223" {
		t.Errorf("manager set with a bare id: %s", r.raw)
	}
	r = patch(`[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7"}}}]`)
	r.want(t, 200)
	if v, _ := resource.GetValue(r.body, resource.EnterpriseUserURN+":employeeNumber"); v != "7" {
		t.Errorf("extension object replace: %s", r.raw)
	}
	if v, _ := resource.GetValue(r.body, department); v != "Sales" {
		t.Errorf("extension object replace lost a sibling: %s", r.raw)
	}
	// Removing the manager with the manager named as the value: another one is
	// left alone, the current one removed, in any of the value forms.
	for _, v := range []string{`[{"value":"someone-else"}]`, `"2819c223"`} {
		r = patch(`[{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":` + v + `}]`)
		r.want(t, 200)
		if got, _ := resource.GetValue(r.body, managerID); (got == nil) != (v == `"2819c223"`) {
			t.Errorf("remove manager with value %s: %s", v, r.raw)
		}
	}
	patch(`[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"2819c223"}]`).want(t, 200)
	r = patch(`[{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"2819c223"}}]`)
	if got, _ := resource.GetValue(r.body, managerID); got != nil {
		t.Errorf("remove manager with an object value: %s", r.raw)
	}

	r = f.do(t, "DELETE", "/Users/"+id, "")
	r.want(t, 204)
	if r.raw != "" {
		t.Errorf("204 with a body: %q", r.raw)
	}
	f.do(t, "GET", "/Users/"+id, "").wantError(t, 404, "")
	f.do(t, "DELETE", "/Users/"+id, "").wantError(t, 404, "")
}

func TestGroupMembership(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[{"value":"u1"},{"value":"u2"}]}`)
	r.want(t, 201)
	id := r.body["id"].(string)
	patch := func(ops string) response {
		return f.do(t, "PATCH", "/Groups/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`)
	}
	// Okta: remove by value filter, add; rename with the id along.
	r = patch(`[{"op":"remove","path":"members[value eq \"u2\"]"},{"op":"add","path":"members","value":[{"value":"u3","display":"three"}]}]`)
	r.want(t, 200)
	if m, _ := r.body["members"].([]any); len(m) != 2 {
		t.Errorf("members: %s", r.raw)
	}
	r = patch(`[{"op":"replace","value":{"id":"` + id + `","displayName":"Renamed"}}]`)
	r.want(t, 200)
	if r.body["displayName"] != "Renamed" {
		t.Error(r.raw)
	}
	// Entra: Remove with a value list.
	r = patch(`[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u1"}]}]`)
	r.want(t, 200)
	if m, _ := r.body["members"].([]any); len(m) != 1 || m[0].(map[string]any)["value"] != "u3" {
		t.Errorf("members: %s", r.raw)
	}
	// A filter that matches nothing removes nothing.
	patch(`[{"op":"remove","path":"members[value eq \"nobody\"]"}]`).want(t, 200)
	// The projection applies to PATCH answers (Okta asks excludedAttributes=members).
	r = f.do(t, "GET", "/Groups/"+id+"?excludedAttributes=members", "")
	r.want(t, 200)
	if _, ok := r.body["members"]; ok || r.body["displayName"] != "Renamed" {
		t.Errorf("excludedAttributes=members: %s", r.raw)
	}
	f.do(t, "POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"members":[]}`).wantError(t, 400, "invalidValue")
}

func TestListing(t *testing.T) {
	f := newFixture(t)
	for i, name := range []string{"carol", "alice", "Bob", "dave", "eve"} {
		f.do(t, "POST", "/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"title":"t%d","active":%v}`, name, i, i%2 == 0)).want(t, 201)
	}
	names := func(r response) string {
		var out []string
		for _, x := range r.body["Resources"].([]any) {
			out = append(out, x.(map[string]any)["userName"].(string))
		}
		return strings.Join(out, ",")
	}
	tests := []struct {
		query     string
		want      string
		total     float64
		startWant float64
	}{
		{"", "carol,alice,Bob,dave,eve", 5, 1},
		{"?startIndex=2&count=2", "alice,Bob", 5, 2},
		{"?startIndex=0&count=1", "carol", 5, 1}, // below 1 means 1
		{"?startIndex=-4&count=1", "carol", 5, 1},
		{"?count=0", "", 5, 1},
		{"?count=-3", "", 5, 1},
		{"?startIndex=9", "", 5, 9},
		{"?sortBy=userName", "alice,Bob,carol,dave,eve", 5, 1}, // userName folds case
		{"?sortBy=userName&sortOrder=descending", "eve,dave,carol,Bob,alice", 5, 1},
		{"?sortBy=title&sortOrder=Descending&count=2", "eve,dave", 5, 1},
		{"?filter=" + q(`active eq true`) + "&sortBy=userName", "Bob,carol,eve", 3, 1}, // i=0,2,4
		{"?FILTER=" + q(`userName sw "a"`), "alice", 1, 1},                             // parameter names in any case
		{"?filter=" + q(`userName eq "nobody"`), "", 0, 1},
	}
	for _, tt := range tests {
		r := f.do(t, "GET", "/Users"+tt.query, "")
		r.want(t, 200)
		if got := names(r); got != tt.want {
			t.Errorf("GET /Users%s = %s, want %s", tt.query, got, tt.want)
		}
		if r.body["totalResults"] != tt.total || r.body["startIndex"] != tt.startWant || r.body["itemsPerPage"] != float64(len(r.body["Resources"].([]any))) {
			t.Errorf("GET /Users%s: %v %v %v", tt.query, r.body["totalResults"], r.body["startIndex"], r.body["itemsPerPage"])
		}
		if s, _ := r.body["schemas"].([]any); len(s) != 1 || s[0] != ListResponseURN {
			t.Errorf("schemas %v", r.body["schemas"])
		}
	}

	// POST /.search takes the same query as a body.
	r := f.do(t, "POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
		"filter":"userName sw \"b\"","attributes":["userName"],"startIndex":1,"count":10}`)
	r.want(t, 200)
	if names(r) != "Bob" {
		t.Errorf(".search: %s", r.raw)
	}
	if u := r.body["Resources"].([]any)[0].(map[string]any); len(u) != 3 { // schemas, id, userName
		t.Errorf(".search attributes=userName: %v", u)
	}
	r = f.do(t, "POST", "/.search", `{"filter":"userName eq \"alice\" or displayName eq \"x\""}`)
	r.want(t, 200)
	if r.body["totalResults"] != 1.0 {
		t.Errorf("root .search: %s", r.raw)
	}

	// MaxResults caps count.
	f2 := newFixture(t, func(c *Config) { c.MaxResults = 2 })
	for _, n := range []string{"a", "b", "c"} {
		f2.do(t, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+n+`"}`).want(t, 201)
	}
	r = f2.do(t, "GET", "/Users?count=100", "")
	if r.body["itemsPerPage"] != 2.0 || r.body["totalResults"] != 3.0 {
		t.Errorf("MaxResults: %s", r.raw)
	}
	r = f2.do(t, "GET", "/Users", "")
	if r.body["itemsPerPage"] != 2.0 {
		t.Errorf("default count: %s", r.raw)
	}
	// Without Config.Sort, sortBy is ignored.
	f3 := newFixture(t, func(c *Config) { c.Sort = false })
	for _, n := range []string{"b", "a"} {
		f3.do(t, "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+n+`"}`).want(t, 201)
	}
	if r := f3.do(t, "GET", "/Users?sortBy=userName", ""); names(r) != "b,a" {
		t.Errorf("sort without Config.Sort: %s", names(r))
	}
}

func TestProjection(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, "POST", "/Users?attributes=userName", entraCreateUser)
	r.want(t, 201)
	if len(r.body) != 3 || r.body["userName"] == nil || r.body["id"] == nil || r.body["schemas"] == nil {
		t.Errorf("POST ?attributes=userName: %s", r.raw)
	}
	if r.header.Get("Location") == "" || r.header.Get("ETag") == "" {
		t.Error("projection dropped Location or ETag")
	}
	id := r.body["id"].(string)
	tests := []struct {
		query   string
		present []string
		absent  []string
	}{
		{"?attributes=userName,name.givenName", []string{"id", "userName", "name.givenName"}, []string{"name.familyName", "emails", "meta", "active"}},
		{"?attributes=emails.value", []string{"id", "emails.value"}, []string{`emails[type eq "work"].primary`, "userName"}},
		{"?attributes=" + q(department), []string{department}, []string{"userName"}},
		{"?attributes=" + q(resource.EnterpriseUserURN), []string{department}, []string{"userName"}},
		{"?attributes=" + q(resource.UserSchemaURN+":userName"), []string{"userName"}, []string{"active"}},
		{"?attributes=ID", []string{"id"}, []string{"userName"}},
		{"?excludedAttributes=emails,meta", []string{"id", "userName", "active", department}, []string{"emails", "meta"}},
		{"?excludedAttributes=id,name.givenName", []string{"id", "name.familyName"}, []string{"name.givenName"}}, // id is always returned
		{"?excludedAttributes=" + q(resource.EnterpriseUserURN), []string{"userName"}, []string{department}},
		{"?attributes=password", []string{"id"}, []string{"password"}}, // never returned
	}
	for _, tt := range tests {
		r := f.do(t, "GET", "/Users/"+id+tt.query, "")
		r.want(t, 200)
		for _, p := range tt.present {
			if _, ok := resource.GetValue(r.body, p); !ok {
				t.Errorf("%s: %s missing in %s", tt.query, p, r.raw)
			}
		}
		for _, p := range tt.absent {
			if v, ok := resource.GetValue(r.body, p); ok {
				t.Errorf("%s: %s = %v returned", tt.query, p, v)
			}
		}
	}
	r = f.do(t, "GET", "/Users?attributes=userName&filter="+q(`userName pr`), "")
	if u := r.body["Resources"].([]any)[0].(map[string]any); len(u) != 3 {
		t.Errorf("list attributes=userName: %v", u)
	}
}

func TestProjectionWants(t *testing.T) {
	tests := []struct {
		p    resource.Projection
		attr string
		want bool
	}{
		{resource.Projection{}, "members", true},
		{resource.Projection{Excluded: []string{"members"}}, "members", false},
		{resource.Projection{Excluded: []string{"Members"}}, "members", false},
		{resource.Projection{Excluded: []string{"members.display"}}, "members", true},
		{resource.Projection{Excluded: []string{"id"}}, "id", true},
		{resource.Projection{Attributes: []string{"displayName"}}, "members", false},
		{resource.Projection{Attributes: []string{"displayName"}}, "id", true},
		{resource.Projection{Attributes: []string{"members.value"}}, "members", true},
		{resource.Projection{Attributes: []string{resource.GroupSchemaURN + ":members"}}, "members", true},
		{resource.Projection{Attributes: []string{department}}, resource.EnterpriseUserURN, true},
		{resource.Projection{Attributes: []string{resource.EnterpriseUserURN}}, resource.EnterpriseUserURN, true},
	}
	for _, tt := range tests {
		if got := tt.p.Wants(tt.attr); got != tt.want {
			t.Errorf("%+v.Wants(%s) = %v, want %v", tt.p, tt.attr, got, tt.want)
		}
	}
}
