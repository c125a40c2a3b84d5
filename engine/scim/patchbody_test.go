package scim

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/resource"
)

func patchRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPatch, "/Groups/g1", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/scim+json")
	return r
}

// changeOf turns a PATCH body into the Change the handler gives the store,
// decoding it with decodePatch or, compact false, as a generic object.
func changeOf(rt *resourceType, body string, compact bool) (resource.Change, *Error) {
	var m map[string]any
	var e *Error
	if compact {
		m, e = decodePatch(context.Background(), patchRequest(body), rt.hasMembers())
	} else {
		m, e = decodeObject(patchRequest(body))
	}
	if e != nil {
		return resource.Change{}, e
	}
	ops, e := parsePatch(context.Background(), rt.ss, m, "g1")
	if e != nil {
		return resource.Change{}, e
	}
	return patchChange(rt, ops)
}

// TestDecodePatchSameChange: a PATCH body read with members as ids means exactly
// what it means read as generic JSON: the same Change, or the same error, for
// every form of member value and for bodies that are not PATCHes at all.
func TestDecodePatchSameChange(t *testing.T) {
	groups := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "Group", Schema: resource.GroupSchema()}}}).types[0]
	users := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "User", Schema: resource.UserSchema()}}}).types[0]
	for _, body := range patchBodies() {
		for _, rt := range []*resourceType{groups, users} {
			want, wantErr := changeOf(rt, body, false)
			got, gotErr := changeOf(rt, body, true)
			if !reflect.DeepEqual(errText(gotErr), errText(wantErr)) {
				t.Errorf("%s (%s): error %v, generic reading gives %v", body, rt.endpoint, gotErr, wantErr)
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (%s):\nchange %+v %+v\nwant   %+v %+v", body, rt.endpoint, got, got.Members, want, want.Members)
			}
		}
	}
}

// TestDecodePatchOktaAndEntraAsIDs: the member arrays Okta ({"value", "display"})
// and Entra (bare {"value"}) send are read as ids, not as maps.
func TestDecodePatchOktaAndEntraAsIDs(t *testing.T) {
	for _, value := range []string{
		`[{"value":"00u1","display":"a@example.com"},{"value":"00u2","display":"b@example.com"}]`,
		`[{"value":"00u1"},{"value":"00u2"}]`,
		`["00u1","00u2"]`,
	} {
		body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":` + value + `}]}`
		m, e := decodePatch(context.Background(), patchRequest(body), true)
		if e != nil {
			t.Fatal(e)
		}
		got := m["Operations"].([]any)[0].(map[string]any)["value"]
		if ids, ok := got.(memberIDs); !ok || len(ids) != 2 || ids[0] != "00u1" || ids[1] != "00u2" {
			t.Errorf("%s read as %T %v, want the ids", value, got, got)
		}
	}
}

// patchBodies are PATCH bodies of every shape a members value can take, and some
// that are not PATCHes at all.
func patchBodies() []string {
	const urn = `"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`
	ops := func(list string) string { return `{` + urn + `,"Operations":[` + list + `]}` }
	return []string{
		ops(`{"op":"add","path":"members","value":[{"value":"a"},{"value":"b"},{"value":"a"}]}`),
		ops(`{"op":"Add","path":" Members ","value":["a","b"]}`),
		ops(`{"op":"replace","path":"members","value":[]}`),
		ops(`{"op":"remove","path":"members","value":[{"value":"a"}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a"},{"value":"b","display":"B"},{"value":"c"}]}`),
		ops(`{"op":"add","path":"members","value":[{"display":"B","value":"b"}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a","display":"A","type":"User","$ref":"https://x/Users/a"},{"type":"User","value":"b"}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a","display":{"x":1}},{"value":"b","display":7}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a","display":"A","display":"B","type":"User","$ref":"r"}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a","primary":true}]}`),
		ops(`{"op":"add","path":"members","value":[{"display":"A"}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a","Display":"A"}]}`),
		ops(`{"op":"add","path":"members","value":[{"display":"A","value":""}]}`),
		ops(`{"op":"add","path":"members","value":[{"Value":"a"}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":""}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":7}]}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a"},3]}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a"},[]]}`),
		ops(`{"op":"add","path":"members","value":{"value":"a"}}`),
		ops(`{"op":"add","path":"members","value":"a"}`),
		ops(`{"op":"add","path":"members","value":null}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a","value":"b"}]}`),
		ops(`{"value":[{"value":"a"}],"op":"add","path":"members"}`),
		ops(`{"op":"remove","path":"members[value eq \"a\" or value eq \"b\"]"}`),
		ops(`{"op":"add","path":"members[value eq \"a\"]","value":[{"value":"a"}]}`),
		ops(`{"op":"replace","value":{"displayName":"x","members":[{"value":"a"}]}}`),
		ops(`{"op":"add","path":"members","value":[{"value":"a"}]},{"op":"remove","path":"members","value":[{"value":"a"}]},{"op":"replace","path":"displayName","value":"n"}`),
		`{` + urn + `,"Operations":{"op":"add"}}`,
		`{` + urn + `,"Operations":[]}`,
		`{` + urn + `,"Operations":[1]}`,
		`{"Operations":[{"op":"add","path":"members","value":[{"value":"a"}]}]}`,
		`[1,2]`,
		`"x"`,
		`{` + urn + `,"operations":[{"op":"add","path":"members","value":[{"value":"a"}]}]} {}`,
		`{` + urn + `,"Operations":[{"op":"add","path":"members","value":[{"value":"a"}`,
		`{` + urn + `,"Operations":[{"op":"add","path":"members","value":[{"value":"a"},]}]}`,
	}
}

