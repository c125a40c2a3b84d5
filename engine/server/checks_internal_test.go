package server

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dbscim/dbscim/dialects"
)

// TestProblemText checks how a failed check's problems are shown: secrets of the
// connection never, long messages shortened on a character boundary, and the
// count of the others.
func TestProblemText(t *testing.T) {
	c := dialects.Connection{Password: "s3cret-pw", DSN: "app:s3cret-pw@tcp(db:3306)/hr"}
	for _, tc := range []struct{ in, want string }{
		{"cannot connect with app:s3cret-pw@tcp(db:3306)/hr: refused", "cannot connect with ***: refused"},
		{"password s3cret-pw rejected", "password *** rejected"},
		{"no secret here", "no secret here"},
	} {
		if got := redact(tc.in, c); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := redact("nothing to hide", dialects.Connection{}); got != "nothing to hide" {
		t.Errorf("redact without secrets = %q", got)
	}

	long := strings.Repeat("é", 400)
	s := summary(long, 2)
	if !utf8.ValidString(s) || !strings.HasSuffix(s, "… (and 2 more: GET /readyz and the server log list them)") || len(s) > 400 {
		t.Errorf("summary of a long problem: %q", s)
	}
	if s := summary("a.yaml:1:2: list: no", 0); s != "a.yaml:1:2: list: no" {
		t.Errorf("summary of one short problem: %q", s)
	}

	var many []string
	for i := 0; i < maxShown+3; i++ {
		many = append(many, "p")
	}
	got := shown(many)
	if len(got) != maxShown+1 || got[maxShown] != "… and 3 more in the server log" {
		t.Errorf("shown: %q", got)
	}
	if got := shown([]string{"a", "b"}); len(got) != 2 {
		t.Errorf("shown of two: %q", got)
	}
}
