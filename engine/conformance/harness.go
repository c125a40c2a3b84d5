package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

const (
	coreUser    = "urn:ietf:params:scim:schemas:core:2.0:User"
	coreGroup   = "urn:ietf:params:scim:schemas:core:2.0:Group"
	enterprise  = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	patchOpURN  = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	listURN     = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	errorURN    = "urn:ietf:params:scim:api:messages:2.0:Error"
	searchURN   = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	departmentP = enterprise + ":department"
	managerP    = enterprise + ":manager"
)

// Shorter names for the suite's own use.
const null = Null

type row = User

// env is one served target and the suite's view of it.
type env struct {
	target   Target
	url      string // the target's base URL
	client   *http.Client
	auth     string
	declares map[Capability]bool
	backend  Backend
	rows     reader // the backend, or SCIM reads when there is none
	next     int    // for newUser's ids
}

// reader is the read side of a Backend.
type reader interface {
	User(t testing.TB, id string) map[string]string
	CountUsers(t testing.TB, userName string) int
	Group(t testing.TB, id string) (string, bool, []string)
	CountGroups(t testing.TB, displayName string) int
}

func newEnv(t *testing.T, tg Target) *env {
	t.Helper()
	if tg.URL == "" {
		t.Fatal("conformance: the target has no URL")
	}
	e := &env{target: tg, url: strings.TrimSuffix(tg.URL, "/"), client: tg.Client, auth: tg.Authorization,
		declares: map[Capability]bool{}, backend: tg.Backend}
	if e.client == nil {
		e.client = http.DefaultClient
	}
	for _, c := range tg.Declares {
		e.declares[c] = true
	}
	e.rows = tg.Backend
	if tg.Backend == nil {
		e.rows = scimReader{e}
	}
	return e
}

// again returns an env for a variant of the target over the same data.
func (e *env) again(tg Target) *env {
	v := *e
	v.url = strings.TrimSuffix(tg.URL, "/")
	if tg.Client != nil {
		v.client = tg.Client
	}
	if tg.Authorization != "" {
		v.auth = tg.Authorization
	}
	return &v
}

