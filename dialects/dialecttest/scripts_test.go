package dialecttest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLoadScripts: each file runs whole, several statements at once, and in the
// order given (the second file's INSERT needs the first file's table).
func TestLoadScripts(t *testing.T) {
	dir := t.TempDir()
	schema, data := filepath.Join(dir, "schema.sql"), filepath.Join(dir, "data.sql")
	for f, s := range map[string]string{
		schema: "CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n",
		data:   "INSERT INTO a VALUES (1);\nINSERT INTO b VALUES (2);\nINSERT INTO b VALUES (3);\n",
	} {
		if err := os.WriteFile(f, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d, db, c := NewDatabase(t, "sqlite")
	LoadScripts(t, d, c, schema, data)
	var n int
	if err := db.QueryRow("SELECT (SELECT COUNT(*) FROM a) + 10 * (SELECT COUNT(*) FROM b)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 21 {
		t.Errorf("rows: got %d, want 1 in a and 2 in b (21)", n)
	}
}
