package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// eightTargets is the configuration of BenchmarkEightTargets: eight targets over
// the same table layout, each with its own database, pool and token, the pools at
// their default sizes.
const eightTargetsUser = `
    users:
      id: id
      attributes:
        userName: user_name
        name.givenName: given_name
        name.familyName: family_name
        emails[type eq "work"].value: email
        active: active
      operations:
        list: {sql: "` + listSQL + `"}
        get:  {sql: "` + listSQL + ` WHERE id = ?", params: [id]}
`

// BenchmarkEightTargets serves eight targets from one dbscim process (the
// binary, built from ./cmd/dbscim and started with `dbscim serve`) over SQLite,
// and MariaDB and PostgreSQL when their DSNs are set, spread over the eight, under
// a mixed load at 8 clients: userName lookups, GETs by id, list pages of 100 and
// import pages of 1000, spread over the targets. It reports that process's peak
// resident memory (VmHWM of /proc/<pid>/status) and its resident memory before
// the load: what one dbscim serving eight targets holds, without the benchmark's
// clients and seeding.
func BenchmarkEightTargets(b *testing.B) {
	const users = 10000
	dialects := []string{"sqlite", "sqlite", "sqlite"}
	for _, d := range []string{"mysql", "postgres"} {
		if os.Getenv(dsnVar[d]) != "" {
			dialects = append(dialects, d, d)
		}
	}
	for len(dialects) < 8 {
		dialects = append(dialects, dialects[len(dialects)%3])
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "dbscim")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/dbscim/dbscim/cmd/dbscim").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var cfg strings.Builder
	cfg.WriteString("version: 1\nserver: {listen: \"127.0.0.1:0\", tls: \"off\", max_results: 1000}\ntargets:\n")
	for i, dialect := range dialects {
		d, db, conn := dialecttest.NewDatabase(b, dialect)
		dialecttest.MustExec(b, db, benchDDL[dialect]...)
		dialecttest.MustExec(b, db, fmt.Sprintf(seedSQL[dialect], users))
		if dialect == "postgres" {
			dialecttest.MustExec(b, db, "ANALYZE users")
		}
		if dialect == "sqlite" {
			db.Close() // the file stays until the benchmark ends
		}
		fmt.Fprintf(&cfg, "  t%d:\n    auth: {bearer: %s-%d}\n    database:\n%s%s", i, token, i, enginetest.DatabaseYAML(d, conn), eightTargetsUser)
	}
	file := filepath.Join(dir, "dbscim.yaml")
	if err := os.WriteFile(file, []byte(cfg.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", file)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	// "serving target "t0" at http://127.0.0.1:port/scim/v2/t0", one line a target.
	base := map[int]string{}
	sc := bufio.NewScanner(stdout)
	for len(base) < len(dialects) && sc.Scan() {
		var name, url string
		if _, err := fmt.Sscanf(sc.Text(), "serving target %q at %s", &name, &url); err == nil {
			n, _ := strconv.Atoi(strings.TrimPrefix(name, "t"))
			base[n] = url
		}
	}
	if len(base) < len(dialects) {
		b.Fatalf("dbscim serve did not serve the targets:\n%s", logs.String())
	}
	go io.Copy(io.Discard, stdout)
	proc := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	before := status(proc, "VmRSS")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}
	requests := []func(i int) string{
		func(i int) string {
			return "/Users?filter=" + url.QueryEscape(`userName eq "`+userName(1+i*7919%users)+`"`)
		},
		func(i int) string { return "/Users/" + userID(1+i*7919%users) },
		func(i int) string { return "/Users?startIndex=" + strconv.Itoa(1+i*100%users) + "&count=100" },
		func(i int) string { return "/Users?startIndex=" + strconv.Itoa(1+i*1000%users) + "&count=1000" },
	}
	b.ResetTimer()
	parallel(b, 0, max(b.N, 400), func(i int) error {
		t := i % len(dialects)
		path := requests[(i/len(dialects))%len(requests)](i)
		req, _ := http.NewRequest("GET", base[t]+path, nil)
		req.Header.Set("Authorization", "Bearer "+token+"-"+strconv.Itoa(t))
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			var body bytes.Buffer
			_, _ = body.ReadFrom(resp.Body)
			return fmt.Errorf("GET %s on t%d: %d %.300s", path, t, resp.StatusCode, body.Bytes())
		}
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	})
	b.StopTimer()
	b.ReportMetric(status(proc, "VmHWM")/1024, "MiB-peak-RSS")
	b.ReportMetric(before/1024, "MiB-RSS-before-load")
	b.ReportMetric(status(proc, "VmRSS")/1024, "MiB-RSS")
	// File-backed pages are mostly the binary's code; anonymous ones the Go heap,
	// stacks and SQLite's page caches.
	b.ReportMetric(status(proc, "RssFile")/1024, "MiB-RSS-file")
	b.ReportMetric(status(proc, "RssAnon")/1024, "MiB-RSS-anon")
	// The Go runtime's own account, from the server's /metrics: what of the
	// resident memory is the Go heap and stacks.
	if resp, err := client.Get(strings.TrimSuffix(base[0], "/scim/v2/t0") + "/metrics"); err == nil {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			for _, m := range []string{"go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes", "go_memstats_sys_bytes"} {
				if v, ok := strings.CutPrefix(sc.Text(), m+" "); ok {
					n, _ := strconv.ParseFloat(v, 64)
					b.ReportMetric(n/(1<<20), "MiB-"+strings.TrimPrefix(m, "go_memstats_"))
				}
			}
		}
		resp.Body.Close()
	}
	b.ReportMetric(float64(len(dialects)), "targets")
	b.ReportMetric(0, "ns/op")
}

// dsnVar names the variable that makes an engine available to the benchmarks.
var dsnVar = map[string]string{"mysql": "DBSCIM_TEST_MYSQL_DSN", "postgres": "DBSCIM_TEST_POSTGRES_DSN"}

// status reads a kB figure of a /proc/<pid>/status file; 0 where there is none.
func status(file, field string) float64 {
	f, err := os.Open(file)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return n
		}
	}
	return 0
}
