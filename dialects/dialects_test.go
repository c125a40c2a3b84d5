package dialects

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

const nastyPassword = "p@ss:w/rd?#%()&= '\"\\`$"

func TestLookup(t *testing.T) {
	for _, name := range Names() {
		d, ok := Lookup(name)
		if !ok || d.Name() != name {
			t.Errorf("Lookup(%q) = %v, %v", name, d, ok)
		}
	}
	for alias, want := range map[string]string{"mariadb": "mysql", "postgresql": "postgres", "mssql": "sqlserver"} {
		if d, ok := Lookup(alias); !ok || d.Name() != want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", alias, d, ok, want)
		}
	}
	if _, ok := Lookup("db2"); ok {
		t.Error("Lookup(db2) succeeded")
	}
	for _, name := range Names() {
		d, _ := Lookup(name)
		found := false
		for _, drv := range sql.Drivers() {
			found = found || drv == d.Driver()
		}
		if !found {
			t.Errorf("%s: driver %q is not registered", d.Name(), d.Driver())
		}
	}
}

func TestMySQLDSN(t *testing.T) {
	dsn, err := MySQL{}.DSN(Connection{
		Host: "db.example", Port: 3307, Name: "okta demo", User: "okta", Password: nastyPassword,
		Properties: map[string]string{
			"allowMultiQueries": "true", "useSSL": "true", "verifyServerCertificate": "false",
			"useUnicode": "true", "serverTimezone": "America/New_York", "connectTimeout": "5000",
			"socketTimeout": "30000", "characterEncoding": "UTF-8", "parseTime": "false",
			"loc": "Local", "time_zone": "'SYSTEM'", "sql_mode": "'STRICT_ALL_TABLES'",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("ParseDSN(%q): %v", dsn, err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"user", cfg.User, "okta"},
		{"password", cfg.Passwd, nastyPassword},
		{"net", cfg.Net, "tcp"},
		{"addr", cfg.Addr, "db.example:3307"},
		{"dbname", cfg.DBName, "okta demo"},
		{"multiStatements", cfg.MultiStatements, true},
		{"tls", cfg.TLSConfig, "skip-verify"},
		{"parseTime", cfg.ParseTime, true},
		{"loc", cfg.Loc, time.UTC},
		{"timeout", cfg.Timeout, 5 * time.Second},
		{"readTimeout", cfg.ReadTimeout, 30 * time.Second},
		{"writeTimeout", cfg.WriteTimeout, 30 * time.Second},
		{"time_zone", cfg.Params["time_zone"], "'+00:00'"},
		{"sql_mode", cfg.Params["sql_mode"], "'STRICT_ALL_TABLES'"},
		{"charset", strings.Contains(dsn, "charset=utf8mb4&"), true},
		{"params", len(cfg.Params), 2},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v (DSN %s)", c.what, c.got, c.want, dsn)
		}
	}
}

func TestMySQLDSNTLS(t *testing.T) {
	tests := []struct {
		props map[string]string
		want  string
	}{
		{nil, ""},
		{map[string]string{"useSSL": "false"}, "false"},
		{map[string]string{"useSSL": "true"}, "true"},
		{map[string]string{"requireSSL": "true", "verifyServerCertificate": "false"}, "skip-verify"},
		{map[string]string{"sslMode": "DISABLED"}, "false"},
		{map[string]string{"sslMode": "preferred"}, "preferred"},
		{map[string]string{"sslMode": "REQUIRED"}, "skip-verify"},
		{map[string]string{"sslMode": "VERIFY_CA"}, "true"},
		{map[string]string{"sslMode": "VERIFY_IDENTITY"}, "true"},
		{map[string]string{"tls": "skip-verify"}, "skip-verify"},
	}
	for _, tt := range tests {
		dsn, err := MySQL{}.DSN(Connection{Name: "d", Properties: tt.props})
		if err != nil {
			t.Errorf("%v: %v", tt.props, err)
			continue
		}
		cfg, err := mysql.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.TLSConfig != tt.want {
			t.Errorf("%v: tls = %q, want %q", tt.props, cfg.TLSConfig, tt.want)
		}
	}
}

func TestMySQLDSNDefaultsAndFullDSN(t *testing.T) {
	dsn, err := MySQL{}.DSN(Connection{Name: "d"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "tcp(127.0.0.1:3306)/d?parseTime=true&time_zone=%27%2B00%3A00%27"; dsn != want {
		t.Errorf("DSN = %q, want %q", dsn, want)
	}
	dsn, err = MySQL{}.DSN(Connection{Host: "/run/mysqld/mysqld.sock", Name: "d"})
	if err != nil || !strings.HasPrefix(dsn, "unix(/run/mysqld/mysqld.sock)/d?") {
		t.Errorf("socket DSN = %q, %v", dsn, err)
	}
	dsn, err = MySQL{}.DSN(Connection{DSN: "u:secret@tcp(h:1)/x?parseTime=false&loc=Local&multiStatements=true", Host: "ignored"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := mysql.ParseDSN(dsn)
	if !cfg.ParseTime || cfg.Loc != time.UTC || !cfg.MultiStatements || cfg.Addr != "h:1" || cfg.Params["time_zone"] != "'+00:00'" {
		t.Errorf("full DSN not pinned: %s", dsn)
	}
}

func TestDSNErrorsHidePassword(t *testing.T) {
	const secret = "s3cr/et@pw"
	tests := []struct {
		d Dialect
		c Connection
	}{
		{MySQL{}, Connection{Name: "d", Password: secret, Properties: map[string]string{"allowMultiQueries": "maybe"}}},
		{MySQL{}, Connection{Name: "d", Password: secret, Properties: map[string]string{"sslMode": "sometimes"}}},
		{MySQL{}, Connection{Name: "d", Password: secret, Properties: map[string]string{"interpolateParams": "perhaps"}}},
		{MySQL{}, Connection{Name: "d", Password: secret, Properties: map[string]string{"connectTimeout": "5s"}}},
		{MySQL{}, Connection{DSN: "root:" + secret + "%zz@tcp(h"}},
		{Postgres{}, Connection{Name: "d", User: "u", Password: secret, Properties: map[string]string{"sslmode": "sometimes"}}},
		{Postgres{}, Connection{Name: "d", User: "u", Password: secret, Properties: map[string]string{"connect_timeout": "soon"}}},
		{Postgres{}, Connection{Name: "d", User: "u", Password: secret, Properties: map[string]string{"ssl": "maybe"}}},
		{Postgres{}, Connection{DSN: "postgres://u:" + secret + "%zz@h/d"}},
		{SQLite{}, Connection{Password: secret}},
	}
	for _, tt := range tests {
		_, err := tt.d.DSN(tt.c)
		if err == nil {
			t.Errorf("%s DSN(%+v) succeeded", tt.d.Name(), tt.c.Properties)
			continue
		}
		if strings.Contains(err.Error(), "s3cr") {
			t.Errorf("%s error shows the password: %v", tt.d.Name(), err)
		}
	}
}

func TestPostgresDSN(t *testing.T) {
	dsn, err := Postgres{}.DSN(Connection{
		Host: "db.example", Port: 5433, Name: "scim db", User: "scim@corp", Password: nastyPassword,
		Properties: map[string]string{
			"currentSchema": "okta", "ApplicationName": "dbscim", "socketTimeout": "30",
			"TimeZone": "Europe/Paris", "statement_timeout": "5000", "sslmode": "require",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	q := u.Query()
	if u.Scheme != "postgres" || u.Host != "db.example:5433" || u.Path != "/scim db" || u.User.Username() != "scim@corp" || pw != nastyPassword {
		t.Errorf("URL parts wrong: %s", dsn)
	}
	want := url.Values{"search_path": {"okta"}, "application_name": {"dbscim"}, "timezone": {"UTC"},
		"statement_timeout": {"5000"}, "sslmode": {"require"}}
	if q.Encode() != want.Encode() {
		t.Errorf("query = %s, want %s", q.Encode(), want.Encode())
	}
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("pgx cannot parse %s: %v", dsn, err)
	}
	if cfg.Password != nastyPassword || cfg.Database != "scim db" || cfg.RuntimeParams["timezone"] != "UTC" || cfg.RuntimeParams["search_path"] != "okta" {
		t.Errorf("pgx config = %+v", cfg)
	}
}

func TestPostgresDSNVariants(t *testing.T) {
	tests := []struct {
		c    Connection
		want string
	}{
		{Connection{Name: "d"}, "postgres://127.0.0.1:5432/d?timezone=UTC"},
		{Connection{Name: "d", User: "u"}, "postgres://u@127.0.0.1:5432/d?timezone=UTC"},
		{Connection{Name: "d", Properties: map[string]string{"ssl": "true"}}, "postgres://127.0.0.1:5432/d?sslmode=verify-full&timezone=UTC"},
		{Connection{Name: "d", Properties: map[string]string{"ssl": "false"}}, "postgres://127.0.0.1:5432/d?sslmode=disable&timezone=UTC"},
		{Connection{Name: "d", Properties: map[string]string{"ssl": "true", "sslmode": "require"}}, "postgres://127.0.0.1:5432/d?sslmode=require&timezone=UTC"},
		{Connection{Host: "/var/run/postgresql", Port: 5433, Name: "d"}, "postgres:///d?host=%2Fvar%2Frun%2Fpostgresql&port=5433&timezone=UTC"},
		{Connection{DSN: "postgres://u:p@h/d?sslmode=disable&TimeZone=Asia/Tokyo"}, "postgres://u:p@h/d?sslmode=disable&timezone=UTC"},
		{Connection{DSN: "host=h dbname=d timezone=Asia/Tokyo"}, "host=h dbname=d timezone=Asia/Tokyo timezone=UTC"},
	}
	for _, tt := range tests {
		got, err := Postgres{}.DSN(tt.c)
		if err != nil || got != tt.want {
			t.Errorf("DSN(%+v) = %q, %v; want %q", tt.c, got, err, tt.want)
		}
	}
	cfg, err := pgconn.ParseConfig("host=h dbname=d timezone=Asia/Tokyo timezone=UTC")
	if err != nil || cfg.RuntimeParams["timezone"] != "UTC" {
		t.Errorf("keyword form: later timezone does not win: %v %v", cfg.RuntimeParams, err)
	}
}

func TestSQLiteDSN(t *testing.T) {
	tests := []struct {
		c    Connection
		want string
	}{
		{Connection{Name: "/data/dbscim.db"}, "/data/dbscim.db?_pragma=busy_timeout%285000%29&_pragma=foreign_keys%281%29&_pragma=journal_mode%28WAL%29&_time_format=sqlite&_timezone=UTC&_txlock=immediate"},
		{Connection{Name: ":memory:"}, ":memory:?_pragma=busy_timeout%285000%29&_pragma=foreign_keys%281%29&_time_format=sqlite&_timezone=UTC&_txlock=immediate"},
		{Connection{Name: "x.db", Properties: map[string]string{"_txlock": "immediate", "_time_format": "datetime"}}, "x.db?_pragma=busy_timeout%285000%29&_pragma=foreign_keys%281%29&_pragma=journal_mode%28WAL%29&_time_format=sqlite&_timezone=UTC&_txlock=immediate"},
		{Connection{DSN: "file:x.db?mode=ro&_timezone=Local"}, "file:x.db?_time_format=sqlite&_timezone=UTC&mode=ro"},
	}
	for _, tt := range tests {
		got, err := SQLite{}.DSN(tt.c)
		if err != nil || got != tt.want {
			t.Errorf("DSN(%+v) = %q, %v; want %q", tt.c, got, err, tt.want)
		}
	}
	for _, c := range []Connection{{}, {Name: "a?b"}} {
		if _, err := (SQLite{}).DSN(c); err == nil {
			t.Errorf("DSN(%+v) succeeded", c)
		}
	}
}

func TestCall(t *testing.T) {
	in2 := []ParamMode{In, In}
	tests := []struct {
		d       Dialect
		name    string
		modes   []ParamMode
		routine Routine
		want    string
		err     string
	}{
		{MySQL{}, "CREATE_USER", in2, Procedure, "CALL CREATE_USER(?, ?)", ""},
		{MySQL{}, "GET_ACTIVEUSERS", nil, Procedure, "CALL GET_ACTIVEUSERS()", ""},
		{MySQL{}, "okta.`GET USER`", []ParamMode{In}, Function, "CALL okta.`GET USER`(?)", ""},
		{MySQL{}, "P", []ParamMode{In, Out}, Procedure, "", "OUT parameters are not supported for mysql; return a result set instead"},
		{MySQL{}, "P", []ParamMode{Cursor}, Procedure, "", "cursor parameters are not supported for mysql"},
		{MySQL{}, "P; DROP TABLE users", nil, Procedure, "", "invalid routine name"},
		{Postgres{}, "create_user", in2, Procedure, "CALL create_user($1, $2)", ""},
		{Postgres{}, "public.users_named", in2, Function, "SELECT * FROM public.users_named($1, $2)", ""},
		{Postgres{}, "count_users", []ParamMode{In, Out}, Procedure, "CALL count_users($1, $2)", ""},
		{Postgres{}, "f", []ParamMode{Out}, Function, "", "OUT parameters are its result columns"},
		{Postgres{}, "p", []ParamMode{Cursor}, Procedure, "", "cursor parameters are not supported for postgres"},
		{Postgres{}, "", nil, Procedure, "", "routine name is empty"},
		{SQLite{}, "p", in2, Procedure, "", "sqlite has no stored procedures or functions"},
	}
	for _, tt := range tests {
		got, err := tt.d.Call(tt.name, tt.modes, tt.routine)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s Call(%q) error = %v, want %q", tt.d.Name(), tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s Call(%q) = %q, %v; want %q", tt.d.Name(), tt.name, got, err, tt.want)
		}
		// A call must survive its own dialect's Rewrite with the same count.
		if _, n, err := tt.d.Rewrite(got); err != nil || n != len(tt.modes) {
			t.Errorf("%s Rewrite(%q) = %d, %v", tt.d.Name(), got, n, err)
		}
	}
	for _, d := range []Dialect{MySQL{}, SQLite{}} {
		_, err := d.Call("p", []ParamMode{Out}, Procedure)
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v does not match ErrUnsupported", d.Name(), err)
		}
	}
}

// recorder is a Querier that records what it was asked to run.
type recorder struct {
	text string
	args []any
}

func (r *recorder) QueryContext(_ context.Context, text string, args ...any) (*sql.Rows, error) {
	r.text, r.args = text, args
	return nil, errors.New("recorded")
}

func (r *recorder) ExecContext(_ context.Context, text string, args ...any) (sql.Result, error) {
	r.text, r.args = text, args
	return nil, errors.New("recorded")
}

func TestBinding(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	local := time.Date(2024, 3, 1, 10, 0, 0, 0, paris)
	args := []Arg{{Value: "x"}, {Value: local}, {Value: &local}, {Value: (*time.Time)(nil)}, {Value: true}}
	want := []any{"x", local.UTC(), local.UTC(), nil, true}
	for _, d := range []Dialect{SQLite{}, MySQL{}, Postgres{}} {
		r := &recorder{}
		_, _ = d.Query(context.Background(), r, "Q", args)
		if fmt.Sprint(r.args) != fmt.Sprint(want) || r.args[1].(time.Time).Location() != time.UTC {
			t.Errorf("%s Query bound %v, want %v", d.Name(), r.args, want)
		}
		r = &recorder{}
		_, _ = d.Exec(context.Background(), r, "E", args)
		if fmt.Sprint(r.args) != fmt.Sprint(want) {
			t.Errorf("%s Exec bound %v, want %v", d.Name(), r.args, want)
		}
	}
	// PostgreSQL passes NULL for an Out parameter.
	r := &recorder{}
	_, _ = Postgres{}.Query(context.Background(), r, "CALL p($1, $2)", []Arg{{Value: 1}, {Mode: Out, Dest: new(int)}})
	if len(r.args) != 2 || r.args[1] != nil {
		t.Errorf("postgres Out bound as %v", r.args)
	}
	for _, d := range []Dialect{SQLite{}, MySQL{}, Postgres{}} {
		for _, mode := range []ParamMode{Out, Cursor} {
			if d.Name() == "postgres" && mode == Out {
				continue
			}
			r := &recorder{}
			_, err := d.Query(context.Background(), r, "Q", []Arg{{Mode: mode}})
			if !errors.Is(err, ErrUnsupported) || r.text != "" {
				t.Errorf("%s Query with mode %d: %v (ran %q)", d.Name(), mode, err, r.text)
			}
			_, err = d.Exec(context.Background(), r, "E", []Arg{{Mode: mode}})
			if !errors.Is(err, ErrUnsupported) || r.text != "" {
				t.Errorf("%s Exec with mode %d: %v (ran %q)", d.Name(), mode, err, r.text)
			}
		}
	}
}

func TestFragments(t *testing.T) {
	tests := []struct {
		d                                         Dialect
		derived, fold, text, like, limit, offOnly string
		limitOnly, quote, placeholder             string
		lastID                                    bool
	}{
		{SQLite{}, "(SELECT 1) AS t", "x COLLATE NOCASE", "CAST(x AS TEXT) COLLATE BINARY", `x LIKE ? ESCAPE '\'`,
			"LIMIT ? OFFSET ?", "LIMIT -1 OFFSET ?", "LIMIT ?", `"a""b"`, "?", true},
		{MySQL{}, "(SELECT 1) AS t", "x", "CAST(CONVERT(x USING utf8mb4) AS BINARY)", `x LIKE ? ESCAPE '\\'`,
			"LIMIT ? OFFSET ?", "LIMIT 18446744073709551615 OFFSET ?", "LIMIT ?", "`a``b`", "?", true},
		{Postgres{}, "(SELECT 1) AS t", "LOWER(x)", `CAST(x AS TEXT) COLLATE "C"`, `x LIKE $3 ESCAPE '\'`,
			"LIMIT $3 OFFSET $3", "OFFSET $3", "LIMIT $3", `"a""b"`, "$3", false},
	}
	for _, tt := range tests {
		d, p := tt.d, tt.d.Placeholder(3)
		got := []string{d.DerivedTable("SELECT 1", "t"), d.Fold("x"), d.Text("x"), d.Like("x", p),
			d.Limit(p, p), d.Limit("", p), d.Limit(p, ""), d.Quote(`a` + string(d.Quote("")[0]) + `b`), p}
		want := []string{tt.derived, tt.fold, tt.text, tt.like, tt.limit, tt.offOnly, tt.limitOnly, tt.quote, tt.placeholder}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s fragment %d = %q, want %q", d.Name(), i, got[i], want[i])
			}
		}
		if d.Limit("", "") != "" {
			t.Errorf("%s Limit(\"\", \"\") = %q", d.Name(), d.Limit("", ""))
		}
		if d.LastInsertID() != tt.lastID {
			t.Errorf("%s LastInsertID = %v", d.Name(), d.LastInsertID())
		}
		// Every fragment must scan cleanly with the dialect's own lexer.
		if _, _, err := d.Rewrite("SELECT * FROM " + d.DerivedTable("SELECT 1", "t") + " WHERE " + d.Like("x", p)); err != nil {
			t.Errorf("%s: fragments do not scan: %v", d.Name(), err)
		}
	}
	if got := EscapeLike(`50%_a\b`); got != `50\%\_a\\b` {
		t.Errorf("EscapeLike = %q", got)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestClassifyConstructed(t *testing.T) {
	my := func(n uint16) error { return &mysql.MySQLError{Number: n, Message: "m"} }
	pg := func(code string) error { return &pgconn.PgError{Code: code, Message: "m"} }
	common := map[error]ErrorKind{
		nil:                      Unknown,
		errors.New("boom"):       Unknown,
		sql.ErrNoRows:            Unknown,
		context.DeadlineExceeded: Timeout,
		context.Canceled:         Timeout,
		driver.ErrBadConn:        Unavailable,
		sql.ErrConnDone:          Unavailable,
		io.EOF:                   Unavailable,
		io.ErrUnexpectedEOF:      Unavailable,
		syscall.ECONNREFUSED:     Unavailable,
		&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}: Unavailable,
		timeoutErr{}: Unavailable,
	}
	tests := []struct {
		d     Dialect
		cases map[error]ErrorKind
	}{
		{MySQL{}, map[error]ErrorKind{
			my(1062): UniqueViolation, my(1451): ForeignKeyViolation, my(1452): ForeignKeyViolation,
			my(1048): NotNullViolation, my(1364): NotNullViolation, my(3819): CheckViolation,
			my(4025): CheckViolation, my(1264): InvalidValue, my(1265): InvalidValue,
			my(1292): InvalidValue, my(1366): InvalidValue, my(1406): InvalidValue,
			my(1690): InvalidValue, my(1213): Conflict, my(1205): Conflict, my(2002): Unavailable,
			my(2003): Unavailable, my(2006): Unavailable, my(2013): Unavailable, my(1969): Timeout,
			my(1146): Unknown, mysql.ErrInvalidConn: Unavailable,
		}},
		{Postgres{}, map[error]ErrorKind{
			pg("23505"): UniqueViolation, pg("23503"): ForeignKeyViolation, pg("23502"): NotNullViolation,
			pg("23514"): CheckViolation, pg("22P02"): InvalidValue, pg("22001"): InvalidValue,
			pg("22003"): InvalidValue, pg("22007"): InvalidValue, pg("40001"): Conflict,
			pg("40P01"): Conflict, pg("08006"): Unavailable, pg("57P01"): Unavailable,
			pg("57P02"): Unavailable, pg("57P03"): Unavailable, pg("53300"): Unavailable,
			pg("57014"): Timeout, pg("42P01"): Unknown, pg("42809"): Unknown,
			&pgconn.ConnectError{Config: &pgconn.Config{}}: Unavailable,
		}},
		{SQLite{}, map[error]ErrorKind{}},
	}
	for _, tt := range tests {
		for err, want := range common {
			tt.cases[err] = want
		}
		for err, want := range tt.cases {
			if got := tt.d.Classify(err); got != want {
				t.Errorf("%s Classify(%v) = %v, want %v", tt.d.Name(), err, got, want)
			}
			if err == nil {
				continue
			}
			wrapped := fmt.Errorf("engine: create user: %w", err)
			if got := tt.d.Classify(wrapped); got != want {
				t.Errorf("%s Classify(wrapped %v) = %v, want %v", tt.d.Name(), err, got, want)
			}
		}
	}
}

// TestClassifyRefused dials a port nothing listens on with the real drivers.
func TestClassifyRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	for _, d := range []Dialect{MySQL{}, Postgres{}} {
		c := Connection{Host: "127.0.0.1", Port: port, Name: "x", User: "u", Password: "secret-pw"}
		if d.Name() == "postgres" {
			c.Properties = map[string]string{"sslmode": "disable"}
		}
		dsn, err := d.DSN(c)
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open(d.Driver(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
		if got := d.Classify(err); got != Unavailable {
			t.Errorf("%s: Classify(%v) = %v, want unavailable", d.Name(), err, got)
		}
		if err != nil && strings.Contains(err.Error(), "secret-pw") {
			t.Errorf("%s: driver error shows the password: %v", d.Name(), err)
		}
	}
	if got := (Postgres{}).Classify(fmt.Errorf("x: %w", context.DeadlineExceeded)); got != Timeout {
		t.Errorf("deadline = %v", got)
	}
}

func TestErrorKindString(t *testing.T) {
	if UniqueViolation.String() != "unique violation" || ErrorKind(99).String() != "ErrorKind(99)" {
		t.Error("ErrorKind.String")
	}
}

// TestDerivedTableAfterLineComment: a statement that ends in a line comment is
// closed on a line of its own, so the comment does not swallow the parenthesis;
// one without keeps its text as it was.
func TestDerivedTableAfterLineComment(t *testing.T) {
	for _, name := range []string{"sqlite", "mysql", "postgres", "sqlserver", "oracle"} {
		d, _ := Lookup(name)
		if got := d.DerivedTable("SELECT id FROM users -- every user", "t"); !strings.HasPrefix(got, "(SELECT id FROM users -- every user\n) ") {
			t.Errorf("%s: %q", name, got)
		}
		if got := d.DerivedTable("SELECT id FROM users", "t"); !strings.HasPrefix(got, "(SELECT id FROM users) ") {
			t.Errorf("%s: %q", name, got)
		}
	}
}
