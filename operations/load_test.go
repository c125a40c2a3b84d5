package operations

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// mapEnv is an environment for Parse made of a map, so that tests do not depend on
// the process environment.
func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// parse parses an inline configuration as if it were testdata/inline.yaml, so that its
// relative paths resolve inside testdata/.
func parse(t *testing.T, src string, env map[string]string) (*Config, ErrorList) {
	t.Helper()
	cfg, err := Parse("testdata/inline.yaml", []byte(src), mapEnv(env))
	if err == nil {
		if cfg == nil {
			t.Fatal("Parse returned neither a Config nor an error")
		}
		return cfg, nil
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse returned %T, want ErrorList: %v", err, err)
	}
	if cfg != nil {
		t.Error("Parse returned a Config with errors")
	}
	return nil, list
}

// messages are the errors without the file name, "line:col: message".
func messages(list ErrorList) []string {
	var out []string
	for _, e := range list {
		out = append(out, strings.TrimPrefix(e.Error(), e.Pos.File+":"))
	}
	return out
}

func mustParse(t *testing.T, src string, env map[string]string) *Config {
	t.Helper()
	cfg, errs := parse(t, src, env)
	if errs != nil {
		t.Fatalf("unexpected errors:\n%v", errs)
	}
	return cfg
}

const testToken = "tok-0123456789abcdef"

// minimal is the smallest valid configuration on SQLite. Tests change one part of it.
const minimal = `version: 1
targets:
  demo:
    auth: {bearer: ` + testToken + `}
    database: {dialect: sqlite, name: ":memory:"}
    users:
      id: id
      attributes: {userName: user_name, name.givenName: given_name}
      operations:
        list: {sql: SELECT * FROM users}
        get: {sql: "SELECT * FROM users WHERE id = ?", params: [id]}
`

