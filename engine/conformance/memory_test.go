package conformance_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/conformance"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/engine/scim/memory"
	"github.com/dbscim/dbscim/engine/scim11"
)

// TestMemoryStore runs the suite on the in-memory store served by the SCIM
// handler alone: the protocol layer without a database. What only a database
// gives (foreign keys, a unique index on group names, writes skipped when
// nothing changes, content ETags) is not declared, and those subtests skip.
func TestMemoryStore(t *testing.T) {
	conformance.RunTests(t, newMemoryTarget)
}

const (
	memoryBase   = "/scim/v2/memory"
	memoryBase11 = "/scim/v1/memory"
)

func newMemoryTarget(t *testing.T) conformance.Target {
	clock := &clock{}
	users := newSeeded(memory.New("User", resource.UserSchema(), resource.EnterpriseUserSchema()), clock)
	groups := newSeeded(memory.New("Group", resource.GroupSchema()), clock)
	types := []scim.ResourceType{
		{ID: "User", Name: "User", Endpoint: "Users", Schema: resource.UserSchema(), Extensions: []*resource.Schema{resource.EnterpriseUserSchema()},
			Methods: allMethods, Store: users},
		{ID: "Group", Name: "Group", Endpoint: "Groups", Schema: resource.GroupSchema(), Methods: allMethods, Store: groups},
	}
	serve := func(t testing.TB, maxResults int) conformance.Target {
		cfg := scim.Config{ResourceTypes: types, MaxResults: maxResults, Sort: true}
		h, v1 := scim.NewHandler(cfg), scim11.NewHandler(cfg)
		mux := http.NewServeMux()
		mux.Handle(memoryBase+"/", http.StripPrefix(memoryBase, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(scim.WithBaseURL(r.Context(), "http://"+r.Host+memoryBase)))
		})))
		// The same stores in SCIM 1.1, where the suite's OktaAgent11 part finds them.
		mux.Handle(memoryBase11+"/", http.StripPrefix(memoryBase11, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v1.ServeHTTP(w, r.WithContext(scim.WithBaseURL(r.Context(), "http://"+r.Host+memoryBase11)))
		})))
		ts := httptest.NewServer(mux)
		t.Cleanup(ts.Close)
		return conformance.Target{URL: ts.URL + memoryBase, Client: ts.Client()}
	}
	tg := serve(t, defaultMaxResults)
	tg.Declares = conformance.Declared(types, conformance.AllAttributes,
		conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile)
	tg.Backend = &memoryBackend{users: users, groups: groups}
	tg.WithMaxResults = serve
	return tg
}

const allMethods = scim.MethodGet | scim.MethodList | scim.MethodCreate | scim.MethodReplace | scim.MethodPatch | scim.MethodDelete

// clock is the stores' clock: the time now, or the time a seeded row was last
// modified while it is being seeded.
type clock struct {
	mu    sync.Mutex
	fixed time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		return c.fixed
	}
	return time.Now()
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fixed = t
}

// seeded is a memory.Store whose seeded resources keep the ids the suite gives
// them: the store makes its own ids, so seeded ones are translated on the way in
// and out. Resources created through SCIM keep the store's ids.
type seeded struct {
	*memory.Store
	clock *clock
	mu    sync.Mutex
	inner map[string]string // seeded id -> store id
	outer map[string]string // store id -> seeded id
}

func newSeeded(m *memory.Store, c *clock) *seeded {
	m.Now = c.now
	return &seeded{Store: m, clock: c, inner: map[string]string{}, outer: map[string]string{}}
}

func (s *seeded) in(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x, ok := s.inner[id]; ok {
		return x
	}
	if _, ok := s.outer[id]; ok {
		return "" // a store id hidden behind a seeded one: not found
	}
	return id
}

func (s *seeded) out(r resource.Resource) resource.Resource {
	if r == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := r["id"].(string); ok {
		if x, ok := s.outer[id]; ok {
			r["id"] = x
		}
	}
	return r
}

