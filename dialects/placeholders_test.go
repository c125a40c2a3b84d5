package dialects

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// rewriteDialects are the dialects whose Rewrite output the golden files pin.
var rewriteDialects = []Dialect{MySQL{}, Postgres{}, SQLite{}, SQLServer{}, Oracle{}}

// TestRewriteGolden runs every testdata/rewrite/*.sql through each dialect's Rewrite
// and compares with testdata/rewrite/<case>.<dialect>.golden. Regenerate with
// go test ./dialects -update, then review the diff.
func TestRewriteGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "rewrite", "*.sql"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(in), ".sql")
		for _, d := range rewriteDialects {
			t.Run(name+"/"+d.Name(), func(t *testing.T) {
				text, n, err := d.Rewrite(string(src))
				var got string
				if err != nil {
					got = "error: " + err.Error() + "\n"
				} else {
					got = fmt.Sprintf("params: %d\n%s", n, text)
				}
				golden := strings.TrimSuffix(in, ".sql") + "." + d.Name() + ".golden"
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./dialects -update)", err)
				}
				if got != string(want) {
					t.Errorf("Rewrite(%s) =\n%s\nwant\n%s", in, got, want)
				}
			})
		}
	}
}

func TestRewrite(t *testing.T) {
	tests := []struct {
		dialect Dialect
		in      string
		want    string
		n       int
		err     string // substring of the error; empty for none
	}{
		{Postgres{}, "SELECT ?", "SELECT $1", 1, ""},
		{Postgres{}, "?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11", 11, ""},
		{Postgres{}, "SELECT $3, $1", "SELECT $3, $1", 3, ""},
		{Postgres{}, "SELECT $0", "", 0, "out of range"},
		{Postgres{}, "SELECT 'a''?' || ?", "SELECT 'a''?' || $1", 1, ""},
		{Postgres{}, "SELECT e'\\'?' || ?", "SELECT e'\\'?' || $1", 1, ""},
		{Postgres{}, "SELECT some'x' || ?", "SELECT some'x' || $1", 1, ""}, // not an E'' prefix
		{Postgres{}, "SELECT $a$ ? $b$ ? $a$, ?", "SELECT $a$ ? $b$ ? $a$, $1", 1, ""},
		{Postgres{}, "SELECT $a$ ?", "", 0, "unterminated dollar-quoted string $a$"},
		{Postgres{}, "/* /* */ ? */ ?", "/* /* */ ? */ $1", 1, ""},
		{Postgres{}, "/* /* */ ?", "", 0, "unterminated /* comment"},
		{Postgres{}, "SELECT ?2", "", 0, "numbered placeholder"},
		{Postgres{}, "SELECT ??", "SELECT ?", 0, ""},
		{Postgres{}, "SELECT ?? , $1", "SELECT ? , $1", 1, ""},
		{Postgres{}, `SELECT "a?"" ?" FROM t`, `SELECT "a?"" ?" FROM t`, 0, ""},
		{Postgres{}, `SELECT "a`, "", 0, `unterminated "quoted identifier"`},
		{MySQL{}, "SELECT ?", "SELECT ?", 1, ""},
		{MySQL{}, `SELECT "a\"?", ?`, `SELECT "a\"?", ?`, 1, ""},
		{MySQL{}, "SELECT 'a\\\\', ?", "SELECT 'a\\\\', ?", 1, ""},
		{MySQL{}, "SELECT 1 -- ?", "SELECT 1 -- ?", 0, ""},
		{MySQL{}, "SELECT 1 --\t?", "SELECT 1 --\t?", 0, ""},
		{MySQL{}, "SELECT 1 --", "SELECT 1 --", 0, ""},
		{MySQL{}, "SELECT 1 --?", "SELECT 1 --?", 1, ""},
		{MySQL{}, "SELECT 1 # ?\n, ?", "SELECT 1 # ?\n, ?", 1, ""},
		{MySQL{}, "SELECT `a", "", 0, "unterminated `quoted identifier`"},
		{MySQL{}, "SELECT $1", "SELECT $1", 0, ""},
		{MySQL{}, "SELECT @x := ?", "SELECT @x := ?", 1, ""},
		{SQLite{}, "SELECT ?, ?", "SELECT ?, ?", 2, ""},
		{SQLite{}, "SELECT ?5", "SELECT ?5", 5, ""},
		{SQLite{}, "SELECT $2, ?1", "SELECT $2, ?1", 2, ""},
		{SQLite{}, "SELECT ?1, ?", "", 0, "mixes ? with native placeholders (?1)"},
		{SQLite{}, "SELECT ?0", "", 0, "out of range"},
		{SQLite{}, "SELECT :id", "", 0, "named parameter :id is not supported"},
		{SQLite{}, "SELECT @id", "", 0, "named parameter @id is not supported"},
		{SQLite{}, "SELECT $id", "", 0, "named parameter $id is not supported"},
		{SQLite{}, "SELECT [a?]]", "SELECT [a?]]", 0, ""},
		{SQLite{}, "SELECT 1 --?", "SELECT 1 --?", 0, ""},
		{SQLite{}, "SELECT [a", "", 0, "unterminated [quoted identifier]"},
		{SQLServer{}, "SELECT ?, ?", "SELECT @p1, @p2", 2, ""},
		{SQLServer{}, "SELECT [a?]]b], N'?''', ?", "SELECT [a?]]b], N'?''', @p1", 1, ""},
		{SQLServer{}, "DECLARE @rc INT; EXEC @rc = p @p1, @p2 OUTPUT", "DECLARE @rc INT; EXEC @rc = p @p1, @p2 OUTPUT", 2, ""},
		{SQLServer{}, "SELECT @p0", "", 0, "out of range"},
		{SQLServer{}, "/* /* ? */ */ ?", "/* /* ? */ */ @p1", 1, ""},
		{SQLServer{}, "SELECT @p1, ?", "", 0, "mixes ? with native placeholders (@p1)"},
		{Oracle{}, "SELECT ? FROM dual", "SELECT :1 FROM dual", 1, ""},
		{Oracle{}, "SELECT q'[it's ?]', Q'{?}', nq'!?!', ? FROM dual", "SELECT q'[it's ?]', Q'{?}', nq'!?!', :1 FROM dual", 1, ""},
		{Oracle{}, "SELECT q'<a>' || ?", "SELECT q'<a>' || :1", 1, ""},
		{Oracle{}, "SELECT q'[abc' FROM dual", "", 0, "unterminated q'' string literal"},
		{Oracle{}, "BEGIN x := ?; END;", "BEGIN x := :1; END;", 1, ""},
		{Oracle{}, "BEGIN p(:2, :1); END;", "BEGIN p(:2, :1); END;", 2, ""},
		{Oracle{}, "SELECT :id FROM dual", "", 0, "named parameter :id is not supported"},
		{Oracle{}, "SELECT a#b$c FROM t WHERE x = ?", "SELECT a#b$c FROM t WHERE x = :1", 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.dialect.Name()+"/"+tt.in, func(t *testing.T) {
			got, n, err := tt.dialect.Rewrite(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Rewrite(%q) error = %v, want one containing %q", tt.in, err, tt.err)
				}
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Errorf("error %T is not a *SyntaxError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Rewrite(%q): %v", tt.in, err)
			}
			if got != tt.want || n != tt.n {
				t.Errorf("Rewrite(%q) = %q, %d; want %q, %d", tt.in, got, n, tt.want, tt.n)
			}
		})
	}
}

