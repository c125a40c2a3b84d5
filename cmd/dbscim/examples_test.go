package main

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// TestValidateExamples is the other half of the corpus: every example's
// configuration, over its own schema on each live engine it is written for,
// validates with no problem (warnings are allowed: they are advice, and are
// logged here for review).
func TestValidateExamples(t *testing.T) {
	const examples = "../../examples/"
	for _, ex := range []struct {
		name, config, dialect string
		scripts               []string
		prefix                string // the examples' environment variables start with it
	}{
		{"quickstart", "dbscim.yaml", "sqlite", nil, "DBSCIM_"},
		{"quickstart", "dbscim.yaml", "mysql", []string{"schema.mariadb.sql"}, "DBSCIM_"},
		{"quickstart", "dbscim.yaml", "postgres", []string{"schema.postgres.sql"}, "DBSCIM_"},
		{"legacy-hr", "dbscim.yaml", "mysql", []string{"schema.mariadb.sql"}, "DBSCIM_"},
		{"legacy-hr", "dbscim.yaml", "postgres", []string{"schema.postgres.sql"}, "DBSCIM_"},
		{"okta-lab", "statements.yaml", "mysql", []string{"sql/schema.sql", "sql/views.sql", "sql/procedures.sql", "sql/data.sql"}, "OKTADEMO_"},
		{"okta-lab", "procedures.yaml", "mysql", []string{"sql/schema.sql", "sql/views.sql", "sql/procedures.sql", "sql/data.sql"}, "OKTADEMO_"},
		{"postgres-groups", "dbscim.yaml", "postgres", []string{"schema.sql"}, "DBSCIM_"},
		{"replicas", "dbscim.yaml", "mysql", []string{"schema.mysql.sql"}, "DBSCIM_"},
		{"replicas", "dbscim.yaml", "postgres", []string{"schema.postgres.sql"}, "DBSCIM_"},
	} {
		t.Run(ex.name+"/"+strings.TrimSuffix(ex.config, ".yaml")+"/"+ex.dialect, func(t *testing.T) {
			dir := filepath.Join(examples, ex.name)
			config := filepath.Join(dir, ex.config)
			env := map[string]string{"TOKEN": token1, "LISTEN": "127.0.0.1:0", "TLS": "off"}
			if ex.dialect == "sqlite" {
				// The SQLite example creates its database beside the file: copy it.
				tmp := t.TempDir()
				for _, f := range []string{ex.config, "schema.sql"} {
					data, err := os.ReadFile(filepath.Join(dir, f))
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join(tmp, f), data, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				config = filepath.Join(tmp, ex.config)
			} else {
				d, _, conn := dialecttest.NewDatabase(t, ex.dialect)
				var paths []string
				for _, s := range ex.scripts {
					paths = append(paths, filepath.Join(dir, s))
				}
				loadScripts(t, d, conn, paths)
				if ex.dialect == "mysql" {
					conn.User, conn.Password = mysqlAccount(t, conn.Name)
				}
				env["DB_DIALECT"] = d.Name()
				env["DB_HOST"] = conn.Host
				env["DB_PORT"] = strconv.Itoa(conn.Port)
				env["DB_NAME"] = conn.Name
				env["DB_USER"] = conn.User
				env["DB_PASSWORD"] = conn.Password
				if mode := conn.Properties["sslmode"]; mode != "" {
					env["DB_SSLMODE"] = mode
				}
				if ex.name == "quickstart" {
					// Served from another database by changing only the database
					// block, as the file's comment says.
					data, err := os.ReadFile(config)
					if err != nil {
						t.Fatal(err)
					}
					block := regexp.MustCompile(`(?m)^    database:\n(      .*\n)+`)
					yaml := block.ReplaceAllLiteralString(string(data), fmt.Sprintf("    database: {dialect: %s, host: %s, port: %d, name: %s, user: %s, password: %q}\n",
						d.Name(), conn.Host, conn.Port, conn.Name, conn.User, conn.Password))
					config = filepath.Join(t.TempDir(), ex.config)
					if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
						t.Fatal(err)
					}
				}
			}
			for k, v := range env {
				t.Setenv(ex.prefix+k, v)
			}
			var out, errOut bytes.Buffer
			if code := run([]string{"validate", "--config", config}, &out, &errOut); code != 0 {
				t.Fatalf("exit %d:\n%s%s", code, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), "database reachable") || !strings.Contains(out.String(), "operations checked against the database") {
				t.Errorf("output:\n%s", out.String())
			}
			if w := strings.TrimSpace(errOut.String()); w != "" {
				t.Logf("warnings:\n%s", w)
			}
		})
	}
}

// loadScripts runs each SQL file whole, as the database's own client runs it
// (MariaDB: on a connection that allows several statements per query).
func loadScripts(t *testing.T, d dialects.Dialect, conn dialects.Connection, scripts []string) {
	t.Helper()
	c := conn
	if d.Name() == "mysql" {
		c.Properties = map[string]string{"allowMultiQueries": "true"}
	}
	dsn, err := d.DSN(c)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(d.Driver(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, f := range scripts {
		script, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(script)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
}

// mysqlAccount creates an account with a password (the examples' defaults
// would replace an empty one) and the grants a DBA gives dbscim.
func mysqlAccount(t *testing.T, database string) (string, string) {
	t.Helper()
	admin, err := sql.Open("mysql", dialecttest.MySQL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	user, password := "validate_"+hex.EncodeToString(rnd[:4]), "Pw-"+hex.EncodeToString(rnd[4:])
	for _, host := range []string{"%", "localhost"} {
		account := fmt.Sprintf("'%s'@'%s'", user, host)
		dialecttest.MustExec(t, admin,
			"CREATE USER "+account+" IDENTIFIED BY '"+password+"'",
			"GRANT SELECT, INSERT, UPDATE, DELETE, EXECUTE ON "+dialects.MySQL{}.Quote(database)+".* TO "+account)
		t.Cleanup(func() {
			if _, err := admin.Exec("DROP USER IF EXISTS " + account); err != nil {
				t.Errorf("drop user %s: %v", account, err)
			}
		})
	}
	return user, password
}
