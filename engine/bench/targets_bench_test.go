package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
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

// BenchmarkEightTargets serves eight targets from one process (SQLite, and
// MariaDB and PostgreSQL when their DSNs are set, spread over the eight) under a
// mixed load at 8 clients: userName lookups, GETs by id, list pages of 100 and
// import pages of 1000, spread over the targets. It reports the process's peak
// resident memory while serving (VmHWM of /proc/self/status, reset once the
// databases are seeded), which includes the Go test binary and, for SQLite, the
// embedded databases' page caches: run it alone (go test -run '^$' -bench
// EightTargets ./engine/bench/) for the figure to mean one dbscim serving eight
// targets.
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
	var cfg strings.Builder
	cfg.WriteString("version: 1\nserver: {listen: \"127.0.0.1:0\", tls: \"off\", max_results: 1000}\ntargets:\n")
	for i, dialect := range dialects {
		d, db, conn := dialecttest.NewDatabase(b, dialect)
		dialecttest.MustExec(b, db, benchDDL[dialect]...)
		dialecttest.MustExec(b, db, fmt.Sprintf(seedSQL[dialect], users))
		if dialect == "postgres" {
			dialecttest.MustExec(b, db, "ANALYZE users")
		}
		db.Close()
		fmt.Fprintf(&cfg, "  t%d:\n    auth: {bearer: %s-%d}\n    database:\n%s%s", i, token, i, enginetest.DatabaseYAML(d, conn), eightTargetsUser)
	}
	s := enginetest.ServeYAML(b, cfg.String(), enginetest.Options{})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients * 2}}
	requests := []func(i int) string{
		func(i int) string {
			return "/Users?filter=" + url.QueryEscape(`userName eq "`+userName(1+i*7919%users)+`"`)
		},
		func(i int) string { return "/Users/" + userID(1+i*7919%users) },
		func(i int) string { return "/Users?startIndex=" + strconv.Itoa(1+i*100%users) + "&count=100" },
		func(i int) string { return "/Users?startIndex=" + strconv.Itoa(1+i*1000%users) + "&count=1000" },
	}
	// The peak is the serving's: seeding the databases (SQLite's in this very
	// process) is not dbscim's work, so the memory it freed goes back to the
	// system and the kernel's high-water mark starts again from here.
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("the peak RSS includes the seeding: cannot reset it: %v", err)
	}
	before := status("VmRSS")
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	parallel(b, 0, max(b.N, 400), func(i int) error {
		t := i % len(dialects)
		path := requests[(i/len(dialects))%len(requests)](i)
		req, _ := http.NewRequest("GET", s.URL("t"+strconv.Itoa(t))+path, nil)
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
		// Read and dropped: the clients' memory is not dbscim's.
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	})
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(status("VmHWM")/1024, "MiB-peak-RSS")
	b.ReportMetric(before/1024, "MiB-RSS-before-load")
	b.ReportMetric(status("VmRSS")/1024, "MiB-RSS")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "MiB-heap-sys")
	b.ReportMetric(float64(ms0.Sys)/(1<<20), "MiB-go-sys-before-load")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-go-sys")
	b.ReportMetric(float64(len(dialects)), "targets")
	b.ReportMetric(0, "ns/op")
}

// dsnVar names the variable that makes an engine available to the benchmarks.
var dsnVar = map[string]string{"mysql": "DBSCIM_TEST_MYSQL_DSN", "postgres": "DBSCIM_TEST_POSTGRES_DSN"}

// status reads a kB figure of /proc/self/status; 0 where there is none.
func status(field string) float64 {
	f, err := os.Open("/proc/self/status")
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