// seed creates a resource with the given id, last modified at the given time.
func (s *seeded) seed(t testing.TB, id string, c resource.Change, at time.Time) {
	t.Helper()
	s.clock.set(at)
	defer s.clock.set(time.Time{})
	c.Op = resource.OpCreate
	created, err := s.Store.Create(context.Background(), c)
	if err != nil {
		t.Fatalf("seed %s: %v", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inner[id] = created["id"].(string)
	s.outer[created["id"].(string)] = id
}

func (s *seeded) Get(ctx context.Context, id string, p resource.Projection) (resource.Resource, error) {
	r, err := s.Store.Get(ctx, s.in(id), p)
	return s.out(r), err
}

func (s *seeded) List(ctx context.Context, q resource.Query) (*resource.Page, error) {
	page, err := s.Store.List(ctx, q)
	if page != nil {
		for _, r := range page.Resources {
			s.out(r)
		}
	}
	return page, err
}

func (s *seeded) Create(ctx context.Context, c resource.Change) (resource.Resource, error) {
	r, err := s.Store.Create(ctx, c)
	return s.out(r), err
}

func (s *seeded) Replace(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	r, err := s.Store.Replace(ctx, s.in(id), c)
	return s.out(r), err
}

func (s *seeded) Patch(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	r, err := s.Store.Patch(ctx, s.in(id), c)
	return s.out(r), err
}

func (s *seeded) Delete(ctx context.Context, id string) error {
	return s.Store.Delete(ctx, s.in(id))
}

// memoryBackend seeds and reads the stores directly, bypassing the handler.
type memoryBackend struct {
	users, groups *seeded
}

func (b *memoryBackend) SeedUser(t testing.TB, u conformance.User) {
	t.Helper()
	r := resource.Resource{"userName": u.UserName, "active": !u.Inactive}
	set := func(m resource.Resource, k string, v any) {
		if v != nil {
			m[k] = v
		}
	}
	set(r, "externalId", u.ExternalID)
	set(r, "title", u.Title)
	name := resource.Resource{}
	set(name, "givenName", u.GivenName)
	set(name, "familyName", u.FamilyName)
	if len(name) > 0 {
		r["name"] = name
	}
	if u.Email != nil {
		r["emails"] = []any{map[string]any{"type": "work", "value": u.Email}}
	}
	ext := resource.Resource{}
	set(ext, "department", u.Department)
	if u.Manager != nil {
		ext["manager"] = map[string]any{"value": u.Manager}
	}
	if len(ext) > 0 {
		r[resource.EnterpriseUserURN] = ext
	}
	b.users.seed(t, u.ID, resource.Change{Resource: r}, u.LastModified)
}

func (b *memoryBackend) SeedGroup(t testing.TB, id, name string, members ...string) {
	t.Helper()
	c := resource.Change{Resource: resource.Resource{"displayName": name}, Members: &resource.MemberChange{Replace: true, Add: members}}
	b.groups.seed(t, id, c, time.Now())
}

func (b *memoryBackend) User(t testing.TB, id string) map[string]string {
	t.Helper()
	r, err := b.users.Get(context.Background(), id, resource.Projection{})
	if err != nil {
		return nil
	}
	text := func(v any) string {
		switch v := v.(type) {
		case nil:
			return conformance.Null
		case bool:
			if v {
				return "1"
			}
			return "0"
		default:
			return fmt.Sprint(v)
		}
	}
	obj := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		return m
	}
	ext := obj(r[resource.EnterpriseUserURN])
	out := map[string]string{
		"userName": text(r["userName"]), "externalId": text(r["externalId"]), "title": text(r["title"]),
		"givenName": text(obj(r["name"])["givenName"]), "familyName": text(obj(r["name"])["familyName"]),
		"department": text(ext["department"]), "manager": text(obj(ext["manager"])["value"]),
		"active": text(r["active"]), "email": conformance.Null, "lastModified": conformance.Null,
	}
	if out["active"] == conformance.Null {
		out["active"] = "1"
	}
	if emails, _ := r["emails"].([]any); len(emails) > 0 {
		out["email"] = text(obj(emails[0])["value"])
	}
	if s, ok := obj(r["meta"])["lastModified"].(string); ok {
		if at, err := time.Parse(time.RFC3339Nano, s); err == nil {
			out["lastModified"] = at.UTC().Format(time.RFC3339Nano)
		}
	}
	return out
}

func (b *memoryBackend) all(t testing.TB, s *seeded) []resource.Resource {
	t.Helper()
	page, err := s.List(context.Background(), resource.Query{StartIndex: 1, Count: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return page.Resources
}

func (b *memoryBackend) CountUsers(t testing.TB, userName string) int {
	t.Helper()
	n := 0
	for _, r := range b.all(t, b.users) {
		if s, _ := r["userName"].(string); userName == "" || strings.EqualFold(s, userName) {
			n++
		}
	}
	return n
}

func (b *memoryBackend) Group(t testing.TB, id string) (string, bool, []string) {
	t.Helper()
	r, err := b.groups.Get(context.Background(), id, resource.Projection{})
	if err != nil {
		return "", false, nil
	}
	var members []string
	ms, _ := r["members"].([]any)
	for _, m := range ms {
		v, _ := m.(map[string]any)
		members = append(members, fmt.Sprint(v["value"]))
	}
	sort.Strings(members)
	name, _ := r["displayName"].(string)
	return name, true, members
}

func (b *memoryBackend) CountGroups(t testing.TB, displayName string) int {
	t.Helper()
	n := 0
	for _, r := range b.all(t, b.groups) {
		if r["displayName"] == displayName {
			n++
		}
	}
	return n
}

func (b *memoryBackend) SetTitle(t testing.TB, id, title string) {
	t.Helper()
	ctx := context.Background()
	r, err := b.users.Get(ctx, id, resource.Projection{})
	if err != nil {
		t.Fatal(err)
	}
	r["title"] = title
	delete(r, "meta")
	if _, err := b.users.Replace(ctx, id, resource.Change{Op: resource.OpReplace, Resource: r}); err != nil {
		t.Fatal(err)
	}
}
