package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/engine/sqlgen"
	"github.com/dbscim/dbscim/operations"
)

var pushdownDDL = map[string]string{
	"sqlite": `CREATE TABLE people (id TEXT PRIMARY KEY, user_name TEXT NOT NULL, family TEXT, title TEXT,
		work_email TEXT, home_email TEXT, active INTEGER NOT NULL, dept TEXT, updated TIMESTAMP NOT NULL, ext TEXT)`,
	"mysql": `CREATE TABLE people (id VARCHAR(20) PRIMARY KEY, user_name VARCHAR(100) NOT NULL, family VARCHAR(100), title VARCHAR(100),
		work_email VARCHAR(100), home_email VARCHAR(100), active TINYINT(1) NOT NULL, dept VARCHAR(100), updated DATETIME NOT NULL, ext VARCHAR(100))`,
	"postgres": `CREATE TABLE people (id VARCHAR(20) PRIMARY KEY, user_name TEXT NOT NULL, family TEXT, title TEXT,
		work_email TEXT, home_email TEXT, active BOOLEAN NOT NULL, dept TEXT, updated TIMESTAMP NOT NULL, ext TEXT)`,
}

// pushdownRows are chosen to put NULLs, letter case, LIKE wildcards and boundary
// values in front of every operator.
var pushdownRows = [][]any{
	{"p01", "alice@example.com", "Smith", "Engineer", "alice@example.com", nil, true, "R&D", "2026-01-05 10:00:00", "AbC-1"},
	{"p02", "Bob@Example.org", "smith", "100% Manager", "bob@example.org", "bob@home.net", false, "Sales", "2026-02-01 00:00:00", "abc-1"},
	{"p03", "carol_x@example.com", nil, "under_score", nil, "carol@home.net", true, nil, "2025-12-31 23:59:59", nil},
	{"p04", "dave@example.net", "Jones", nil, "DAVE@EXAMPLE.NET", nil, true, "r&d", "2026-03-10 08:30:00", "Zed"},
	{"p05", "Eve@example.com", "O'Brien", "Engineer II", "eve@example.com", "eve@example.com", false, "Sales", "2026-01-05 10:00:00", "abc-10"},
	{"p06", "frank%@example.com", "Smithson", "engineer", nil, nil, true, "Ops", "2026-06-01 12:00:00", "_x%"},
}

const pushdownConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes:
        userName: user_name
        name.familyName: family
        title: title
        emails[type eq "work"].value: work_email
        emails[type eq "home"].value: home_email
        active: active
        urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: dept
        meta.lastModified: updated
        externalId: ext
      operations:
        list: {sql: "SELECT id, user_name, family, title, work_email, home_email, active, dept, updated, ext FROM people"}
        get:  {sql: "SELECT id, user_name, family, title, work_email, home_email, active, dept, updated, ext FROM people WHERE id = ?", params: [id]}
`

// pushdownFilters cover every operator on every kind of mapped attribute.
var pushdownFilters = []string{
	`userName eq "ALICE@example.com"`, `userName ne "alice@example.com"`, `userName co "EXAMPLE.C"`,
	`userName sw "b"`, `userName ew ".NET"`, `userName gt "c"`, `userName ge "Carol_x@example.com"`,
	`userName lt "D"`, `userName le "dave@example.net"`, `userName pr`,
	`name.familyName eq "smith"`, `name.familyName ne "Smith"`, `name.familyName pr`, `name.familyName sw "smith"`,
	`name.familyName co "'"`, `not (name.familyName pr)`,
	`title co "%"`, `title sw "under_"`, `title co "_"`, `title ew "engineer"`, `title eq "engineer"`,
	`emails[type eq "work" and value co "example"]`, `emails[type eq "home" and value pr]`,
	`emails[type eq "work" or type eq "home"]`, `emails[value ew ".net"]`, `emails[type ne "work" and value sw "EVE"]`,
	`emails.value ew ".NET"`, `emails co "home"`, `emails.type eq "home"`, `emails ne "eve@example.com"`,
	`emails pr`, `not (emails[type eq "home"])`,
	`active eq true`, `active eq false`, `active ne true`, `active pr`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R&D"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department ne "sales"`,
	`meta.lastModified gt "2026-01-05T10:00:00Z"`, `meta.lastModified ge "2026-01-05T10:00:00Z"`,
	`meta.lastModified lt "2026-01-01T00:00:00Z"`, `meta.lastModified le "2026-01-05T10:00:00Z"`,
	`meta.lastModified eq "2026-03-10T08:30:00Z"`,
	`id eq "p03"`, `id eq "P03"`, `id ne "p03"`,
	`externalId eq "abc-1"`, `externalId eq "ABC-1"`, `externalId ne "abc-1"`, `externalId co "bC"`, `externalId sw "abc"`,
	`externalId gt "Zed"`, `externalId lt "a"`, `externalId co "%"`, `externalId pr`,
	`(userName sw "a" or active eq false) and not (name.familyName eq "smith")`,
	`title pr and (emails[type eq "home"] or urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "ops")`,
	`not (userName co "example" and title co "engineer")`,
}

