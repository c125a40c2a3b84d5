// Package dialecttest gives integration tests a fresh, empty database on every
// engine dbscim supports, so that one suite can run against SQLite, MariaDB/MySQL and
// PostgreSQL (and SQL Server and Oracle where a server is configured) and no two
// tests share rows. LoadScripts and MySQLAccount set such a database up as an
// example's own scripts and its DBA would.
//
// Servers are named by admin DSNs in environment variables (MySQLEnv, PostgresEnv,
// SQLServerEnv, OracleEnv). When a variable is unset or its server does not answer,
// the test is skipped with a message naming the variable; under CI=true it fails
// instead, so that CI cannot pass without having run the suite. SQL Server and
// Oracle are always skipped when unset, CI or not: no such server exists where CI runs.
package dialecttest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/microsoft/go-mssqldb/msdsn"
)

// The environment variables holding the admin DSNs of the test servers.
const (
	// MySQLEnv holds a MySQL/MariaDB admin DSN in go-sql-driver form, e.g.
	// root@tcp(127.0.0.1:3306)/ ; the account must be able to create databases.
	MySQLEnv = "DBSCIM_TEST_MYSQL_DSN"
	// PostgresEnv holds a PostgreSQL admin DSN (URL or keyword form), e.g.
	// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable .
	PostgresEnv = "DBSCIM_TEST_POSTGRES_DSN"
	// SQLServerEnv holds a SQL Server admin DSN in go-mssqldb URL form, e.g.
	// sqlserver://sa:password@127.0.0.1:1433?encrypt=disable ; the login must be able to
	// create databases.
	SQLServerEnv = "DBSCIM_TEST_SQLSERVER_DSN"
	// OracleEnv holds an Oracle admin DSN in go-ora URL form, e.g.
	// oracle://system:password@127.0.0.1:1521/FREEPDB1 ; the account must be able to
	// create users (each test gets its own user, Oracle's unit of isolation).
	OracleEnv = "DBSCIM_TEST_ORACLE_DSN"
)

// pingTimeout bounds the reachability check, so that a firewalled server skips (or
// fails) the test quickly instead of hanging it.
const pingTimeout = 10 * time.Second

// unavailable skips the test, or fails it under CI=true.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true: integration tests must run)", args...)
	}
	t.Skipf(format, args...)
}

// adminDSN returns the DSN in env after checking that the server answers.
func adminDSN(t testing.TB, env, driverName, example string, ciRequired bool) string {
	t.Helper()
	dsn := os.Getenv(env)
	if dsn == "" {
		msg := "%s is not set: set it to an admin DSN such as %s to run this test"
		if !ciRequired {
			t.Skipf(msg, env, example)
		}
		unavailable(t, msg, env, example)
	}
	db, err := sql.Open(driverName, dsn)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		// The driver's message may quote the DSN's password; name the variable only.
		msg := "the server named by %s does not answer (%s)"
		if !ciRequired {
			t.Skipf(msg, env, redact(err, dsn))
		}
		unavailable(t, msg, env, redact(err, dsn))
	}
	return dsn
}

// redact returns err's message with any password of dsn masked.
func redact(err error, dsn string) string {
	msg := err.Error()
	if cfg, perr := mysql.ParseDSN(dsn); perr == nil && cfg.Passwd != "" {
		msg = strings.ReplaceAll(msg, cfg.Passwd, "xxxxx")
	}
	if cfg, perr := pgconn.ParseConfig(dsn); perr == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	if u, perr := url.Parse(dsn); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			msg = strings.ReplaceAll(msg, pw, "xxxxx")
		}
	}
	return msg
}

// MySQL returns the MySQL/MariaDB admin DSN from DBSCIM_TEST_MYSQL_DSN, after
// checking that the server answers. Otherwise it skips the test, or fails it under
// CI=true.
func MySQL(t testing.TB) string {
	t.Helper()
	return adminDSN(t, MySQLEnv, dialects.MySQL{}.Driver(), "root@tcp(127.0.0.1:3306)/", true)
}

// Postgres returns the PostgreSQL admin DSN from DBSCIM_TEST_POSTGRES_DSN, after
// checking that the server answers. Otherwise it skips the test, or fails it under
// CI=true.
func Postgres(t testing.TB) string {
	t.Helper()
	return adminDSN(t, PostgresEnv, dialects.Postgres{}.Driver(), "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", true)
}

// SQLServer returns the SQL Server admin DSN from DBSCIM_TEST_SQLSERVER_DSN, after
// checking that the server answers. Otherwise it skips the test, even under CI=true:
// CI has no SQL Server.
func SQLServer(t testing.TB) string {
	t.Helper()
	return adminDSN(t, SQLServerEnv, dialects.SQLServer{}.Driver(), "sqlserver://sa:password@127.0.0.1:1433?encrypt=disable", false)
}

