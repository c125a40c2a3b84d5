package server_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// The abuse campaign's group PATCH: one operation adding largeMembers members, with
// ids long enough that the body is just under the default max_body_bytes (1 MiB).
const (
	largeMembers  = 16000
	largeClients  = 20
	peakRSSBound  = 256 << 20
	heapAfterSlop = 16 << 20
)

func largeMemberID(i int) string {
	return fmt.Sprintf("member-%05d-%s", i, strings.Repeat("x", 39)) // 52 bytes
}

// largeMembersPatch is the body of that PATCH.
func largeMembersPatch() string {
	var b strings.Builder
	b.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[`)
	for i := 0; i < largeMembers; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"value":"` + largeMemberID(i) + `"}`)
	}
	b.WriteString(`]}]}`)
	return b.String()
}

// seedLargeMembers inserts the users the large PATCH adds.
func seedLargeMembers(t *testing.T, db *sql.DB, ph func(int) string) {
	t.Helper()
	for start := 0; start < largeMembers; start += 400 {
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO users (id, user_name) VALUES ")
		for i := start; i < start+400 && i < largeMembers; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%s, %s)", ph(len(args)+1), ph(len(args)+2))
			args = append(args, largeMemberID(i), fmt.Sprintf("user%05d", i))
		}
		if _, err := db.Exec(sb.String(), args...); err != nil {
			t.Fatal(err)
		}
	}
}

// procStatus reads a field of /proc/self/status in bytes (VmRSS, VmHWM).
func procStatus(t *testing.T, field string) uint64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status to read %s from: %v", field, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", field, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// resetPeakRSS starts VmHWM over from the current RSS (Linux: clear_refs 5).
func resetPeakRSS(t *testing.T) {
	t.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
}