// pushdownTarget loads pushdownRows into a fresh database and opens a target over it.
func pushdownTarget(t testing.TB, dialect string) (*Stores, *sql.DB) {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	dialecttest.MustExec(t, db, pushdownDDL[dialect])
	for _, r := range pushdownRows {
		ph := make([]string, len(r))
		for i := range r {
			ph[i] = d.Placeholder(i + 1)
		}
		if _, err := db.Exec("INSERT INTO people VALUES ("+strings.Join(ph, ", ")+")", r...); err != nil {
			t.Fatal(err)
		}
	}
	return openStores(t, loadTarget(t, pushdownConfig, d, conn)), db
}

// loadTarget loads a configuration whose template takes the database block of
// a test database, and returns its first target.
func loadTarget(t testing.TB, template string, d dialects.Dialect, conn dialects.Connection) *operations.Target {
	t.Helper()
	var block strings.Builder
	fmt.Fprintf(&block, "      dialect: %s\n      name: %q\n", d.Name(), conn.Name)
	if d.Spec().Networked {
		fmt.Fprintf(&block, "      host: %q\n      port: %d\n      user: %q\n", conn.Host, conn.Port, conn.User)
		if conn.Password != "" {
			fmt.Fprintf(&block, "      password: %q\n", conn.Password)
		}
	}
	file := filepath.Join(t.TempDir(), "dbscim.yaml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf(template, block.String())), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := operations.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Targets[0]
}

// openStores opens a target's pool, closed when the test ends, and makes its
// stores.
func openStores(t testing.TB, cfg *operations.Target) *Stores {
	pool, err := run.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	return New(pool, cfg, operations.DefaultMaxResults)
}

// compareFilter runs one filter through SQL and through memory and reports a
// difference; pushed is false when the filter could not be translated.
func compareFilter(ctx context.Context, s *Users, f string) (pushed bool, problem error) {
	expr, err := filter.Parse(f)
	if err != nil {
		return false, nil
	}
	q := resource.Query{Filter: expr, StartIndex: 1, Count: 100}
	if err := s.checkFilter(q); err != nil {
		return true, nil // refused before either path runs
	}
	sqlPage, sqlErr := s.listSQL(ctx, s.pool.DB, s.listOp, q)
	if errors.Is(sqlErr, sqlgen.ErrNoPushdown) {
		return false, nil
	}
	memPage, memErr := s.listStream(ctx, s.pool.DB, s.listOp, q)
	if children := s.filteredChildren(q); len(children) > 0 {
		// The list statement does not carry child-table values: memory reads them.
		memPage, memErr = s.listByChildren(ctx, q, children)
	}
	if sqlErr != nil || memErr != nil {
		if badRequest(sqlErr) && badRequest(memErr) {
			return true, nil
		}
		if badRequest(sqlErr) && memErr == nil {
			return true, nil // stricter in SQL (a type mismatch) is acceptable
		}
		return true, fmt.Errorf("%s: SQL error %v, memory error %v", f, sqlErr, memErr)
	}
	ids := func(p *resource.Page) string {
		var out []string
		for _, r := range p.Resources {
			out = append(out, r["id"].(string))
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	if ids(sqlPage) != ids(memPage) || sqlPage.Total != memPage.Total {
		return true, fmt.Errorf("%s: SQL found [%s] (total %d), memory [%s] (total %d)", f, ids(sqlPage), sqlPage.Total, ids(memPage), memPage.Total)
	}
	return true, nil
}

// badRequest reports whether err refuses the filter itself (an engine error of an
// invalid kind, or the SCIM layer's 400 from evaluating it in memory).
func badRequest(err error) bool {
	switch fault.KindOf(err) {
	case fault.Invalid, fault.InvalidFilter:
		return true
	}
	var se *scim.Error
	return errors.As(err, &se) && se.Status == 400
}

// TestPushdownAgreesWithMemory runs every filter twice on the same rows of each
// engine: translated into SQL over the list statement, and evaluated in memory on
// the streamed rows. The two must return the same users, and the SQL path must
// really have been taken.
func TestPushdownAgreesWithMemory(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			target, _ := pushdownTarget(t, dialect)
			for _, f := range pushdownFilters {
				pushed, problem := compareFilter(context.Background(), target.Users, f)
				if !pushed {
					t.Errorf("%s: not pushed down", f)
				}
				if problem != nil {
					t.Error(problem)
				}
			}
			// Filters on a child table: EXISTS over its read statement where the
			// database lets it nest (not MariaDB, which answers them in memory).
			phones := phonesTarget(t, dialect).Users
			for _, f := range childFilters {
				pushed, problem := compareFilter(context.Background(), phones, f)
				if want := phones.pool.Dialect.Spec().CorrelatedDerived; pushed != want {
					t.Errorf("%s: pushed down %v, want %v", f, pushed, want)
				}
				if problem != nil {
					t.Error(problem)
				}
			}
		})
	}
}

