package scim

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/dbscim/dbscim/engine/resource"
)

// TestAppendJSONAsEncodingJSON: the response writer's JSON is byte for byte what
// encoding/json writes with HTML escaping off.
func TestAppendJSONAsEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, "", "plain", `quote " and \ back`, "tab\tnew\nline\r\b\f\x01\x1f",
		"<a href='x'>&amp;</a>", "é ñ 漢字 😀", "bad \xff utf-8 \xc3", "line\u2028para\u2029",
		0, 42, -7, int64(1) << 53, float64(3), -0.5, 1.5e300, 1e21, 123456789.125, 1e-7,
		[]any{}, []any{"a", 1, nil, []any{true}}, []string{"x", "y"},
		map[string]any{}, map[string]any{"z": 1, "a": map[string]any{"c": "d", "b": []any{map[string]any{"value": "v", "primary": true}}}},
		struct{ A string }{"x"},
	}
	for _, v := range values {
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
			t.Errorf("%#v:\n got %s\nwant %s", v, got, w)
		}
	}
}

// BenchmarkWriteListPage is the response writer's cost for a page of 100 users.
func BenchmarkWriteListPage(b *testing.B) {
	h := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "User", Schema: nil}}})
	rt := h.types[0]
	page := &listResponse{Schemas: []string{ListResponseURN}, TotalResults: 1000, StartIndex: 1, ItemsPerPage: 100}
	for i := 0; i < 100; i++ {
		page.Resources = append(page.Resources, &outResource{rt: rt, r: map[string]any{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": "u-0001", "userName": "bjensen@example.com",
			"name":   map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
			"emails": []any{map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}},
			"active": true, "meta": map[string]any{"resourceType": "User", "location": "https://h/scim/v2/Users/u-0001", "version": `W/"0123456789abcdef"`},
		}})
	}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		if err := page.appendJSON(&buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPresentPage is the per-resource cost of a list page of 100 users
// between the store and the response: presenting (schemas, meta, content ETag,
// projection) and writing the JSON.
func BenchmarkPresentPage(b *testing.B) {
	h := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "User", Endpoint: "Users",
		Schema: resource.UserSchema(), Extensions: []*resource.Schema{resource.EnterpriseUserSchema()}}}})
	rt := h.types[0]
	stored := make([]resource.Resource, 100)
	for i := range stored {
		stored[i] = resource.Resource{
			"id": strconv.Itoa(i + 1), "userName": "user" + strconv.Itoa(i) + "@example.com", "externalId": "ext-" + strconv.Itoa(i),
			"name":   map[string]any{"givenName": "Barbara", "familyName": "Jensen"},
			"emails": []any{map[string]any{"value": "user" + strconv.Itoa(i) + "@example.com", "type": "work", "primary": true}},
			"active": true, "title": nil, "displayName": "Barbara Jensen",
			"meta": map[string]any{"created": "2024-01-02T03:04:05Z", "lastModified": "2024-01-02T03:04:05Z"},
		}
	}
	pr := resource.NewProjector(rt.ss, resource.Projection{})
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		for _, res := range stored {
			if err := h.present(rt, res, "https://h/scim/v2", pr, true).appendJSON(&buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}