func heapInuse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestLargePatchesMemory sends 20 concurrent 1 MiB group PATCHes, each adding
// 16,000 members in one operation, and reads the process's peak RSS: it stays under
// 256 MB (the process also holds the test's client and the database driver), every
// PATCH is stored, and the heap returns to where it was once they are done.
func TestLargePatchesMemory(t *testing.T) {
	if raceDetector {
		t.Skip("the race detector multiplies memory and time: this bound is checked without -race")
	}
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, groupSchemas[dialect]...)
			seedLargeMembers(t, db, d.Placeholder)
			// SQLite runs one write at a time: two connections are enough, and
			// keep the wait for its lock (busy_timeout) short on a loaded machine.
			// The timeout leaves room for a slow machine: this test is about
			// memory, TestLargePatchesPastDeadline about time.
			pool := "      max_open: 10\n      max_queue: 20\n"
			if dialect == "sqlite" {
				pool = "      max_open: 2\n      max_queue: 20\n"
			}
			yaml := fmt.Sprintf(groupConfig, enginetest.DatabaseYAML(d, conn)+pool)
			r := start(t, strings.Replace(yaml, "    groups:\n", "    request_timeout: 120s\n    groups:\n", 1))
			c := r.env("teams", testToken, nil)
			groups := make([]string, largeClients)
			for i := range groups {
				g := c.do("POST", "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"large%d"}`, i))
				c.expect(g, 201, "create a group")
				groups[i] = g.body["id"].(string)
			}
			body := largeMembersPatch()
			if len(body) > 1<<20 {
				t.Fatalf("the PATCH is %d bytes, over the default max_body_bytes", len(body))
			}
			// A warm-up PATCH of the same size on a group of its own, so that the
			// baseline includes what any first request allocates for good (pools,
			// statement caches).
			warm := c.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"warm"}`)
			c.expect(warm, 201, "create the warm-up group")
			if st, raw, err := c.try("PATCH", "/Groups/"+warm.body["id"].(string), body); err != nil || st != 204 && st != 200 {
				t.Fatalf("warm-up PATCH: %d %v %.300s", st, err, raw)
			}
			baseHeap := heapInuse()
			baseRSS := procStatus(t, "VmRSS")
			resetPeakRSS(t)

			began := time.Now()
			var wg sync.WaitGroup
			errs := make(chan string, largeClients)
			for _, g := range groups {
				wg.Add(1)
				go func(id string) {
					defer wg.Done()
					st, raw, err := c.try("PATCH", "/Groups/"+id, body)
					if err != nil || st != 204 && st != 200 {
						errs <- fmt.Sprintf("%d %v %.300s", st, err, raw)
					}
				}(g)
			}
			wg.Wait()
			took := time.Since(began)
			peak := procStatus(t, "VmHWM")
			close(errs)
			for e := range errs {
				t.Errorf("a large PATCH: %s", e)
			}
			afterHeap := heapInuse()
			afterRSS := procStatus(t, "VmRSS")
			t.Logf("%d concurrent %d-byte PATCHes of %d members took %v; RSS %d MB before, peak %d MB, %d MB after; heap in use %d MB before, %d MB after",
				largeClients, len(body), largeMembers, took.Round(time.Millisecond), baseRSS>>20, peak>>20, afterRSS>>20, baseHeap>>20, afterHeap>>20)

			var links int
			if err := db.QueryRow("SELECT COUNT(*) FROM link").Scan(&links); err != nil {
				t.Fatal(err)
			}
			if want := (largeClients + 1) * largeMembers; links != want {
				t.Errorf("%d memberships stored, want %d", links, want)
			}
			if peak > peakRSSBound {
				t.Errorf("peak RSS %d MB, want under %d MB", peak>>20, peakRSSBound>>20)
			}
			if afterHeap > baseHeap+heapAfterSlop {
				t.Errorf("heap in use %d MB after the PATCHes, %d MB before: it did not return to its baseline", afterHeap>>20, baseHeap>>20)
			}
		})
	}
}

// TestLargePatchesPastDeadline sends the same 20 concurrent 16,000-member PATCHes
// to a target whose request_timeout is far too short for them: every client gets
// an answer (none sees its connection closed), each answer is 204 or 503 with
// Retry-After, well before the connection's deadline, and each group holds what
// its answer says: every member after a 204, none after a 503.
func TestLargePatchesPastDeadline(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "sqlite")
	dialecttest.MustExec(t, db, groupSchemas["sqlite"]...)
	seedLargeMembers(t, db, d.Placeholder)
	yaml := fmt.Sprintf(groupConfig, enginetest.DatabaseYAML(d, conn)+"      max_open: 4\n      max_queue: 20\n")
	yaml = strings.Replace(yaml, "    groups:\n", "    request_timeout: 300ms\n    groups:\n", 1)
	r := start(t, yaml)
	c := r.env("teams", testToken, nil)
	groups := make([]string, largeClients)
	for i := range groups {
		g := c.do("POST", "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"late%d"}`, i))
		c.expect(g, 201, "create a group")
		groups[i] = g.body["id"].(string)
	}
	body := largeMembersPatch()
	type answer struct {
		status     int
		raw        string
		retryAfter string
		err        error
		took       time.Duration
	}
	answers := make([]answer, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			req, _ := http.NewRequest("PATCH", c.url+"/Groups/"+g, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+c.token)
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := c.http.Do(req)
			if err != nil {
				answers[i] = answer{err: err}
				return
			}
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers[i] = answer{resp.StatusCode, string(raw), resp.Header.Get("Retry-After"), err, time.Since(began)}
		}()
	}
	wg.Wait()
	counts := map[int]int{}
	var slowest time.Duration
	for i, a := range answers {
		slowest = max(slowest, a.took)
		if a.err != nil {
			t.Errorf("PATCH %d: no answer: %v", i, a.err)
			continue
		}
		counts[a.status]++
		var links int
		if err := db.QueryRow("SELECT COUNT(*) FROM link WHERE group_id = ?", groups[i]).Scan(&links); err != nil {
			t.Fatal(err)
		}
		switch a.status {
		case 200, 204:
			if links != largeMembers {
				t.Errorf("PATCH %d answered %d, but its group has %d members", i, a.status, links)
			}
		case 503:
			if links != 0 {
				t.Errorf("PATCH %d answered 503, but its group has %d members", i, links)
			}
			if a.retryAfter == "" || !strings.Contains(a.raw, `"status":"503"`) {
				t.Errorf("PATCH %d: a 503 without Retry-After or a SCIM error body: %q %.300s", i, a.retryAfter, a.raw)
			}
		default:
			t.Errorf("PATCH %d: %d %.300s", i, a.status, a.raw)
		}
	}
	t.Logf("20 PATCHes of %d members with request_timeout 300ms: answers %v, the slowest after %v", largeMembers, counts, slowest.Round(time.Millisecond))
	if counts[503] == 0 {
		t.Errorf("no PATCH ran past a 300ms deadline: the test proves nothing")
	}
}
