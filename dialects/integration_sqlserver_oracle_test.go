package dialects_test

// Integration tests for SQL Server and Oracle. No such server exists where CI runs,
// so they are skipped unless DBSCIM_TEST_SQLSERVER_DSN / DBSCIM_TEST_ORACLE_DSN are
// set, CI or not.

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// classifyAll runs each statement and checks the kind of its error.
func classifyAll(t *testing.T, d dialects.Dialect, q dialects.Querier, cases []struct {
	name, text string
	args       []any
	want       dialects.ErrorKind
}) {
	t.Helper()
	for _, c := range cases {
		err := exec(t, d, q, c.text, c.args...)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if got := d.Classify(err); got != c.want {
			t.Errorf("%s: Classify(%v) = %v, want %v", c.name, err, got, c.want)
		}
	}
}

func TestSQLServerIntegration(t *testing.T) {
	d, db, _ := dialecttest.NewDatabase(t, "sqlserver")
	ctx := context.Background()
	dialecttest.MustExec(t, db,
		"CREATE TABLE parent (id INT PRIMARY KEY)",
		`CREATE TABLE users (id INT PRIMARY KEY, username NVARCHAR(20) NOT NULL CONSTRAINT users_username UNIQUE,
			age INT CONSTRAINT users_age CHECK (age >= 0), parent_id INT CONSTRAINT users_parent REFERENCES parent (id))`,
		"CREATE PROCEDURE create_user @id INT, @name NVARCHAR(20) AS INSERT INTO users (id, username) VALUES (@id, @name)",
		"CREATE PROCEDURE count_users @pattern NVARCHAR(20), @n INT OUTPUT AS SELECT @n = COUNT(*) FROM users WHERE username LIKE @pattern",
		"CREATE PROCEDURE get_users AS SELECT id, username FROM users ORDER BY id",
	)
	create, err := d.Call("create_user", []dialects.ParamMode{dialects.In, dialects.In}, dialects.Procedure)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Abc", "a[b]c", "bob"} {
		if _, err := d.Exec(ctx, db, create, in(i+1, name)); err != nil {
			t.Fatalf("%s: %v", create, err)
		}
	}
	rows, err := d.Query(ctx, db, "EXEC get_users", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := scanStrings(t, rows); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("get_users = %v", got)
	}
	count, err := d.Call("count_users", []dialects.ParamMode{dialects.In, dialects.Out}, dialects.Procedure)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if _, err := d.Exec(ctx, db, count, []dialects.Arg{{Value: "%b%"}, {Mode: dialects.Out, Dest: &n}}); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("count_users OUTPUT = %d, want 3", n)
	}

	insert := "INSERT INTO users (id, username, age, parent_id) VALUES (?, ?, ?, ?)"
	classifyAll(t, d, db, []struct {
		name, text string
		args       []any
		want       dialects.ErrorKind
	}{
		{"duplicate", insert, []any{9, "bob", 1, nil}, dialects.UniqueViolation},
		{"missing parent", insert, []any{10, "x", 1, 99}, dialects.ForeignKeyViolation},
		{"null", insert, []any{11, nil, 1, nil}, dialects.NotNullViolation},
		{"check", insert, []any{12, "y", -1, nil}, dialects.CheckViolation},
		{"too long", insert, []any{13, strings.Repeat("z", 40), 1, nil}, dialects.InvalidValue},
		{"not a number", "INSERT INTO users (id, username, age) VALUES (?, ?, CAST(? AS INT))", []any{14, "w", "abc"}, dialects.InvalidValue},
	})

	countWhere := func(cond string, arg any) string {
		return column(t, d, db, "SELECT COUNT(*) FROM users WHERE "+cond, arg)[0]
	}
	if got := countWhere(d.Text("username")+" = ?", "abc"); got != "0" {
		t.Errorf("Text(username) = 'abc' matched %s rows", got)
	}
	if got := countWhere(d.Text("id")+" = ?", "01"); got != "0" {
		t.Errorf("Text(id) = '01' matched %s rows", got)
	}
	if got := countWhere(d.Fold("username")+" = "+d.Fold("?"), "ABC"); got != "1" {
		t.Errorf("Fold match = %s rows", got)
	}
	if got := countWhere(d.Like("username", "?"), dialects.EscapeLike("a[b")+"%"); got != "1" {
		t.Errorf("LIKE with a literal [ matched %s rows", got)
	}
	// Native placeholders: OFFSET comes before FETCH in the text.
	page := column(t, d, db, "SELECT id FROM users ORDER BY id "+d.Limit(d.Placeholder(1), d.Placeholder(2)), 2, 1)
	if !slices.Equal(page, []string{"2", "3"}) {
		t.Errorf("page = %v", page)
	}
}

