package main

import (
	"bytes"
	"net"
	"strconv"
	"strings"
	"testing"
)

// TestValidate checks the DBA's command: a good file whose database answers, a file
// with several problems (all reported, each with file:line:col), and a database
// that cannot be reached.
func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := writeConfig(t, dir, config("  tls: off\n", "{bearer: "+token1+"}"))
	var out, errOut bytes.Buffer
	if code := run([]string{"validate", "--config", good}, &out, &errOut); code != 0 {
		t.Fatalf("valid file: exit %d: %s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "target t1: sqlite database reachable") || !strings.Contains(out.String(), ": ok") {
		t.Fatalf("valid file: %s", out.String())
	}

	bad := writeConfig(t, t.TempDir(), `version: 1
targets:
  t1:
    auth: {bearer: short}
    database: {dialect: nosuchdb, name: x}
    users:
      id: id
      attributes: {userName: user_name}
      operations:
        list: {sql: "SELECT id FROM users WHERE a = ? AND b = ?", params: [id]}
`)
	out.Reset()
	errOut.Reset()
	if code := run([]string{"validate", "--config", bad}, &out, &errOut); code != 1 {
		t.Fatalf("bad file: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) < 3 || !strings.Contains(lines[len(lines)-1], "problem(s)") {
		t.Fatalf("bad file: want every problem and a count, got:\n%s", errOut.String())
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, bad+":") {
			t.Errorf("problem without file:line:col: %q", l)
		}
	}

	// A MariaDB target on a port where nothing listens.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	down := writeConfig(t, t.TempDir(), strings.Replace(config("  tls: off\n", "{bearer: "+token1+"}"),
		"database: {dialect: sqlite, name: t1.db, init: schema.sql, max_open: 1}",
		"database: {dialect: mysql, host: 127.0.0.1, port: "+strconv.Itoa(port)+", name: x, user: u, password: secret-password}", 1))
	out.Reset()
	errOut.Reset()
	if code := run([]string{"validate", "--config", down}, &out, &errOut); code != 1 {
		t.Fatalf("unreachable database: exit %d: %s", code, out.String())
	}
	if !strings.Contains(errOut.String(), "database unreachable") || strings.Contains(errOut.String(), "secret-password") {
		t.Fatalf("unreachable database: %s", errOut.String())
	}
}