func TestValidFiles(t *testing.T) {
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"QUICKSTART_TOKEN": "quickstart-token-0123456789",
		"BASIC_PASSWORD":   "basic-password",
		"PG_PASSWORD":      "pg-password",
		"PG_DSN":           "postgres://scim@db/people",
	}
	tests := []struct {
		file  string
		check func(t *testing.T, cfg *Config)
	}{
		{"sqlite.yaml", func(t *testing.T, cfg *Config) {
			want := Server{
				Listen:             "127.0.0.1:9443",
				TLS:                TLS{Mode: "off", Pos: Position{"testdata/sqlite.yaml", 4, 8}},
				DataDir:            filepath.Join(testdata, "data"),
				Hostnames:          []string{"localhost"},
				MaxBodyBytes:       1 << 20,
				RequestTimeout:     30 * time.Second,
				BodyTimeout:        5 * time.Second,
				MaxPatchOperations: 1000,
				MaxResults:         1000,
				Pos:                Position{"testdata/sqlite.yaml", 2, 1},
			}
			if !reflect.DeepEqual(cfg.Server, want) {
				t.Errorf("Server = %+v\nwant %+v", cfg.Server, want)
			}
			tg := cfg.Target("quickstart")
			if tg == nil {
				t.Fatal("no target quickstart")
			}
			db := tg.Database
			if db.Dialect.Name() != "sqlite" || db.Connection.Name != filepath.Join(testdata, "quickstart.db") ||
				db.Init != filepath.Join(testdata, "schema.sql") || db.MaxOpen != 1 || db.MaxIdle != 1 || db.ConnMaxLifetime != DefaultConnMaxLifetime {
				t.Errorf("Database = %+v", db)
			}
			if got := tg.Auth.Bearer; !reflect.DeepEqual(got, []string{env["QUICKSTART_TOKEN"]}) {
				t.Errorf("Bearer = %q", got)
			}
			active := tg.Users.Attributes[4]
			if active.Path != "active" || active.Type != "boolean" ||
				!reflect.DeepEqual(active.Values, []CodedValue{{Value: true, Stored: []any{1}, Write: 1}, {Value: false, Stored: []any{0}, Write: 0}}) {
				t.Errorf("active mapping = %+v", active)
			}
			ops := tg.Users.Operations
			// The ? in the string literal and in the comment are not placeholders.
			if ops[List].Text != ops[List].Source || len(ops[List].Params) != 0 {
				t.Errorf("list = %+v", ops[List])
			}
			create := ops[Create]
			wantParams := []Param{
				{Kind: Generated, Generator: "uuid"},
				{Kind: Field, Name: "user_name"},
				{Kind: Field, Name: "given_name"}, // written GIVEN_NAME: the declared spelling is kept
				{Kind: Field, Name: "family_name"},
				{Kind: Field, Name: "email"},
				{Kind: Field, Name: "active"},
				{Kind: Generated, Generator: "now"},
				{Kind: Literal, Value: "scim"},
			}
			if len(create.Params) != len(wantParams) {
				t.Fatalf("create params = %+v", create.Params)
			}
			for i, p := range create.Params {
				p.Pos = Position{}
				if !reflect.DeepEqual(p, wantParams[i]) {
					t.Errorf("create param %d = %+v, want %+v", i+1, p, wantParams[i])
				}
			}
			if create.Pos != (Position{"testdata/sqlite.yaml", 30, 9}) || create.Params[0].Pos != (Position{"testdata/sqlite.yaml", 34, 20}) {
				t.Errorf("create at %v, first param at %v", create.Pos, create.Params[0].Pos)
			}
			if ops[Delete] == nil || ops[Delete].Name != "delete" {
				t.Errorf("delete = %+v", ops[Delete])
			}
		}},
		{"mysql.yaml", func(t *testing.T, cfg *Config) {
			s := cfg.Server
			if s.TLS.Mode != "files" || s.TLS.Cert != filepath.Join(testdata, "tls/server.crt") || s.TLS.Key != filepath.Join(testdata, "tls/server.key") ||
				s.DataDir != "/var/lib/dbscim" || s.MaxBodyBytes != 2097152 || s.RequestTimeout != 10*time.Second || s.MaxResults != 200 ||
				!reflect.DeepEqual(s.Hostnames, []string{"scim.example.com", "10.0.0.5"}) {
				t.Errorf("Server = %+v", s)
			}
			tg := cfg.Targets[0]
			if got, want := tg.Auth.Bearer, []string{"${not-a-variable}-but-a-long-token", "fallback-token-0123456789"}; !reflect.DeepEqual(got, want) {
				t.Errorf("Bearer = %q, want %q", got, want)
			}
			c := tg.Database.Connection
			wantConn := dialects.Connection{Host: "127.0.0.1", Port: 3306, Name: "oktademo", User: "oktademo", Password: "db-secret-from-file",
				Properties: map[string]string{"allowMultiQueries": "true", "timeout": "5s", "maxAllowedPacket": "0"}}
			if !reflect.DeepEqual(c, wantConn) {
				t.Errorf("Connection = %+v\nwant %+v", c, wantConn)
			}
			if tg.Database.Dialect.Name() != "mysql" || tg.Database.MaxOpen != 20 || tg.Database.MaxIdle != 5 {
				t.Errorf("Database = %+v", tg.Database)
			}
			ops := tg.Users.Operations
			for _, tc := range []struct {
				op      *Operation
				routine string
				n       int
			}{
				{ops[List], "GET_ACTIVEUSERS", 0},
				{ops[Get], "GET_USER_BY_ID", 1},
				{ops[Create], "CREATE_USER", 5},
				{ops[Activate], "oktademo.ACTIVATE_USER", 1},
				{ops[Deactivate], "DEACTIVATE_USER", 1},
				{ops[Delete], "DELETE_USER", 1},
			} {
				want, err := dialects.MySQL{}.Call(tc.routine, make([]dialects.ParamMode, tc.n), dialects.Procedure)
				if err != nil {
					t.Fatal(err)
				}
				if tc.op.Kind != Call || tc.op.Routine != tc.routine || tc.op.RoutineKind != dialects.Procedure || tc.op.Text != want || len(tc.op.Params) != tc.n {
					t.Errorf("%s = %+v, want routine %s, text %q", tc.op.Name, tc.op, tc.routine, want)
				}
			}
			if ops[Update].Kind != SQL || ops[Update].Params[2].Name != "USER_ID" {
				t.Errorf("update = %+v", ops[Update])
			}
			second := cfg.Target("second")
			if second.Auth.BasicUser != "okta" || second.Auth.BasicPassword != env["BASIC_PASSWORD"] {
				t.Errorf("second auth = %+v", second.Auth)
			}
			if second.Database.Connection.DSN != "oktademo:dsn-secret@tcp(127.0.0.1:3306)/oktademo" || second.Database.Connection.Port != 0 {
				t.Errorf("second connection = %+v", second.Database.Connection)
			}
		}},
		{"postgres.yaml", func(t *testing.T, cfg *Config) {
			if cfg.Server.Listen != DefaultListen || cfg.Server.TLS.Mode != "auto" {
				t.Errorf("Server = %+v", cfg.Server)
			}
			hr := cfg.Target("hr")
			if hr.Auth.HeaderName != "X-Api-Key" || hr.Auth.HeaderValue != "api-key-from-file-0123456789" {
				t.Errorf("hr auth = %+v", hr.Auth)
			}
			if c := hr.Database.Connection; c.Port != 5432 || c.Password != "pg-password" || c.Properties["sslmode"] != "require" {
				t.Errorf("hr connection = %+v", c)
			}
			pg := dialects.Postgres{}
			ops := hr.Users.Operations
			list, _ := pg.Call("scim.list_users", nil, dialects.Function)
			get, _ := pg.Call("scim.get_user", []dialects.ParamMode{dialects.In}, dialects.Function)
			create, _ := pg.Call("scim.create_user", []dialects.ParamMode{dialects.In, dialects.In, dialects.In, dialects.Out}, dialects.Procedure)
			for _, tc := range []struct {
				op   *Operation
				kind dialects.Routine
				text string
			}{{ops[List], dialects.Function, list}, {ops[Get], dialects.Function, get}, {ops[Create], dialects.Procedure, create}} {
				if tc.op.Kind != Call || tc.op.RoutineKind != tc.kind || tc.op.Text != tc.text {
					t.Errorf("%s = %+v, want %q", tc.op.Name, tc.op, tc.text)
				}
			}
			if p := ops[Create].Params; p[2].Kind != Literal || p[2].Value != true || p[3].Kind != OutParam || p[3].Name != "employee_id" {
				t.Errorf("create params = %+v", p)
			}
			if got := ops[Create].Modes(); !reflect.DeepEqual(got, []dialects.ParamMode{dialects.In, dialects.In, dialects.In, dialects.Out}) {
				t.Errorf("create modes = %v", got)
			}
			// Native placeholders count; the ? and $3 inside the string literal do not.
			if want, _, _ := pg.Rewrite(ops[Update].Source); ops[Update].Text != want || len(ops[Update].Params) != 2 {
				t.Errorf("update = %+v", ops[Update])
			}
			if p := ops[Deactivate].Params; p[0].Value != false || p[1].Kind != Literal || p[1].Value != nil {
				t.Errorf("deactivate params = %+v", p)
			}
			ro := cfg.Target("readonly")
			if !ro.Auth.None || ro.Database.Connection.DSN != env["PG_DSN"] {
				t.Errorf("readonly = %+v", ro)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(path, data, mapEnv(env))
			if err != nil {
				t.Fatalf("Parse:\n%v", err)
			}
			if cfg.Version != 1 {
				t.Errorf("Version = %d", cfg.Version)
			}
			tc.check(t, cfg)
		})
	}
}

// TestInvalidGolden pins every message of a file with many problems. Regenerate with
// go test ./operations -run TestInvalidGolden -update, and review the diff.
func TestInvalidGolden(t *testing.T) {
	const path = "testdata/invalid.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(path, data, mapEnv(nil))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse = %v, want an ErrorList", err)
	}
	// The list of dialects grows with the dialects package; the golden file should not.
	got := strings.ReplaceAll(err.Error()+"\n", strings.Join(dialects.Names(), ", "), "$DIALECTS")
	golden := "testdata/invalid.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("errors differ from %s (run with -update to accept):\n%s", golden, diffLines(string(want), got))
	}
	for _, e := range list {
		if strings.Contains(e.Msg, "SECRET") {
			t.Errorf("message echoes a secret: %s", e)
		}
	}
	for i := 1; i < len(list); i++ {
		a, b := list[i-1].Pos, list[i].Pos
		if a.Line > b.Line || a.Line == b.Line && a.Column > b.Column {
			t.Errorf("errors not sorted: %v before %v", a, b)
		}
	}
}