// Oracle returns the Oracle admin DSN from DBSCIM_TEST_ORACLE_DSN, after checking
// that the server answers. Otherwise it skips the test, even under CI=true: CI has
// no Oracle.
func Oracle(t testing.TB) string {
	t.Helper()
	return adminDSN(t, OracleEnv, dialects.Oracle{}.Driver(), "oracle://system:password@127.0.0.1:1521/FREEPDB1", false)
}

// Each runs fn as a subtest named after each dialect of dialects.Names(), with a
// fresh database from NewDatabase. Subtests whose server is not configured are
// skipped (or fail under CI=true, as NewDatabase says).
func Each(t *testing.T, fn func(t *testing.T, d dialects.Dialect, db *sql.DB, c dialects.Connection)) {
	t.Helper()
	EachOf(t, dialects.Names(), fn)
}

// EachOf is Each for the named dialects only, for a suite whose SQL is written for
// some engines.
func EachOf(t *testing.T, names []string, fn func(t *testing.T, d dialects.Dialect, db *sql.DB, c dialects.Connection)) {
	t.Helper()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			d, db, c := NewDatabase(t, name)
			fn(t, d, db, c)
		})
	}
}

// NewDatabase creates an empty database for the test on the engine of the named
// dialect ("sqlite", "mysql"/"mariadb", "postgres"/"postgresql", ...), and returns
// the dialect, an open *sql.DB to the new database and the structured Connection it
// was opened with: the *sql.DB is built through the dialect's own DSN from those
// fields, so it has the session settings dbscim uses in production. The database is
// dropped (the SQLite file removed) when the test ends.
//
// SQLite needs nothing; the others take the server from their environment variable
// and skip or fail as MySQL and Postgres do.
func NewDatabase(t testing.TB, dialect string) (dialects.Dialect, *sql.DB, dialects.Connection) {
	t.Helper()
	d, ok := dialects.Lookup(dialect)
	if !ok {
		t.Fatalf("dialecttest: unknown dialect %q", dialect)
	}
	name := databaseName(t)
	var c dialects.Connection
	switch d.(type) {
	case dialects.SQLite:
		c = dialects.Connection{Name: filepath.Join(t.TempDir(), name+".db")}
	case dialects.MySQL:
		c = createMySQL(t, MySQL(t), name)
	case dialects.Postgres:
		c = createPostgres(t, Postgres(t), name)
	case dialects.SQLServer:
		c = createSQLServer(t, SQLServer(t), name)
	case dialects.Oracle:
		c = createOracle(t, Oracle(t))
	default:
		t.Fatalf("dialecttest: no test server support for %s", d.Name())
	}
	db, dsn := open(t, d, c) // closed before the drop registered earlier
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("dialecttest: connect to the new %s database %s: %v", d.Name(), name, redact(err, dsn))
	}
	return d, db, c
}

// open opens the database c names through the dialect's own DSN, as dbscim does,
// and closes it when the test ends. The DSN is returned for redact.
func open(t testing.TB, d dialects.Dialect, c dialects.Connection) (*sql.DB, string) {
	t.Helper()
	dsn, err := d.DSN(c)
	if err != nil {
		t.Fatalf("dialecttest: %s DSN: %v", d.Name(), err)
	}
	db, err := sql.Open(d.Driver(), dsn)
	if err != nil {
		t.Fatalf("dialecttest: open %s: %v", d.Name(), err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

// databaseName is a database name unique to this test run: "dbscim_", a readable
// piece of the test name, and random hex. Lower case, so that PostgreSQL's folding
// of unquoted names cannot matter, and at most 63 bytes, PostgreSQL's limit.
func databaseName(t testing.TB) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if b.Len() >= 32 {
			break
		}
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	return "dbscim_" + strings.TrimSuffix(b.String(), "_") + "_" + hex.EncodeToString(rnd[:])
}

// admin opens the admin connection and closes it when the test ends, after the
// database has been dropped.
func admin(t testing.TB, driverName, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		t.Fatalf("dialecttest: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// MustExec runs each statement on db and fails the test at the first error. For
// setting up schemas: the statements are the test's own, so no parameters.
func MustExec(t testing.TB, db *sql.DB, statements ...string) {
	t.Helper()
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("dialecttest: %v\n%s", err, s)
		}
	}
}

func createMySQL(t testing.TB, adminDSN, name string) dialects.Connection {
	t.Helper()
	cfg, err := mysql.ParseDSN(adminDSN)
	if err != nil {
		t.Fatalf("dialecttest: %s cannot be parsed", MySQLEnv)
	}
	db := admin(t, dialects.MySQL{}.Driver(), adminDSN)
	q := dialects.MySQL{}.Quote(name)
	MustExec(t, db, "CREATE DATABASE "+q+" CHARACTER SET utf8mb4")
	t.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + q); err != nil {
			t.Errorf("dialecttest: drop %s: %v", name, err)
		}
	})
	c := dialects.Connection{Name: name, User: cfg.User, Password: cfg.Passwd, Properties: map[string]string{}}
	if cfg.TLSConfig != "" {
		c.Properties["tls"] = cfg.TLSConfig
	}
	if cfg.Net == "unix" {
		c.Host = cfg.Addr
		return c
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		t.Fatalf("dialecttest: %s: bad address %q", MySQLEnv, cfg.Addr)
	}
	c.Host = host
	c.Port, _ = strconv.Atoi(port)
	return c
}

