package server_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// chunked hides a body's length from the HTTP client, so that it is sent with
// Transfer-Encoding: chunked and the server cannot refuse it by Content-Length.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

// TestBodyLimit sends bodies over max_body_bytes with and without a length: both
// are a 413 SCIM error (not 400 or 500), and a body under the limit is served.
func TestBodyLimit(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("  max_body_bytes: 2048\n", targetYAML("hr", bearer(testToken), b, "", "")))
	c := r.env("hr", testToken, b)
	big := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"big@example.com","title":"` + strings.Repeat("x", 4096) + `"}`
	for _, sendLength := range []bool{true, false} {
		var body io.Reader = strings.NewReader(big)
		if !sendLength {
			body = chunked{strings.NewReader(big)}
		}
		req, _ := http.NewRequest("POST", c.url+"/Users", body)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if (req.ContentLength > 0) != sendLength {
			t.Fatalf("the request was sent with ContentLength %d", req.ContentLength)
		}
		if resp.StatusCode != 413 || !strings.Contains(string(raw), `"status":"413"`) || !strings.Contains(string(raw), "urn:ietf:params:scim:api:messages:2.0:Error") {
			t.Errorf("body over the limit (length sent: %v): %d %s", sendLength, resp.StatusCode, raw)
		}
	}
	c.expect(c.do("POST", "/Users", oktaUser("small@example.com", "Small", "Body")), 201, "a body under the limit")
	if n := c.count(""); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
}

// TestPanic makes a target's handler panic: that request gets a 500 SCIM error,
// the panic is logged with its stack, and the server goes on serving.
func TestPanic(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "", "")))
	c := r.env("hr", testToken, b)
	old := r.srv.SetHandler("hr", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(errors.New("a bug in a store"))
	}))
	c.expectError(c.do("GET", "/Users", ""), 500, "", "panicking handler")
	logs := r.logs.String()
	if !strings.Contains(logs, `"msg":"panic serving request"`) || !strings.Contains(logs, "goroutine ") ||
		!strings.Contains(logs, "a bug in a store") {
		t.Fatalf("the panic is not logged with its stack:\n%s", logs)
	}
	r.srv.SetHandler("hr", old)
	c.expect(c.do("GET", "/Users", ""), 200, "the next request")
	_, metrics := r.get("/metrics")
	if got := metricValue(t, metrics, "dbscim_panics_total"); got != 1 {
		t.Errorf("dbscim_panics_total = %v, want 1", got)
	}
	if got := metricValue(t, metrics, "dbscim_requests_total", "target", "hr", "status", "500"); got != 1 {
		t.Errorf("requests with status 500 = %v, want 1", got)
	}
}

// TestQueueBound holds max_open + max_queue requests in a target: the next one is
// refused at once with 429 and Retry-After, and the held ones complete.
func TestQueueBound(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "      max_open: 1\n      max_queue: 1\n", "")))
	c := r.env("hr", testToken, b)
	entered := make(chan struct{})
	release := make(chan struct{})
	old := r.srv.SetHandler("hr", nil)
	r.srv.SetHandler("hr", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		entered <- struct{}{}
		<-release
		old.ServeHTTP(w, req)
	}))
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _, err := c.try("GET", "/Users", "")
			if err != nil {
				t.Error(err)
			}
			statuses[i] = status
		}()
	}
	<-entered
	<-entered
	over := c.do("GET", "/Users", "")
	c.expectError(over, 429, "", "a request beyond max_open + max_queue")
	if over.header.Get("Retry-After") != "1" {
		t.Errorf("429 without Retry-After: %v", over.header)
	}
	close(release)
	wg.Wait()
	if statuses[0] != 200 || statuses[1] != 200 {
		t.Errorf("held requests: %v, want 200s", statuses)
	}
	r.srv.SetHandler("hr", old)
	_, metrics := r.get("/metrics")
	if got := metricValue(t, metrics, "dbscim_queue_rejected_total", "target", "hr"); got != 1 {
		t.Errorf("dbscim_queue_rejected_total = %v, want 1", got)
	}
}

// TestPoolQueues sends more concurrent requests than a one-connection pool has
// connections, but within max_queue: they wait for the connection instead of
// failing.
func TestPoolQueues(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "      max_open: 1\n      max_queue: 8\n", "")))
	c := r.env("hr", testToken, b)
	const workers, each = 8, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	failures := map[int]int{}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				status, _, err := c.try("POST", "/Users", oktaUser(fmt.Sprintf("u%d-%d@example.com", w, i), "U", "Ser"))
				if err != nil || status != 201 {
					mu.Lock()
					failures[status]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("failed requests by status: %v", failures)
	}
	if n := c.count(""); n != workers*each {
		t.Fatalf("%d rows, want %d", n, workers*each)
	}
}

// TestTargetDeadline gives a target a short request_timeout and an operation that
// takes longer: the request answers 503 with Retry-After instead of waiting.
func TestTargetDeadline(t *testing.T) {
	b := newDB(t, "postgres", false)
	slow := strings.Replace(targetYAML("slow", bearer(testToken), b, "", "    request_timeout: 300ms\n"),
		`FROM users"}`, `FROM users, pg_sleep(5) AS s"}`, 1)
	if !strings.Contains(slow, "pg_sleep") {
		t.Fatal("the list operation was not replaced")
	}
	r := start(t, configYAML("", slow))
	c := r.env("slow", testToken, b)
	resp := c.do("GET", "/Users", "")
	c.expectError(resp, 503, "", "an operation past the target's deadline")
	if resp.header.Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After")
	}
	c.expect(c.do("GET", "/Users/nope", ""), 404, "other operations still answer")
}
