package dialects_test

// Integration tests against real servers: SQLite always, MariaDB/MySQL and
// PostgreSQL when DBSCIM_TEST_MYSQL_DSN and DBSCIM_TEST_POSTGRES_DSN name them (see
// package dialecttest). Each test gets its own database.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// coreDialects are the engines these tests write SQL for; SQL Server and Oracle have
// their own tests in integration_sqlserver_oracle_test.go.
var coreDialects = []string{"sqlite", "mysql", "postgres"}

// in binds each value as an In parameter.
func in(values ...any) []dialects.Arg {
	args := make([]dialects.Arg, len(values))
	for i, v := range values {
		args[i] = dialects.Arg{Value: v}
	}
	return args
}

// rewrite turns a "?" statement into the dialect's form and checks the count.
func rewrite(t *testing.T, d dialects.Dialect, text string, args int) string {
	t.Helper()
	native, n, err := d.Rewrite(text)
	if err != nil {
		t.Fatalf("Rewrite(%q): %v", text, err)
	}
	if n != args {
		t.Fatalf("Rewrite(%q) counted %d parameters, the test passes %d", text, n, args)
	}
	return native
}

// exec runs a "?" statement through Rewrite and the dialect's Exec.
func exec(t *testing.T, d dialects.Dialect, q dialects.Querier, text string, values ...any) error {
	t.Helper()
	_, err := d.Exec(context.Background(), q, rewrite(t, d, text, len(values)), in(values...))
	return err
}

// mustExec is exec that fails the test on error.
func mustExec(t *testing.T, d dialects.Dialect, q dialects.Querier, text string, values ...any) {
	t.Helper()
	if err := exec(t, d, q, text, values...); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
}

// column runs a "?" query and returns its first column as strings.
func column(t *testing.T, d dialects.Dialect, q dialects.Querier, text string, values ...any) []string {
	t.Helper()
	rows, err := d.Query(context.Background(), q, rewrite(t, d, text, len(values)), in(values...))
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return scanStrings(t, rows)
}

