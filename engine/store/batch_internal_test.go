package store

import "testing"

// TestChunkRows: every row is inserted once, in at most max rows a statement,
// and all requests together use few distinct statement sizes.
func TestChunkRows(t *testing.T) {
	const max = 1000
	sizes := map[int]bool{}
	for total := 0; total <= 5*max; total++ {
		done, statements := 0, 0
		for done < total {
			n := chunkRows(total-done, max)
			if n < 1 || n > max || n > total-done {
				t.Fatalf("%d rows, %d left: a statement of %d", total, total-done, n)
			}
			sizes[n] = true
			done += n
			statements++
		}
		if want := total/max + 10; statements > want {
			t.Fatalf("%d rows in %d statements, want at most %d", total, statements, want)
		}
	}
	if len(sizes) > 11 {
		t.Fatalf("%d distinct statement sizes, want at most 11", len(sizes))
	}
}
