package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/operations"
)

// A list page carries, for each of its users, what the per-user reads return:
// grants (of_user), groups (groups_of_user) and child-table values (read). Run
// once per user, a page of 100 would cost 100 statements per read. A pageRead
// runs a declared per-user SELECT for many users in one statement instead: the
// declared statement, unchanged, once per user as a derived table, tagged with the
// user's position in the page and joined with UNION ALL:
//
//	SELECT 0 AS dbscim_slot, t.* FROM (SELECT ... WHERE user_id = ?) t
//	UNION ALL SELECT 1 AS dbscim_slot, t.* FROM (SELECT ... WHERE user_id = ?) t ...
//
// Every value is still bound (each copy binds its own user's parameters), the
// DBA's text is not rewritten, and the slot numbers are the engine's own. A call
// (a stored procedure), an operation with OUT or cursor parameters, a statement
// that is not a plain SELECT, and one written with native placeholders run once
// per user as before. The number of copies is rounded up to a power of two (the
// spare ones bind NULL and their rows are dropped), so that a target keeps a
// handful of prepared texts, not one per page size. Should the database refuse
// the combined statement (one that holds a construct a derived table may not,
// such as ORDER BY on SQL Server), the page is read per user and the operation is
// read per user from then on.

// slotColumn is the column the combined statement tags each row with.
const slotColumn = "dbscim_slot"

// maxPageRead is the most users one combined statement carries: SQLite refuses
// compound SELECTs of more than 500 terms, and a page of 1000 then costs a few
// statements, not a thousand. maxPageParams bounds the parameters it binds, below
// SQL Server's 2,100.
const (
	maxPageRead   = 256
	maxPageParams = 2000
)

// chunk is the most users a combined statement of this operation carries: a
// power of two, so that the copies, rounded up to one, stay within the bounds.
func (r *pageRead) chunk() int {
	n := maxPageRead
	for n > 1 && n*len(r.op.Params) > maxPageParams {
		n /= 2
	}
	return n
}

// pageRead is one declared per-user read and the combined texts built from it.
type pageRead struct {
	op   *operations.Operation
	d    dialects.Dialect
	mu   sync.Mutex
	text map[int]string // copies -> native text; "" when it cannot be built
	// perUser is set once the database refused the combined statement.
	perUser atomic.Bool
}

// pageReads keeps a pageRead per operation of a store.
type pageReads struct {
	mu sync.Mutex
	m  map[*operations.Operation]*pageRead
}

func (p *pageReads) get(d dialects.Dialect, op *operations.Operation) *pageRead {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[*operations.Operation]*pageRead{}
	}
	r := p.m[op]
	if r == nil {
		r = &pageRead{op: op, d: d, text: map[int]string{}}
		if !combinable(op) {
			r.perUser.Store(true)
		}
		p.m[op] = r
	}
	return r
}

// combinable reports whether an operation can be read for many users at once: a
// plain SELECT statement whose parameters are all inputs.
func combinable(op *operations.Operation) bool {
	if op.Kind != operations.SQL || !run.PlainInputs(op) || len(op.Params) == 0 {
		return false
	}
	src := strings.TrimSpace(op.Source)
	return len(src) > 6 && strings.EqualFold(src[:6], "SELECT") && !strings.Contains(src, ";")
}

// textFor returns the native text of the combined statement with n copies, ""
// when the dialect's placeholder rewriting does not find the n·params
// placeholders it must (a statement written with native ones, say).
func (r *pageRead) textFor(n int) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.text[n]; ok {
		return t
	}
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteString(" UNION ALL ")
		}
		sb.WriteString("SELECT ")
		sb.WriteString(strconv.Itoa(i))
		sb.WriteString(" AS " + slotColumn + ", t.* FROM ")
		// DerivedTable closes a statement that ends in a "-- comment" on a line
		// of its own.
		sb.WriteString(r.d.DerivedTable(strings.TrimSpace(r.op.Source), "t"))
	}
	text, params, err := r.d.Rewrite(sb.String())
	if err != nil || params != n*len(r.op.Params) {
		text = ""
	}
	r.text[n] = text
	return text
}

// read runs the operation for every record of recs (one per user, in page order)
// and returns each one's rows.
func (r *pageRead) read(ctx context.Context, pool *run.Pool, q dialects.Querier, recs []run.Record) ([][]run.Record, error) {
	out := make([][]run.Record, len(recs))
	if len(recs) > 1 && !r.perUser.Load() {
		err := r.combined(ctx, pool, q, recs, out)
		if err == nil {
			return out, nil
		}
		// Read per user: if that works, the combined statement is what the
		// database refused, and this operation is read per user from now on.
		clear(out)
		if perr := r.each(ctx, pool, q, recs, out); perr != nil {
			return nil, perr
		}
		r.perUser.Store(true)
		pool.Log().Warn("a per-user read cannot run for a whole page; it runs once per user",
			"target", pool.Name, "operation", r.op.Name, "error", err)
		return out, nil
	}
	return out, r.each(ctx, pool, q, recs, out)
}

// each runs the operation once per user.
func (r *pageRead) each(ctx context.Context, pool *run.Pool, q dialects.Querier, recs []run.Record, out [][]run.Record) error {
	for i, rec := range recs {
		if err := pool.Query(ctx, q, r.op, rec, func(row run.Record) (bool, error) {
			out[i] = append(out[i], row)
			return true, nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// combined runs the operation for recs in statements of at most maxPageRead
// users.
func (r *pageRead) combined(ctx context.Context, pool *run.Pool, q dialects.Querier, recs []run.Record, out [][]run.Record) error {
	size := r.chunk()
	for from := 0; from < len(recs); from += size {
		chunk := recs[from:min(from+size, len(recs))]
		n := 1
		for n < len(chunk) {
			n *= 2
		}
		text := r.textFor(n)
		if text == "" {
			return errNotCombinable
		}
		args := make([]dialects.Arg, 0, n*len(r.op.Params))
		for i := range n {
			if i < len(chunk) {
				args = append(args, run.Bind(r.op, chunk[i])...)
				continue
			}
			for range r.op.Params {
				args = append(args, dialects.Arg{})
			}
		}
		op := &operations.Operation{Name: r.op.Name, Kind: r.op.Kind, Text: text}
		if err := pool.Rows(ctx, q, op, args, func(row run.Record) error {
			slot, err := strconv.Atoi(text2(row[slotColumn]))
			delete(row, slotColumn)
			if err == nil && slot >= 0 && slot < len(chunk) {
				out[from+slot] = append(out[from+slot], row)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// text2 reads a slot number, which some drivers return as text or a decimal.
func text2(v any) string {
	s := strings.TrimSpace(text(v))
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return s
}

type notCombinable struct{}

func (notCombinable) Error() string { return "the statement cannot be combined for a page" }

var errNotCombinable error = notCombinable{}
