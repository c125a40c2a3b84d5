package store

import (
	"context"
	"strings"
	"sync"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// batchInsert runs a declared single-row INSERT ... VALUES (?, ?) for many rows as
// multi-row INSERT statements, so that adding 5,000 members to a group is a handful
// of round trips rather than 5,000. It applies only to a statement whose VALUES
// tuple is its last clause and holds every parameter; anything else (a procedure, an
// upsert clause, Oracle, which has no multi-row VALUES) runs row by row.
type batchInsert struct {
	op     *operations.Operation
	d      dialects.Dialect
	prefix string // the statement up to and including VALUES
	tuple  string // "(?, ?)"
	rows   int    // rows per statement
	mu     sync.Mutex
	texts  map[int]string // native text by row count
}

func newBatchInsert(d dialects.Dialect, op *operations.Operation) *batchInsert {
	rows := dialects.InsertRows(d, len(op.Params))
	if op.Kind != operations.SQL || rows < 2 || !run.PlainInputs(op) {
		return nil
	}
	src := strings.TrimSuffix(strings.TrimSpace(op.Source), ";")
	upper := strings.ToUpper(src)
	if !strings.HasPrefix(upper, "INSERT") {
		return nil
	}
	i := strings.LastIndex(upper, "VALUES")
	if i < 0 {
		return nil
	}
	prefix, tuple := src[:i+len("VALUES")], strings.TrimSpace(src[i+len("VALUES"):])
	if strings.Contains(prefix, "?") || !isOneGroup(tuple) || strings.ContainsAny(tuple, "$@:'\"`") {
		return nil
	}
	if strings.Count(tuple, "?") != len(op.Params) {
		return nil
	}
	return &batchInsert{op: op, d: d, prefix: prefix, tuple: tuple, rows: rows, texts: map[int]string{}}
}

// isOneGroup reports whether s is exactly one parenthesised group.
func isOneGroup(s string) bool {
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return false
	}
	depth := 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return depth == 0
}

// text returns the native statement for n rows.
func (b *batchInsert) text(n int) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t, ok := b.texts[n]; ok {
		return t, nil
	}
	var sb strings.Builder
	sb.WriteString(b.prefix)
	sb.WriteByte(' ')
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(b.tuple)
	}
	t, _, err := b.d.Rewrite(sb.String())
	if err != nil {
		return "", err
	}
	b.texts[n] = t
	return t, nil
}

// run inserts one row per key, rec giving each row's record.
func (b *batchInsert) run(ctx context.Context, pool *run.Pool, q dialects.Querier, keys []string, rec func(string) run.Record) error {
	for start := 0; start < len(keys); start += b.rows {
		chunk := keys[start:min(start+b.rows, len(keys))]
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
