package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestPatchOperations(t *testing.T) {
	many := func(n int, op string) string {
		ops := make([]string, n)
		for i := range ops {
			ops[i] = op
		}
		return strings.Join(ops, ",")
	}
	values := func(n int) string {
		v := make([]string, n)
		for i := range v {
			v[i] = fmt.Sprintf(`{"value":"u%d"}`, i)
		}
		return "[" + strings.Join(v, ",") + "]"
	}
	for _, tt := range []struct {
		name, body string
		want       int
	}{
		{"one op", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`, 1},
		{"okta deactivate", `{"Operations":[{"op":"replace","value":{"active":false}}]}`, 1},
		{"entra ops", `{"Operations":[{"op":"Replace","path":"active","value":"True"},{"op":"Add","path":"emails[type eq \"work\"].value","value":"x"}]}`, 2},
		{"members in one op are one op", `{"Operations":[{"op":"add","path":"members","value":` + values(70) + `}]}`, 1},
		{"members in two ops", `{"Operations":[{"op":"add","path":"members","value":` + values(3) + `},{"op":"remove","path":"members","value":` + values(4) + `}]}`, 2},
		{"key in any case", `{"operations":[{"op":"add"},{"op":"add"}]}`, 2},
		{"other keys skipped", `{"schemas":["a","b","c"],"x":{"Operations":[1,2,3]},"Operations":[{"op":"add","path":"p","value":1}]}`, 1},
		{"duplicate Operations add up", `{"Operations":[{"op":"add"}],"Operations":[{"op":"add"},{"op":"add"}]}`, 3},
		{"non-object ops", `{"Operations":[1,"x",null,[1,2]]}`, 4},
		{"Operations not an array", `{"Operations":{"op":"add"}}`, 0},
		{"not an object", `[1,2,3]`, 0},
		{"empty", ``, 0},
		{"malformed counts what it read", `{"Operations":[{"op":"add"},{"op":"add"},{"op`, 3},
		{"stops past the limit", `{"Operations":[` + many(50, `{"op":"add"}`) + `]}`, 11},
	} {
		if got := patchOperations([]byte(tt.body), 10); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

// FuzzPatchOperations: on any JSON text the byte scanner counts what encoding/json's
// tokenizer counts (patchOperationsByTokens, the first implementation), and on any
// other input it stops without reading out of bounds.
func FuzzPatchOperations(f *testing.F) {
	for _, s := range []string{
		`{"Operations":[{"op":"add","path":"members","value":[{"value":"a"},{"value":"b"}]},{"op":"remove"}]}`,
		`{"schemas":["x"],"x":{"Operations":[1,2,3]},"operations":[1,[2,{"]":"["}],"\"",null]}`,
		`{"Op\u0065rations":[1,2],"Operations":{"a":[1]},"Operations":[true,false]}`,
		`{"Operations":[1 2]}`, `{"Operations":[{"op":"add"},{"op`, `[1]`, ` { "Operations" : [ 1 , 2 ] } `,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got := patchOperations([]byte(body), 10)
		if got < 0 || got > 11 {
			t.Fatalf("%d operations counted with limit 10", got)
		}
		if json.Valid([]byte(body)) {
			if want := patchOperationsByTokens([]byte(body), 10); got != want {
				t.Fatalf("%d operations, the tokenizer counts %d", got, want)
			}
		}
	})
}

func patchOperationsByTokens(body []byte, limit int) int {
	dec := json.NewDecoder(bytes.NewReader(body))
	if !tokenIsDelim(dec, '{') {
		return 0
	}
	n := 0
	for dec.More() && n <= limit {
		key, err := dec.Token()
		if err != nil {
			return n
		}
		if k, _ := key.(string); !strings.EqualFold(k, "Operations") {
			if !tokenSkipValue(dec) {
				return n
			}
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		if tok != json.Delim('[') {
			if !tokenSkipRest(dec, tok) {
				return n
			}
			continue
		}
		for dec.More() && n <= limit {
			n++
			if !tokenSkipValue(dec) {
				return n
			}
		}
		if n <= limit {
			if _, err := dec.Token(); err != nil { // ]
				return n
			}
		}
	}
	return n
}

func tokenIsDelim(dec *json.Decoder, d json.Delim) bool {
	tok, err := dec.Token()
	return err == nil && tok == d
}

// skipValue reads past one JSON value.
func tokenSkipValue(dec *json.Decoder) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	return tokenSkipRest(dec, tok)
}

// skipRest reads past the rest of a value whose first token was tok.
func tokenSkipRest(dec *json.Decoder, tok json.Token) bool {
	d, ok := tok.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return true
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return true
}
