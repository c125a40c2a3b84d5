// Package memory is a resource store that keeps resources in memory: the
// reference backend of the SCIM layer's tests and of the conformance suite,
// with no database behind it.
package memory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

// Store is a resource.Store that keeps resources in memory. It serves the tests of
// packages that need a working SCIM backend without a database;
// it evaluates filters with Match, PATCH with ApplyPatch, sorts with
// SortResources, and enforces uniqueness "server" attributes (userName,
// case-insensitively) with 409 uniqueness.
type Store struct {
	mu           sync.RWMutex
	resourceType string
	schemas      []*resource.Schema
	byID         map[string]resource.Resource
	order        []string // ids in creation order: the default, stable list order
	version      int
	// Now returns the time for meta.created and meta.lastModified; tests may set it.
	Now func() time.Time
}

// New returns an empty store for a resource type ("User") whose schemas
// are the core schema followed by its extensions.
func New(resourceType string, schemas ...*resource.Schema) *Store {
	return &Store{resourceType: resourceType, schemas: schemas, byID: map[string]resource.Resource{}, Now: time.Now}
}

var _ resource.Store = (*Store)(nil)

// Len returns how many resources the store holds.
func (m *Store) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.byID)
}

// Get returns a copy of the resource.
func (m *Store) Get(_ context.Context, id string, _ resource.Projection) (resource.Resource, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.byID[id]
	if !ok {
		return nil, fault.New(fault.NotFound, "%s %q not found", m.resourceType, id)
	}
	return resource.CopyResource(r), nil
}

// List filters, sorts and pages the resources.
func (m *Store) List(_ context.Context, q resource.Query) (*resource.Page, error) {
	m.mu.RLock()
	var matched []resource.Resource
	for _, id := range m.order {
		r := m.byID[id]
		ok, err := resource.Match(q.Filter, r, m.schemas...)
		if err != nil {
			m.mu.RUnlock()
			return nil, err
		}
		if ok {
			matched = append(matched, resource.CopyResource(r))
		}
	}
	m.mu.RUnlock()
	resource.SortResources(matched, q.SortBy, q.Descending, m.schemas...)
	page := &resource.Page{Total: len(matched)}
	start := max(q.StartIndex, 1) - 1
	if start < len(matched) {
		end := min(start+max(q.Count, 0), len(matched))
		page.Resources = matched[start:end]
	}
	return page, nil
}

// Create stores a new resource with a generated id.
func (m *Store) Create(ctx context.Context, c resource.Change) (resource.Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := c.Apply(ctx, resource.Resource{}, m.schemas...)
	if err != nil {
		return nil, err
	}
	if err := m.checkUnique(r, ""); err != nil {
		return nil, err
	}
	id := newID()
	r["id"] = id
	now := m.Now().UTC().Format(time.RFC3339Nano)
	m.stamp(r, now, now)
	m.byID[id] = r
	m.order = append(m.order, id)
	return resource.CopyResource(r), nil
}

// Replace replaces a resource's attributes, keeping its id and meta.created.
func (m *Store) Replace(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	return m.change(ctx, id, c)
}

// Patch applies the change with Change.Apply: all or nothing.
func (m *Store) Patch(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	return m.change(ctx, id, c)
}

// change applies a replace or a patch to a stored resource, keeping its id and
// meta.created: Change.Apply tells the two apart.
func (m *Store) change(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.byID[id]
	if !ok {
		return nil, fault.New(fault.NotFound, "%s %q not found", m.resourceType, id)
	}
	r, err := c.Apply(ctx, old, m.schemas...)
	if err != nil {
		return nil, err
	}
	if err := m.checkUnique(r, id); err != nil {
		return nil, err
	}
	r["id"] = id
	m.stamp(r, created(old), m.Now().UTC().Format(time.RFC3339Nano))
	m.byID[id] = r
	return resource.CopyResource(r), nil
}

// Delete removes a resource.
func (m *Store) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byID[id]; !ok {
		return fault.New(fault.NotFound, "%s %q not found", m.resourceType, id)
	}
	delete(m.byID, id)
	for i, x := range m.order {
		if x == id {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
	return nil
}

// stamp sets meta (created, lastModified, a new version) as a database would.
func (m *Store) stamp(r resource.Resource, createdAt, modified string) {
	m.version++
	for k := range r {
		if strings.EqualFold(k, "meta") {
			delete(r, k)
		}
	}
	r["meta"] = map[string]any{
		"created":      createdAt,
		"lastModified": modified,
		"version":      `W/"` + strconv.Itoa(m.version) + `"`,
	}
}

func created(r resource.Resource) string {
	meta, _ := r["meta"].(map[string]any)
	s, _ := meta["created"].(string)
	return s
}

// checkUnique enforces the schemas' uniqueness "server" and "global" attributes
// among the stored resources other than self.
func (m *Store) checkUnique(r resource.Resource, self string) error {
	ss := resource.NewSchemaSet(m.schemas)
	if ss.Core() == nil {
		return nil
	}
	for _, a := range ss.Core().Attributes {
		if a.Uniqueness != resource.UniquenessServer && a.Uniqueness != resource.UniquenessGlobal || a.MultiValued || a.Type == resource.TypeComplex {
			continue
		}
		_, v, _ := resource.Lookup(r, a.Name)
		if resource.IsEmpty(v) {
			continue
		}
		for id, other := range m.byID {
			if id == self {
				continue
			}
			_, ov, _ := resource.Lookup(other, a.Name)
			if !resource.IsEmpty(ov) && resource.Compare(v, ov, a.CaseExact) == 0 {
				return fault.New(fault.Uniqueness, "%s %s is already taken", a.Name, fault.Quote(textOf(v)))
			}
		}
	}
	return nil
}

func textOf(v any) string {
	s, _ := resource.ToText(v)
	return s
}

// newID returns a random UUID-shaped id.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return strings.Join([]string{h[:8], h[8:12], h[12:16], h[16:20], h[20:]}, "-")
}
