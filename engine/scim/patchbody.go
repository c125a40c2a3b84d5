package scim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
)

// memberIDs is the value of an operation on members as the ids it names: what
// [{"value": "a"}, {"value": "b"}] (or ["a", "b"]) means, read without a map per
// member. A group push of 16,000 members in one 1 MiB PATCH is then 16,000
// strings, not 16,000 maps decoded, copied and canonicalised, which is what kept
// twenty concurrent pushes from fitting in memory.
type memberIDs []string

// checkEvery is how many items a loop over a request's values handles between
// two looks at the request's deadline: often enough to stop within milliseconds,
// rarely enough to cost nothing.
const checkEvery = 1024

// decodePatch reads a PATCH body as decodeObject does, with one difference: when
// the resource type has members, the array value of an operation whose path is
// members is read as memberIDs as long as its elements are {"value": "id"} objects
// (with display, type or $ref beside it: Okta's form) or bare ids (Entra's); any
// other element makes it the generic array it would otherwise be. The values of
// other operations, and an operation whose value comes before its path, are read
// as generic JSON. Reading stops with Timeout or Canceled once ctx is done.
func decodePatch(ctx context.Context, r *http.Request, members bool) (map[string]any, *Error) {
	if e := checkContentType(r); e != nil {
		return nil, e
	}
	if r.Body == nil {
		return nil, Errorf(400, InvalidSyntax, "the request body is empty")
	}
	return decodeBody(ctx, r, &bodyDecoder{members: members, patch: true})
}

// decodeWrite reads a POST or PUT body as decodeObject does, except that when the
// resource type has members, its members array is read as memberIDs when its
// elements are ids (see decodePatch): a group created or replaced with 16,000
// members costs what a PATCH adding them does.
func decodeWrite(ctx context.Context, r *http.Request, members bool) (map[string]any, *Error) {
	if e := checkContentType(r); e != nil {
		return nil, e
	}
	if r.Body == nil {
		return nil, Errorf(400, InvalidSyntax, "the request body is empty")
	}
	return decodeBody(ctx, r, &bodyDecoder{members: members})
}

func decodeBody(ctx context.Context, r *http.Request, pd *bodyDecoder) (map[string]any, *Error) {
	pd.ctx, pd.dec = ctx, json.NewDecoder(r.Body)
	body, err := pd.body()
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, e
		}
		if fault.Is(err, fault.Timeout) || fault.Is(err, fault.Canceled) {
			return nil, toError(err)
		}
		return nil, decodeError(err)
	}
	if _, err := pd.dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, decodeError(err)
		}
		return nil, Errorf(400, InvalidSyntax, "the request body holds more than one JSON value")
	}
	return body, nil
}

type bodyDecoder struct {
	ctx     context.Context
	dec     *json.Decoder
	members bool // the resource type has members
	patch   bool // a PATCH body, not a POST or PUT one
}

func (pd *bodyDecoder) body() (map[string]any, error) {
	tok, err := pd.dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		v, err := pd.rest(tok)
		if err != nil {
			return nil, err
		}
		return nil, Errorf(400, InvalidSyntax, "the request body must be a JSON object, not %s", jsonKind(v))
	}
	body := map[string]any{}
	for pd.dec.More() {
		key, err := pd.key()
		if err != nil {
			return nil, err
		}
		var v any
		switch {
		case pd.patch && strings.EqualFold(key, "Operations"):
			v, err = pd.operations()
		case !pd.patch && pd.members && strings.EqualFold(key, "members"):
			v, err = pd.memberValue()
		default:
			err = pd.dec.Decode(&v)
		}
		if err != nil {
			return nil, err
		}
		body[key] = v
	}
	if !pd.patch {
		// Members under two spellings of the key are left to the generic rules.
		var keys []string
		for k := range body {
			if strings.EqualFold(k, "members") {
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			if ids, ok := body[k].(memberIDs); ok && len(keys) > 1 {
				body[k] = ids.generic()
			}
		}
	}
	_, err = pd.dec.Token() // }
	return body, err
}

// generic is the value ids stand for, as generic JSON.
func (ids memberIDs) generic() []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"value": id}
	}
	return out
}

// operations reads the Operations array; anything else is read as it is, for
// parsePatch to refuse.
func (pd *bodyDecoder) operations() (any, error) {
	tok, err := pd.dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return pd.rest(tok)
	}
	list := []any{}
	for pd.dec.More() {
		if err := fault.Interrupted(pd.ctx); err != nil {
			return nil, err
		}
		tok, err := pd.dec.Token()
		if err != nil {
			return nil, err
		}
		var op any
		if tok == json.Delim('{') {
			op, err = pd.operation()
		} else {
			op, err = pd.rest(tok)
		}
		if err != nil {
			return nil, err
		}
		list = append(list, op)
	}
	_, err = pd.dec.Token() // ]
	return list, err
}

