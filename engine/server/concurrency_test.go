package server_test

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentCreates sends creates from several clients at once: every one must
// land (SQLite included, whose writers queue on the write lock rather than fail).
func TestConcurrentCreates(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			e := newEnv(t, dialect, false)
			const clients, each = 8, 15
			var wg sync.WaitGroup
			failures := make(chan string, clients*each)
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func(c int) {
					defer wg.Done()
					for i := 0; i < each; i++ {
						r := e.do("POST", "/Users", oktaUser(fmt.Sprintf("c%d-%d@example.com", c, i), "C", "U"))
						if r.status != 201 {
							failures <- fmt.Sprintf("%d %s", r.status, r.raw)
						}
					}
				}(c)
			}
			wg.Wait()
			close(failures)
			for f := range failures {
				t.Errorf("create failed: %s", f)
			}
			if n := e.count(""); n != clients*each {
				t.Fatalf("%d rows, want %d", n, clients*each)
			}
		})
	}
}
