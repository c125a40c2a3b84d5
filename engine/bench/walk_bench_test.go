package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// walkSeed fills the users table with n rows inside the database, which is far
// faster than sending them.
var walkSeed = map[string]string{
	"sqlite": `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %[1]d)
		INSERT INTO users (id, user_name, given_name, family_name, email)
		SELECT printf('u-%%07d', i), printf('user%%07d@example.com', i), 'Given', 'Family', printf('user%%07d@example.com', i) FROM seq`,
	"mysql": `INSERT INTO users (id, user_name, given_name, family_name, email)
		SELECT CONCAT('u-', LPAD(seq, 7, '0')), CONCAT('user', LPAD(seq, 7, '0'), '@example.com'), 'Given', 'Family',
		CONCAT('user', LPAD(seq, 7, '0'), '@example.com') FROM seq_1_to_%[1]d`,
	"postgres": `INSERT INTO users (id, user_name, given_name, family_name, email)
		SELECT 'u-' || lpad(i::text, 7, '0'), 'user' || lpad(i::text, 7, '0') || '@example.com', 'Given', 'Family',
		'user' || lpad(i::text, 7, '0') || '@example.com' FROM generate_series(1, %[1]d) i`,
}

// BenchmarkImportWalk walks every user page by page, as an IdP's full import does
// (GET /Users?startIndex=&count=1000), and reports the time per page over the first
// and the last tenth of the walk, their ratio (1.0 is perfectly linear; OFFSET
// paging grows with the page number), and the heap in use at both points. Set
// DBSCIM_BENCH_USERS to change the table size (default 1,000,000).
func BenchmarkImportWalk(b *testing.B) {
	users := 1000000
	if v, err := strconv.Atoi(os.Getenv("DBSCIM_BENCH_USERS")); err == nil && v > 0 {
		users = v
	}
	const pageSize = 1000
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			d, db, conn := dialecttest.NewDatabase(b, dialect)
			dialecttest.MustExec(b, db, benchDDL[dialect]...)
			dialecttest.MustExec(b, db, fmt.Sprintf(walkSeed[dialect], users))
			if dialect == "postgres" {
				dialecttest.MustExec(b, db, "ANALYZE users")
			}
			base := serve(b, d, conn)
			client := &http.Client{}
			pages := (users + pageSize - 1) / pageSize
			tenth := max(pages/10, 1)
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				var first, last time.Duration
				var heapFirst, heapLast uint64
				seen := 0
				for p := 0; p < pages; p++ {
					start := time.Now()
					req, _ := http.NewRequest("GET", fmt.Sprintf("%s/Users?startIndex=%d&count=%d", base, p*pageSize+1, pageSize), nil)
					req.Header.Set("Authorization", "Bearer bench-token-0123456789abcdef")
					resp, err := client.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					data, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					var body struct {
						TotalResults int
						Resources    []json.RawMessage
					}
					if err := json.Unmarshal(data, &body); err != nil || resp.StatusCode != 200 {
						b.Fatalf("page %d: %d %.200s", p, resp.StatusCode, data)
					}
					if body.TotalResults != users {
						b.Fatalf("page %d: totalResults %d, want %d", p, body.TotalResults, users)
					}
					seen += len(body.Resources)
					took := time.Since(start)
					switch {
					case p < tenth:
						first += took
					case p >= pages-tenth:
						last += took
					}
					if p == tenth-1 || p == pages-1 {
						var ms runtime.MemStats
						runtime.ReadMemStats(&ms)
						if p == tenth-1 {
							heapFirst = ms.HeapInuse
						} else {
							heapLast = ms.HeapInuse
						}
					}
				}
				if seen != users {
					b.Fatalf("the walk returned %d users, want %d", seen, users)
				}
				perFirst := float64(first.Microseconds()) / float64(tenth) / 1000
				perLast := float64(last.Microseconds()) / float64(tenth) / 1000
				b.ReportMetric(perFirst, "ms/page-first-tenth")
				b.ReportMetric(perLast, "ms/page-last-tenth")
				b.ReportMetric(perLast/perFirst, "ratio")
				b.ReportMetric(float64(heapFirst)/(1<<20), "MiB-heap-start")
				b.ReportMetric(float64(heapLast)/(1<<20), "MiB-heap-end")
			}
		})
	}
}
