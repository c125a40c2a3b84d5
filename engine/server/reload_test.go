package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestReloadUnderLoad reloads good and bad configurations while several clients
// create, read and list users: no request fails, good configurations are swapped
// in, bad ones are refused with the old one still serving, and the pools of replaced
// configurations are closed. It runs on MariaDB and PostgreSQL, whose concurrent
// writers wait for each other; SQLite's deferred transactions answer some concurrent
// creates 503 with or without reloads.
func TestReloadUnderLoad(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) { reloadUnderLoad(t, dialect) })
	}
}

func reloadUnderLoad(t *testing.T, dialect string) {
	b := newDB(t, dialect, false)
	good := []string{
		configYAML("", targetYAML("hr", bearer(testToken), b, "", "")),
		configYAML("  max_results: 50\n", targetYAML("hr", bearer(testToken, nextToken), b, "      max_open: 4\n", ""),
			targetYAML("extra", bearer(otherToken), b, "", "")),
	}
	bad := []string{
		good[0] + "  oops: [\n",                                                            // YAML syntax
		strings.Replace(good[0], "tls: off", "tls: of", 1),                                 // bad value
		strings.Replace(good[0], "bearer: "+testToken, "bearer: short", 1),                 // token too short
		strings.Replace(good[0], "user_name, external_id", "user_name, ?, external_id", 1), // placeholder count
	}
	r := start(t, good[0])
	c := r.env("hr", testToken, b)

	var stop atomic.Bool
	var served atomic.Int64
	var mu sync.Mutex
	var failures []string
	fail := func(s string) {
		mu.Lock()
		if len(failures) < 10 {
			failures = append(failures, s)
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load() && i < 400; i++ {
				var status int
				var body string
				var err error
				want := 200
				switch i % 3 {
				case 0:
					want = 201
					status, body, err = c.try("POST", "/Users", oktaUser(fmt.Sprintf("w%d-%d@example.com", w, i), "W", "Orker"))
				case 1:
					status, body, err = c.try("GET", "/Users?count=5", "")
				case 2:
					status, body, err = c.try("GET", `/Users?filter=userName%20eq%20%22w0-0@example.com%22`, "")
				}
				if err != nil || status != want {
					fail(fmt.Sprintf("request %d of worker %d: %d %v %.200s", i, w, status, err, body))
				}
				served.Add(1)
			}
		}()
	}
	ctx := context.Background()
	closed := 0
	for round := 0; round < 12; round++ {
		replaced := r.srv.PoolsClosed()
		r.rewrite(good[(round+1)%2])
		if err := r.srv.Reload(ctx, r.file); err != nil {
			t.Fatalf("round %d: good configuration refused: %v", round, err)
		}
		select {
		case <-replaced:
			closed++
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: the replaced configuration's pools are still open", round)
		}
		r.rewrite(bad[round%len(bad)])
		if err := r.srv.Reload(ctx, r.file); err == nil {
			t.Fatalf("round %d: bad configuration %d accepted", round, round%len(bad))
		}
		time.Sleep(20 * time.Millisecond) // let requests run on each configuration
	}
	stop.Store(true)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("failed requests during reloads:\n%s", strings.Join(failures, "\n"))
	}
	t.Logf("%d requests served across 12 good and 12 bad reloads", served.Load())
	_, metrics := r.get("/metrics")
	if ok, bad := metricValue(t, metrics, "dbscim_config_reloads_total", "result", "ok"), metricValue(t, metrics, "dbscim_config_reloads_total", "result", "error"); ok != 12 || bad != 12 {
		t.Errorf("reloads ok/error = %v/%v, want 12/12", ok, bad)
	}
	if closed != 12 {
		t.Errorf("%d replaced configurations closed, want 12", closed)
	}
	if !strings.Contains(r.logs.String(), "the statement has") {
		t.Errorf("a refused configuration's problems are not logged:\n%.2000s", r.logs.String())
	}
	// The last good configuration (round 11 wrote good[0]) is in force.
	c.expect(c.do("GET", "/Users/nope", ""), 404, "after the reloads")
	if n := c.count(""); n == 0 {
		t.Fatal("no user created")
	}
}