func TestSyntaxErrorPosition(t *testing.T) {
	src := "SELECT id\nFROM users\nWHERE name = 'x"
	_, _, err := SQLite{}.Rewrite(src)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v, want a *SyntaxError", err)
	}
	if se.Offset != strings.Index(src, "'") || se.Line != 3 || se.Column != 14 {
		t.Errorf("position = offset %d, %d:%d; want offset %d, 3:14", se.Offset, se.Line, se.Column, strings.Index(src, "'"))
	}
	if want := "unterminated string literal at line 3, column 14 of the statement"; se.Error() != want {
		t.Errorf("Error() = %q, want %q", se.Error(), want)
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		syn  *syntax
		name string
		ok   bool
	}{
		{mysqlSyntax, "CREATE_USER", true},
		{mysqlSyntax, "okta.CREATE_USER", true},
		{mysqlSyntax, "`my proc`", true},
		{mysqlSyntax, "`a``b`.`c`", true},
		{mysqlSyntax, "proc$1", true},
		{mysqlSyntax, "", false},
		{mysqlSyntax, "a b", false},
		{mysqlSyntax, "a(); DROP TABLE x", false},
		{mysqlSyntax, "a.", false},
		{mysqlSyntax, ".a", false},
		{mysqlSyntax, `"a"`, false},
		{mysqlSyntax, "`a", false},
		{postgresSyntax, `public."Create User"`, true},
		{postgresSyntax, "create_user", true},
		{postgresSyntax, "a--b", false},
		{postgresSyntax, "`a`", false},
		{sqlserverSyntax, "dbo.[Create User]", true},
		{sqlserverSyntax, "[a]]b]", true},
		{sqlserverSyntax, "#tmp_proc", true}, // a temporary procedure
		{sqlserverSyntax, "p;x", false},
		{oracleSyntax, "OKTA.PKG_USERS.CREATE_USER", true},
		{oracleSyntax, `"Pkg"."Proc"`, true},
		{oracleSyntax, "a$b#c", true},
	}
	for _, tt := range tests {
		err := tt.syn.checkName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("checkName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

// FuzzRewrite checks that the lexer never panics and that, when it succeeds, the
// MySQL and SQLite rewrites, which keep "?", leave the text unchanged.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{"SELECT ?", "'?'", "$a$?$a$", "/*?*/?", "E'\\''?", "?? $1", "[?]", "`?`", "-- ?\n?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range rewriteDialects {
			text, n, err := d.Rewrite(s)
			if err != nil {
				continue
			}
			if n < 0 {
				t.Fatalf("%s: negative count", d.Name())
			}
			if (d.Name() == "mysql" || d.Name() == "sqlite") && text != s {
				t.Fatalf("%s changed the text: %q -> %q", d.Name(), s, text)
			}
		}
	})
}

