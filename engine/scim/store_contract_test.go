package scim

import (
	"context"
	"reflect"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/memory"
)

// captureStore records what the handler hands a store.
type captureStore struct {
	*memory.Store
	created, replaced resource.Resource
}

func (c *captureStore) Create(ctx context.Context, ch resource.Change) (resource.Resource, error) {
	c.created = resource.CopyResource(ch.Resource)
	return c.Store.Create(ctx, ch)
}

func (c *captureStore) Replace(ctx context.Context, id string, ch resource.Change) (resource.Resource, error) {
	c.replaced = resource.CopyResource(ch.Resource)
	return c.Store.Replace(ctx, id, ch)
}

// TestStoreReceives pins what Create and Replace receive: canonical names and
// types, no schemas, no read-only attributes, the password kept.
func TestStoreReceives(t *testing.T) {
	cs := &captureStore{Store: memory.New("User", resource.UserSchema(), resource.EnterpriseUserSchema())}
	f := newStubFixture(t, nil)
	f.h = NewHandler(Config{ResourceTypes: []ResourceType{{ID: "User", Name: "User", Endpoint: "Users",
		Schema: resource.UserSchema(), Extensions: []*resource.Schema{resource.EnterpriseUserSchema()}, Methods: allMethods, Store: cs}}})
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"client-id","USERNAME":"u@x",
		"Active":"True","password":"p","groups":[{"value":"g"}],"meta":{"resourceType":"User"},
		"emails":{"value":"u@x","Primary":"true"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"Department":"D","manager":{"value":"m","displayName":"M"}}}`
	r := f.do(t, "POST", "/Users", body)
	r.want(t, 201)
	want := resource.Resource{
		"userName": "u@x",
		"active":   true,
		"password": "p",
		"emails":   []any{map[string]any{"value": "u@x", "primary": true}},
		resource.EnterpriseUserURN: map[string]any{
			"department": "D",
			"manager":    map[string]any{"value": "m"},
		},
	}
	if !reflect.DeepEqual(cs.created, want) {
		t.Errorf("Create received\n %v\nwant\n %v", cs.created, want)
	}
	id := r.body["id"].(string)
	f.do(t, "PUT", "/Users/"+id, body).want(t, 200)
	if !reflect.DeepEqual(cs.replaced, want) {
		t.Errorf("Replace received\n %v\nwant\n %v", cs.replaced, want)
	}
}