// FuzzPushdown checks on SQLite that any filter the parser accepts either stays in
// memory or, translated into SQL, finds exactly the users memory finds.
func FuzzPushdown(f *testing.F) {
	for _, s := range pushdownFilters {
		f.Add(s)
	}
	target, _ := pushdownTarget(f, "sqlite")
	f.Fuzz(func(t *testing.T, filter string) {
		if _, problem := compareFilter(context.Background(), target.Users, filter); problem != nil {
			t.Error(problem)
		}
	})
}

// TestQuotedColumns serves a table whose columns were created quoted in mixed case
// (as ORMs do on PostgreSQL): filters and paging must name them exactly.
func TestQuotedColumns(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, `CREATE TABLE accounts ("Id" VARCHAR(20) PRIMARY KEY, "userName" VARCHAR(100) NOT NULL)`,
				`INSERT INTO accounts VALUES ('a1', 'Alice'), ('a2', 'bob')`)
			block := fmt.Sprintf("      dialect: %s\n      name: %q\n", d.Name(), conn.Name)
			if d.Name() != "sqlite" {
				block += fmt.Sprintf("      host: %q\n      port: %d\n      user: %q\n", conn.Host, conn.Port, conn.User)
			}
			yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: Id
      attributes: {userName: userName}
      operations:
        list: {sql: 'SELECT "Id", "userName" FROM accounts'}
        get:  {sql: 'SELECT "Id", "userName" FROM accounts WHERE "Id" = ?', params: [Id]}
`, block)
			cfg, err := operations.Parse("quoted.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatal(err)
			}
			target := openStores(t, cfg.Targets[0])
			expr, _ := filter.Parse(`userName eq "ALICE"`)
			page, err := target.Users.List(context.Background(), resource.Query{Filter: expr, StartIndex: 1, Count: 10})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != 1 || page.Resources[0]["id"] != "a1" {
				t.Fatalf("userName eq ALICE: %+v", page)
			}
			page, err = target.Users.List(context.Background(), resource.Query{StartIndex: 2, Count: 1})
			if err != nil || page.Total != 2 || page.Resources[0]["id"] != "a2" {
				t.Fatalf("second page: %+v %v", page, err)
			}
		})
	}
}

// TestSortAgreesWithMemory pages through the rows sorted by several attributes,
// in SQL and in memory (where a procedure-backed list is sorted while it streams).
func TestSortAgreesWithMemory(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) { sortAgrees(t, dialect) })
	}
}

func sortAgrees(t *testing.T, dialect string) {
	target, _ := pushdownTarget(t, dialect)
	s := target.Users
	ctx := context.Background()
	for _, sortBy := range []string{"userName", "name.familyName", "title"} {
		for _, desc := range []bool{false, true} {
			for _, start := range []int{1, 2, 5} {
				q := resource.Query{StartIndex: start, Count: 3, SortBy: sortBy, Descending: desc}
				sqlPage, err := s.listSQL(ctx, target.pool.DB, s.listOp, q)
				if err != nil {
					t.Fatal(err)
				}
				memPage, err := s.listStream(ctx, target.pool.DB, s.listOp, q)
				if err != nil {
					t.Fatal(err)
				}
				got, want := pageIDs(memPage), pageIDs(sqlPage)
				if got != want {
					t.Errorf("sortBy %s desc=%v start %d: memory %s, SQL %s", sortBy, desc, start, got, want)
				}
				if len(memPage.Resources) != len(sqlPage.Resources) || memPage.Total != sqlPage.Total {
					t.Errorf("sortBy %s desc=%v start %d: memory %d/%d, SQL %d/%d", sortBy, desc, start,
						len(memPage.Resources), memPage.Total, len(sqlPage.Resources), sqlPage.Total)
				}
			}
		}
	}
}

func pageIDs(p *resource.Page) string {
	var out []string
	for _, r := range p.Resources {
		out = append(out, r["id"].(string))
	}
	return strings.Join(out, ",")
}

// TestCheck finds nothing wrong with a correct target on every engine, and names
// the mapping whose column the list does not return.
func TestCheck(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			target, _ := pushdownTarget(t, dialect)
			if problems := Errors(target.Check(context.Background())); len(problems) != 0 {
				t.Fatalf("problems with a correct target: %v", problems)
			}
			target.Users.cols[1].Column = "nosuch"
			problems := Errors(target.Check(context.Background()))
			if len(problems) != 2 || !strings.Contains(problems[0].Msg, "column nosuch is not among the columns users.list returns") ||
				!strings.Contains(problems[1].Msg, "column nosuch is not among the columns users.get returns") {
				t.Fatalf("problems: %v", problems)
			}
		})
	}
}