// TestSubstitute nests native statements with their parameters bound to an outer
// column: placeholders in strings, identifiers and comments stay, and so does
// PostgreSQL's jsonb ? operator.
func TestSubstitute(t *testing.T) {
	ref := func(n int) string { return fmt.Sprintf("t.k%d", n) }
	tests := []struct {
		d        Dialect
		in, want string
	}{
		{MySQL{}, "SELECT a FROM x WHERE u = ? AND b = '?' -- ?\n AND c = ?", "SELECT a FROM x WHERE u = t.k1 AND b = '?' -- ?\n AND c = t.k2"},
		{SQLite{}, `SELECT "?" FROM x WHERE u = ?`, `SELECT "?" FROM x WHERE u = t.k1`},
		{Postgres{}, "SELECT a FROM x WHERE u = $1 AND j ? 'k' AND v = $2 AND s = '$1'", "SELECT a FROM x WHERE u = t.k1 AND j ? 'k' AND v = t.k2 AND s = '$1'"},
		{SQLServer{}, "SELECT a FROM x WHERE u = @p1", "SELECT a FROM x WHERE u = t.k1"},
		{Oracle{}, "SELECT a FROM x WHERE u = :1", "SELECT a FROM x WHERE u = t.k1"},
	}
	for _, tt := range tests {
		got, err := Substitute(tt.d, tt.in, ref)
		if err != nil || got != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.d.Name(), got, err, tt.want)
		}
	}
}