func TestOracleIntegration(t *testing.T) {
	d, db, _ := dialecttest.NewDatabase(t, "oracle")
	ctx := context.Background()
	dialecttest.MustExec(t, db,
		`CREATE TABLE users (id NUMBER PRIMARY KEY, username VARCHAR2(20) NOT NULL CONSTRAINT users_username UNIQUE,
			age NUMBER CONSTRAINT users_age CHECK (age >= 0))`,
		`CREATE OR REPLACE PROCEDURE create_user(p_id IN NUMBER, p_name IN VARCHAR2) AS
		BEGIN INSERT INTO users (id, username) VALUES (p_id, p_name); END;`,
		`CREATE OR REPLACE PROCEDURE get_users(p_pattern IN VARCHAR2, p_rc OUT SYS_REFCURSOR) AS
		BEGIN OPEN p_rc FOR SELECT id, username FROM users WHERE username LIKE p_pattern ORDER BY id; END;`,
		`CREATE OR REPLACE PROCEDURE count_users(p_n OUT NUMBER) AS
		BEGIN SELECT COUNT(*) INTO p_n FROM users; END;`,
	)
	create, err := d.Call("create_user", []dialects.ParamMode{dialects.In, dialects.In}, dialects.Procedure)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Abc", "albert", "bob"} {
		if _, err := d.Exec(ctx, db, create, in(i+1, name)); err != nil {
			t.Fatalf("%s: %v", create, err)
		}
	}
	var n int64
	count, _ := d.Call("count_users", []dialects.ParamMode{dialects.Out}, dialects.Procedure)
	if _, err := d.Exec(ctx, db, count, []dialects.Arg{{Mode: dialects.Out, Dest: &n}}); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("count_users OUT = %d, want 3", n)
	}

	// A SYS_REFCURSOR is read inside a transaction (one session).
	get, _ := d.Call("get_users", []dialects.ParamMode{dialects.In, dialects.Cursor}, dialects.Procedure)
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := d.Query(ctx, tx, get, []dialects.Arg{{Value: "%b%"}, {Mode: dialects.Cursor}})
	if err != nil {
		t.Fatalf("%s: %v", get, err)
	}
	if got := scanStrings(t, rows); !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("get_users cursor = %v", got)
	}
	tx.Rollback()

	insert := "INSERT INTO users (id, username, age) VALUES (?, ?, ?)"
	classifyAll(t, d, db, []struct {
		name, text string
		args       []any
		want       dialects.ErrorKind
	}{
		{"duplicate", insert, []any{9, "bob", 1}, dialects.UniqueViolation},
		{"null", insert, []any{11, nil, 1}, dialects.NotNullViolation},
		{"check", insert, []any{12, "y", -1}, dialects.CheckViolation},
		{"too long", insert, []any{13, strings.Repeat("z", 40), 1}, dialects.InvalidValue},
		{"not a number", "INSERT INTO users (id, username, age) VALUES (?, ?, TO_NUMBER(?))", []any{14, "w", "abc"}, dialects.InvalidValue},
	})

	if got := column(t, d, db, "SELECT COUNT(*) FROM users WHERE "+d.Text("username")+" = ?", "abc")[0]; got != "0" {
		t.Errorf("Text(username) = 'abc' matched %s rows", got)
	}
	if got := column(t, d, db, "SELECT COUNT(*) FROM users WHERE "+d.Text("id")+" = ?", "01")[0]; got != "0" {
		t.Errorf("Text(id) = '01' matched %s rows", got)
	}
	page := column(t, d, db, "SELECT id FROM "+d.DerivedTable("SELECT id FROM users", "t")+" ORDER BY id "+
		d.Limit(d.Placeholder(1), d.Placeholder(2)), 2, 1)
	if !slices.Equal(page, []string{"2", "3"}) {
		t.Errorf("page = %v", page)
	}
}