// res is an HTTP response, its body decoded when it is JSON.
type res struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request to the target; path is relative to its base URL (or
// absolute). hdr are header name/value pairs.
func (e *env) do(t testing.TB, method, path, body string, hdr ...string) res {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	u := path
	if !strings.HasPrefix(path, "http") {
		u = e.url + path
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if e.auth != "" {
		req.Header.Set("Authorization", e.auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := res{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: the response is not a JSON object: %q", method, path, raw)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
			t.Fatalf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return r
}

// want fails unless the status is one of the given ones.
func (r res) want(t testing.TB, status ...int) {
	t.Helper()
	for _, s := range status {
		if r.status == s {
			return
		}
	}
	t.Fatalf("status %d, want %v: %s", r.status, status, r.raw)
}

// wantError checks a SCIM error (RFC 7644 §3.12): the status, as a string in the
// body too, and the scimType ("" means none must be sent; "*" any).
func (r res) wantError(t testing.TB, status int, scimType string) {
	t.Helper()
	r.want(t, status)
	if s := list(r.body["schemas"]); len(s) != 1 || s[0] != errorURN {
		t.Fatalf("not a SCIM error: %s", r.raw)
	}
	if r.body["status"] != fmt.Sprint(status) {
		t.Fatalf("error status %#v, want the string %q", r.body["status"], fmt.Sprint(status))
	}
	got, _ := r.body["scimType"].(string)
	if scimType != "*" && got != scimType {
		t.Fatalf("scimType %q, want %q: %s", got, scimType, r.raw)
	}
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// q escapes a query parameter value.
func q(s string) string { return url.QueryEscape(s) }

// ids returns the ids of a ListResponse's Resources, in order.
func ids(r res) []string {
	var out []string
	for _, x := range list(r.body["Resources"]) {
		id, _ := obj(x)["id"].(string)
		out = append(out, id)
	}
	return out
}

func sortedIDs(r res) []string {
	out := ids(r)
	sort.Strings(out)
	return out
}

// filter runs GET /Users?filter=... and returns the sorted ids, checking the
// ListResponse's totalResults against them.
func (e *env) filter(t testing.TB, endpoint, f string) []string {
	t.Helper()
	r := e.do(t, "GET", "/"+endpoint+"?count=100&filter="+q(f), "")
	r.want(t, 200)
	got := sortedIDs(r)
	if n, _ := r.body["totalResults"].(float64); int(n) != len(got) {
		t.Fatalf("filter %s: totalResults %v but %d resources: %s", f, r.body["totalResults"], len(got), r.raw)
	}
	return got
}

func same(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

// patchBody wraps operations in a PatchOp request.
func patchBody(ops string) string {
	return `{"schemas":["` + patchOpURN + `"],"Operations":` + ops + `}`
}

// user reads a user back; nil when there is no such user.
func (e *env) user(t testing.TB, id string) map[string]string {
	t.Helper()
	return e.rows.User(t, id)
}

// wantUser checks attributes of a stored user.
func (e *env) wantUser(t testing.TB, id string, want map[string]string) {
	t.Helper()
	got := e.user(t, id)
	if got == nil {
		t.Fatalf("user %s is missing", id)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("user %s: %s = %q, want %q (stored %v)", id, k, got[k], v, got)
		}
	}
}

// members returns a group's member ids, sorted.
func (e *env) members(t testing.TB, group string) []string {
	t.Helper()
	_, _, m := e.rows.Group(t, group)
	return m
}

// groupName reads a group's displayName.
func (e *env) groupName(t testing.TB, id string) string {
	t.Helper()
	name, ok, _ := e.rows.Group(t, id)
	if !ok {
		t.Fatalf("group %s is missing", id)
	}
	return name
}

// seed inserts users through the Backend, bypassing SCIM.
func (e *env) seed(t testing.TB, rows ...row) {
	t.Helper()
	e.needsBackend(t)
	for _, r := range rows {
		if r.LastModified.IsZero() {
			r.LastModified = DefaultLastModified
		}
		e.backend.SeedUser(t, r)
	}
}

// seedGroup inserts a group and its members through the Backend.
func (e *env) seedGroup(t testing.TB, id, name string, members ...string) {
	t.Helper()
	e.needsBackend(t)
	e.backend.SeedGroup(t, id, name, members...)
}

// newUser seeds one user with a unique id and userName for a test that changes it.
func (e *env) newUser(t testing.TB, r row) string {
	t.Helper()
	e.next++
	if r.ID == "" {
		r.ID = fmt.Sprintf("m%03d", e.next)
	}
	if r.UserName == "" {
		r.UserName = r.ID + "@example.com"
	}
	e.seed(t, r)
	return r.ID
}

// run runs a subtest named after the requirement it checks. A known gap of the
// target (Target.Gaps) that still fails is skipped with "known gap: ..." and the
// failure it produced; one that passes passes (and says the gap can be removed),
// so that the suite follows the engine's fixes without a change here.
func run(t *testing.T, e *env, name string, fn func(t testing.TB)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		what, ok := e.target.Gaps[name]
		if !ok {
			fn(t)
			return
		}
		rec := &recorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			fn(rec)
		}()
		<-done
		switch {
		case rec.skipped != "":
			t.Skip(rec.skipped)
		case rec.failed:
			t.Skipf("known gap: %s\n(it failed with: %s)", what, strings.Join(rec.msgs, "; "))
		}
		t.Logf("known gap %q passes: remove it from the target's Gaps", name)
	})
}

// scimReader reads users and groups back through SCIM, for a target without a
// Backend.
type scimReader struct{ e *env }

func (s scimReader) User(t testing.TB, id string) map[string]string {
	t.Helper()
	r := s.e.do(t, "GET", "/Users/"+url.PathEscape(id), "")
	if r.status == 404 {
		return nil
	}
	r.want(t, 200)
	b := r.body
	text := func(v any) string {
		switch v := v.(type) {
		case nil:
			return null
		case string:
			return v
		case bool:
			if v {
				return "1"
			}
			return "0"
		default:
			return fmt.Sprint(v)
		}
	}
	out := map[string]string{
		"userName": text(b["userName"]), "externalId": text(b["externalId"]),
		"givenName": text(obj(b["name"])["givenName"]), "familyName": text(obj(b["name"])["familyName"]),
		"title": text(b["title"]), "department": text(obj(b[enterprise])["department"]),
		"manager": text(obj(obj(b[enterprise])["manager"])["value"]), "active": text(b["active"]),
		"lastModified": null, "email": null,
	}
	if s, ok := obj(b["meta"])["lastModified"].(string); ok {
		if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
			out["lastModified"] = tm.UTC().Format(time.RFC3339Nano)
		}
	}
	for _, m := range list(b["emails"]) {
		if typ, _ := obj(m)["type"].(string); typ == "work" || out["email"] == null {
			out["email"] = text(obj(m)["value"])
		}
	}
	return out
}

func (s scimReader) CountUsers(t testing.TB, userName string) int {
	t.Helper()
	path := "/Users?count=0"
	if userName != "" {
		path += "&filter=" + q(`userName eq "`+userName+`"`)
	}
	r := s.e.do(t, "GET", path, "")
	r.want(t, 200)
	n, _ := r.body["totalResults"].(float64)
	return int(n)
}

func (s scimReader) Group(t testing.TB, id string) (string, bool, []string) {
	t.Helper()
	r := s.e.do(t, "GET", "/Groups/"+url.PathEscape(id), "")
	if r.status == 404 {
		return "", false, nil
	}
	r.want(t, 200)
	var members []string
	for _, m := range list(r.body["members"]) {
		members = append(members, fmt.Sprint(obj(m)["value"]))
	}
	sort.Strings(members)
	name, _ := r.body["displayName"].(string)
	return name, true, members
}

func (s scimReader) CountGroups(t testing.TB, displayName string) int {
	t.Helper()
	r := s.e.do(t, "GET", "/Groups?excludedAttributes=members&filter="+q(`displayName eq "`+displayName+`"`), "")
	r.want(t, 200)
	n := 0
	for _, x := range list(r.body["Resources"]) {
		if obj(x)["displayName"] == displayName {
			n++
		}
	}
	return n
}

// recorder is a testing.TB whose failures are recorded instead of reported, for
// running a known gap.
type recorder struct {
	testing.TB
	failed  bool
	msgs    []string
	skipped string
}

func (r *recorder) fail(msg string) {
	r.failed = true
	if msg != "" {
		r.msgs = append(r.msgs, msg)
	}
}

func (r *recorder) Error(args ...any)                 { r.fail(fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) { r.fail(fmt.Sprintf(format, args...)) }
func (r *recorder) Fail()                             { r.fail("") }
func (r *recorder) Failed() bool                      { return r.failed }
func (r *recorder) FailNow()                          { r.fail(""); runtime.Goexit() }
func (r *recorder) Fatal(args ...any)                 { r.fail(fmt.Sprint(args...)); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) {
	r.fail(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (r *recorder) Skip(args ...any) { r.skipped = fmt.Sprint(args...); runtime.Goexit() }
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) SkipNow()      { r.skipped = "skipped"; runtime.Goexit() }
func (r *recorder) Skipped() bool { return r.skipped != "" }

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// path is the path of the target's base URL ("/scim/v2/conf").
func (e *env) path() string {
	u, err := url.Parse(e.url)
	if err != nil {
		return ""
	}
	return u.Path
}
