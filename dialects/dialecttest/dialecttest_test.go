package dialecttest

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestDatabaseName(t *testing.T) {
	valid := regexp.MustCompile(`^dbscim_[a-z0-9_]*_[0-9a-f]{12}$`)
	t.Run("A very long subtest name/With Ünïcode and spaces, and more than thirty-two bytes", func(t *testing.T) {
		a, b := databaseName(t), databaseName(t)
		if a == b {
			t.Errorf("two names are equal: %s", a)
		}
		if !valid.MatchString(a) || len(a) > 63 {
			t.Errorf("bad name %q (%d bytes)", a, len(a))
		}
	})
}

func TestRedact(t *testing.T) {
	for _, dsn := range []string{
		"root:s3cret@tcp(127.0.0.1:3306)/",
		"postgres://postgres:s3cret@127.0.0.1:5432/postgres",
		"sqlserver://sa:s3cret@127.0.0.1:1433",
		"oracle://system:s3cret@127.0.0.1:1521/FREEPDB1",
	} {
		if got := redact(errors.New("login for s3cret failed"), dsn); strings.Contains(got, "s3cret") {
			t.Errorf("%s: %q", dsn, got)
		}
	}
}

func TestSQLiteDatabase(t *testing.T) {
	d, db, c := NewDatabase(t, "sqlite")
	if d.Name() != "sqlite" || !strings.HasSuffix(c.Name, ".db") {
		t.Errorf("got %s, %+v", d.Name(), c)
	}
	MustExec(t, db, "CREATE TABLE t (x INT)", "INSERT INTO t VALUES (1)")
}
