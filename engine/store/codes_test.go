package store

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/scim/filter"
	"github.com/dbscim/dbscim/operations"
)

// codedDDL is a legacy staff table: a status code instead of a boolean (A active,
// L on leave, T terminated) and a coded kind of employment.
var codedDDL = map[string]string{
	"sqlite":   `CREATE TABLE staff (id TEXT PRIMARY KEY, login TEXT NOT NULL, status CHAR(1), kind VARCHAR(2))`,
	"mysql":    `CREATE TABLE staff (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL, status CHAR(1), kind VARCHAR(2))`,
	"postgres": `CREATE TABLE staff (id VARCHAR(64) PRIMARY KEY, login TEXT NOT NULL, status CHAR(1), kind VARCHAR(2))`,
}

// codedRows put every code, a code outside each map and NULL in front of every
// operator.
var codedRows = [][]any{
	{"s1", "ann", "A", "E"}, {"s2", "ben", "L", "C"}, {"s3", "cat", "T", "X"}, {"s4", "dan", "Z", "Q"},
	{"s5", "eve", nil, nil}, {"s6", "fay", "A", "C"}, {"s7", "gus", "T", "E"},
}

const codedConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes:
        userName: login
        active: {column: status, true: [A, L], false: [T]}
        userType: {column: kind, values: {Employee: E, Contractor: [C, X]}, write: {Contractor: C}}
      operations:
        list:   {sql: "SELECT id, login, status, kind FROM staff"}
        get:    {sql: "SELECT id, login, status, kind FROM staff WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO staff (id, login, status, kind) VALUES (?, ?, ?, ?)", params: [id, login, status, kind]}
        update: {sql: "UPDATE staff SET login = ?, status = ?, kind = ? WHERE id = ?", params: [login, status, kind, id]}
