// Package replicas_test proves that several dbscim processes serving the same
// database behave as one server behind a load balancer. It builds the dbscim
// binary, starts three processes on one MariaDB and one PostgreSQL database (each
// test creates its own), puts a round-robin reverse proxy in front of them and
// drives them over HTTP through it:
//
//   - the lifecycle of a user (create, get, filter, replace, patch in Okta's and
//     Entra's shapes, delete), each request landing on the next process;
//   - an import walk whose consecutive pages are served by different processes;
//   - racing creates of one userName sent to every process at once: one 201, the
//     rest 409 uniqueness, one row;
//   - a rolling restart (each process in turn stopped with SIGTERM and started
//     again) while clients create, read, patch and delete: no failed request, no
//     duplicate row, no lost write.
//
// The balancer opens a connection per request and, like a load balancer's passive
// health check, sends a request whose connection was refused (the process is
// draining or not started yet) to the next process: such a request never reached
// dbscim, so resending it is safe for every method. Those refusals are counted
// and logged; every other failure fails the test.
package replicas_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
)

const (
	token      = "replicas-test-token-0123456789abcdef"
	userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
	patchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	processes  = 3
)

func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dbscim and starts processes; skipped with -short")
	}
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			c := newCluster(t, dialect, "schema."+dialect+".sql")
			t.Run("lifecycle", c.lifecycle)
			t.Run("import walk", c.importWalk)
			t.Run("racing creates", c.racingCreates)
			t.Run("rolling restart out of rotation first", func(t *testing.T) { c.rollingRestart(t, true) })
			t.Run("rolling restart in rotation", func(t *testing.T) { c.rollingRestart(t, false) })
			c.logCounts(t)
		})
	}
}

