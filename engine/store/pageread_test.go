package store

import (
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/operations"
)

// TestPageReadText pins the combined statement of a per-user read on every
// dialect, SQL Server and Oracle included (which have no server here): the
// declared text once per user as a derived table, its placeholders numbered on
// from one copy to the next, and what is not combined.
func TestPageReadText(t *testing.T) {
	src := "SELECT ent_id, name FROM grants WHERE user_id = ? -- a comment"
	want := map[string][]string{
		"sqlite":    {"SELECT 0 AS dbscim_slot, t.* FROM (" + src + "\n) AS t UNION ALL SELECT 1 AS dbscim_slot, t.* FROM (" + src + "\n) AS t"},
		"mysql":     {"SELECT 0 AS dbscim_slot, t.* FROM (" + src + "\n) AS t UNION ALL SELECT 1 AS dbscim_slot, t.* FROM (" + src + "\n) AS t"},
		"postgres":  {"user_id = $1 -- a comment\n) AS t UNION ALL", "user_id = $2 -- a comment\n) AS t"},
		"sqlserver": {"user_id = @p1 -- a comment\n) AS t UNION ALL", "user_id = @p2 -- a comment\n) AS t"},
		"oracle":    {"user_id = :1 -- a comment\n) t UNION ALL", "user_id = :2 -- a comment\n) t"},
	}
	for name, parts := range want {
		d, ok := dialects.Lookup(name)
		if !ok {
			t.Fatalf("no dialect %s", name)
		}
		op := &operations.Operation{Name: "of_user", Kind: operations.SQL, Source: src,
			Params: []operations.Param{{Kind: operations.Field, Name: "user"}}}
		r := (&pageReads{}).get(d, op)
		if r.perUser.Load() {
			t.Fatalf("%s: a plain SELECT is not combined", name)
		}
		text := r.textFor(2)
		for _, p := range parts {
			if !strings.Contains(text, p) {
				t.Errorf("%s: the combined text lacks %q:\n%s", name, p, text)
			}
		}
		if got := r.chunk(); got != maxPageRead {
			t.Errorf("%s: %d users a statement, want %d", name, got, maxPageRead)
		}
	}
	d, _ := dialects.Lookup("sqlserver")
	many := &operations.Operation{Name: "of_user", Kind: operations.SQL, Source: "SELECT 1 WHERE ? = ? AND ? = ?",
		Params: make([]operations.Param, 20)}
	if got := (&pageReads{}).get(d, many).chunk(); got*20 > maxPageParams || got*40 <= maxPageParams {
		t.Errorf("a read of 20 parameters takes %d users a statement", got)
	}
	for _, op := range []*operations.Operation{
		{Kind: operations.Call, Source: "roles_of(?)", Params: []operations.Param{{Kind: operations.Field}}},
		{Kind: operations.SQL, Source: "SELECT 1; SELECT 2", Params: []operations.Param{{Kind: operations.Field}}},
		{Kind: operations.SQL, Source: "SELECT x FROM t WHERE u = ?", Params: []operations.Param{{Kind: operations.OutParam}}},
		{Kind: operations.SQL, Source: "WITH a AS (SELECT 1) SELECT * FROM a WHERE ? = 1", Params: []operations.Param{{Kind: operations.Field}}},
	} {
		if !(&pageReads{}).get(d, op).perUser.Load() {
			t.Errorf("%s is combined", op.Source)
		}
	}
}
