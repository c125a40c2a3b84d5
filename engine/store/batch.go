package store

import (
	"context"
	"sync"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/sqlgen"
	"github.com/dbscim/dbscim/operations"
)

// batchInsert runs a declared single-row INSERT for many rows as multi-row
// INSERT statements (sqlgen.Insert), keeping each row count's native text. A
// statement sqlgen cannot widen (a procedure, an upsert clause, Oracle, which has
// no multi-row VALUES) runs row by row.
type batchInsert struct {
	op    *operations.Operation
	gen   *sqlgen.Insert
	rows  int // rows per statement
	mu    sync.Mutex
	texts map[int]string // native text by row count
}

func newBatchInsert(d dialects.Dialect, op *operations.Operation) *batchInsert {
	if op.Kind != operations.SQL || !run.PlainInputs(op) {
		return nil
	}
	gen := sqlgen.NewInsert(d, op.Source, len(op.Params))
	if gen == nil {
		return nil
	}
	return &batchInsert{op: op, gen: gen, rows: gen.Rows, texts: map[int]string{}}
}

// text returns the native statement for n rows.
func (b *batchInsert) text(n int) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t, ok := b.texts[n]; ok {
		return t, nil
	}
	t, err := b.gen.Text(n)
	if err != nil {
		return "", err
	}
	b.texts[n] = t
	return t, nil
}

// run inserts one row per key, rec giving each row's record.
func (b *batchInsert) run(ctx context.Context, pool *run.Pool, q dialects.Querier, keys []string, rec func(string) run.Record) error {
	for start := 0; start < len(keys); {
		n := chunkRows(len(keys)-start, b.rows)
		chunk := keys[start : start+n]
		start += n
		text, err := b.text(len(chunk))
		if err != nil {
			return err
		}
		args := make([]dialects.Arg, 0, len(chunk)*len(b.op.Params))
		for _, k := range chunk {
			args = append(args, run.Bind(b.op, rec(k))...)
		}
		if _, err := pool.Dialect.Exec(ctx, q, text, args); err != nil {
			return pool.Error(b.op, err)
		}
	}
	return nil
}

// chunkRows is how many of left rows the next statement carries: max while there
// are that many, then the largest power of two that fits. A statement's text
// depends on its row count, and texts are cached (here, and prepared by the
// driver per connection): with a statement for every remainder, a target would
// gather up to max texts of up to max rows each as requests of every size come;
// with powers of two it keeps a dozen, for a few more statements per request.
func chunkRows(left, max int) int {
	if left >= max {
		return max
	}
	n := 1
	for n*2 <= left {
		n *= 2
	}
	return n
}