`

var codedFilters = []string{
	`active eq true`, `active eq false`, `active ne true`, `active ne false`, `active pr`, `not (active pr)`,
	`not (active eq true)`, `active eq true and userType eq "contractor"`,
	`userType eq "Employee"`, `userType eq "employee"`, `userType ne "Contractor"`, `userType sw "con"`,
	`userType co "o"`, `userType gt "D"`, `userType le "Contractor"`, `userType pr`, `userType eq "Intern"`,
	`userType ne "Intern"`, `active eq true or userType ew "ee"`,
}

// codedTarget loads codedRows into a fresh database and opens a target over it,
// logging into the returned buffer.
func codedTarget(t *testing.T, dialect string) (*Stores, *bytes.Buffer, func(string, ...any) []any) {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	dialecttest.MustExec(t, db, codedDDL[dialect])
	for _, r := range codedRows {
		if _, err := db.Exec(fmt.Sprintf("INSERT INTO staff VALUES (%s, %s, %s, %s)", d.Placeholder(1), d.Placeholder(2), d.Placeholder(3), d.Placeholder(4)), r...); err != nil {
			t.Fatal(err)
		}
	}
	target := loadTarget(t, codedConfig, d, conn)
	var logs bytes.Buffer
	pool, err := run.Open(context.Background(), target, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	row := func(id string, cols ...any) []any {
		t.Helper()
		out := make([]any, 2)
		if err := db.QueryRow("SELECT status, kind FROM staff WHERE id = "+d.Placeholder(1), id).Scan(&out[0], &out[1]); err != nil {
			t.Fatal(err)
		}
		for i, v := range out {
			if b, ok := v.([]byte); ok {
				out[i] = string(b)
			}
			if s, ok := out[i].(string); ok {
				out[i] = strings.TrimRight(s, " ")
			}
		}
		return out
	}
	return New(pool, target, operations.DefaultMaxResults), &logs, row
}

// TestValueMaps reads, filters and writes attributes through value maps on every
// engine: every filter finds the same users in SQL (as an IN list over the codes)
// and in memory; a code outside the map is left out and logged, never guessed;
// writes store the mapped code.
func TestValueMaps(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			target, logs, row := codedTarget(t, dialect)
			s := target.Users
			ctx := context.Background()
			for _, f := range codedFilters {
				pushed, problem := compareFilter(ctx, s, f)
				if !pushed {
					t.Errorf("%s: not pushed down", f)
				}
				if problem != nil {
					t.Error(problem)
				}
			}
			gen, err := s.sqlTable(ctx, s.pool.DB, s.listOp)
			if err != nil {
				t.Fatal(err)
			}
			expr, _ := filter.Parse(`active eq true`)
			cond, err := gen.Where(expr)
			if err != nil || !strings.Contains(cond.Text, " IN (") || len(cond.Args) != 2 || cond.Args[0].Value != "A" || cond.Args[1].Value != "L" {
				t.Errorf("active eq true: %s %v %v", cond.Text, cond.Args, err)
			}

			want := map[string]string{"s1": "true Employee", "s2": "true Contractor", "s3": "false Contractor",
				"s4": "<nil> <nil>", "s5": "<nil> <nil>", "s6": "true Contractor", "s7": "false Employee"}
			page, err := s.List(ctx, resource.Query{StartIndex: 1, Count: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Resources {
				if got := fmt.Sprint(r["active"], " ", r["userType"]); got != want[r["id"].(string)] {
					t.Errorf("%s: active, userType = %s; want %s", r["id"], got, want[r["id"].(string)])
				}
			}
			if !strings.Contains(logs.String(), "stored value outside the value map") || !strings.Contains(logs.String(), "value=Z") {
				t.Errorf("no warning for the code Z outside the map; log:\n%s", logs.String())
			}

			created, err := s.Create(ctx, resource.Change{Resource: resource.Resource{"userName": "hal", "active": false, "userType": "contractor"}})
			if err != nil {
				t.Fatal(err)
			}
			id := created["id"].(string)
			if got := row(id); fmt.Sprint(got) != "[T C]" || created["active"] != false || created["userType"] != "Contractor" {
				t.Errorf("created %v: row %v", created, got)
			}
			if _, err := s.Replace(ctx, id, resource.Change{Resource: resource.Resource{"userName": "hal", "active": true, "userType": "Employee"}}); err != nil {
				t.Fatal(err)
			}
			if got := row(id); fmt.Sprint(got) != "[A E]" {
				t.Errorf("after replace: row %v", got)
			}
			_, err = s.Replace(ctx, id, resource.Change{Resource: resource.Resource{"userName": "hal", "userType": "Intern"}})
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), `"Employee", "Contractor"`) {
				t.Errorf("userType Intern: %v", err)
			}
			if got := row(id); fmt.Sprint(got) != "[A E]" {
				t.Errorf("after a refused replace: row %v", got)
			}
		})
	}
}

// TestCheckActiveValues reports, on every engine, the stored codes a value map
// does not list (Z for active, Q for userType), and, without the maps, the codes
// that do not read as a boolean (A, L, Z: only T would, wrongly, as true).
func TestCheckActiveValues(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			target, _, _ := codedTarget(t, dialect)
			// Codes a map does not list are warnings: such rows are served
			// without the attribute, so they do not hold the target back.
			problems := target.Check(context.Background())
			if len(Errors(problems)) != 0 || len(problems) < 2 || !problems[0].Warning || !problems[1].Warning || !strings.Contains(problems[0].Msg, `holds values its value map does not list ("Z")`) ||
				!strings.Contains(problems[1].Msg, `userType: column kind holds values its value map does not list ("Q"): they are read as no value at all; add each under values:`) {
				t.Fatalf("problems: %v", problems)
			}
			for i := range target.Users.cols {
				target.Users.cols[i].Values = nil
			}
			problems = Errors(target.Check(context.Background()))
			if len(problems) != 1 || !strings.Contains(problems[0].Msg, `do not read as true or false ("A", "L", "Z")`) {
				t.Fatalf("problems: %v", problems)
			}
		})
	}
}
