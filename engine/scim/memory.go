package scim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MemoryStore is a Store that keeps resources in memory. It serves this package's
// tests and those of packages that need a working SCIM backend without a database;
// it evaluates filters with Match, PATCH with ApplyPatch, sorts with
// SortResources, and enforces uniqueness "server" attributes (userName,
// case-insensitively) with 409 uniqueness.
type MemoryStore struct {
	mu           sync.RWMutex
	resourceType string
	schemas      []*Schema
	byID         map[string]Resource
	order        []string // ids in creation order: the default, stable list order
	version      int
	// Now returns the time for meta.created and meta.lastModified; tests may set it.
	Now func() time.Time
}

// NewMemoryStore returns an empty store for a resource type ("User") whose schemas
// are the core schema followed by its extensions.
func NewMemoryStore(resourceType string, schemas ...*Schema) *MemoryStore {
	return &MemoryStore{resourceType: resourceType, schemas: schemas, byID: map[string]Resource{}, Now: time.Now}
}

var _ Store = (*MemoryStore)(nil)

// Len returns how many resources the store holds.
func (m *MemoryStore) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.byID)
}

// Get returns a copy of the resource.
func (m *MemoryStore) Get(_ context.Context, id string, _ Projection) (Resource, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.byID[id]
	if !ok {
		return nil, ErrNotFound(m.resourceType, id)
	}
	return copyResource(r), nil
}

// List filters, sorts and pages the resources.
func (m *MemoryStore) List(_ context.Context, q Query) (*Page, error) {
	m.mu.RLock()
	var matched []Resource
	for _, id := range m.order {
		r := m.byID[id]
		ok, err := Match(q.Filter, r, m.schemas...)
		if err != nil {
			m.mu.RUnlock()
			return nil, err
		}
		if ok {
			matched = append(matched, copyResource(r))
		}
	}
	m.mu.RUnlock()
	SortResources(matched, q.SortBy, q.Descending, m.schemas...)
	page := &Page{Total: len(matched)}
	start := max(q.StartIndex, 1) - 1
	if start < len(matched) {
		end := min(start+max(q.Count, 0), len(matched))
		page.Resources = matched[start:end]
	}
	return page, nil
}

// Create stores a new resource with a generated id.
func (m *MemoryStore) Create(_ context.Context, c Change) (Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, err := c.Apply(Resource{}, m.schemas...)
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
	return copyResource(r), nil
}

// Replace replaces a resource's attributes, keeping its id and meta.created.
func (m *MemoryStore) Replace(_ context.Context, id string, c Change) (Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.byID[id]
	if !ok {
		return nil, ErrNotFound(m.resourceType, id)
	}
	r, err := c.Apply(old, m.schemas...)
	if err != nil {
		return nil, err
	}
	if err := m.checkUnique(r, id); err != nil {
		return nil, err
	}
	r["id"] = id
	m.stamp(r, created(old), m.Now().UTC().Format(time.RFC3339Nano))
	m.byID[id] = r
	return copyResource(r), nil
}

// Patch applies the change with Change.Apply: all or nothing.
func (m *MemoryStore) Patch(_ context.Context, id string, c Change) (Resource, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.byID[id]
	if !ok {
		return nil, ErrNotFound(m.resourceType, id)
	}
	r, err := c.Apply(old, m.schemas...)
	if err != nil {
		return nil, err
	}
	if err := m.checkUnique(r, id); err != nil {
		return nil, err
	}
	r["id"] = id
	m.stamp(r, created(old), m.Now().UTC().Format(time.RFC3339Nano))
	m.byID[id] = r
	return copyResource(r), nil
}

// Delete removes a resource.
func (m *MemoryStore) Delete(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byID[id]; !ok {
		return ErrNotFound(m.resourceType, id)
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
func (m *MemoryStore) stamp(r Resource, createdAt, modified string) {
	m.version++
	deleteKey(r, "meta")
	r["meta"] = map[string]any{
		"created":      createdAt,
		"lastModified": modified,
		"version":      `W/"` + strconv.Itoa(m.version) + `"`,
	}
}

func created(r Resource) string {
	meta, _ := r["meta"].(map[string]any)
	s, _ := meta["created"].(string)
	return s
}

// checkUnique enforces the schemas' uniqueness "server" and "global" attributes
// among the stored resources other than self.
func (m *MemoryStore) checkUnique(r Resource, self string) error {
	ss := newSchemaSet(m.schemas)
	if ss.core == nil {
		return nil
	}
	for _, a := range ss.core.Attributes {
		if a.Uniqueness != UniquenessServer && a.Uniqueness != UniquenessGlobal || a.MultiValued || a.Type == TypeComplex {
			continue
		}
		_, v, _ := lookup(r, a.Name)
		if isEmpty(v) {
			continue
		}
		for id, other := range m.byID {
			if id == self {
				continue
			}
			_, ov, _ := lookup(other, a.Name)
			if !isEmpty(ov) && Compare(v, ov, a.CaseExact) == 0 {
				return Errorf(409, Uniqueness, "%s %s is already taken", a.Name, quoteForDetail(textOf(v)))
			}
		}
	}
	return nil
}

func textOf(v any) string {
	s, _ := toText(v)
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