func createPostgres(t testing.TB, adminDSN, name string) dialects.Connection {
	t.Helper()
	cfg, err := pgconn.ParseConfig(adminDSN)
	if err != nil {
		t.Fatalf("dialecttest: %s cannot be parsed", PostgresEnv)
	}
	db := admin(t, dialects.Postgres{}.Driver(), adminDSN)
	q := dialects.Postgres{}.Quote(name)
	MustExec(t, db, "CREATE DATABASE "+q)
	t.Cleanup(func() {
		// WITH (FORCE) (PostgreSQL 13+) ends sessions a failed test left open.
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + q + " WITH (FORCE)"); err != nil {
			t.Errorf("dialecttest: drop %s: %v", name, err)
		}
	})
	c := dialects.Connection{Host: cfg.Host, Port: int(cfg.Port), Name: name, User: cfg.User,
		Password: cfg.Password, Properties: map[string]string{}}
	if cfg.TLSConfig == nil {
		c.Properties["sslmode"] = "disable"
	}
	return c
}

func createSQLServer(t testing.TB, adminDSN, name string) dialects.Connection {
	t.Helper()
	cfg, err := msdsn.Parse(adminDSN)
	if err != nil {
		t.Fatalf("dialecttest: %s cannot be parsed", SQLServerEnv)
	}
	db := admin(t, dialects.SQLServer{}.Driver(), adminDSN)
	q := dialects.SQLServer{}.Quote(name)
	MustExec(t, db, "CREATE DATABASE "+q)
	t.Cleanup(func() {
		// SINGLE_USER ... ROLLBACK IMMEDIATE ends sessions a failed test left open.
		_, _ = db.Exec("ALTER DATABASE " + q + " SET SINGLE_USER WITH ROLLBACK IMMEDIATE")
		if _, err := db.Exec("DROP DATABASE " + q); err != nil {
			t.Errorf("dialecttest: drop %s: %v", name, err)
		}
	})
	c := dialects.Connection{Host: cfg.Host, Port: int(cfg.Port), Instance: cfg.Instance, Name: name,
		User: cfg.User, Password: cfg.Password, Properties: map[string]string{}}
	if u, err := url.Parse(adminDSN); err == nil && u.Scheme == "sqlserver" {
		for k, v := range u.Query() {
			if !strings.EqualFold(k, "database") && len(v) > 0 {
				c.Properties[k] = v[0]
			}
		}
	}
	return c
}

// createOracle creates a user (a schema) instead of a database: creating an Oracle
// database is an installation step, a user is Oracle's unit of isolation.
func createOracle(t testing.TB, adminDSN string) dialects.Connection {
	t.Helper()
	u, err := url.Parse(adminDSN)
	if err != nil || u.Scheme != "oracle" {
		t.Fatalf("dialecttest: %s must be an oracle:// URL", OracleEnv)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	user := "DBSCIM_" + strings.ToUpper(hex.EncodeToString(rnd[:6])) // within the 30-byte limit of Oracle 12.1
	password := "Pw" + hex.EncodeToString(rnd[:])
	db := admin(t, dialects.Oracle{}.Driver(), adminDSN)
	MustExec(t, db,
		"CREATE USER "+user+` IDENTIFIED BY "`+password+`"`,
		"GRANT CREATE SESSION, CREATE TABLE, CREATE PROCEDURE, CREATE SEQUENCE, CREATE VIEW, UNLIMITED TABLESPACE TO "+user)
	t.Cleanup(func() {
		if _, err := db.Exec("DROP USER " + user + " CASCADE"); err != nil {
			t.Errorf("dialecttest: drop user %s: %v", user, err)
		}
	})
	c := dialects.Connection{Host: u.Hostname(), Service: strings.Trim(u.Path, "/"), User: user,
		Password: password, Properties: map[string]string{}}
	c.Port, _ = strconv.Atoi(u.Port())
	for k, v := range u.Query() {
		if strings.EqualFold(k, "SID") && len(v) > 0 {
			c.SID = v[0]
		} else if len(v) > 0 {
			c.Properties[k] = v[0]
		}
	}
	return c
}
