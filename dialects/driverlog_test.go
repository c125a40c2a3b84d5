package dialects_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/go-sql-driver/mysql"
)

// TestDriverLogIsJSON opens a MySQL pool against a server that hangs up during
// the handshake: the line the driver logs about it comes out of the JSON logger, as
// one JSON object naming the driver, and nothing reaches stderr.
func TestDriverLogIsJSON(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	var buf bytes.Buffer
	dialects.SetDriverLogger(slog.New(slog.NewJSONHandler(&buf, nil)))
	defer mysql.SetLogger(log.New(os.Stderr, "[mysql] ", log.Ldate|log.Ltime|log.Lshortfile))

	dsn, err := dialects.MySQL{}.DSN(dialects.Connection{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Name: "x", User: "u", Password: "secret-password"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err == nil {
		t.Fatal("a ping through a server that hangs up succeeded")
	}
	out := strings.TrimSpace(buf.String())
	if out == "" {
		t.Fatal("the driver logged nothing through the logger")
	}
	for _, line := range strings.Split(out, "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if rec["msg"] != "database driver" || rec["driver"] != "mysql" || rec["level"] != "WARN" || rec["message"] == "" {
			t.Errorf("driver line: %s", line)
		}
		if strings.Contains(line, "secret-password") {
			t.Errorf("the password is in the log: %s", line)
		}
	}
}
