package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// walk is the outcome of one full walk of the table.
type walk struct {
	users   int
	elapsed time.Duration
	// first and last are the time spent on the first and the last tenth of the pages.
	first, last time.Duration
	// heapStart and heapEnd are the heap in use, after a collection, once the first
	// tenth of the pages is done and at the end.
	heapStart, heapEnd uint64
}

func (w *walk) add(o walk) {
	w.users += o.users
	w.elapsed += o.elapsed
	w.first += o.first
	w.last += o.last
	w.heapStart, w.heapEnd = o.heapStart, o.heapEnd
}

func (w *walk) rate() float64 { return float64(w.users) / w.elapsed.Seconds() }

// growth is the time of the last tenth of the pages over the first: 1.0 when every
// page costs the same however deep into the table it is.
func (w *walk) growth() float64 { return w.last.Seconds() / w.first.Seconds() }

// BenchmarkImportWalk walks every user page by page, as an IdP's full import does
// (GET /Users?startIndex=1&count=N, then 1+N, 1+2N, ... until the end), in pages of
// 100 and of 1000, through dbscim and through the floor over loopback HTTP, and
// through the raw driver running the same statements without HTTP. It reports the
// users per second of each and dbscim's ratios to the floor and the raw driver; for
// dbscim and the floor, the time of the last tenth of the pages over the first
// (1.0 is linear); and the heap in use at the start and the end of dbscim's walk.
// It also walks with the pages alternating between two dbscim servers over the
// same database, as two replicas behind a round-robin balancer serve an import:
// its rate and last/first show whether each page still costs what it costs on
// one server.
// DBSCIM_BENCH_USERS sets the table size (make bench: 1,000,000; 10,000 otherwise).
func BenchmarkImportWalk(b *testing.B) {
	users := usersFromEnv(10000)
	for _, dialect := range engines {
		b.Run(dialect, func(b *testing.B) {
			f := newFixture(b, dialect, users)
			for _, size := range []int{100, 1000} {
				b.Run("pages-of-"+strconv.Itoa(size), func(b *testing.B) {
					var raw, floor, dbscim, replicas walk
					for range b.N {
						raw.add(rawWalk(b, f, size))
						floor.add(httpWalk(b, f, size, f.floorURL))
						dbscim.add(httpWalk(b, f, size, f.dbscim))
						replicas.add(httpWalk(b, f, size, f.dbscim, f.replica))
					}
					b.ReportMetric(raw.rate(), "raw-users/s")
					b.ReportMetric(floor.rate(), "floor-users/s")
					b.ReportMetric(dbscim.rate(), "dbscim-users/s")
					b.ReportMetric(dbscim.rate()/floor.rate(), "dbscim/floor")
					b.ReportMetric(dbscim.rate()/raw.rate(), "dbscim/raw")
					b.ReportMetric(floor.growth(), "floor-last/first")
					b.ReportMetric(dbscim.growth(), "dbscim-last/first")
					b.ReportMetric(replicas.rate()/floor.rate(), "2-replicas/floor")
					b.ReportMetric(replicas.growth(), "2-replicas-last/first")
					b.ReportMetric(float64(dbscim.heapStart)/(1<<20), "MiB-heap-start")
					b.ReportMetric(float64(dbscim.heapEnd)/(1<<20), "MiB-heap-end")
					b.ReportMetric(0, "ns/op")
				})
			}
		})
	}
}

// httpWalk walks the table one request at a time, page p through the server at
// bases[p % len(bases)].
func httpWalk(b *testing.B, f *fixture, size int, bases ...string) walk {
	b.Helper()
	pages := (f.users + size - 1) / size
	tenth := max(pages/10, 1)
	total := []byte(`"totalResults":` + strconv.Itoa(f.users) + `,`)
	var w walk
	var body bytes.Buffer
	start := time.Now()
	for p := range pages {
		t0 := time.Now()
		path := fmt.Sprintf("/Users?startIndex=%d&count=%d", p*size+1, size)
		base := bases[p%len(bases)]
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := f.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body.Reset()
		_, err = body.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body.Bytes(), total) {
			b.Fatalf("GET %s: %d %v %.300s", path, resp.StatusCode, err, body.Bytes())
		}
		w.users += bytes.Count(body.Bytes(), []byte(`"userName":`))
		took := time.Since(t0)
		switch {
		case p < tenth:
			w.first += took
		case p >= pages-tenth:
			w.last += took
		}
		if p == tenth-1 || p == pages-1 {
			pause := time.Now()
			heap := heapInUse()
			if p == tenth-1 {
				w.heapStart = heap
			}
			w.heapEnd = heap
			start = start.Add(time.Since(pause))
		}
	}
	w.elapsed = time.Since(start)
	if w.users != f.users {
		b.Fatalf("the walk through %v returned %d users, want %d", bases, w.users, f.users)
	}
	return w
}

// rawWalk walks the table with the statements the floor and dbscim run (the first
// page, its COUNT, then each page after the previous one's last id), through the
// driver.
func rawWalk(b *testing.B, f *fixture, size int) walk {
	b.Helper()
	var w walk
	start := time.Now()
	var total int
	if err := f.floor.count.QueryRow().Scan(&total); err != nil {
		b.Fatal(err)
	}
	last := ""
	for {
		var rs *sql.Rows
		var err error
		if last == "" {
			rs, err = f.floor.page.QueryContext(context.Background(), int64(size), int64(0))
		} else {
			rs, err = f.floor.resume.QueryContext(context.Background(), last, int64(size), int64(0))
		}
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rs.Next() {
			var userName string
			var given, family, mail sql.NullString
			var active any
			if err := rs.Scan(&last, &userName, &given, &family, &mail, &active); err != nil {
				b.Fatal(err)
			}
			n++
		}
		if err := rs.Err(); err != nil {
			b.Fatal(err)
		}
		rs.Close()
		w.users += n
		if n < size {
			break
		}
	}
	w.elapsed = time.Since(start)
	if w.users != total {
		b.Fatalf("the raw walk read %d users, want %d", w.users, total)
	}
	return w
}

// heapInUse is the heap in use after a collection: what the process holds, not
// what it has yet to collect.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