// ---- the dbscim binary and its processes ----

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// dbscimBinary builds cmd/dbscim once per test run, as `make build` does.
func dbscimBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dbscim-replicas-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "dbscim")
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		cmd := exec.Command(goTool, "build", "-o", binary, "./cmd/dbscim")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/dbscim: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// process is one `dbscim serve` on its own port.
type process struct {
	addr string
	env  []string
	cmd  *exec.Cmd
	done chan error
	out  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the process and waits until /readyz answers 200.
func (p *process) start(t *testing.T, bin string) {
	t.Helper()
	config, err := filepath.Abs("dbscim.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p.out = &syncBuffer{}
	p.cmd = exec.Command(bin, "serve", "--config", config)
	p.cmd.Env = p.env
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.done = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan error) { done <- cmd.Wait() }(p.cmd, p.done)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + p.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("dbscim on %s exited before it was ready: %v\n%s", p.addr, err, p.out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("dbscim on %s not ready after 30 s\n%s", p.addr, p.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit: requests in flight are answered
// first (the drain), then the process exits 0.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("dbscim on %s: SIGTERM: exit %v\n%s", p.addr, err, p.out)
		}
	case <-time.After(45 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatalf("dbscim on %s did not exit 45 s after SIGTERM\n%s", p.addr, p.out)
	}
}

// ---- the load balancer ----

// balancer is a round-robin http.RoundTripper over the processes. It opens a
// connection per request (so that no request rides on a keep-alive connection the
// draining process is about to close), skips processes taken out of rotation, and
// sends a request whose connection is refused to the next process.
type balancer struct {
	addrs     []string
	next      atomic.Uint64
	out       []atomic.Bool  // taken out of rotation, as Kubernetes removes a terminating pod's endpoint
	draining  []atomic.Bool  // sent SIGTERM and not yet exited
	served    []atomic.Int64 // answers per process
	refused   []atomic.Int64 // connections refused, the request resent to the next process
	cut       []atomic.Int64 // requests cut by a draining process (connection reset before any answer)
	transport *http.Transport
}

// errCutWhileDraining marks a request that a process stopping with SIGTERM reset
// before answering: its connection was still in the listen queue when the listener
// closed, so dbscim never read it.
var errCutWhileDraining = errors.New("connection reset by a draining process")

const backendHeader = "X-Test-Backend"

func (b *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	first := b.next.Add(1) - 1
	var lastErr error
	for i := range uint64(len(b.addrs)) {
		k := int((first + i) % uint64(len(b.addrs)))
		if b.out[k].Load() {
			continue
		}
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host, out.Host = "http", b.addrs[k], ""
		out.Body, out.ContentLength = http.NoBody, 0
		if len(body) > 0 {
			out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		resp, err := b.transport.RoundTrip(out)
		if err == nil {
			b.served[k].Add(1)
			resp.Header.Set(backendHeader, strconv.Itoa(k))
			return resp, nil
		}
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			b.refused[k].Add(1)
			lastErr = err
			continue
		}
		if b.draining[k].Load() {
			b.cut[k].Add(1)
			return nil, fmt.Errorf("%w: %v", errCutWhileDraining, err)
		}
		return nil, err
	}
	return nil, lastErr
}

// ---- the cluster ----

type cluster struct {
	d       dialects.Dialect
	db      *sql.DB
	bin     string
	procs   []*process
	lb      *balancer
	url     string // the balancer's .../scim/v2/hr
	client  *http.Client
	failed  atomic.Int64 // requests answered 502 by the balancer
	counter atomic.Int64 // requests sent
}

func newCluster(t *testing.T, dialect, schema string) *cluster {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	script, err := os.ReadFile(schema)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range strings.Split(stripComments(string(script)), ";") {
		if strings.TrimSpace(s) != "" {
			dialecttest.MustExec(t, db, s)
		}
	}
	c := &cluster{d: d, db: db, bin: dbscimBinary(t)}
	env := []string{
		"DBSCIM_TOKEN=" + token,
		"DBSCIM_DB_DIALECT=" + d.Name(),
		"DBSCIM_DB_HOST=" + conn.Host,
		"DBSCIM_DB_PORT=" + strconv.Itoa(conn.Port),
		"DBSCIM_DB_NAME=" + conn.Name,
		"DBSCIM_DB_USER=" + conn.User,
		"DBSCIM_DB_PASSWORD=" + conn.Password,
	}
	c.lb = &balancer{
		out:       make([]atomic.Bool, processes),
		draining:  make([]atomic.Bool, processes),
		served:    make([]atomic.Int64, processes),
		refused:   make([]atomic.Int64, processes),
		cut:       make([]atomic.Int64, processes),
		transport: &http.Transport{DisableKeepAlives: true},
	}
	for range processes {
		p := &process{addr: freePort(t)}
		p.env = append([]string{"DBSCIM_LISTEN=" + p.addr}, env...)
		c.procs = append(c.procs, p)
		c.lb.addrs = append(c.lb.addrs, p.addr)
	}
	var wg sync.WaitGroup
	for _, p := range c.procs {
		wg.Add(1)
		go func() { defer wg.Done(); p.start(t, c.bin) }()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, p := range c.procs {
			if p.cmd.ProcessState == nil {
				p.stop(t)
			}
		}
	})
	proxy := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.Out.URL.Scheme, r.Out.URL.Host = "http", "balancer" },
		Transport: c.lb,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if !errors.Is(err, errCutWhileDraining) {
				c.failed.Add(1)
				t.Errorf("balancer: %s %s: %v", r.Method, r.URL, err)
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	c.url = front.URL + "/scim/v2/hr"
	c.client = &http.Client{Timeout: 60 * time.Second}
	return c
}

func stripComments(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func (c *cluster) logCounts(t *testing.T) {
	var served, refused []string
	for k := range c.procs {
		served = append(served, strconv.FormatInt(c.lb.served[k].Load(), 10))
		refused = append(refused, strconv.FormatInt(c.lb.refused[k].Load(), 10))
	}
	var cut int64
	for k := range c.procs {
		cut += c.lb.cut[k].Load()
	}
	t.Logf("%s: %d requests through the balancer; answered per process: %s; connections refused and sent to the next process: %s; "+
		"cut by a draining process: %d; failed otherwise: %d",
		c.d.Name(), c.counter.Load(), strings.Join(served, "/"), strings.Join(refused, "/"), cut, c.failed.Load())
}

// reply is an answer, with the process that gave it.
type reply struct {
	status  int
	body    map[string]any
	raw     string
	backend int
}

// do sends one request through the balancer. It returns an error rather than
// failing the test, so that it can run in goroutines.
func (c *cluster) do(method, path, body string) (reply, error) {
	c.counter.Add(1)
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: reading the answer: %v", method, path, err)
	}
	r := reply{status: resp.StatusCode, raw: string(raw), backend: -1}
	if b := resp.Header.Get(backendHeader); b != "" {
		r.backend, _ = strconv.Atoi(b)
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			return r, fmt.Errorf("%s %s: %d, not JSON: %s", method, path, r.status, raw)
		}
	}
	return r, nil
}

