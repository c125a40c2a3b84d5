package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMultiTarget serves SQLite, MariaDB and PostgreSQL targets from one process,
// each with its own token: a token of one target is refused by the others, an
// unknown target is a 404, and cutting one target's database answers 503 on that
// target only while the others go on; the target recovers by itself.
func TestMultiTarget(t *testing.T) {
	lite := newDB(t, "sqlite", false)
	maria := newDB(t, "mysql", true)
	pg := newDB(t, "postgres", false)
	r := start(t, configYAML("",
		targetYAML("lite", bearer(testToken), lite, "", ""),
		targetYAML("maria", bearer(nextToken), maria, "", ""),
		targetYAML("pg", bearer(otherToken), pg, "", "")))
	clients := map[string]*client{
		"lite":  r.env("lite", testToken, lite),
		"maria": r.env("maria", nextToken, maria),
		"pg":    r.env("pg", otherToken, pg),
	}
	names := []string{"lite", "maria", "pg"}
	for _, name := range names {
		c := clients[name]
		c.expect(c.do("POST", "/Users", oktaUser("first@"+name+".example.com", "First", name)), 201, name+": create")
		for _, other := range names {
			if other == name {
				continue
			}
			wrong := r.env(name, clients[other].token, nil)
			wrong.expectError(wrong.do("GET", "/Users", ""), 401, "", name+" with the token of "+other)
		}
	}
	for _, name := range names {
		if n := clients[name].count(""); n != 1 {
			t.Fatalf("%s: %d rows, want 1 (each target writes to its own database)", name, n)
		}
	}
	unknown := r.env("nope", testToken, nil)
	unknown.expectError(unknown.do("GET", "/Users", ""), 404, "", "unknown target")
	noTarget := &client{env: &env{t: t, url: r.ts.URL + "/scim/v2", http: r.ts.Client()}, token: testToken}
	noTarget.expectError(noTarget.do("GET", "/Users", ""), 404, "", "no target named with several targets")

	maria.px.cut()
	m := clients["maria"]
	for _, req := range [][2]string{{"GET", "/Users"}, {"POST", "/Users"}} {
		body := ""
		if req[0] == "POST" {
			body = oktaUser("during@maria.example.com", "Dur", "Ing")
		}
		resp := m.do(req[0], req[1], body)
		m.expectError(resp, 503, "", "maria during its outage: "+req[0])
		if resp.header.Get("Retry-After") == "" {
			t.Fatal("503 without Retry-After")
		}
	}
	for _, name := range []string{"lite", "pg"} {
		c := clients[name]
		c.expect(c.do("GET", "/Users", ""), 200, name+" during maria's outage")
		c.expect(c.do("POST", "/Users", oktaUser("during@"+name+".example.com", "Dur", "Ing")), 201, name+" during maria's outage")
	}
	status, body := r.get("/readyz")
	var ready struct {
		Ready   bool
		Targets map[string]struct{ Ready bool }
	}
	json.Unmarshal([]byte(body), &ready)
	if status != 503 || ready.Ready || ready.Targets["maria"].Ready || !ready.Targets["lite"].Ready || !ready.Targets["pg"].Ready {
		t.Fatalf("/readyz during maria's outage: %d %s", status, body)
	}
	if status, body := r.get("/readyz?target=pg"); status != 200 {
		t.Fatalf("/readyz?target=pg during maria's outage: %d %s", status, body)
	}

	maria.px.restore()
	var after response
	for i := 0; i < 5; i++ { // the pool may hand out a dead connection first
		if after = m.do("GET", "/Users", ""); after.status == 200 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	m.expect(after, 200, "maria after its outage")
	if status, body := r.get("/readyz"); status != 200 {
		t.Fatalf("/readyz after the outage: %d %s", status, body)
	}
	for name, want := range map[string]int{"lite": 2, "maria": 1, "pg": 2} {
		if n := clients[name].count(""); n != want {
			t.Errorf("%s: %d rows, want %d", name, n, want)
		}
	}
}

// TestNoLostWrites cuts and restores the database under concurrent creates: every
// create answered 201 is in the database afterwards, creates during the outage
// answer 503 (never 500), and creates succeed again after it.
func TestNoLostWrites(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) { noLostWrites(t, dialect) })
	}
}

func noLostWrites(t *testing.T, dialect string) {
	b := newDB(t, dialect, true)
	r := start(t, configYAML("", targetYAML("hr", bearer(testToken), b, "", "")))
	c := r.env("hr", testToken, b)

	const workers, perWorker = 4, 120
	var phase atomic.Int32 // 0 before the cut, 1 cut, 2 restored
	var okBefore, okAfter, unavailable atomic.Int32
	var mu sync.Mutex
	created := map[string]string{} // id -> userName
	var unexpected []string
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				if phase.Load() == 2 && okAfter.Load() >= 20 {
					return
				}
				userName := fmt.Sprintf("w%d-%d@example.com", w, i)
				status, body, err := c.try("POST", "/Users", oktaUser(userName, "W", "Orker"))
				switch {
				case err == nil && status == 201:
					var res struct{ ID string }
					json.Unmarshal([]byte(body), &res)
					mu.Lock()
					created[res.ID] = userName
					mu.Unlock()
					if phase.Load() == 2 {
						okAfter.Add(1)
					} else {
						okBefore.Add(1)
					}
				case err == nil && status == 503 && strings.Contains(body, "urn:ietf:params:scim:api:messages:2.0:Error"):
					unavailable.Add(1)
					time.Sleep(20 * time.Millisecond) // as a client honouring Retry-After would, briefly
				default:
					mu.Lock()
					unexpected = append(unexpected, fmt.Sprintf("%d %v %.200s", status, err, body))
					mu.Unlock()
				}
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for okBefore.Load() < 20 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	b.px.cut()
	phase.Store(1)
	time.Sleep(300 * time.Millisecond)
	b.px.restore()
	phase.Store(2)
	wg.Wait()

	if len(unexpected) > 0 {
		t.Fatalf("answers other than 201 and 503:\n%s", strings.Join(unexpected, "\n"))
	}
	if unavailable.Load() == 0 {
		t.Fatal("no create saw the outage")
	}
	if okAfter.Load() == 0 {
		t.Fatal("no create succeeded after the database came back")
	}
	for id, userName := range created {
		row := c.row(id)
		if row == nil || row["user_name"] != userName {
			t.Errorf("create of %s answered 201 with id %s, but the row is %v", userName, id, row)
		}
	}
	t.Logf("%d creates answered 201 (%d before or during the cut, %d after), %d answered 503; all %d rows are in the database",
		len(created), okBefore.Load(), okAfter.Load(), unavailable.Load(), len(created))
}
