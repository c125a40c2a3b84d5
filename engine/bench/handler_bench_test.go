package bench

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkHandler serves the lookups' requests in process, one at a time, straight
// to dbscim's handler and to the floor's, without a network in between: what each
// costs in CPU and allocations per request, free of the loopback and the clients.
// It is the one to profile (-cpuprofile, -memprofile) and to count instructions of;
// ns/op, B/op and allocs/op compare dbscim with the floor directly.
func BenchmarkHandler(b *testing.B) {
	for _, dialect := range engines {
		b.Run(dialect, func(b *testing.B) {
			f := newFixture(b, dialect, lookupUsers)
			for _, l := range lookups {
				b.Run(l.name, func(b *testing.B) {
					b.Run("floor", func(b *testing.B) { benchHandler(b, f.floor, basePathURL, l) })
					b.Run("dbscim", func(b *testing.B) { benchHandler(b, f.handler, basePathURL, l) })
				})
			}
		})
	}
}

// basePathURL is the target's base URL as a client would have it, for requests
// served in process.
const basePathURL = "http://127.0.0.1" + basePath

func benchHandler(b *testing.B, h http.Handler, base string, l lookup) {
	serve := func(i int) {
		req := httptest.NewRequest("GET", base+l.path(i), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), l.want(i)) {
			b.Fatalf("GET %s: %d %.300s", l.path(i), w.Code, w.Body.Bytes())
		}
	}
	for i := range 4 * clients {
		serve(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		serve(i)
	}
}
