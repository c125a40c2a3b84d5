package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// oktaLabScripts are the Okta lab's SQL files in load order, as its load.sh runs
// them, relative to the example's folder.
var oktaLabScripts = []string{"sql/schema.sql", "sql/views.sql", "sql/procedures.sql", "sql/data.sql"}

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
		{"okta-lab", "statements.yaml", "mysql", oktaLabScripts, "OKTADEMO_"},
		{"okta-lab", "procedures.yaml", "mysql", oktaLabScripts, "OKTADEMO_"},
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
				dialecttest.LoadScripts(t, d, conn, paths...)
				if ex.dialect == "mysql" {
					conn.User, conn.Password = dialecttest.MySQLAccount(t, conn.Name)
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
