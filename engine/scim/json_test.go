package scim

import (
	"bytes"
	"encoding/json"
	"testing"
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