// FuzzDecodePatch: whatever the body, reading members as ids gives the Change (or
// the error status) the generic reading gives: as a PATCH of a Group or a User,
// and as a POST of a Group.
func FuzzDecodePatch(f *testing.F) {
	for _, b := range append(patchBodies(), writeBodies()...) {
		f.Add(b)
	}
	groups := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "Group", Schema: resource.GroupSchema()}}}).types[0]
	users := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "User", Schema: resource.UserSchema()}}}).types[0]
	f.Fuzz(func(t *testing.T, body string) {
		for _, rt := range []*resourceType{groups, users} {
			want, wantErr := changeOf(rt, body, false)
			got, gotErr := changeOf(rt, body, true)
			if errText(gotErr) != errText(wantErr) {
				t.Fatalf("%s: error %v, generic reading gives %v", rt.endpoint, gotErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: change %+v %+v, generic reading gives %+v %+v", rt.endpoint, got, got.Members, want, want.Members)
			}
		}
		want, wantErr := writeChangeOf(groups, body, false)
		got, gotErr := writeChangeOf(groups, body, true)
		if errText(gotErr) != errText(wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("as a POST: %+v %+v (%v), generic reading gives %+v %+v (%v)", got, got.Members, gotErr, want, want.Members, wantErr)
		}
	})
}

// writeChangeOf is changeOf for a POST body.
func writeChangeOf(rt *resourceType, body string, compact bool) (resource.Change, *Error) {
	if compact {
		c, _, e := readWrite(patchRequest(body), rt, resource.OpCreate)
		return c, e
	}
	m, e := decodeObject(patchRequest(body))
	if e != nil {
		return resource.Change{}, e
	}
	if _, e := checkBody(rt, m); e != nil {
		return resource.Change{}, e
	}
	res, e := prepareWrite(rt, m)
	if e != nil {
		return resource.Change{}, e
	}
	return wholeChange(rt, resource.OpCreate, res)
}

// writeBodies are POST and PUT bodies of every shape a members value can take.
func writeBodies() []string {
	const urn = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"]`
	group := func(rest string) string { return `{` + urn + `,"displayName":"g"` + rest + `}` }
	return []string{
		group(`,"members":[{"value":"a"},{"value":"b","display":"B"},"c",{"value":"a"}]`),
		group(`,"members":[]`),
		group(`,"members":null`),
		group(``),
		group(`,"Members":[{"value":"a"}]`),
		group(`,"members":[{"value":"a"}],"Members":[{"value":"b"}]`),
		group(`,"members":[{"value":"a"},{"value":7}]`),
		group(`,"members":[{"value":"a"},{"display":"x"}]`),
		group(`,"members":[{"value":""}]`),
		group(`,"members":{"value":"a"}`),
		group(`,"members":"a"`),
		group(`,"members":[[1]]`),
		`{"displayName":"g","members":[{"value":"a"}]}`,
		`{` + urn + `,"members":[{"value":"a"}]}`,
		`{` + urn + `,"displayName":"g","members":[{"value":"a"}`,
		`[{"value":"a"}]`,
	}
}

// TestDecodeWriteSameChange: a POST or PUT body read with members as ids means
// what it means read as generic JSON.
func TestDecodeWriteSameChange(t *testing.T) {
	groups := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "Group", Schema: resource.GroupSchema()}}}).types[0]
	for _, body := range writeBodies() {
		want, wantErr := writeChangeOf(groups, body, false)
		got, gotErr := writeChangeOf(groups, body, true)
		if errText(gotErr) != errText(wantErr) {
			t.Errorf("%s: error %v, generic reading gives %v", body, gotErr, wantErr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nchange %+v %+v\nwant   %+v %+v", body, got, got.Members, want, want.Members)
		}
	}
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g","members":[{"value":"a","display":"A"},{"value":"b"}]}`
	m, e := decodeWrite(context.Background(), patchRequest(body), true)
	if e != nil {
		t.Fatal(e)
	}
	if ids, ok := m["members"].(memberIDs); !ok || len(ids) != 2 {
		t.Errorf("the members of a POST read as %T", m["members"])
	}
}

func errText(e *Error) string {
	if e == nil {
		return ""
	}
	return fmt.Sprintf("%d %s", e.Status, e.ScimType)
}

// TestDecodePatchDeadline: reading a large members array stops once the request's
// time is up, with the 503 a database timeout gets.
func TestDecodePatchDeadline(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[`)
	for i := 0; i < 5000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"value":"u%d"}`, i)
	}
	b.WriteString(`]}]}`)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, e := decodePatch(ctx, patchRequest(b.String()), true)
	if e == nil || e.Status != http.StatusServiceUnavailable || e.RetryAfter == 0 {
		t.Fatalf("a PATCH read past its deadline: %+v, want 503 with Retry-After", e)
	}
	m, e := decodePatch(context.Background(), patchRequest(b.String()), true)
	if e != nil {
		t.Fatal(e)
	}
	ids, ok := m["Operations"].([]any)[0].(map[string]any)["value"].(memberIDs)
	if !ok || len(ids) != 5000 || ids[4999] != "u4999" {
		t.Fatalf("the members array read as %T of %d", m["Operations"].([]any)[0].(map[string]any)["value"], len(ids))
	}
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, e := parsePatch(canceled, NewHandler(Config{ResourceTypes: []ResourceType{{Name: "Group", Schema: resource.GroupSchema()}}}).types[0].ss, m, "g1"); e == nil || e.Status != 503 {
		t.Fatalf("parsePatch of a canceled request: %+v, want 503", e)
	}
}
