package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	token1 = "first-token-0123456789abcdef"
	token2 = "second-token-0123456789abcdef"
)

const schema = `CREATE TABLE users (
  id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE,
  given_name TEXT, family_name TEXT, active INTEGER NOT NULL DEFAULT 1);
`

// config is a SQLite configuration with one target per auth block given.
func config(server string, auths ...string) string {
	s := "version: 1\nserver:\n" + server + "targets:\n"
	for i, auth := range auths {
		s += fmt.Sprintf(`  t%d:
    auth: %s
    database: {dialect: sqlite, name: t%d.db, init: schema.sql, max_open: 1}
    users:
      id: id
      attributes: {userName: user_name, name.givenName: given_name, name.familyName: family_name, active: active}
      operations:
        list: {sql: "SELECT id, user_name, given_name, family_name, active FROM users"}
        get: {sql: "SELECT id, user_name, given_name, family_name, active FROM users WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO users (id, user_name, given_name, family_name) VALUES (?, ?, ?, ?)", params: [id, user_name, given_name, family_name]}
`, i+1, auth, i+1)
	}
	return s
}

func writeConfig(t *testing.T, dir, yaml string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "schema.sql"), []byte(schema), 0o600); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "dbscim.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestCredentials prints what an IdP admin pastes: URLs, the bearer tokens (and
// only those secrets), and the generated certificate.
func TestCredentials(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, config("  listen: 127.0.0.1:8443\n  hostnames: [scim.example.com]\n",
		"{bearer: ["+token1+", "+token2+"]}", "{basic: {user: okta-agent, password: basic-secret-password}}", "{header: {name: X-Api-Key, value: header-secret-value}}"))
	var out, errs bytes.Buffer
	if code := run([]string{"credentials", "--config", file}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	text := out.String()
	for _, want := range []string{
		"target t1\n", "SCIM base URL:   https://scim.example.com:8443/scim/v2/t1\n",
		"token 1 (secret, current): " + token1 + "\n", "token 2 (secret, next):    " + token2 + "\n",
		"SCIM base URL:   https://scim.example.com:8443/scim/v2/t2\n", `HTTP Basic, user "okta-agent"`,
		"header X-Api-Key; its value is in the configuration (not printed)",
		"names:       localhost, scim.example.com", "127.0.0.1", "-----BEGIN CERTIFICATE-----", "SHA-256:     ",
		"are secrets",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	for _, secret := range []string{"basic-secret-password", "header-secret-value", "PRIVATE KEY"} {
		if strings.Contains(text, secret) {
			t.Errorf("output shows %q", secret)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "dbscim.crt")); err != nil {
		t.Errorf("the certificate was not generated: %v", err)
	}

	out.Reset()
	if code := run([]string{"credentials", "--config", file, "--target", "t2"}, &out, &errs); code != 0 || strings.Contains(out.String(), "target t1") ||
		!strings.Contains(out.String(), "target t2") {
		t.Errorf("--target t2: exit %d:\n%s", code, out.String())
	}
	errs.Reset()
	if code := run([]string{"credentials", "--config", file, "--target", "nope"}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "t1, t2, t3") {
		t.Errorf("--target nope: exit %d: %s", code, errs.String())
	}

	off := writeConfig(t, t.TempDir(), config("  listen: 127.0.0.1:8080\n  tls: off\n", "{bearer: "+token1+"}"))
	out.Reset()
	if code := run([]string{"credentials", "--config", off}, &out, &errs); code != 0 || !strings.Contains(out.String(), "http://127.0.0.1:8080/scim/v2/t1") ||
		!strings.Contains(out.String(), "(also http://127.0.0.1:8080/scim/v2, as the lone target)") || !strings.Contains(out.String(), "token (secret):  "+token1) ||
		!strings.Contains(out.String(), "TLS is off") {
		t.Errorf("tls: off: exit %d:\n%s", code, out.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func post(url, token string, body io.Reader) (int, error) {
	req, err := http.NewRequest("POST", url+"/Users", body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func user(name string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + name + `","name":{"givenName":"A","familyName":"B"}}`
}

// TestServeSignals runs `dbscim serve` and sends it real signals: SIGHUP reloads
// the configuration (a rotated token), and SIGTERM stops it only after a request in
// flight has been answered.
func TestServeSignals(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, config("  listen: 127.0.0.1:0\n  tls: off\n", "{bearer: "+token1+"}"))
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	exit := make(chan int, 1)
	go func() { exit <- run([]string{"serve", "--config", file, "--watch", "0"}, stdout, stderr) }()
	urlRE := regexp.MustCompile(`serving target "t1" at (http://\S+)`)
	waitFor(t, "the server to start", func() bool { return urlRE.MatchString(stdout.String()) })
	url := urlRE.FindStringSubmatch(stdout.String())[1]
	if status, err := post(url, token1, strings.NewReader(user("before@example.com"))); err != nil || status != 201 {
		t.Fatalf("create: %d %v\n%s", status, err, stderr.String())
	}

	// SIGHUP: the rotated configuration is in force without a restart.
	if err := os.WriteFile(file, []byte(config("  listen: 127.0.0.1:0\n  tls: off\n", "{bearer: "+token2+"}")), 0o600); err != nil {
		t.Fatal(err)
	}
	sendSignal(t, syscall.SIGHUP)
	waitFor(t, "the reload", func() bool {
		status, err := post(url, token2, strings.NewReader(user("after-hup@example.com")))
		return err == nil && status == 201
	})
	if status, _ := post(url, token1, strings.NewReader(user("old@example.com"))); status != 401 {
		t.Fatalf("the removed token after SIGHUP: %d", status)
	}

	// SIGTERM with a request in flight: its body is half sent when the signal
	// arrives, and it is still answered.
	pr, pw := io.Pipe()
	inFlight := make(chan int, 1)
	go func() {
		status, err := post(url, token2, pr)
		if err != nil {
			t.Error(err)
		}
		inFlight <- status
	}()
	body := user("in-flight@example.com")
	pw.Write([]byte(body[:20]))
	time.Sleep(200 * time.Millisecond) // the request reaches the handler
	sendSignal(t, syscall.SIGTERM)
	waitFor(t, "the shutdown to start", func() bool { return strings.Contains(stderr.String(), "draining in-flight requests") })
	if _, err := http.Get(url + "/Users"); err == nil {
		t.Error("a new connection was accepted during the shutdown")
	}
	select {
	case code := <-exit:
		t.Fatalf("serve exited (%d) with a request in flight", code)
	case <-time.After(100 * time.Millisecond):
	}
	pw.Write([]byte(body[20:]))
	pw.Close()
	if status := <-inFlight; status != 201 {
		t.Fatalf("the request in flight during SIGTERM: %d", status)
	}
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
	logs := stderr.String()
	for _, secret := range []string{token1, token2} {
		if strings.Contains(logs, secret) {
			t.Error("a token is in the log")
		}
	}
	if !strings.Contains(logs, `"msg":"shut down"`) {
		t.Errorf("no clean shutdown in the log:\n%s", logs)
	}
}