// expect sends a request and returns an error unless the status is one of want.
func (c *cluster) expect(method, path, body string, want ...int) (reply, error) {
	r, err := c.do(method, path, body)
	if err != nil {
		return r, err
	}
	if !slices.Contains(want, r.status) {
		return r, fmt.Errorf("%s %s %s\n=> %d %s (want %v)", method, path, body, r.status, r.raw, want)
	}
	return r, nil
}

func (c *cluster) must(t *testing.T, method, path, body string, want ...int) reply {
	t.Helper()
	r, err := c.expect(method, path, body, want...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func userBody(userName, given, family string) string {
	b, _ := json.Marshal(map[string]any{
		"schemas":  []string{userSchema},
		"userName": userName,
		"name":     map[string]string{"givenName": given, "familyName": family},
		"emails":   []map[string]any{{"type": "work", "value": userName, "primary": true}},
		"active":   true,
	})
	return string(b)
}

func patchBody(ops string) string {
	return `{"schemas":["` + patchOp + `"],"Operations":` + ops + `}`
}

func str(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = o[k]
	}
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// query runs a query with ? written in the dialect's placeholders and returns its
// rows, columns joined by "|".
func (c *cluster) query(t *testing.T, q string, args ...any) []string {
	t.Helper()
	for i := range args {
		q = strings.Replace(q, "?", c.d.Placeholder(i+1), 1)
	}
	rows, err := c.db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(cols))
		for i, v := range vals {
			parts[i] = v.String
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// ---- the scenarios ----

// lifecycle walks one user through Okta's and Entra's calls; with round robin,
// each call lands on the next process.
func (c *cluster) lifecycle(t *testing.T) {
	backends := map[int]bool{}
	seen := func(r reply) reply { backends[r.backend] = true; return r }

	created := seen(c.must(t, "POST", "/Users", userBody("ada@example.com", "Ada", "Lovelace"), 201))
	id := str(created.body, "id")
	if id == "" {
		t.Fatalf("created user has no id: %s", created.raw)
	}
	for range processes {
		got := seen(c.must(t, "GET", "/Users/"+id, "", 200))
		if str(got.body, "userName") != "ada@example.com" || str(got.body, "name", "givenName") != "Ada" {
			t.Fatalf("GET after create: %s", got.raw)
		}
	}
	list := seen(c.must(t, "GET", `/Users?filter=userName+eq+%22ADA@example.com%22`, "", 200))
	if str(list.body, "totalResults") != "1" {
		t.Fatalf("filter by userName: %s", list.raw)
	}
	seen(c.must(t, "PUT", "/Users/"+id, userBody("ada@example.com", "Augusta", "King"), 200))
	// Okta deactivates with active: false; Entra sends "Replace" and a string boolean.
	seen(c.must(t, "PATCH", "/Users/"+id, patchBody(`[{"op":"replace","value":{"active":false}}]`), 200, 204))
	seen(c.must(t, "PATCH", "/Users/"+id, patchBody(`[{"op":"Replace","path":"name.familyName","value":"Byron"}]`), 200, 204))
	for range processes {
		got := seen(c.must(t, "GET", "/Users/"+id, "", 200))
		if str(got.body, "name", "givenName") != "Augusta" || str(got.body, "name", "familyName") != "Byron" || str(got.body, "active") != "false" {
			t.Fatalf("GET after PUT and PATCH: %s", got.raw)
		}
	}
	seen(c.must(t, "POST", "/Users", userBody("Ada@Example.com", "Ada", "Again"), 409))
	seen(c.must(t, "DELETE", "/Users/"+id, "", 204))
	for range processes {
		seen(c.must(t, "GET", "/Users/"+id, "", 404))
	}
	if n := c.query(t, "SELECT COUNT(*) FROM users"); n[0] != "0" {
		t.Fatalf("%s users left after the delete", n[0])
	}
	if len(backends) != processes {
		t.Fatalf("the lifecycle reached processes %v, want all %d", backends, processes)
	}
}

// importWalk pages through the users with startIndex and count as Okta's import
// does; consecutive pages come from different processes.
func (c *cluster) importWalk(t *testing.T) {
	const users, pageSize = 130, 20
	want := map[string]bool{}
	for i := range users {
		id := fmt.Sprintf("walk-%03d-%d", i, i*7919%1000)
		want[id] = true
		c.query(t, "INSERT INTO users (id, userName, givenName, familyName, email, active) VALUES (?, ?, ?, ?, ?, ?)",
			id, fmt.Sprintf("walker%03d@example.com", i), "Walker", strconv.Itoa(i), fmt.Sprintf("walker%03d@example.com", i), i%5 != 0)
	}
	got := map[string]bool{}
	prev := -1
	for start := 1; ; start += pageSize {
		r := c.must(t, "GET", fmt.Sprintf("/Users?startIndex=%d&count=%d", start, pageSize), "", 200)
		if r.backend == prev {
			t.Fatalf("page at %d served by process %d, as the page before it", start, r.backend)
		}
		prev = r.backend
		if str(r.body, "totalResults") != strconv.Itoa(users) {
			t.Fatalf("page at %d: totalResults %s, want %d", start, str(r.body, "totalResults"), users)
		}
		resources, _ := r.body["Resources"].([]any)
		for _, res := range resources {
			id := str(res.(map[string]any), "id")
			if got[id] {
				t.Fatalf("page at %d: %s again", start, id)
			}
			got[id] = true
		}
		if len(resources) < pageSize {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("the walk returned %d users, want %d", len(got), len(want))
	}
	for id := range want {
		if !got[id] {
			t.Fatalf("the walk missed %s", id)
		}
	}
	c.query(t, "DELETE FROM users WHERE id LIKE 'walk-%'")
}

// racingCreates sends creates of one userName, in several letter cases, to every
// process at the same moment: exactly one is created, the others answer 409
// uniqueness, and the database holds one row.
func (c *cluster) racingCreates(t *testing.T) {
	const rounds, racers = 8, 3 * processes
	for round := range rounds {
		name := fmt.Sprintf("racer%d@example.com", round)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		replies := make([]reply, racers)
		errs := make([]error, racers)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				userName := name
				if i%2 == 1 {
					userName = strings.ToUpper(name[:1]) + name[1:]
				}
				replies[i], errs[i] = c.do("POST", "/Users", userBody(userName, "Racer", strconv.Itoa(i)))
			}()
		}
		close(gate)
		wg.Wait()
		created, conflicts := 0, 0
		for i, r := range replies {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			switch {
			case r.status == 201:
				created++
			case r.status == 409 && str(r.body, "scimType") == "uniqueness":
				conflicts++
			default:
				t.Errorf("racing create of %s: %d %s", name, r.status, r.raw)
			}
		}
		if created != 1 || conflicts != racers-1 {
			t.Errorf("racing creates of %s: %d created, %d conflicts; want 1 and %d", name, created, conflicts, racers-1)
		}
		if n := c.query(t, "SELECT COUNT(*) FROM users WHERE LOWER(userName) = LOWER(?)", name); n[0] != "1" {
			t.Errorf("racing creates of %s left %s rows", name, n[0])
		}
	}
}

// rollingRestart stops each process in turn with SIGTERM and starts it again while
// clients create, read, patch and delete users through the balancer.
//
// With outFirst, the balancer takes the process out of rotation before SIGTERM, as
// Kubernetes removes a terminating pod from its Service while the pod's preStop
// sleep runs: no request may fail. Without it, SIGTERM comes while requests still
// arrive: connections the kernel had queued for the closing listener are reset,
// and those requests (never read by dbscim) are retried by the clients, as an
// identity provider retries a failed call; a create is first looked up by
// userName, as Okta does before every create. Either way no request may fail
// otherwise, and the table must hold exactly what the answers said.
func (c *cluster) rollingRestart(t *testing.T, outFirst bool) {
	const workers = 6
	type user struct {
		userName, given string
		deleted         bool
	}
	var (
		mu      sync.Mutex
		users   = map[string]*user{} // by id
		errs    []error
		ops     atomic.Int64
		retried atomic.Int64
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	failed := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	// call sends a request, and sends it again while it was cut by a draining
	// process (502 from the balancer).
	call := func(method, path, body string, want ...int) (reply, error) {
		for range 5 {
			r, err := c.do(method, path, body)
			if err != nil || r.status != http.StatusBadGateway {
				if err == nil && !slices.Contains(want, r.status) {
					err = fmt.Errorf("%s %s %s\n=> %d %s (want %v)", method, path, body, r.status, r.raw, want)
				}
				return r, err
			}
			retried.Add(1)
		}
		return reply{}, fmt.Errorf("%s %s: cut 5 times", method, path)
	}
	// create creates a user; after a cut create it looks the userName up first.
	create := func(name string) (string, error) {
		for range 5 {
			r, err := c.do("POST", "/Users", userBody(name, "First", "Roller"))
			if err != nil {
				return "", err
			}
			switch r.status {
			case http.StatusCreated:
				return str(r.body, "id"), nil
			case http.StatusBadGateway:
				retried.Add(1)
				l, err := call("GET", `/Users?filter=userName+eq+%22`+name+`%22`, "", 200)
				if err != nil {
					return "", err
				}
				if res, _ := l.body["Resources"].([]any); len(res) == 1 {
					return str(res[0].(map[string]any), "id"), nil
				}
			default:
				return "", fmt.Errorf("POST /Users %s: %d %s", name, r.status, r.raw)
			}
		}
		return "", fmt.Errorf("POST /Users %s: cut 5 times", name)
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("roll-%t-w%d-%d@example.com", outFirst, w, i)
				id, err := create(name)
				if err != nil {
					failed(err)
					return
				}
				u := &user{userName: name, given: "First"}
				mu.Lock()
				users[id] = u
				mu.Unlock()
				if r, err := call("GET", "/Users/"+id, "", 200); err != nil || str(r.body, "userName") != name {
					failed(fmt.Errorf("GET %s after create: %v %s", id, err, r.raw))
					return
				}
				given := "Second-" + strconv.Itoa(i)
				if _, err = call("PATCH", "/Users/"+id, patchBody(`[{"op":"replace","path":"name.givenName","value":"`+given+`"}]`), 200, 204); err != nil {
					failed(err)
					return
				}
				mu.Lock()
				u.given = given
				mu.Unlock()
				if i%3 == 2 {
					// 404: a first DELETE was cut after it ran, and this is its retry.
					if _, err = call("DELETE", "/Users/"+id, "", 204, 404); err != nil {
						failed(err)
						return
					}
					mu.Lock()
					u.deleted = true
					mu.Unlock()
				}
				ops.Add(1)
			}
		}()
	}
	start := time.Now()
	var refused, cut int64
	for k := range c.procs {
		refused -= c.lb.refused[k].Load()
		cut -= c.lb.cut[k].Load()
	}
	for k, p := range c.procs {
		time.Sleep(300 * time.Millisecond)
		if outFirst {
			c.lb.out[k].Store(true)
			time.Sleep(100 * time.Millisecond) // the preStop sleep
		}
		c.lb.draining[k].Store(true)
		p.stop(t)
		c.lb.draining[k].Store(false)
		p.start(t, c.bin)
		c.lb.out[k].Store(false)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	for k := range c.procs {
		refused += c.lb.refused[k].Load()
		cut += c.lb.cut[k].Load()
	}
	t.Logf("rolling restart of %d processes in %s: %d user lifecycles (create, get, patch, a third deleted); "+
		"%d connections refused and sent to the next process; %d requests cut by a draining process, %d client retries",
		processes, time.Since(start).Round(time.Millisecond), ops.Load(), refused, cut, retried.Load())
	if outFirst && (cut != 0 || refused != 0) {
		t.Errorf("processes taken out of rotation first: %d requests refused and %d cut, want none", refused, cut)
	}
	if len(users) < workers {
		t.Fatalf("only %d users created during the restart", len(users))
	}

	// No lost write and no duplicate: the table holds exactly the users answered 201
	// and not deleted, each once, with its last patched name.
	rows := c.query(t, "SELECT id, userName, givenName FROM users WHERE userName LIKE ?", fmt.Sprintf("roll-%t-%%", outFirst))
	inDB := map[string]string{}
	names := map[string]int{}
	for _, row := range rows {
		f := strings.SplitN(row, "|", 3)
		if _, dup := inDB[f[0]]; dup {
			t.Errorf("id %s twice", f[0])
		}
		inDB[f[0]] = row
		names[strings.ToLower(f[1])]++
	}
	for n, k := range names {
		if k > 1 {
			t.Errorf("userName %s in %d rows", n, k)
		}
	}
	kept := 0
	for id, u := range users {
		row, ok := inDB[id]
		switch {
		case u.deleted && ok:
			t.Errorf("deleted user %s is still there: %s", id, row)
		case u.deleted:
		case !ok:
			t.Errorf("user %s (%s) answered 201 but is not in the database", id, u.userName)
		case row != id+"|"+u.userName+"|"+u.given:
			t.Errorf("user %s: row %q, want given name %q", id, row, u.given)
		default:
			kept++
		}
	}
	if len(rows) != kept {
		t.Errorf("%d rows in the database, want the %d users created and not deleted", len(rows), kept)
	}
}