// operation reads one operation after its opening brace.
func (pd *bodyDecoder) operation() (map[string]any, error) {
	op := map[string]any{}
	for pd.dec.More() {
		key, err := pd.key()
		if err != nil {
			return nil, err
		}
		var v any
		if pd.members && strings.EqualFold(key, "value") && onMembers(op) {
			v, err = pd.memberValue()
		} else {
			err = pd.dec.Decode(&v)
		}
		if err != nil {
			return nil, err
		}
		op[key] = v
	}
	_, err := pd.dec.Token() // }
	return op, err
}

// onMembers reports whether the operation read so far has the path members.
func onMembers(op map[string]any) bool {
	p, _ := field(op, "path")
	s, _ := p.(string)
	return strings.EqualFold(strings.TrimSpace(s), "members")
}

// memberValue reads the value of an operation on members: memberIDs when every
// element names one id, the generic value otherwise.
func (pd *bodyDecoder) memberValue() (any, error) {
	tok, err := pd.dec.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('[') {
		return pd.rest(tok)
	}
	ids := memberIDs{}
	var generic []any // once an element is not one id
	for i := 0; pd.dec.More(); i++ {
		if i%checkEvery == checkEvery-1 {
			if err := fault.Interrupted(pd.ctx); err != nil {
				return nil, err
			}
		}
		id, el, err := pd.member()
		if err != nil {
			return nil, err
		}
		if generic == nil && el == nil {
			ids = append(ids, id)
			continue
		}
		if generic == nil {
			generic, ids = ids.generic(), nil
		}
		if el == nil {
			el = map[string]any{"value": id}
		}
		generic = append(generic, el)
	}
	if _, err := pd.dec.Token(); err != nil { // ]
		return nil, err
	}
	if generic != nil {
		return generic, nil
	}
	return ids, nil
}

// memberExtras are the sub-attributes a member element may carry besides its id
// and still be read as that id: Okta sends {"value": id, "display": name}, and
// the change of a group's members is its ids alone (memberValues ignores the rest
// too).
var memberExtras = map[string]bool{"display": true, "type": true, "$ref": true}

// member reads one element of a members array: its id when it is a non-empty
// string or an object whose "value" is one, with at most the memberExtras beside
// it; otherwise the element as generic JSON.
func (pd *bodyDecoder) member() (string, any, error) {
	tok, err := pd.dec.Token()
	if err != nil {
		return "", nil, err
	}
	if s, ok := tok.(string); ok && s != "" {
		return s, nil, nil
	}
	if tok != json.Delim('{') {
		v, err := pd.rest(tok)
		return "", v, err
	}
	type kv struct {
		k string
		v any
	}
	var id string
	var extras []kv       // the memberExtras read so far
	var el map[string]any // once the element is not one id
	for pd.dec.More() {
		key, err := pd.key()
		if err != nil {
			return "", nil, err
		}
		vt, err := pd.dec.Token()
		if err != nil {
			return "", nil, err
		}
		v, err := pd.rest(vt)
		if err != nil {
			return "", nil, err
		}
		if el == nil {
			if s, ok := v.(string); ok && s != "" && key == "value" && id == "" {
				id = s
				continue
			}
			if memberExtras[key] && len(extras) < len(memberExtras) {
				extras = append(extras, kv{key, v})
				continue
			}
			el = make(map[string]any, len(extras)+2)
			if id != "" {
				el["value"] = id
			}
			for _, e := range extras {
				el[e.k] = e.v
			}
		}
		el[key] = v
	}
	if _, err := pd.dec.Token(); err != nil { // }
		return "", nil, err
	}
	if el == nil && id != "" {
		return id, nil, nil
	}
	if el == nil {
		el = make(map[string]any, len(extras))
		for _, e := range extras {
			el[e.k] = e.v
		}
	}
	return "", el, nil
}

func (pd *bodyDecoder) key() (string, error) {
	tok, err := pd.dec.Token()
	if err != nil {
		return "", err
	}
	k, _ := tok.(string) // the decoder yields only strings as keys
	return k, nil
}

// rest reads the rest of a value whose first token is tok.
func (pd *bodyDecoder) rest(tok json.Token) (any, error) {
	switch tok {
	case json.Delim('{'):
		m := map[string]any{}
		for pd.dec.More() {
			key, err := pd.key()
			if err != nil {
				return nil, err
			}
			var v any
			if err := pd.dec.Decode(&v); err != nil {
				return nil, err
			}
			m[key] = v
		}
		_, err := pd.dec.Token()
		return m, err
	case json.Delim('['):
		l := []any{}
		for pd.dec.More() {
			var v any
			if err := pd.dec.Decode(&v); err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		_, err := pd.dec.Token()
		return l, err
	}
	return tok, nil
}
