package dialecttest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"testing"

	"github.com/dbscim/dbscim/dialects"
)

// LoadScripts runs each SQL file whole, as one query, on the database conn names,
// as the database's own client runs a script: on MariaDB/MySQL over a connection
// with Okta's allowMultiQueries property (go-sql-driver's multiStatements), so that
// the examples' scripts load exactly as written, with no DELIMITER and procedure
// bodies in BEGIN ... END.
func LoadScripts(t testing.TB, d dialects.Dialect, conn dialects.Connection, scripts ...string) {
	t.Helper()
	c := conn
	c.Properties = maps.Clone(conn.Properties)
	if d.Name() == "mysql" {
		if c.Properties == nil {
			c.Properties = map[string]string{}
		}
		c.Properties["allowMultiQueries"] = "true"
	}
	db, _ := open(t, d, c)
	defer db.Close() // its own pool, with several statements per query allowed: done with it here
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

// MySQLAccount creates a MariaDB/MySQL account with a password (the examples'
// defaults would replace an empty one) and the grants a DBA gives dbscim, as the
// examples' load scripts do: SELECT, INSERT, UPDATE, DELETE and EXECUTE on database
// only. The account is dropped when the test ends.
func MySQLAccount(t testing.TB, database string) (user, password string) {
	t.Helper()
	admin, err := sql.Open(dialects.MySQL{}.Driver(), MySQL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	user, password = "dbscim_"+hex.EncodeToString(rnd[:4]), "Pw-"+hex.EncodeToString(rnd[4:])
	for _, host := range []string{"%", "localhost"} {
		account := fmt.Sprintf("'%s'@'%s'", user, host)
		MustExec(t, admin,
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