func scanStrings(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for rows.Next() {
		var s sql.NullString
		dest := []any{&s}
		for range cols[1:] {
			dest = append(dest, new(any))
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out = append(out, s.String)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pick returns the statement for the dialect: sqlite, mysql, postgres.
func pick(d dialects.Dialect, sqlite, mysql, postgres string) string {
	switch d.Name() {
	case "sqlite":
		return sqlite
	case "mysql":
		return mysql
	}
	return postgres
}

func usersSchema(t *testing.T, d dialects.Dialect, db *sql.DB) {
	t.Helper()
	dialecttest.MustExec(t, db,
		pick(d, "CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT", "CREATE TABLE parent (id INT PRIMARY KEY)", "CREATE TABLE parent (id INT PRIMARY KEY)"),
		pick(d,
			`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL, age INTEGER, parent_id INTEGER,
				CONSTRAINT users_username UNIQUE (username), CONSTRAINT users_age CHECK (age >= 0),
				CONSTRAINT users_parent FOREIGN KEY (parent_id) REFERENCES parent (id)) STRICT`,
			`CREATE TABLE users (id INT PRIMARY KEY, username VARCHAR(20) NOT NULL, age INT, parent_id INT,
				CONSTRAINT users_username UNIQUE (username), CONSTRAINT users_age CHECK (age >= 0),
				CONSTRAINT users_parent FOREIGN KEY (parent_id) REFERENCES parent (id))`,
			`CREATE TABLE users (id INT PRIMARY KEY, username VARCHAR(20) NOT NULL, age INT, parent_id INT,
				CONSTRAINT users_username UNIQUE (username), CONSTRAINT users_age CHECK (age >= 0),
				CONSTRAINT users_parent FOREIGN KEY (parent_id) REFERENCES parent (id))`),
	)
}

// TestIntegrationClassify provokes each kind of constraint and value error on the
// real engines and checks that Classify sorts the driver's error correctly.
func TestIntegrationClassify(t *testing.T) {
	dialecttest.EachOf(t, coreDialects, func(t *testing.T, d dialects.Dialect, db *sql.DB, _ dialects.Connection) {
		usersSchema(t, d, db)
		insert := "INSERT INTO users (id, username, age, parent_id) VALUES (?, ?, ?, ?)"
		mustExec(t, d, db, "INSERT INTO parent (id) VALUES (?)", 1)
		mustExec(t, d, db, insert, 1, "alice", 30, 1)
		tooLong := strings.Repeat("x", 40)
		tests := []struct {
			name string
			text string
			args []any
			want dialects.ErrorKind
		}{
			{"duplicate unique", insert, []any{2, "alice", 30, nil}, dialects.UniqueViolation},
			{"duplicate primary key", insert, []any{1, "bob", 30, nil}, dialects.UniqueViolation},
			{"missing parent", insert, []any{3, "carol", 30, 99}, dialects.ForeignKeyViolation},
			{"referenced parent", "DELETE FROM parent WHERE id = ?", []any{1}, dialects.ForeignKeyViolation},
			{"null", insert, []any{4, nil, 30, nil}, dialects.NotNullViolation},
			{"omitted not-null column", "INSERT INTO users (id) VALUES (?)", []any{5}, dialects.NotNullViolation},
			{"check", insert, []any{6, "dave", -1, nil}, dialects.CheckViolation},
			{"not a number", pick(d, insert, insert, "INSERT INTO users (id, username, age) VALUES (?, ?, CAST(? AS INT))"),
				pick3(d, []any{7, "erin", "abc", nil}, []any{7, "erin", "abc", nil}, []any{7, "erin", "abc"}), dialects.InvalidValue},
		}
		if d.Name() != "sqlite" { // SQLite does not enforce VARCHAR lengths
			tests = append(tests, struct {
				name string
				text string
				args []any
				want dialects.ErrorKind
			}{"too long", insert, []any{8, tooLong, 30, nil}, dialects.InvalidValue})
		}
		for _, tt := range tests {
			err := exec(t, d, db, tt.text, tt.args...)
			if err == nil {
				t.Errorf("%s: no error", tt.name)
				continue
			}
			if got := d.Classify(fmt.Errorf("engine: %w", err)); got != tt.want {
				t.Errorf("%s: Classify(%v) = %v, want %v", tt.name, err, got, tt.want)
			}
		}
	})
}

func pick3(d dialects.Dialect, sqlite, mysql, postgres []any) []any {
	switch d.Name() {
	case "sqlite":
		return sqlite
	case "mysql":
		return mysql
	}
	return postgres
}

// TestIntegrationTimeout checks that a statement cut short by a context deadline,
// or by the server's own statement timeout, is classified Timeout.
func TestIntegrationTimeout(t *testing.T) {
	dialecttest.EachOf(t, coreDialects, func(t *testing.T, d dialects.Dialect, db *sql.DB, _ dialects.Connection) {
		slow := pick(d,
			"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
			"SELECT SLEEP(5)", "SELECT pg_sleep(5)")
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		rows, err := d.Query(ctx, db, slow, nil)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		if err == nil && d.Name() == "mysql" {
			// SLEEP interrupted by the driver's KILL QUERY may return 1 without error;
			// what matters is that it did not take 5 s.
			t.Log("mysql: SLEEP was interrupted without an error")
		} else if got := d.Classify(err); got != dialects.Timeout {
			t.Errorf("context deadline: Classify(%v) = %v, want timeout", err, got)
		}
		if ctx.Err() == nil {
			t.Error("the statement finished before its deadline")
		}

		// The server's own statement timeout.
		var server string
		switch d.Name() {
		case "mysql":
			server = "SET STATEMENT max_statement_time=0.1 FOR SELECT SLEEP(5)" // MariaDB: error 1969
		case "postgres":
			server = "SET LOCAL statement_timeout = '100ms'"
		default:
			return
		}
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if d.Name() == "postgres" {
			if _, err := tx.Exec(server); err != nil {
				t.Fatal(err)
			}
			server = "SELECT pg_sleep(5)"
		}
		_, err = d.Exec(context.Background(), tx, server, nil)
		if got := d.Classify(err); got != dialects.Timeout {
			t.Errorf("server timeout: Classify(%v) = %v, want timeout", err, got)
		}
	})
}

// TestIntegrationText proves that Text compares ids as exact strings: with an
// integer id, '010007' does not find 10007 (as a plain comparison does on MariaDB and
// SQLite), and with a string id 'abc' does not find 'Abc' (as MariaDB's default
// collation and a SQLite NOCASE column do).
func TestIntegrationText(t *testing.T) {
	dialecttest.EachOf(t, coreDialects, func(t *testing.T, d dialects.Dialect, db *sql.DB, _ dialects.Connection) {
		dialecttest.MustExec(t, db,
			"CREATE TABLE ids_int (id INT PRIMARY KEY)",
			pick(d, "CREATE TABLE ids_str (id TEXT COLLATE NOCASE PRIMARY KEY)",
				"CREATE TABLE ids_str (id VARCHAR(20) PRIMARY KEY)",
				"CREATE TABLE ids_str (id VARCHAR(20) PRIMARY KEY)"),
			"INSERT INTO ids_int (id) VALUES (10007)",
			"INSERT INTO ids_str (id) VALUES ('Abc'), ('zoë')",
		)
		count := func(table, param string) string {
			got := column(t, d, db, "SELECT COUNT(*) FROM "+table+" WHERE "+d.Text("id")+" = ?", param)
			return got[0]
		}
		for _, tt := range []struct{ table, param, want string }{
			{"ids_int", "10007", "1"},
			{"ids_int", "010007", "0"},
			{"ids_int", "10007abc", "0"},
			{"ids_int", "10007 ", "0"},
			{"ids_str", "Abc", "1"},
			{"ids_str", "abc", "0"},
			{"ids_str", "ABC", "0"},
			{"ids_str", "Abc ", "0"},
			{"ids_str", "zoë", "1"},
			{"ids_str", "zoe", "0"},
		} {
			if got := count(tt.table, tt.param); got != tt.want {
				t.Errorf("%s: Text(id) = %q matched %s rows, want %s", tt.table, tt.param, got, tt.want)
			}
		}
		if d.Name() != "postgres" {
			// Show that the plain comparison is the trap Text avoids here.
			if got := column(t, d, db, "SELECT COUNT(*) FROM ids_int WHERE id = ?", "010007")[0]; got != "1" {
				t.Errorf("plain id = '010007' matched %s rows; expected the engine to coerce it", got)
			}
			if got := column(t, d, db, "SELECT COUNT(*) FROM ids_str WHERE id = ?", "abc")[0]; got != "1" {
				t.Errorf("plain id = 'abc' matched %s rows; expected a case-insensitive match", got)
			}
		}
	})
}

// TestIntegrationFold checks that Fold(a) = Fold(b) finds 'ZOE' for 'zoe'. On MySQL
// the column's default _ci collation does the folding (Fold leaves the column alone
// so that its index stays usable).
func TestIntegrationFold(t *testing.T) {
	dialecttest.EachOf(t, coreDialects, func(t *testing.T, d dialects.Dialect, db *sql.DB, _ dialects.Connection) {
		dialecttest.MustExec(t, db,
			pick(d, "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT)",
				"CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(20))",
				"CREATE TABLE people (id INT PRIMARY KEY, name VARCHAR(20))"),
			"INSERT INTO people (id, name) VALUES (1, 'ZOE'), (2, 'Bob')")
		got := column(t, d, db, "SELECT name FROM people WHERE "+d.Fold("name")+" = "+d.Fold("?"), "zoe")
		if !slices.Equal(got, []string{"ZOE"}) {
			t.Errorf("Fold match of zoe = %v, want [ZOE]", got)
		}
		if d.Name() == "mysql" {
			return
		}
		if got := column(t, d, db, "SELECT name FROM people WHERE name = ?", "zoe"); len(got) != 0 {
			t.Errorf("plain match on a case-sensitive column = %v, want none", got)
		}
	})
}

// TestIntegrationLike checks that Like with EscapeLike matches %, _ and \ literally.
func TestIntegrationLike(t *testing.T) {
	dialecttest.EachOf(t, coreDialects, func(t *testing.T, d dialects.Dialect, db *sql.DB, _ dialects.Connection) {
		dialecttest.MustExec(t, db, pick(d, "CREATE TABLE words (id INTEGER PRIMARY KEY, w TEXT)",
			"CREATE TABLE words (id INT PRIMARY KEY, w VARCHAR(20))", "CREATE TABLE words (id INT PRIMARY KEY, w VARCHAR(20))"))
		for i, w := range []string{`a%b`, `axb`, `a_b`, `ayb`, `a\b`, `a%bc`} {
			mustExec(t, d, db, "INSERT INTO words (id, w) VALUES (?, ?)", i+1, w)
		}
		for _, tt := range []struct {
			pattern string
			want    []string
		}{
			{dialects.EscapeLike(`a%b`), []string{`a%b`}},
			{dialects.EscapeLike(`a_b`), []string{`a_b`}},
			{dialects.EscapeLike(`a\`) + "%", []string{`a\b`}},
			{dialects.EscapeLike(`a%`) + "%", []string{`a%b`, `a%bc`}},
			{"%" + dialects.EscapeLike(`%bc`), []string{`a%bc`}},
			{dialects.EscapeLike("a") + "%", []string{`a%b`, `axb`, `a_b`, `ayb`, `a\b`, `a%bc`}},
		} {
			got := column(t, d, db, "SELECT w FROM words WHERE "+d.Like("w", "?")+" ORDER BY id", tt.pattern)
			if !slices.Equal(got, tt.want) {
				t.Errorf("LIKE %q = %q, want %q", tt.pattern, got, tt.want)
			}
		}
	})
}

// TestIntegrationLimit pages a derived table whose inner statement has its own
// parameter, with the dialect's Placeholder numbering after it.
func TestIntegrationLimit(t *testing.T) {
	dialecttest.EachOf(t, coreDialects, func(t *testing.T, d dialects.Dialect, db *sql.DB, _ dialects.Connection) {
		dialecttest.MustExec(t, db, "CREATE TABLE nums (id INT PRIMARY KEY)")
		for i := 1; i <= 10; i++ {
			mustExec(t, d, db, "INSERT INTO nums (id) VALUES (?)", i)
		}
		inner, n, err := d.Rewrite("SELECT id FROM nums WHERE id > ?")
		if err != nil || n != 1 {
			t.Fatal(n, err)
		}
		page := func(limit, offset string, args ...any) []string {
			text := "SELECT id FROM " + d.DerivedTable(inner, "t") + " ORDER BY id " + d.Limit(limit, offset)
			rows, err := d.Query(context.Background(), db, text, in(args...))
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			return scanStrings(t, rows)
		}
		p2, p3 := d.Placeholder(2), d.Placeholder(3)
		if got := page(p2, p3, 0, 3, 3); !slices.Equal(got, []string{"4", "5", "6"}) {
			t.Errorf("limit 3 offset 3 = %v", got)
		}
		if got := page(p2, p3, 5, 3, 3); !slices.Equal(got, []string{"9", "10"}) {
			t.Errorf("id > 5 limit 3 offset 3 = %v", got)
		}
		if got := page("", p2, 0, 8); !slices.Equal(got, []string{"9", "10"}) {
			t.Errorf("offset 8 = %v", got)
		}
		if got := page(p2, "", 0, 2); !slices.Equal(got, []string{"1", "2"}) {
			t.Errorf("limit 2 = %v", got)
		}
	})
}

// TestIntegrationTimestamps runs with the process in a non-UTC zone and checks that
// a time written in yet another zone reads back as the same instant, in UTC, and is
// stored as UTC.
func TestIntegrationTimestamps(t *testing.T) {
	saved := time.Local
	time.Local = time.FixedZone("UTC-7", -7*3600)
	t.Cleanup(func() { time.Local = saved })
	instant := time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("UTC+5", 5*3600))
	const storedUTC = "2024-01-01 22:04:05"

	dialecttest.EachOf(t, coreDialects, func(t *testing.T, d dialects.Dialect, db *sql.DB, c dialects.Connection) {
		dialecttest.MustExec(t, db, pick(d,
			"CREATE TABLE ts (id INTEGER PRIMARY KEY, at TIMESTAMP, dt DATETIME)",
			"CREATE TABLE ts (id INT PRIMARY KEY, at TIMESTAMP NULL, dt DATETIME NULL)",
			"CREATE TABLE ts (id INT PRIMARY KEY, at TIMESTAMPTZ, dt TIMESTAMP)"))
		mustExec(t, d, db, "INSERT INTO ts (id, at, dt) VALUES (?, ?, ?)", 1, instant, instant)
		rows, err := d.Query(context.Background(), db, rewrite(t, d, "SELECT at, dt FROM ts WHERE id = ?", 1), in(1))
		if err != nil {
			t.Fatal(err)
		}
		var at, dt time.Time
		if !rows.Next() {
			t.Fatal("no row")
		}
		if err := rows.Scan(&at, &dt); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if !at.Equal(instant) || !dt.Equal(instant) {
			t.Errorf("read back at=%v dt=%v, want the instant %v", at, dt, instant)
		}
		if d.Name() != "postgres" && (at.Location() != time.UTC || dt.Location() != time.UTC) {
			t.Errorf("read back in %v and %v, want UTC", at.Location(), dt.Location())
		}
		asText := pick(d, "SELECT substr(at, 1, 19), substr(dt, 1, 19) FROM ts",
			"SELECT CAST(at AS CHAR), CAST(dt AS CHAR) FROM ts",
			"SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), CAST(dt AS TEXT) FROM ts")
		var s1, s2 string
		if err := db.QueryRow(asText).Scan(&s1, &s2); err != nil {
			t.Fatal(err)
		}
		if s1 != storedUTC || s2 != storedUTC {
			t.Errorf("stored %q and %q, want %q (UTC)", s1, s2, storedUTC)
		}

		// Another client whose session runs in +05:00 writes the same instant as
		// local wall-clock text; the pinned session must read it unshifted.
		var other string
		switch d.Name() {
		case "mysql":
			dsn, err := d.DSN(c)
			if err != nil {
				t.Fatal(err)
			}
			other = strings.Replace(dsn, "time_zone=%27%2B00%3A00%27", "time_zone=%27%2B05%3A00%27", 1)
		case "postgres":
			dsn, err := d.DSN(c)
			if err != nil {
				t.Fatal(err)
			}
			other = strings.Replace(dsn, "timezone=UTC", "timezone=Asia%2FKarachi", 1) // UTC+5, no DST
		default:
			return
		}
		odb, err := sql.Open(d.Driver(), other)
		if err != nil {
			t.Fatal(err)
		}
		defer odb.Close()
		if _, err := odb.Exec("INSERT INTO ts (id, at) VALUES (2, '2024-01-02 03:04:05')"); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT at FROM ts WHERE id = 2").Scan(&at); err != nil {
			t.Fatal(err)
		}
		if !at.Equal(instant) {
			t.Errorf("a TIMESTAMP written by a +05:00 session reads as %v, want %v", at, instant)
		}
	})
}

// TestIntegrationLastInsertID checks the generated-id story of each dialect.
func TestIntegrationLastInsertID(t *testing.T) {
	dialecttest.EachOf(t, coreDialects, func(t *testing.T, d dialects.Dialect, db *sql.DB, _ dialects.Connection) {
		dialecttest.MustExec(t, db, pick(d,
			"CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT)",
			"CREATE TABLE seq (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10))",
			"CREATE TABLE seq (id SERIAL PRIMARY KEY, v VARCHAR(10))"))
		mustExec(t, d, db, "INSERT INTO seq (v) VALUES (?)", "a")
		text := rewrite(t, d, "INSERT INTO seq (v) VALUES (?)", 1)
		if !d.LastInsertID() {
			got := column(t, d, db, "INSERT INTO seq (v) VALUES (?) RETURNING id", "b")
			if !slices.Equal(got, []string{"2"}) {
				t.Errorf("RETURNING id = %v, want [2]", got)
			}
			return
		}
		res, err := d.Exec(context.Background(), db, text, in("b"))
		if err != nil {
			t.Fatal(err)
		}
		if id, err := res.LastInsertId(); err != nil || id != 2 {
			t.Errorf("LastInsertId = %d, %v; want 2", id, err)
		}
	})
}

// TestSQLiteSession checks the pragmas SQLite.DSN sets on every connection.
func TestSQLiteSession(t *testing.T) {
	_, db, _ := dialecttest.NewDatabase(t, "sqlite")
	for pragma, want := range map[string]string{"foreign_keys": "1", "journal_mode": "wal", "busy_timeout": "5000"} {
		var got string
		if err := db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	d := dialects.SQLite{}
	if _, err := d.Call("p", nil, dialects.Procedure); !errors.Is(err, dialects.ErrUnsupported) {
		t.Errorf("Call: %v", err)
	}
}

// TestMySQLProcedures runs stored procedures through Call: one returning a result set
// (read with Query), one inserting (run with Exec), one doing both and returning two
// result sets, all on one pooled connection, which must stay usable after each.
func TestMySQLProcedures(t *testing.T) {
	d, db, _ := dialecttest.NewDatabase(t, "mysql")
	db.SetMaxOpenConns(1) // every statement reuses the connection the previous CALL used
	usersSchema(t, d, db)
	dialecttest.MustExec(t, db,
		`CREATE PROCEDURE CREATE_USER(IN p_id INT, IN p_name VARCHAR(20))
		BEGIN INSERT INTO users (id, username) VALUES (p_id, p_name); END`,
		`CREATE PROCEDURE GET_USER_BY_ID(IN p_id INT)
		BEGIN SELECT id, username FROM users WHERE id = p_id; END`,
		`CREATE PROCEDURE GET_ACTIVEUSERS()
		BEGIN SELECT id, username FROM users ORDER BY id; END`,
		`CREATE PROCEDURE CREATE_AND_GET(IN p_id INT, IN p_name VARCHAR(20))
		BEGIN
			INSERT INTO users (id, username) VALUES (p_id, p_name);
			SELECT id, username FROM users WHERE id = p_id;
			SELECT 'second';
		END`,
	)
	ctx := context.Background()
	call := func(name string, n int) string {
		text, err := d.Call(name, make([]dialects.ParamMode, n), dialects.Procedure)
		if err != nil {
			t.Fatal(err)
		}
		return text
	}

	if _, err := d.Exec(ctx, db, call("CREATE_USER", 2), in(1, "alice")); err != nil {
		t.Fatalf("CALL CREATE_USER via Exec: %v", err)
	}
	if _, err := d.Exec(ctx, db, call("CREATE_USER", 2), in(2, "bob")); err != nil {
		t.Fatal(err)
	}
	_, err := d.Exec(ctx, db, call("CREATE_USER", 2), in(3, "alice"))
	if got := d.Classify(err); got != dialects.UniqueViolation {
		t.Errorf("duplicate inside a procedure: Classify(%v) = %v", err, got)
	}

	rows, err := d.Query(ctx, db, call("GET_USER_BY_ID", 1), in(2))
	if err != nil {
		t.Fatalf("CALL GET_USER_BY_ID via Query: %v", err)
	}
	if got := scanStrings(t, rows); !slices.Equal(got, []string{"2"}) {
		t.Errorf("GET_USER_BY_ID(2) = %v", got)
	}

	// Read one row of two and close early: the rest must be discarded cleanly.
	rows, err = d.Query(ctx, db, call("GET_ACTIVEUSERS", 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal("GET_ACTIVEUSERS returned no rows")
	}
	if err := rows.Close(); err != nil {
		t.Fatalf("closing a half-read CALL: %v", err)
	}

	// A procedure with a result set, run with Exec, discards it.
	if _, err := d.Exec(ctx, db, call("GET_ACTIVEUSERS", 0), nil); err != nil {
		t.Fatalf("CALL GET_ACTIVEUSERS via Exec: %v", err)
	}

	// Insert, then two result sets: the first is the one Query hands over.
	rows, err = d.Query(ctx, db, call("CREATE_AND_GET", 2), in(5, "eve"))
	if err != nil {
		t.Fatal(err)
	}
	var id int
	var name string
	if !rows.Next() || rows.Scan(&id, &name) != nil || id != 5 || name != "eve" {
		t.Errorf("CREATE_AND_GET first result set: %d %q %v", id, name, rows.Err())
	}
	if rows.Next() {
		t.Error("first result set has a second row")
	}
	if !rows.NextResultSet() || !rows.Next() || rows.Scan(&name) != nil || name != "second" {
		t.Errorf("second result set: %q %v", name, rows.Err())
	}
	rows.Close()

	// Inside a transaction a CALL is undone by a rollback (under autocommit it is not atomic).
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, tx, call("CREATE_USER", 2), in(6, "frank")); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := column(t, d, db, "SELECT username FROM users ORDER BY id"); !slices.Equal(got, []string{"alice", "bob", "eve"}) {
		t.Errorf("users after the calls = %v", got)
	}

	if _, err := d.Call("GET_USER", []dialects.ParamMode{dialects.In, dialects.Out}, dialects.Procedure); err == nil ||
		!strings.Contains(err.Error(), "OUT parameters are not supported for mysql; return a result set instead") {
		t.Errorf("Out: %v", err)
	}
}

// TestPostgresRoutines runs a procedure through CALL (with and without an INOUT
// parameter) and a set-returning function through SELECT * FROM.
func TestPostgresRoutines(t *testing.T) {
	d, db, _ := dialecttest.NewDatabase(t, "postgres")
	usersSchema(t, d, db)
	dialecttest.MustExec(t, db,
		`CREATE PROCEDURE create_user(p_id int, p_name text) LANGUAGE sql
		AS $$ INSERT INTO users (id, username) VALUES (p_id, p_name) $$`,
		`CREATE FUNCTION users_like(p text) RETURNS TABLE (id int, username text) LANGUAGE sql STABLE
		AS $$ SELECT u.id, u.username::text FROM users u WHERE u.username LIKE p ORDER BY u.id $$`,
		`CREATE PROCEDURE count_users(p_pattern text, INOUT n int) LANGUAGE plpgsql
		AS $$ BEGIN SELECT count(*) INTO n FROM users WHERE username LIKE p_pattern; END $$`,
	)
	ctx := context.Background()
	call := func(name string, modes []dialects.ParamMode, r dialects.Routine) string {
		text, err := d.Call(name, modes, r)
		if err != nil {
			t.Fatal(err)
		}
		return text
	}
	create := call("create_user", []dialects.ParamMode{dialects.In, dialects.In}, dialects.Procedure)
	for i, name := range []string{"alice", "albert", "bob"} {
		if _, err := d.Exec(ctx, db, create, in(i+1, name)); err != nil {
			t.Fatalf("%s: %v", create, err)
		}
	}
	_, err := d.Exec(ctx, db, create, in(9, "bob"))
	if got := d.Classify(err); got != dialects.UniqueViolation {
		t.Errorf("duplicate inside a procedure: Classify(%v) = %v", err, got)
	}
	// A CALL without INOUT parameters returns no rows.
	rows, err := d.Query(ctx, db, create, in(4, "carol"))
	if err != nil {
		t.Fatal(err)
	}
	if got := scanStrings(t, rows); len(got) != 0 {
		t.Errorf("CALL without INOUT returned rows %v", got)
	}

	rows, err = d.Query(ctx, db, call("users_like", []dialects.ParamMode{dialects.In}, dialects.Function), in("al%"))
	if err != nil {
		t.Fatal(err)
	}
	if got := scanStrings(t, rows); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("users_like('al%%') = %v", got)
	}

	// INOUT: Exec scans the returned row into Dest.
	countText := call("count_users", []dialects.ParamMode{dialects.In, dialects.Out}, dialects.Procedure)
	var n int
	if _, err := d.Exec(ctx, db, countText, []dialects.Arg{{Value: "al%"}, {Mode: dialects.Out, Dest: &n}}); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("count_users INOUT = %d, want 2", n)
	}
	// Query hands the INOUT row over as the result set.
	rows, err = d.Query(ctx, db, countText, []dialects.Arg{{Value: "%"}, {Mode: dialects.Out}})
	if err != nil {
		t.Fatal(err)
	}
	if got := scanStrings(t, rows); !slices.Equal(got, []string{"4"}) {
		t.Errorf("count_users row = %v", got)
	}

	// The configuration must say which kind of routine it calls.
	wrong := call("users_like", []dialects.ParamMode{dialects.In}, dialects.Procedure)
	// (42883 "procedure does not exist" for an untyped parameter, 42809 otherwise).
	if _, err := d.Exec(ctx, db, wrong, in("x")); err == nil || !strings.Contains(err.Error(), "SQLSTATE 42") {
		t.Errorf("CALL of a function: %v, want SQLSTATE 42883 or 42809", err)
	}
}