// diffLines lists the lines only in want (-) and only in got (+).
func diffLines(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dbscim.yaml")
	if err := os.WriteFile(path, []byte(strings.Replace(minimal, `":memory:"`, "users.db", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Targets[0].Database.Connection.Name; got != filepath.Join(dir, "users.db") {
		t.Errorf("sqlite file = %q, want it next to the config", got)
	}
	if cfg.Server.DataDir != filepath.Join(dir, "data") {
		t.Errorf("DataDir = %q", cfg.Server.DataDir)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
}

func TestDefaults(t *testing.T) {
	cfg := mustParse(t, minimal, nil)
	abs, _ := filepath.Abs("testdata")
	s := cfg.Server
	if s.Listen != "127.0.0.1:8443" || s.TLS.Mode != "auto" || s.DataDir != filepath.Join(abs, "data") ||
		s.MaxBodyBytes != 1<<20 || s.RequestTimeout != 30*time.Second || s.MaxResults != 1000 ||
		s.BodyTimeout != 5*time.Second || s.MaxPatchOperations != 1000 {
		t.Errorf("Server = %+v", s)
	}
	if s := mustParse(t, minimal+"server: {body_timeout: 2s, max_patch_operations: 50}\n", nil).Server; s.BodyTimeout != 2*time.Second || s.MaxPatchOperations != 50 {
		t.Errorf("body_timeout = %v, max_patch_operations = %d; want 2s and 50", s.BodyTimeout, s.MaxPatchOperations)
	}
	db := cfg.Targets[0].Database
	if db.MaxOpen != 10 || db.MaxIdle != 10 || db.ConnMaxLifetime != 30*time.Minute || db.MaxQueue != 40 {
		t.Errorf("pool = %d/%d/%v/%d", db.MaxOpen, db.MaxIdle, db.ConnMaxLifetime, db.MaxQueue)
	}
	if s.AuditFile != "" || cfg.Targets[0].RequestTimeout != 30*time.Second {
		t.Errorf("audit_file = %q, target request_timeout = %v; want none and the server's", s.AuditFile, cfg.Targets[0].RequestTimeout)
	}
	if got := mustParse(t, minimal+"server: {request_timeout: 12s}\n", nil).Targets[0].RequestTimeout; got != 12*time.Second {
		t.Errorf("target request_timeout = %v, want the server's 12s", got)
	}
	set := mustParse(t, strings.Replace(minimal, `name: ":memory:"}`, `name: ":memory:", max_open: 3, max_queue: 0}`, 1)+
		"    request_timeout: 5s\nserver: {audit_file: audit.log}\n", nil)
	if db := set.Targets[0].Database; db.MaxOpen != 3 || db.MaxQueue != 0 {
		t.Errorf("max_open/max_queue = %d/%d, want 3/0", db.MaxOpen, db.MaxQueue)
	}
	if set.Targets[0].RequestTimeout != 5*time.Second || set.Server.AuditFile != filepath.Join(abs, "audit.log") {
		t.Errorf("request_timeout = %v, audit_file = %q", set.Targets[0].RequestTimeout, set.Server.AuditFile)
	}
	if d := mustParse(t, strings.Replace(minimal, `name: ":memory:"}`, `name: ":memory:", max_open: 3}`, 1), nil).Targets[0].Database; d.MaxQueue != 12 {
		t.Errorf("max_queue = %d, want 4 x max_open = 12", d.MaxQueue)
	}
	if db.Connection.Name != ":memory:" {
		t.Errorf("sqlite name = %q, want :memory: kept", db.Connection.Name)
	}
	ops := cfg.Targets[0].Users.Operations
	if ops[Create] != nil || ops[Update] != nil || ops[Delete] != nil {
		t.Errorf("undeclared operations are not nil: %+v", ops)
	}

	for _, tc := range []struct {
		dialect, extra string
		port           int
	}{
		{"mysql", "", 3306},
		{"mariadb", "", 3306},
		{"postgres", "", 5432},
		{"postgresql", "port: 6432", 6432},
		{"sqlserver", "", 1433},
		{"mssql", "instance: SQLEXPRESS", 0}, // the SQL Browser service tells the port
		{"sqlserver", "instance: SQLEXPRESS, port: 1500", 1500},
		{"oracle", "service: XEPDB1", 1521},
		{"oracle", "sid: XE", 1521},
	} {
		src := strings.Replace(minimal, `{dialect: sqlite, name: ":memory:"}`,
			fmt.Sprintf("{dialect: %s, host: db, name: app, user: scim, %s}", tc.dialect, tc.extra), 1)
		cfg := mustParse(t, src, nil)
		if got := cfg.Targets[0].Database.Connection.Port; got != tc.port {
			t.Errorf("%s: port = %d, want %d", tc.dialect, got, tc.port)
		}
	}
}

func TestInterpolate(t *testing.T) {
	env := mapEnv(map[string]string{"A": "alpha", "EMPTY": "", "B_2": "b"})
	tests := []struct {
		in, want string
		errs     int
	}{
		{"plain", "plain", 0},
		{"${A}", "alpha", 0},
		{"x-${A}-${B_2}-y", "x-alpha-b-y", 0},
		{"${MISSING:-fallback}", "fallback", 0},
		{"${MISSING:-}", "", 0},
		{"${EMPTY:-d}", "d", 0},
		{"${EMPTY}", "", 0},
		{"${A:-d}", "alpha", 0},
		{"$${A}", "${A}", 0},
		{"a$${A}b${A}", "a${A}balpha", 0},
		{"$A $ {A} $$", "$A $ {A} $$", 0},
		{"${MISSING}", "", 1},
		{"${MISSING} ${OTHER}", " ", 2},
		{"${A", "", 1},
		{"${1A}", "", 1},
		{"${}", "", 1},
		{"${A B}", "", 1},
	}
	for _, tc := range tests {
		got, errs := interpolate(tc.in, env)
		if len(errs) != tc.errs || tc.errs == 0 && got != tc.want {
			t.Errorf("interpolate(%q) = %q, %q; want %q with %d errors", tc.in, got, errs, tc.want, tc.errs)
		}
	}
}

func TestEnvironment(t *testing.T) {
	src := `version: ${VERSION:-1}
server:
  listen: ${LISTEN}
  max_results: ${MAX}
targets:
  demo:
    auth: {bearer: "${TOKEN}"}
    database: {dialect: "${DIALECT}", name: ":memory:", max_open: "${MAX_OPEN:-3}"}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {sql: "SELECT * FROM users WHERE kind = ?", params: [{literal: "${KIND}"}]}
        get:
          sql: "SELECT * FROM users WHERE id = ? AND n = ?"
          params:
            - id
            - literal: ${N}
`
	env := map[string]string{"LISTEN": ":9000", "MAX": "50", "TOKEN": testToken, "DIALECT": "sqlite", "KIND": "42", "N": "7"}
	cfg := mustParse(t, src, env)
	tg := cfg.Targets[0]
	if cfg.Server.Listen != ":9000" || cfg.Server.MaxResults != 50 || tg.Auth.Bearer[0] != testToken || tg.Database.MaxOpen != 3 {
		t.Errorf("interpolated values not applied: %+v %+v", cfg.Server, tg)
	}
	// A quoted scalar stays a string; a plain one is typed by what it expands to.
	if v := tg.Users.Operations[List].Params[0].Value; v != "42" {
		t.Errorf("quoted literal = %#v, want \"42\"", v)
	}
	if v := tg.Users.Operations[Get].Params[1].Value; v != 7 {
		t.Errorf("plain literal = %#v, want 7", v)
	}

	delete(env, "TOKEN")
	delete(env, "N")
	_, errs := parse(t, src, env)
	want := []string{
		`7:20: bearer: environment variable TOKEN is not set (set it, or write ${TOKEN:-default})`,
		`18:24: literal: environment variable N is not set (set it, or write ${N:-default})`,
	}
	if got := messages(errs); !reflect.DeepEqual(got, want) {
		t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSecretFiles(t *testing.T) {
	src := `version: 1
targets:
  a:
    auth: {bearer_file: secrets/tokens}
    database: {dialect: mysql, host: db, name: app, user: scim, password_file: secrets/db_password}
    users: {id: id, attributes: {userName: u}, operations: {list: {sql: SELECT 1}, get: {sql: "SELECT ?", params: [id]}}}
  b:
    auth: {basic: {user: okta, password_file: secrets/db_password}}
    database: {dialect: mysql, dsn_file: secrets/dsn}
    users: {id: id, attributes: {userName: u}, operations: {list: {sql: SELECT 1}, get: {sql: "SELECT ?", params: [id]}}}
  c:
    auth: {header: {name: X-Api-Key, value_file: secrets/api_key}}
    database: {dialect: sqlite, name: ":memory:"}
    users: {id: id, attributes: {userName: u}, operations: {list: {sql: SELECT 1}, get: {sql: "SELECT ?", params: [id]}}}
`
	cfg := mustParse(t, src, nil)
	a, b, c := cfg.Targets[0], cfg.Targets[1], cfg.Targets[2]
	if want := []string{"first-token-0123456789abcdef", "second-token-0123456789abcdef"}; !reflect.DeepEqual(a.Auth.Bearer, want) {
		t.Errorf("bearer_file = %q, want %q", a.Auth.Bearer, want)
	}
	if a.Database.Connection.Password != "db-secret-from-file" {
		t.Errorf("password_file = %q (the trailing newline must go)", a.Database.Connection.Password)
	}
	if b.Auth.BasicPassword != "db-secret-from-file" || b.Database.Connection.DSN != "oktademo:dsn-secret@tcp(127.0.0.1:3306)/oktademo" {
		t.Errorf("b = %+v", b)
	}
	if c.Auth.HeaderValue != "api-key-from-file-0123456789" {
		t.Errorf("value_file = %q (a trailing CRLF must go)", c.Auth.HeaderValue)
	}

	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src = strings.Replace(src, "password_file: secrets/db_password}", "password_file: secrets/missing}", 1)
	src = strings.Replace(src, "dsn_file: secrets/dsn", "dsn_file: "+empty, 1)
	_, errs := parse(t, src, nil)
	want := []string{
		`5:80: password_file: cannot read "secrets/missing" (relative to the config file's folder): no such file or directory`,
		`9:42: dsn_file: "` + empty + `" is empty`,
	}
	if got := messages(errs); !reflect.DeepEqual(got, want) {
		t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestNoSecretInMessages feeds secrets to every secret-valued field in ways that are
// wrong, and checks that no message quotes them.
func TestNoSecretInMessages(t *testing.T) {
	const secret = "s3cr3t-VALUE"
	env := map[string]string{"SECRET": secret}
	cases := []string{
		// Too short, with spaces, three of them, of the wrong kind.
		`auth: {bearer: s3cr3t-VALUE}`,
		`auth: {bearer: "${SECRET} ${SECRET}"}`,
		`auth: {bearer: [s3cr3t-VALUE-0001, s3cr3t-VALUE-0002, s3cr3t-VALUE-0003]}`,
		`auth: {bearer: {s3cr3t: s3cr3t-VALUE}}`,
		`auth: {basic: {user: u, password: s3cr3t-VALUE, password_file: x}}`,
		`auth: {basic: {password: "${SECRET}"}, header: {name: "${SECRET}", value: s3cr3t-VALUE}}`,
		`auth: {bearer: "${SECRET:-x}${UNSET}${s3cr3t-VALUE}"}`,
		`auth: {bearer: "s3cr3t-VALUE${"}`,
		`database: {dialect: mysql, dsn: s3cr3t-VALUE, host: db, password: s3cr3t-VALUE}`,
		`database: {dialect: mysql, dsn: "${SECRET}", dsn_file: secrets/dsn}`,
		`database: {dialect: mysql, host: db, name: x, user: u, password: [s3cr3t-VALUE]}`,
		`database: {dialect: postgres, host: "db", name: x, user: u, password: s3cr3t-VALUE, properties: {sslmode: s3cr3t-VALUE, connect_timeout: s3cr3t-VALUE}}`,
		`database: {dialect: mysql, host: "db", name: x, user: u, password: s3cr3t-VALUE, properties: {timeout: s3cr3t-VALUE, x: [s3cr3t-VALUE]}}`,
		`database: {dialect: sqlite, name: ":memory:", password: s3cr3t-VALUE}`,
	}
	for _, c := range cases {
		key := strings.SplitN(c, ":", 2)[0]
		src := minimal
		switch key {
		case "auth":
			src = strings.Replace(src, "auth: {bearer: "+testToken+"}", c, 1)
		case "database":
			src = strings.Replace(src, `database: {dialect: sqlite, name: ":memory:"}`, c, 1)
		}
		_, errs := parse(t, src, env)
		if errs == nil {
			t.Errorf("%s: no error", c)
			continue
		}
		for _, e := range errs {
			if strings.Contains(e.Error(), secret) || strings.Contains(e.Error(), "s3cr3t") {
				t.Errorf("%s: message quotes the secret: %s", c, e)
			}
		}
	}
}

func TestTooManyTargets(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\ntargets:\n")
	for i := 1; i <= MaxTargets+2; i++ {
		fmt.Fprintf(&b, `  t%d:
    auth: {none: true}
    database: {dialect: sqlite, name: ":memory:"}
    users: {id: id, attributes: {userName: u}, operations: {list: {sql: SELECT 1}, get: {sql: "SELECT ?", params: [id]}}}
`, i)
	}
	_, errs := parse(t, b.String(), nil)
	want := []string{fmt.Sprintf("%d:3: too many targets: at most 8 per configuration (run another dbscim for more)", 3+4*MaxTargets)}
	if got := messages(errs); !reflect.DeepEqual(got, want) {
		t.Errorf("errors = %q, want %q", got, want)
	}

	// Eight is fine.
	src := b.String()
	src = src[:strings.Index(src, fmt.Sprintf("  t%d:", MaxTargets+1))]
	if cfg := mustParse(t, src, nil); len(cfg.Targets) != MaxTargets {
		t.Errorf("%d targets", len(cfg.Targets))
	}
}

func TestErrors(t *testing.T) {
	// replace swaps one part of minimal for another.
	replace := func(old, new string) string {
		if !strings.Contains(minimal, old) {
			panic("minimal has no " + old)
		}
		return strings.Replace(minimal, old, new, 1)
	}
	const (
		ops     = "        list: {sql: SELECT * FROM users}\n"
		getLine = `        get: {sql: "SELECT * FROM users WHERE id = ?", params: [id]}` + "\n"
	)
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"empty file", "", []string{"1:1: the file is empty (expected a configuration starting with version: 1)"}},
		{"comments only", "# nothing\n", []string{"1:1: the file is empty (expected a configuration starting with version: 1)"}},
		{"not a mapping", "- version: 1\n", []string{"1:1: the configuration: expected a mapping with version, server and targets, got a list"}},
		{"no version", "targets: {}\n", []string{
			"1:1: missing version: the file must start with version: 1",
			"1:1: targets: expected at least one target",
		}},
		{"version 2 stops", "version: 2\ntargets: nonsense\n", []string{"1:10: unsupported version 2: this dbscim reads version 1"}},
		{"version text", "version: one\n" + minimal[len("version: 1\n"):], []string{`1:10: version: expected 1, got "one"`}},
		{"two documents", minimal + "---\nversion: 1\n", []string{"12:1: expected one YAML document, found a second one (remove the ---)"}},
		{"syntax", "version: 1\ntargets:\n  a: [\n", []string{"3:1: invalid YAML: did not find expected node content"}},
		{"unquoted ? in flow", replace(getLine, "        get: {call: GET_USER_BY_ID(?), params: [id]}\n"),
			[]string{`11:36: invalid YAML: did not find expected ',' or '}' (inside { } or [ ], quote a value that contains ?: write {call: "GET_USER_BY_ID(?)"} or {bearer: "${TOKEN}"})`}},
		{"unknown top key", minimal + "logging: {level: debug}\n", []string{
			`12:1: unknown key "logging" in the configuration (expected one of: version, server, targets)`}},
		{"duplicate key", minimal + "version: 1\n", []string{`12:1: duplicate key "version" in the configuration (first at line 1)`}},
		{"targets list", "version: 1\ntargets: [a, b]\n", []string{"2:10: targets: expected a mapping of target name to target, got a list"}},
		{"server scalar", minimal + "server: fast\n", []string{"12:9: server: expected a mapping with keys listen, tls, data_dir, hostnames, max_body_bytes, request_timeout, body_timeout, max_patch_operations, max_results, audit_file, got a string"}},
		{"tls files", minimal + "server: {tls: {cert: tls/server.crt, key: tls/nope.key, ca: x}}\n", []string{
			`12:43: tls.key: cannot read "tls/nope.key" (relative to the config file's folder): no such file or directory`,
			`12:57: unknown key "ca" in tls (expected one of: cert, key)`,
		}},
		{"tls half", minimal + "server:\n  tls: {cert: tls/server.crt}\n", []string{
			"13:3: tls: missing key (the PEM file of the server's private key)"}},
		{"reserved names", replace("  demo:\n", "  me:\n"), []string{
			`3:3: target name "me" is a SCIM endpoint name (users, groups, serviceproviderconfig, resourcetypes, schemas, bulk, me, .search are reserved)`}},
		{"reserved, other case", replace("  demo:\n", "  ServiceProviderConfig:\n"), []string{
			`3:3: target name "ServiceProviderConfig" is a SCIM endpoint name (users, groups, serviceproviderconfig, resourcetypes, schemas, bulk, me, .search are reserved)`}},
		{"long name", replace("  demo:\n", "  "+strings.Repeat("a", 64)+":\n"), []string{
			`3:3: target name "` + strings.Repeat("a", 64) + `": expected 1 to 63 lower-case letters, digits, _ or -, starting with a letter or digit (it is part of the URL)`}},
		{"no auth", replace("    auth: {bearer: "+testToken+"}\n", ""), []string{
			`3:3: target "demo": missing auth (one of bearer, basic, header, or none: true to serve without authentication)`}},
		{"empty auth", replace("auth: {bearer: "+testToken+"}", "auth: {}"), []string{
			"4:5: auth: expected one of bearer, basic, header, or none: true to serve without authentication"}},
		{"auth unknown", replace("auth: {bearer: "+testToken+"}", "auth: {token: abc}"), []string{
			"4:5: auth: expected one of bearer, basic, header, or none: true to serve without authentication",
			`4:12: unknown key "token" in auth (expected one of: bearer, bearer_file, basic, header, none)`,
		}},
		{"bearer rotation", replace("auth: {bearer: "+testToken+"}", "auth: {bearer: []}"), []string{
			"4:20: bearer: expected a token or a list of one or two tokens, got an empty list"}},
		{"basic incomplete", replace("auth: {bearer: "+testToken+"}", "auth: {basic: {}}"), []string{
			"4:12: auth.basic: missing user",
			"4:12: auth.basic: missing password (or password_file)",
		}},
		{"unknown dialect", replace("dialect: sqlite", "dialect: db2"), []string{
			`5:25: unknown dialect "db2" (expected one of: ` + strings.Join(dialects.Names(), ", ") + ")"}},
		{"typo in database", replace(`name: ":memory:"}`, `name: ":memory:", pasword: x}`), []string{
			`5:51: unknown key "pasword" in database (expected one of: dialect, host, port, instance, name, service, sid, user, password, password_file, dsn, dsn_file, properties, max_open, max_idle, conn_max_lifetime, max_queue, init)`}},
		{"mysql needs", replace(`{dialect: sqlite, name: ":memory:"}`, `{dialect: mysql, port: 0, properties: {a: 1, b: [2]}}`), []string{
			"5:5: database: missing name (the database to connect to)",
			"5:5: database: missing host (the database server's host name or IP address)",
			"5:5: database: missing user (the database account dbscim connects as)",
			`5:38: port: expected an integer from 1 to 65535, got "0"`,
			"5:63: properties.b: expected a string, got a list",
		}},
		{"sqlite needs", replace(`{dialect: sqlite, name: ":memory:"}`, `{dialect: sqlite, host: db, port: 1, user: u, password: p}`), []string{
			"5:5: database: missing name (the database file, relative to the config file's folder, or :memory:)",
			"5:33: host: not used by sqlite",
			"5:43: port: not used by sqlite",
			"5:52: user: not used by sqlite",
			"5:61: password: not used by sqlite",
		}},
		{"init elsewhere", replace(`{dialect: sqlite, name: ":memory:"}`, `{dialect: postgres, host: db, name: app, user: u, init: x.sql}`), []string{
			"5:65: init: only for sqlite (create the schema of the postgres database with its own tools)",
		}},
		{"sqlserver and oracle", `version: 1
targets:
  ms:
    auth: {none: true}
    database: {dialect: sqlserver, host: db, user: u, service: s, sid: x}
    users: {id: id, attributes: {userName: u}, operations: {list: {sql: SELECT 1}, get: {sql: "SELECT ?", params: [id]}}}
  ora:
    auth: {none: true}
    database: {dialect: oracle, host: db, user: u, instance: i, service: s, sid: x}
    users: {id: id, attributes: {userName: u}, operations: {list: {sql: SELECT 1}, get: {sql: "SELECT ?", params: [id]}}}
  ora2:
    auth: {none: true}
    database: {dialect: oracle, host: db, user: u}
    users: {id: id, attributes: {userName: u}, operations: {list: {sql: SELECT 1}, get: {sql: "SELECT ?", params: [id]}}}
`, []string{
			"5:55: service: not used by sqlserver",
			"5:67: sid: not used by sqlserver",
			"9:52: instance: not used by oracle",
			"9:77: sid: give service or sid, not both",
			"13:5: database: missing service (or sid: the Oracle service name or SID to connect to)",
		}},
		{"pool", replace(`name: ":memory:"}`, `name: ":memory:", max_open: 4, max_idle: 5, conn_max_lifetime: 0}`), []string{
			"5:74: max_idle: 5 is more than max_open (4)",
			`5:96: conn_max_lifetime: expected a positive duration such as 30s, 5m or 1h30m, got "0"`,
		}},
		{"queue and timeouts", replace(`name: ":memory:"}`, `name: ":memory:", max_queue: -1}`) + "    request_timeout: 0\nserver: {audit_file: \"\"}\n", []string{
			`5:62: max_queue: expected an integer from 0 to 100000, got "-1"`,
			`12:22: request_timeout: expected a positive duration such as 30s, 5m or 1h30m, got "0"`,
			`13:22: audit_file: must not be empty`,
		}},
		{"no users", replace("    users:\n", "    userz:\n"), []string{
			`3:3: target "demo": missing users (the User resource's id column, attributes and operations)`,
			`6:5: unknown key "userz" in target "demo" (expected one of: auth, database, users, groups, entitlements, request_timeout)`,
		}},
		{"users needs userName", replace("{userName: user_name, name.givenName: given_name}", "{name.givenName: given_name}"), []string{
			"8:7: attributes: missing userName (every SCIM client identifies users by userName: map it to a column)"}},
		{"userName via the core URN", replace("{userName: user_name, ", "{urn:ietf:params:scim:schemas:core:2.0:User:userName: user_name, username: other, "), []string{
			"8:84: attributes: username is mapped twice (first at line 8)"}},
		{"id in attributes", replace("{userName: user_name, ", "{userName: user_name, id: id, "), []string{
			"8:41: attributes: id is not mapped here: it is the column named by users.id"}},
		{"same column twice is fine", replace("name.givenName: given_name}", "name.givenName: given_name, displayName: given_name}"), nil},
		{"attribute forms", replace("{userName: user_name, name.givenName: given_name}",
			`{userName: user_name, active: {column: a, type: boolean, true: "Y"}, title: {column: " t"}, x: {column: c, true: 1, false: 0}, y: {column: y, type: string, true: 1, false: 0}, z: {column: z, type: boolean, true: 1, false: "1"}}`), []string{
			`8:76: attribute active: give both true and false (the stored forms of each value)`,
			`8:104: column: " t" is not a column name (no leading or trailing spaces or control characters)`,
			`8:175: attribute y: true and false are only for a boolean, not type: string`,
			`8:234: attribute z: 1 is read as both true and false`,
		}},
		{"value maps", replace("{userName: user_name, name.givenName: given_name}",
			`{userName: user_name, active: {column: s, true: [A, L], false: [T], write: {true: L}}, userType: {column: k, values: {Employee: E, Contractor: [C, X]}}}`), nil},
		{"value map mistakes", replace("{userName: user_name, name.givenName: given_name}",
			`{userName: user_name, active: {column: s, true: [], false: T, write: {true: Q, maybe: A}}, userType: {column: k, values: {Employee: E, Contractor: [C, E]}}, title: {column: t, type: integer, values: {a: b}}, nickName: {column: n, true: 1, false: 0, values: {a: b}}}`), []string{
			`8:67: true: give at least one stored value`,
			`8:95: attribute active: write: true: Q is not among the stored forms read as true, so it would not read back`,
			`8:98: attribute active: write: maybe is not one of the mapped values (true, false)`,
			`8:154: attribute userType: E is read as both Employee and Contractor`,
			`8:210: attribute title: values are for a string attribute; a boolean maps its stored forms with true: and false:`,
			`8:249: attribute nickName: give either true and false (a boolean) or values (a string), not both`,
		}},
		{"child table", replace("{userName: user_name, name.givenName: given_name}",
			`{userName: user_name, phoneNumbers: {table: {columns: {value: num, type: kind}, read: {sql: "SELECT kind, num FROM phones WHERE uid = ?", params: [id]}, add: {sql: "INSERT INTO phones VALUES (?, ?, ?)", params: [id, kind, num]}, remove: {sql: "DELETE FROM phones WHERE uid = ? AND kind = ?", params: [id, kind]}}}}`), nil},
		{"child table mistakes", replace("{userName: user_name, name.givenName: given_name}",
			`{userName: user_name, emails.value: {column: e, table: {}}, phoneNumbers: {table: {columns: {value: num}, read: {sql: "SELECT num FROM phones WHERE uid = ?", params: [nosuch]}, add: {sql: "INSERT INTO phones VALUES (?)", params: [num]}}}}`), []string{
			`8:56: attribute emails.value: give either column (one column of the users row) or table (rows of a child table), not both`,
			`8:94: attribute phoneNumbers: declare both add and remove (a change removes the values that go and adds those that come), or neither (read-only)`,
			`8:186: read: unknown column "nosuch" in params (expected users.id or a column under table.columns: id, num)`,
		}},
		{"mutability", replace("{userName: user_name, name.givenName: given_name}",
			`{userName: user_name, nickName: {column: n, mutability: immutable}, title: {column: t, mutability: writeOnce}}`), []string{
			`8:118: mutability: expected one of readOnly, immutable, writeOnly, got "writeOnce"`,
		}},
		{"boolean over text needs a map", replace("{userName: user_name, name.givenName: given_name}",
			`{userName: user_name, active: {column: status, type: string}}`), []string{
			`8:41: attribute active: a boolean over a string column needs its stored forms: true: [...] and false: [...]`,
		}},
		{"no operations", strings.Replace(replace(ops+getLine, ""), "      operations:\n", "", 1), []string{
			"6:5: users: missing operations (at least get and list)"}},
		{"missing get", replace(getLine, ""), []string{"9:7: operations: missing get (every target must declare get and list)"}},
		{"operation kinds", replace(ops, "        list: {params: []}\n        create: {sql: x, function: y}\n        update: SELECT 1\n"), []string{
			"10:9: list: expected one of sql: (a statement), call: (a stored procedure) or function: (a PostgreSQL set-returning function)",
			"11:26: create: expected one of sql, call or function, got sql and function",
			"12:17: update: expected {sql: STATEMENT} or {call: PROCEDURE(?, ...)}, with optional params, got a string",
		}},
		{"placeholder count", replace(getLine, `        get: {sql: "SELECT * FROM users WHERE id = ? AND x = '?'", params: [id, id]}`+"\n"), []string{
			"11:9: get: the statement has 1 placeholder but 2 params"}},
		{"another database's placeholders", strings.Replace(replace(`{dialect: sqlite, name: ":memory:"}`, `{dialect: mysql, host: h, name: n, user: u}`),
			`get: {sql: "SELECT * FROM users WHERE id = ?"`, `get: {sql: "SELECT * FROM users WHERE id = $1 AND note <> '$2'"`, 1), []string{
			"11:9: get: the statement has 0 placeholders but 1 param; $1 is not a placeholder for mysql: write ? for each value (dbscim writes them the way mysql wants)"}},
		{"params not a list", replace("params: [id]", "params: id"), []string{
			"11:64: get: params: expected a list, such as [USER_ID, USERNAME], got a string"}},
		{"param forms", replace(getLine, `        get: {sql: "SELECT ?, ?, ?, ?, ?, ?, ?", params: [true, null, {}, {literal: [1]}, {out: nope}, {cursor: false}, userName]}`+"\n"), []string{
			"11:59: get: params: expected a column name, got a boolean (write {literal: true} for a constant)",
			"11:65: get: params: expected a column name, got nothing (write {literal: null} for a constant)",
			"11:71: get: params: expected a column name or one of {literal: VALUE}, {generate: uuid|now}, {out: COLUMN}, {cursor: true}",
			"11:85: literal: expected a single value, got a list",
			`11:97: get: unknown column "nope" in params (expected users.id or a column mapped in users.attributes: id, user_name, given_name)`,
			"11:104: get: a cursor param is only valid in call: (a procedure's ref cursor OUT parameter)",
			"11:113: cursor: only cursor: true is meaningful",
			`11:121: get: unknown column "userName" in params (params name columns, not SCIM attributes: did you mean user_name?)`,
		}},
		{"call on sqlite", replace(getLine, `        get: {call: "GET_USER(?)", params: [id]}`+"\n"), []string{
			"11:9: get: sqlite has no stored procedures or functions; write the operation as a SQL statement (sql:) instead of a call"}},
		{"function on mysql", strings.Replace(replace(`{dialect: sqlite, name: ":memory:"}`, `{dialect: mysql, host: h, name: n, user: u}`),
			`get: {sql: "SELECT * FROM users WHERE id = ?"`, `get: {function: "get_user(?)"`, 1), []string{
			"11:15: function: only for postgres (a set-returning function); for mysql use call: or sql:"}},
		{"aliases", `version: 1
targets:
  a:
    auth: &auth {bearer: ` + testToken + `}
    database: &db {dialect: sqlite, name: ":memory:"}
    users: &users
      id: id
      attributes: {userName: u}
      operations: {list: {sql: SELECT 1}, get: {sql: "SELECT ?", params: [idd]}}
  b: {auth: *auth, database: *db, users: *users}
`, []string{`9:75: get: unknown column "idd" in params (did you mean id?)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := parse(t, tc.src, nil)
			if got := messages(errs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestParseCall(t *testing.T) {
	tests := []struct {
		src      string
		function bool
		name     string
		args     int
		written  bool
		bad      bool
	}{
		{src: "CALL GET_USER_BY_ID(?)", name: "GET_USER_BY_ID", args: 1, written: true},
		{src: "call get_user_by_id( ? )", name: "get_user_by_id", args: 1, written: true},
		{src: "GET_USER_BY_ID(?)", name: "GET_USER_BY_ID", args: 1, written: true},
		{src: "GET_ACTIVEUSERS()", name: "GET_ACTIVEUSERS", written: true},
		{src: "CALL GET_ACTIVEUSERS();", name: "GET_ACTIVEUSERS", written: true},
		{src: "GET_ACTIVEUSERS", name: "GET_ACTIVEUSERS"},
		{src: "  CALL GET_ACTIVEUSERS  ", name: "GET_ACTIVEUSERS"},
		{src: "EXEC NAME ?, ?", name: "NAME", args: 2, written: true},
		{src: "EXECUTE dbo.NAME ?,?,?", name: "dbo.NAME", args: 3, written: true},
		{src: "exec NAME", name: "NAME"},
		{src: "{call pkg.proc(?, ?)}", name: "pkg.proc", args: 2, written: true},
		{src: "{CALL hr.pkg.proc(?)}", name: "hr.pkg.proc", args: 1, written: true},
		{src: "CREATE_USER(?, ?, ?, ?, ?)", name: "CREATE_USER", args: 5, written: true},
		{src: "_x$1#(?)", name: "_x$1#", args: 1, written: true},
		{src: "SELECT * FROM scim.list_users()", function: true, name: "scim.list_users", written: true},
		{src: "select get_user(?)", function: true, name: "get_user", args: 1, written: true},
		{src: "list_users", function: true, name: "list_users"},

		{src: "", bad: true},
		{src: "CALL", bad: true},
		{src: "CALL (?)", bad: true},
		{src: "GET_USER_BY_ID(?, 'x')", bad: true},
		{src: "GET_USER_BY_ID(:1)", bad: true},
		{src: "GET_USER_BY_ID($1)", bad: true},
		{src: "GET_USER_BY_ID(?,)", bad: true},
		{src: "GET_USER_BY_ID(?", bad: true},
		{src: "GET_USER_BY_ID(?); DROP TABLE USERS", bad: true},
		{src: "SELECT * FROM USERS", bad: true},
		{src: "a.b.c.d(?)", bad: true},
		{src: `"quoted"(?)`, bad: true},
		{src: "[dbo].[proc] ?", bad: true},
		{src: "EXEC NAME @id = ?", bad: true},
		{src: "1PROC(?)", bad: true},
		{src: "list_users ?", function: true, bad: true},
		{src: "CALL list_users()", function: true, bad: true},
	}
	for _, tc := range tests {
		name, args, written, problem := parseCall(tc.src, tc.function)
		if tc.bad {
			if problem == "" {
				t.Errorf("parseCall(%q) = %q, %d, %v; want a problem", tc.src, name, args, written)
			}
			continue
		}
		if problem != "" || name != tc.name || args != tc.args || written != tc.written {
			t.Errorf("parseCall(%q) = %q, %d, %v, %q; want %q, %d, %v", tc.src, name, args, written, problem, tc.name, tc.args, tc.written)
		}
	}
}

// TestCallWithoutArguments checks that a bare routine name takes its argument count
// from params, and that written arguments must match them.
func TestCallWithoutArguments(t *testing.T) {
	src := strings.Replace(minimal, `{dialect: sqlite, name: ":memory:"}`, `{dialect: mysql, host: db, name: app, user: u}`, 1)
	src = strings.Replace(src, `get: {sql: "SELECT * FROM users WHERE id = ?", params: [id]}`, `get: {call: GET_USER, params: [id, {literal: 1}]}`, 1)
	cfg := mustParse(t, src, nil)
	if get := cfg.Targets[0].Users.Operations[Get]; get.Text != "CALL GET_USER(?, ?)" || get.Routine != "GET_USER" {
		t.Errorf("get = %+v", get)
	}
}

// TestOutAndCursor checks the OUT and cursor parameter forms on the dialects that bind
// them, with the statement text the dialect writes.
func TestOutAndCursor(t *testing.T) {
	src := `version: 1
targets:
  ora:
    auth: {none: true}
    database: {dialect: oracle, host: db, user: scim, service: XEPDB1, password: "${ORA_PASSWORD}"}
    users:
      id: USER_ID
      attributes: {userName: USERNAME}
      operations:
        list: {call: "SCIM.GET_USERS(?)", params: [CURSOR]}
        get: {call: "SCIM.GET_USER(?, ?)", params: [USER_ID, {cursor: true}]}
        create: {call: "SCIM.CREATE_USER(?, ?)", params: [USERNAME, {out: user_id}]}
  ms:
    auth: {none: true}
    database: {dialect: sqlserver, host: db, user: scim, name: hr}
    users:
      id: USER_ID
      attributes: {userName: USERNAME}
      operations:
        list: {call: EXEC dbo.GetUsers}
        get: {call: "EXEC dbo.GetUser ?", params: [USER_ID]}
        create: {call: "EXEC dbo.CreateUser ?, ?", params: [USERNAME, {out: USER_ID}]}
`
	cfg := mustParse(t, src, map[string]string{"ORA_PASSWORD": "pw"})
	for _, tg := range cfg.Targets {
		d := tg.Database.Dialect
		for _, op := range []*Operation{tg.Users.Operations[List], tg.Users.Operations[Get], tg.Users.Operations[Create]} {
			want, err := d.Call(op.Routine, op.Modes(), dialects.Procedure)
			if err != nil || op.Text != want {
				t.Errorf("%s %s: Text = %q, want %q (%v)", tg.Name, op.Name, op.Text, want, err)
			}
		}
	}
	ora := cfg.Target("ora").Users.Operations
	if got := ora[Get].Modes(); !reflect.DeepEqual(got, []dialects.ParamMode{dialects.In, dialects.Cursor}) {
		t.Errorf("get modes = %v", got)
	}
	if p := ora[Create].Params[1]; p.Kind != OutParam || p.Name != "USER_ID" {
		t.Errorf("out param = %+v, want USER_ID as declared", p)
	}
	if ms := cfg.Target("ms").Users.Operations; ms[Create].Modes()[1] != dialects.Out || cfg.Target("ms").Database.Connection.Port != 1433 {
		t.Errorf("ms create = %+v", ms[Create])
	}
}

// TestAuthKind checks that the loader records the kind of auth the file declares,
// which the server and the credentials command read, and what Method makes of an
// Auth built by hand.
func TestAuthKind(t *testing.T) {
	bearer := "auth: {bearer: " + testToken + "}"
	for _, tc := range []struct {
		auth string
		want AuthKind
	}{
		{bearer, AuthBearer},
		{"auth: {bearer: [" + testToken + ", " + testToken + "x]}", AuthBearer},
		{"auth: {bearer_file: secrets/api_key}", AuthBearer},
		{"auth: {basic: {user: okta, password: pw}}", AuthBasic},
		{"auth: {header: {name: X-Api-Key, value: k}}", AuthHeader},
		{"auth: {none: true}", AuthNone},
	} {
		src := strings.Replace(minimal, bearer, tc.auth, 1)
		cfg, errs := Parse("testdata/auth.yaml", []byte(src), mapEnv(nil))
		if errs != nil {
			t.Errorf("%s: %v", tc.auth, errs)
			continue
		}
		if a := cfg.Targets[0].Auth; a.Kind != tc.want || a.Method() != tc.want {
			t.Errorf("%s: Kind = %q, Method() = %q, want %q", tc.auth, a.Kind, a.Method(), tc.want)
		}
	}

	for _, tc := range []struct {
		name string
		a    Auth
		want AuthKind
	}{
		{"kind wins", Auth{Kind: AuthHeader, Bearer: []string{"t"}}, AuthHeader},
		{"bearer", Auth{Bearer: []string{"t"}}, AuthBearer},
		{"basic", Auth{BasicUser: "u"}, AuthBasic},
		{"header", Auth{HeaderName: "X-Key"}, AuthHeader},
		{"none", Auth{None: true}, AuthNone},
		{"nothing", Auth{}, ""},
	} {
		if got := tc.a.Method(); got != tc.want {
			t.Errorf("%s: Method() = %q, want %q", tc.name, got, tc.want)
		}
	}
}
