package dialects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/msdsn"
	go_ora "github.com/sijms/go-ora/v2"
	"github.com/sijms/go-ora/v2/configurations"
	"github.com/sijms/go-ora/v2/network"
)

func TestSQLServerDSN(t *testing.T) {
	dsn, err := SQLServer{}.DSN(Connection{
		Host: "db.example", Port: 1433, Name: "okta demo", User: `CORP\scim`, Password: nastyPassword,
		Properties: map[string]string{"encrypt": "true", "trustServerCertificate": "true", "applicationName": "dbscim"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := msdsn.Parse(dsn)
	if err != nil {
		t.Fatalf("go-mssqldb cannot parse %s: %v", dsn, err)
	}
	if cfg.Host != "db.example" || cfg.Port != 1433 || cfg.Database != "okta demo" || cfg.User != `CORP\scim` ||
		cfg.Password != nastyPassword || cfg.AppName != "dbscim" || !cfg.TLSConfig.InsecureSkipVerify {
		t.Errorf("parsed %+v from %s", cfg, dsn)
	}
	dsn, err = SQLServer{}.DSN(Connection{Host: "db", Instance: "SQLEXPRESS", Name: "d"})
	if err != nil || dsn != "sqlserver://db/SQLEXPRESS?database=d" {
		t.Errorf("instance DSN = %q, %v", dsn, err)
	}
	if cfg, err := msdsn.Parse(dsn); err != nil || cfg.Instance != "SQLEXPRESS" {
		t.Errorf("instance = %q, %v", cfg.Instance, err)
	}
	_, err = SQLServer{}.DSN(Connection{Name: "d", Password: "s3cret", Properties: map[string]string{"encrypt": "sometimes"}})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("bad property: %v", err)
	}
}

func TestOracleDSN(t *testing.T) {
	dsn, err := Oracle{}.DSN(Connection{Host: "db.example", Name: "ignored", Service: "FREEPDB1", User: "okta",
		Password: nastyPassword, Properties: map[string]string{"SSL": "true", "PREFETCH_ROWS": "100"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := configurations.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("go-ora cannot parse %s: %v", dsn, err)
	}
	if cfg.ServiceName != "FREEPDB1" || cfg.UserID != "okta" || cfg.Password != nastyPassword || !cfg.SSL ||
		len(cfg.Servers) != 1 || cfg.Servers[0].Addr != "db.example" || cfg.Servers[0].Port != 1521 {
		t.Errorf("parsed %+v from %s", cfg, dsn)
	}
	dsn, err = Oracle{}.DSN(Connection{Host: "h", Port: 1522, SID: "ORCL", User: "u", Password: "p"})
	if err != nil || dsn != "oracle://u:p@h:1522/?SID=ORCL" {
		t.Errorf("SID DSN = %q, %v", dsn, err)
	}
	if cfg, err := configurations.ParseConfig(dsn); err != nil || cfg.SID != "ORCL" {
		t.Errorf("SID: %v", err)
	}
	dsn, err = Oracle{}.DSN(Connection{Host: "h", Name: "XE"})
	if err != nil || dsn != "oracle://h:1521/XE" {
		t.Errorf("name as service: %q, %v", dsn, err)
	}
	if _, err := (Oracle{}).DSN(Connection{Host: "h", Password: "s3cret"}); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("no service: %v", err)
	}
}

func TestSQLServerOracleCall(t *testing.T) {
	in, out, cur := In, Out, Cursor
	tests := []struct {
		d       Dialect
		name    string
		modes   []ParamMode
		routine Routine
		want    string
		err     string
	}{
		{SQLServer{}, "dbo.CREATE_USER", []ParamMode{in, in}, Procedure, "EXEC dbo.CREATE_USER @p1, @p2", ""},
		{SQLServer{}, "GET_USERS", nil, Procedure, "EXEC GET_USERS", ""},
		{SQLServer{}, "[Next Id]", []ParamMode{in, out}, Procedure, "EXEC [Next Id] @p1, @p2 OUTPUT", ""},
		{SQLServer{}, "dbo.users_like", []ParamMode{in}, Function, "SELECT * FROM dbo.users_like(@p1)", ""},
		{SQLServer{}, "p", []ParamMode{cur}, Procedure, "", "cursor parameters are not supported for sqlserver"},
		{SQLServer{}, "f", []ParamMode{out}, Function, "", "no OUTPUT parameters"},
		{SQLServer{}, "p x", nil, Procedure, "", "invalid routine name"},
		{Oracle{}, "okta.create_user", []ParamMode{in, in}, Procedure, "BEGIN okta.create_user(:1, :2); END;", ""},
		{Oracle{}, "get_users", []ParamMode{cur}, Procedure, "BEGIN get_users(:1); END;", ""},
		{Oracle{}, "pkg.next_id", []ParamMode{in, out}, Procedure, "BEGIN pkg.next_id(:1, :2); END;", ""},
		{Oracle{}, "refresh", nil, Procedure, "BEGIN refresh; END;", ""},
		{Oracle{}, "users_by_name", []ParamMode{cur, in}, Function, "BEGIN :1 := users_by_name(:2); END;", ""},
		{Oracle{}, "now_utc", []ParamMode{out}, Function, "BEGIN :1 := now_utc; END;", ""},
		{Oracle{}, "f", []ParamMode{in}, Function, "", "return value as the first parameter"},
		{Oracle{}, "p(1)", nil, Procedure, "", "invalid routine name"},
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
		if _, n, err := tt.d.Rewrite(got); err != nil || n != len(tt.modes) {
			t.Errorf("%s Rewrite(%q) = %d, %v", tt.d.Name(), got, n, err)
		}
	}
}

func TestSQLServerOracleBinding(t *testing.T) {
	ctx := context.Background()
	var id int64
	var name string
	when := time.Date(2024, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))

	r := &recorder{}
	_, _ = SQLServer{}.Exec(ctx, r, "EXEC p @p1, @p2 OUTPUT, @p3", []Arg{{Value: "x"}, {Mode: Out, Dest: &id}, {Value: when}})
	if len(r.args) != 3 || r.args[0] != "x" || r.args[2] != when.UTC() {
		t.Fatalf("sqlserver bound %#v", r.args)
	}
	if o, ok := r.args[1].(sql.Out); !ok || o.Dest != &id || o.In {
		t.Errorf("sqlserver Out bound as %#v", r.args[1])
	}
	if _, err := (SQLServer{}).Exec(ctx, r, "X", []Arg{{Mode: Out}}); err == nil {
		t.Error("sqlserver Out without Dest accepted")
	}
	if _, err := (SQLServer{}).Query(ctx, r, "X", []Arg{{Mode: Cursor}}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("sqlserver Cursor: %v", err)
	}

	// Oracle: Out as sql.Out{Dest}, Cursor as sql.Out{Dest: *go_ora.RefCursor}.
	r = &recorder{}
	_, _ = Oracle{}.Exec(ctx, r, "BEGIN p(:1, :2, :3); END;", []Arg{{Value: "x"}, {Mode: Out, Dest: &name}, {Mode: Out, Dest: &id}})
	if len(r.args) != 3 || r.args[0] != "x" {
		t.Fatalf("oracle bound %#v", r.args)
	}
	if o, ok := r.args[1].(sql.Out); !ok || o.Dest != &name {
		t.Errorf("oracle Out bound as %#v", r.args[1])
	}
	r = &recorder{}
	_, err := Oracle{}.Query(ctx, r, "BEGIN get_users(:1, :2); END;", []Arg{{Value: 7}, {Mode: Cursor}})
	if err == nil || err.Error() != "recorded" {
		t.Fatalf("oracle cursor query: %v", err)
	}
	if len(r.args) != 2 || r.args[0] != 7 {
		t.Fatalf("oracle cursor bound %#v", r.args)
	}
	if o, ok := r.args[1].(sql.Out); !ok {
		t.Errorf("oracle Cursor bound as %#v", r.args[1])
	} else if _, ok := o.Dest.(*go_ora.RefCursor); !ok {
		t.Errorf("oracle Cursor Dest is %T, want *go_ora.RefCursor", o.Dest)
	}
	// A cursor needs one session: a pool is refused before anything runs.
	db, err := sql.Open("oracle", "oracle://u:p@127.0.0.1:1/x")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, run := range []func() error{
		func() error { _, err := Oracle{}.Query(ctx, db, "X", []Arg{{Mode: Cursor}}); return err },
		func() error { _, err := Oracle{}.Exec(ctx, db, "X", []Arg{{Mode: Cursor}}); return err },
	} {
		if err := run(); err == nil || !strings.Contains(err.Error(), "not a pool") {
			t.Errorf("cursor on a pool: %v", err)
		}
	}
	if _, err := (Oracle{}).Query(ctx, r, "X", []Arg{{Mode: Cursor}, {Mode: Cursor}}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("two cursors: %v", err)
	}
}

func TestSQLServerOracleFragments(t *testing.T) {
	s, o := SQLServer{}, Oracle{}
	checks := []struct{ got, want string }{
		{s.Placeholder(2), "@p2"},
		{s.Quote("a]b"), "[a]]b]"},
		{s.DerivedTable("SELECT 1 AS x", "t"), "(SELECT 1 AS x) AS t"},
		{s.Fold("x"), "LOWER(x)"},
		{s.Text("x"), "CAST(x AS NVARCHAR(4000)) COLLATE Latin1_General_BIN2"},
		{s.Like("x", "@p1"), `x LIKE REPLACE(@p1, '[', '\[') ESCAPE '\'`},
		{s.Limit("@p1", "@p2"), "OFFSET @p2 ROWS FETCH NEXT @p1 ROWS ONLY"},
		{s.Limit("@p1", ""), "OFFSET 0 ROWS FETCH NEXT @p1 ROWS ONLY"},
		{s.Limit("", "@p2"), "OFFSET @p2 ROWS"},
		{s.Limit("", ""), ""},
		{o.Placeholder(2), ":2"},
		{o.Quote(`a"b`), `"a""b"`},
		{o.DerivedTable("SELECT 1 FROM dual", "t"), "(SELECT 1 FROM dual) t"},
		{o.Text("x"), "CAST(x AS VARCHAR2(4000))"},
		{o.Like("x", ":1"), `x LIKE :1 ESCAPE '\'`},
		{o.Limit(":1", ":2"), "OFFSET :2 ROWS FETCH NEXT :1 ROWS ONLY"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("%d: %q, want %q", i, c.got, c.want)
		}
	}
	if s.LastInsertID() || o.LastInsertID() {
		t.Error("LastInsertID should be false")
	}
	for _, d := range []Dialect{s, o} {
		p := d.Placeholder(1)
		if _, n, err := d.Rewrite("SELECT x FROM " + d.DerivedTable("SELECT x FROM t", "t") + " WHERE " + d.Like("x", p) + " ORDER BY x " + d.Limit(d.Placeholder(2), d.Placeholder(3))); err != nil || n != 3 {
			t.Errorf("%s: fragments scan to %d, %v", d.Name(), n, err)
		}
	}
}

func TestSQLServerOracleClassify(t *testing.T) {
	ms := func(n int32, msg string) error { return mssql.Error{Number: n, Message: msg} }
	ora := func(code int) error { return &network.OracleError{ErrCode: code} }
	tests := []struct {
		d    Dialect
		err  error
		want ErrorKind
	}{
		{SQLServer{}, ms(2627, "Violation of UNIQUE KEY constraint"), UniqueViolation},
		{SQLServer{}, ms(2601, "Cannot insert duplicate key row"), UniqueViolation},
		{SQLServer{}, &mssql.Error{Number: 2627}, UniqueViolation},
		{SQLServer{}, ms(547, `The INSERT statement conflicted with the FOREIGN KEY constraint "FK_x".`), ForeignKeyViolation},
		{SQLServer{}, ms(547, `The DELETE statement conflicted with the REFERENCE constraint "FK_x".`), ForeignKeyViolation},
		{SQLServer{}, ms(547, `The INSERT statement conflicted with the CHECK constraint "CK_age".`), CheckViolation},
		{SQLServer{}, ms(515, "Cannot insert the value NULL"), NotNullViolation},
		{SQLServer{}, ms(1205, "deadlock victim"), Conflict},
		{SQLServer{}, ms(8152, ""), InvalidValue},
		{SQLServer{}, ms(2628, ""), InvalidValue},
		{SQLServer{}, ms(245, ""), InvalidValue},
		{SQLServer{}, ms(8114, ""), InvalidValue},
		{SQLServer{}, ms(18456, "Login failed"), Unavailable},
		{SQLServer{}, ms(208, "Invalid object name"), Unknown},
		{SQLServer{}, mssql.StreamError{InnerError: errors.New("bad")}, Unavailable},
		{SQLServer{}, context.DeadlineExceeded, Timeout},
		{Oracle{}, ora(1), UniqueViolation},
		{Oracle{}, ora(2291), ForeignKeyViolation},
		{Oracle{}, ora(2292), ForeignKeyViolation},
		{Oracle{}, ora(1400), NotNullViolation},
		{Oracle{}, ora(2290), CheckViolation},
		{Oracle{}, ora(1722), InvalidValue},
		{Oracle{}, ora(1438), InvalidValue},
		{Oracle{}, ora(12899), InvalidValue},
		{Oracle{}, ora(1861), InvalidValue},
		{Oracle{}, ora(60), Conflict},
		{Oracle{}, ora(1013), Timeout},
		{Oracle{}, ora(3113), Unavailable},
		{Oracle{}, ora(3114), Unavailable},
		{Oracle{}, ora(12541), Unavailable},
		{Oracle{}, ora(12514), Unavailable},
		{Oracle{}, ora(942), Unknown},
		{Oracle{}, context.Canceled, Timeout},
	}
	for _, tt := range tests {
		for _, err := range []error{tt.err, fmt.Errorf("engine: %w", tt.err)} {
			if got := tt.d.Classify(err); got != tt.want {
				t.Errorf("%s Classify(%v) = %v, want %v", tt.d.Name(), err, got, tt.want)
			}
		}
	}
}

// TestSQLServerOracleRefused dials a port nothing listens on with the real drivers.
func TestSQLServerOracleRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	for _, d := range []Dialect{SQLServer{}, Oracle{}} {
		c := Connection{Host: "127.0.0.1", Port: port, Name: "x", User: "u", Password: "secret-pw"}
		if d.Name() == "sqlserver" {
			c.Properties = map[string]string{"encrypt": "disable"}
		}
		dsn, err := d.DSN(c)
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open(d.Driver(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
}
