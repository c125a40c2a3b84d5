package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
	"github.com/dbscim/dbscim/engine/server"
)

// startBody opens a connection to the server and sends a request's headers,
// announcing a body of length bytes, and none of the body.
func startBody(t *testing.T, r *running, method, path, token string, length int) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", r.ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/scim+json\r\nContent-Length: %d\r\n\r\n",
		method, path, r.ts.Listener.Addr(), token, length)
	return conn
}

// readStatus reads the status code of the answer on a raw connection.
func readStatus(conn net.Conn, within time.Duration) (int, error) {
	conn.SetReadDeadline(time.Now().Add(within))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// probe times requests of a client of the target, every pause: a lookup and a
// create, in turn.
func probe(t *testing.T, c *client, n int, pause time.Duration, tag string) []time.Duration {
	t.Helper()
	var took []time.Duration
	for i := 0; i < n; i++ {
		time.Sleep(pause)
		start := time.Now()
		if i%2 == 0 {
			c.expect(c.do("GET", "/Users?filter="+urlEncode(`userName eq "nobody@example.com"`), ""), 200, tag+": lookup")
		} else {
			c.expect(c.do("POST", "/Users", oktaUser(fmt.Sprintf("%s%d@example.com", tag, i), "Pro", "Be")), 201, tag+": create")
		}
		took = append(took, time.Since(start))
	}
	return took
}

func summary(d []time.Duration) string {
	s := slices.Clone(d)
	slices.Sort(s)
	return fmt.Sprintf("median %v, max %v over %d requests", s[len(s)/2].Round(10*time.Microsecond), s[len(s)-1].Round(10*time.Microsecond), len(s))
}

// TestSlowBodiesTakeNoSlot holds 100 connections that send a create's body one
// byte at a time, with a valid token, against a target of two slots: other clients
// of that target are served as before (none gets 429), because a request takes its
// slot only once its body is read. The probes' latencies are logged, without and
// with the slow clients.
func TestSlowBodiesTakeNoSlot(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("  body_timeout: 3s\n", targetYAML("hr", bearer(testToken), b, "      max_open: 2\n      max_queue: 0\n", "")))
	c := r.env("hr", testToken, b)
	quiet := probe(t, c, 40, 0, "quiet")

	const slow = 100
	stop := make(chan struct{})
	var wg sync.WaitGroup
	conns := make([]net.Conn, slow)
	for i := range conns {
		conns[i] = startBody(t, r, "POST", "/scim/v2/hr/Users", testToken, 1000)
		wg.Add(1)
		go func(conn net.Conn) {
			defer wg.Done()
			tick := time.NewTicker(500 * time.Millisecond)
			defer tick.Stop()
			for {
				if _, err := conn.Write([]byte(" ")); err != nil {
					return
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}(conns[i])
	}
	// Every slow client is sending its body; the probes go on for 4 s, past
	// body_timeout.
	time.Sleep(time.Second)
	loaded := probe(t, c, 40, 100*time.Millisecond, "loaded")
	// The slow clients are still sending, unanswered: nobody refused them either.
	for _, conn := range conns[:5] {
		if status, err := readStatus(conn, 50*time.Millisecond); err == nil {
			t.Fatalf("a slow client was answered %d while sending its body", status)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("probe latency without slow clients: %s", summary(quiet))
	t.Logf("probe latency with %d slow-body clients holding their bodies: %s", slow, summary(loaded))
	_, metrics := r.get("/metrics")
	if got := metricValue(t, metrics, "dbscim_queue_rejected_total", "target", "hr"); got > 0 {
		t.Errorf("dbscim_queue_rejected_total = %v, want 0", got)
	}
}

// TestBodyTimeout: a client that stops sending its body is answered 408 once it has
// paused body_timeout, and a client that sends its body slowly but steadily, over
// longer than body_timeout in all, is served.
func TestBodyTimeout(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("  body_timeout: 1s\n", targetYAML("hr", bearer(testToken), b, "", "")))
	c := r.env("hr", testToken, b)
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"steady@example.com"}`

	stalled := startBody(t, r, "POST", "/scim/v2/hr/Users", testToken, len(body))
	stalled.Write([]byte(body[:len(body)/2]))
	began := time.Now()
	status, err := readStatus(stalled, 10*time.Second)
	if err != nil || status != http.StatusRequestTimeout {
		t.Fatalf("a stalled body: %d, %v; want 408", status, err)
	}
	t.Logf("a stalled body was answered 408 after %v", time.Since(began).Round(time.Millisecond))

	steady := startBody(t, r, "POST", "/scim/v2/hr/Users", testToken, len(body))
	began = time.Now()
	for i := 0; i < len(body); i++ {
		steady.Write([]byte{body[i]})
		time.Sleep(25 * time.Millisecond)
	}
	if status, err := readStatus(steady, 10*time.Second); err != nil || status != http.StatusCreated {
		t.Fatalf("a steady body sent over %v: %d, %v; want 201", time.Since(began).Round(time.Millisecond), status, err)
	}
	if n := c.count("WHERE user_name = 'steady@example.com'"); n != 1 {
		t.Fatalf("%d rows for the steady client, want 1", n)
	}
	if !strings.Contains(r.logs.String(), `"status":408`) {
		t.Errorf("the 408 is not in the request log")
	}
}

// TestPatchOperationsBound: a PATCH over max_patch_operations is refused with 413
// before it reaches the target's handler (and so its database); one at the bound is
// served, and so is one operation with more member values than the bound (the store
// writes them in batches). Without the key, the default bound refuses the
// 16,000-operation PATCH of the abuse campaign at once.
func TestPatchOperationsBound(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "sqlite")
	dialecttest.MustExec(t, db, groupSchemas["sqlite"]...)
	seedLinkUsers(t, db, d.Placeholder, 20)
	yaml := fmt.Sprintf(groupConfig, enginetest.DatabaseYAML(d, conn))
	bounded := strings.Replace(yaml, `tls: "off"}`, `tls: "off", max_patch_operations: 10}`, 1)
	for _, cfg := range []struct {
		yaml  string
		limit int
	}{{bounded, 10}, {yaml, 1000}} {
		r := start(t, cfg.yaml)
		c := r.env("teams", testToken, nil)
		g := c.do("POST", "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g%d"}`, cfg.limit))
		c.expect(g, 201, "create a group")
		group := "/Groups/" + g.body["id"].(string)
		var reached atomic.Int32
		inner := r.srv.SetHandler("teams", nil)
		r.srv.SetHandler("teams", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			reached.Add(1)
			inner.ServeHTTP(w, req)
		}))
		member := func(i int) string { return fmt.Sprintf(`{"value":"u-%04d"}`, i%20) }
		ops := func(n int) string {
			var o []string
			for i := 0; i < n; i++ {
				o = append(o, `{"op":"add","path":"members","value":[`+member(i)+`]}`)
			}
			return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(o, ",") + `]}`
		}
		values := func(n int) string {
			var v []string
			for i := 0; i < n; i++ {
				v = append(v, member(i))
			}
			return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[` + strings.Join(v, ",") + `]}]}`
		}
		over := []string{ops(cfg.limit + 1)}
		if cfg.limit == 1000 {
			over = append(over, ops(16000))
		}
		for _, body := range over {
			began := time.Now()
			resp := c.do("PATCH", group, body)
			c.expectError(resp, 413, "", fmt.Sprintf("a PATCH over %d operations (%d bytes)", cfg.limit, len(body)))
			if !strings.Contains(resp.raw, "max_patch_operations") {
				t.Errorf("the 413 does not name the setting: %s", resp.raw)
			}
			t.Logf("a %d-byte PATCH over %d operations was refused in %v", len(body), cfg.limit, time.Since(began).Round(time.Microsecond))
		}
		if n := reached.Load(); n != 0 {
			t.Fatalf("%d PATCHes over the bound reached the target's handler", n)
		}
		var links int
		db.QueryRow("SELECT COUNT(*) FROM link WHERE group_id = ?", g.body["id"]).Scan(&links)
		if links != 0 {
			t.Fatalf("%d members added by refused PATCHes", links)
		}
		if cfg.limit == 10 {
			for _, body := range []string{ops(10), values(20)} {
				resp := c.do("PATCH", group, body)
				if resp.status != 200 && resp.status != 204 {
					t.Fatalf("a PATCH within the bound: %d %s", resp.status, resp.raw)
				}
			}
			db.QueryRow("SELECT COUNT(*) FROM link WHERE group_id = ?", g.body["id"]).Scan(&links)
			if links != 20 {
				t.Fatalf("%d members after PATCHes of 10 operations and of 20 values, want 20", links)
			}
		}
	}
}

// TestAnswerAtDeadline plays a handler busy in memory past the target's
// request_timeout, not watching its context: the client gets 503 with Retry-After
// while the handler still runs, the handler's late answer is dropped, and the
// request keeps its slot until the handler returns, so that the target's bound on
// work in flight holds.
func TestAnswerAtDeadline(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "      max_open: 1\n      max_queue: 0\n", "    request_timeout: 500ms\n")))
	c := r.env("hr", testToken, b)
	entered, release := make(chan struct{}), make(chan struct{})
	late := make(chan error, 1)
	old := r.srv.SetHandler("hr", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		close(entered)
		<-release
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusOK)
		_, err := w.Write([]byte(`{"late":true}`))
		late <- err
	}))
	answered := make(chan response, 1)
	go func() {
		answered <- c.do("PATCH", "/Users/u1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
	}()
	<-entered
	var resp response
	select {
	case resp = <-answered:
	case <-time.After(20 * time.Second): // far past request_timeout (500ms)
		close(release)
		t.Fatal("no answer while the handler runs past its deadline")
	}
	c.expectError(resp, 503, "", "a handler past its deadline")
	if resp.header.Get("Retry-After") == "" || !strings.Contains(resp.raw, "read the resource before retrying") {
		t.Errorf("the 503 at the deadline: %v %s", resp.header, resp.raw)
	}
	// The handler still runs: its slot is still taken.
	c.expectError(c.do("GET", "/Users", ""), 429, "", "a request while the late handler holds the only slot")
	close(release)
	if err := <-late; err == nil {
		t.Errorf("the late handler's answer was written")
	}
	r.srv.SetHandler("hr", old)
	c.expect(c.do("GET", "/Users", ""), 200, "the next request once the handler returned")
	if !strings.Contains(r.logs.String(), "request answered 503 at its deadline") {
		t.Errorf("the answer in the handler's place is not logged")
	}
}

// TestWriteAnswerAfterDeadline: a write whose handler answers a little after the
// deadline (a store settling a commit whose outcome was unknown) reaches the client
// with that answer, not the server's "outcome unknown" 503; a read that late gets
// the server's 503 at once.
func TestWriteAnswerAfterDeadline(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "", "    request_timeout: 500ms\n")))
	c := r.env("hr", testToken, b)
	r.srv.SetHandler("hr", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		<-req.Context().Done()
		time.Sleep(2 * time.Second) // past answerGrace, within the settle time
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(http.StatusNoContent)
	}))
	began := time.Now()
	resp := c.do("PATCH", "/Users/u1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
	if resp.status != http.StatusNoContent {
		t.Fatalf("a write that settled 2 s after its deadline: %d %s, want its own 204", resp.status, resp.raw)
	}
	t.Logf("the write's own answer came %v after it was sent", time.Since(began).Round(time.Millisecond))
	began = time.Now()
	resp = c.do("GET", "/Users/u1", "")
	c.expectError(resp, 503, "", "a read 2 s past its deadline")
	t.Logf("the read's 503 came %v after it was sent (its handler would have answered after 2.5 s)", time.Since(began).Round(time.Millisecond))
	if strings.Contains(resp.raw, "read the resource before retrying") {
		t.Errorf("the 503 of a read speaks of a change: %s", resp.raw)
	}
}

// TestNoCommitAfterDeadline: a create held up by another connection's lock on the
// database until after its deadline is answered 503, and is not stored once the
// lock goes: a transaction whose time ran out never commits, so a 503 at the
// deadline is true.
func TestNoCommitAfterDeadline(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "", "    request_timeout: 500ms\n")))
	c := r.env("hr", testToken, b)
	lock, err := b.sql.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	answered := make(chan response, 1)
	go func() { answered <- c.do("POST", "/Users", oktaUser("late@example.com", "La", "Te")) }()
	time.Sleep(1200 * time.Millisecond) // past the deadline, within the write's grace
	if _, err := lock.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	var resp response
	select {
	case resp = <-answered:
	case <-time.After(20 * time.Second):
		t.Fatal("no answer to a create held past its deadline")
	}
	c.expectError(resp, 503, "", "a create held past its deadline")
	if resp.header.Get("Retry-After") == "" {
		t.Errorf("the 503 has no Retry-After")
	}
	// The next request of the client finds nothing stored.
	c.expect(c.do("GET", "/Users?filter="+urlEncode(`userName eq "late@example.com"`), ""), 200, "lookup after the 503")
	if n := c.count("WHERE user_name = 'late@example.com'"); n != 0 {
		t.Fatalf("the create answered 503 was stored (%d rows)", n)
	}
}

// TestAuditRecordsALateChange: a write whose change lands after the server has
// answered 503 in its place (past the write's grace) is audited with the 503 the
// client got and the status the change reached, so the trail does not say
// "refused" of a change that was made.
func TestAuditRecordsALateChange(t *testing.T) {
	b := newDB(t, "sqlite", false)
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	r := start(t, configYAML(fmt.Sprintf("  audit_file: %q\n", auditFile),
		targetYAML("hr", bearer(testToken), b, "", "    request_timeout: 200ms\n")))
	c := r.env("hr", testToken, b)
	returned := make(chan struct{})
	r.srv.SetHandler("hr", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		defer close(returned)
		server.Audit(req, server.AuditEvent{Target: "hr", Resource: "User", Operation: "update", ID: "u1"})
		<-req.Context().Done()
		time.Sleep(server.WriteAnswerGrace + 500*time.Millisecond) // past the guard
		w.WriteHeader(http.StatusNoContent)
	}))
	resp := c.do("PATCH", "/Users/u1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
	c.expectError(resp, 503, "", "a write past its grace")
	<-returned
	var event server.AuditEvent
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		data, _ := os.ReadFile(auditFile)
		if len(data) > 0 && json.Unmarshal(data, &event) == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no audit event")
		}
	}
	if event.Outcome != 503 || event.LateOutcome != http.StatusNoContent {
		t.Fatalf("audit event %+v: want outcome 503 and lateOutcome 204", event)
	}
	if !strings.Contains(r.logs.String(), "a change answered 503 at its deadline finished afterwards") {
		t.Errorf("the late change is not logged:\n%s", r.logs.String())
	}
}