// TestReloadDrains holds a request on the configuration in force, reloads, and
// checks that the request finishes on the old configuration and that its pools are
// closed only afterwards, while new requests run on the new configuration.
func TestReloadDrains(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "", "")))
	c := r.env("hr", testToken, b)
	entered, release := make(chan struct{}), make(chan struct{})
	old := r.srv.SetHandler("hr", nil)
	r.srv.SetHandler("hr", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		close(entered)
		<-release
		old.ServeHTTP(w, req)
	}))
	done := make(chan int)
	go func() {
		status, _, _ := c.try("GET", "/Users", "")
		done <- status
	}()
	<-entered
	oldPools := r.srv.PoolsClosed()
	r.rewrite(configYAML("", targetYAML("hr", bearer(nextToken), b, "", "")))
	if err := r.srv.Reload(context.Background(), r.file); err != nil {
		t.Fatal(err)
	}
	next := r.env("hr", nextToken, b)
	next.expect(next.do("GET", "/Users", ""), 200, "a new request, on the new configuration")
	select {
	case <-oldPools:
		t.Fatal("the old configuration's pools were closed under a request in flight")
	default:
	}
	close(release)
	if status := <-done; status != 200 {
		t.Fatalf("the request in flight during the reload: %d", status)
	}
	select {
	case <-oldPools:
	case <-time.After(10 * time.Second):
		t.Fatal("the old configuration's pools are still open after its last request")
	}
}

// TestTokenRotation serves two tokens at once, then reloads with the old one
// removed: it stops working at once and the new one goes on.
func TestTokenRotation(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken, nextToken), b, "", "")))
	oldC, newC := r.env("hr", testToken, b), r.env("hr", nextToken, b)
	oldC.expect(oldC.do("POST", "/Users", oktaUser("a@example.com", "A", "A")), 201, "old token")
	newC.expect(newC.do("POST", "/Users", oktaUser("b@example.com", "B", "B")), 201, "new token")

	r.rewrite(configYAML("", targetYAML("hr", bearer("short"), b, "", "")))
	if err := r.srv.Reload(context.Background(), r.file); err == nil {
		t.Fatal("a token too short was accepted")
	}
	oldC.expect(oldC.do("GET", "/Users", ""), 200, "old token after a refused reload")

	r.rewrite(configYAML("", targetYAML("hr", bearer(nextToken), b, "", "")))
	if err := r.srv.Reload(context.Background(), r.file); err != nil {
		t.Fatal(err)
	}
	oldC.expectError(oldC.do("GET", "/Users", ""), 401, "", "old token after it was removed")
	resp := newC.do("GET", "/Users", "")
	newC.expect(resp, 200, "new token after the rotation")
	if resp.body["totalResults"] != float64(2) {
		t.Fatalf("after the rotation: %s", resp.raw)
	}
}

// TestWatch changes the configuration file under a server that watches it: the
// change is picked up without a signal, and a broken file is refused.
func TestWatch(t *testing.T) {
	b := newDB(t, "sqlite", false)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "", "")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.srv.Watch(ctx, r.file, 20*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	r.rewrite(configYAML("", targetYAML("hr", bearer(testToken), b, "", "")) + "  broken: [\n")
	time.Sleep(200 * time.Millisecond)
	c := r.env("hr", testToken, b)
	c.expect(c.do("GET", "/Users", ""), 200, "after a broken file was written")
	r.rewrite(configYAML("", targetYAML("hr", bearer(nextToken), b, "", "")))
	next := r.env("hr", nextToken, b)
	deadline := time.Now().Add(10 * time.Second)
	for next.do("GET", "/Users", "").status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the changed file was not reloaded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.expectError(c.do("GET", "/Users", ""), 401, "", "the old token after the watched reload")
	if !strings.Contains(r.logs.String(), "configuration refused") {
		t.Error("the broken file was not reported")
	}
}
