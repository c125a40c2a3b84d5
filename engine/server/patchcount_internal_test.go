package server

import (
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
