package store

import (
	"context"
	"errors"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/sqlgen"
	"github.com/dbscim/dbscim/operations"
)

// List answers one page of users.
func (s *Users) List(ctx context.Context, q resource.Query) (*resource.Page, error) {
	// Tombstones are added to resources.
	if q.AsRows {
		if _, _, ok, _ := s.incremental(q); ok {
			q.AsRows = false
		}
	}
	page, err := s.listUsers(ctx, q)
	if err != nil {
		return nil, err
	}
	if page.Rows != nil {
		err = s.attachToRows(ctx, s.pool.DB, q.Projection, page.Rows)
	} else {
		err = s.attachGrants(ctx, s.pool.DB, q.Projection, page.Resources...)
	}
	if err != nil {
		return nil, err
	}
	if c, since, ok, err := s.incremental(q); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return s.withTombstones(ctx, page, q, c, since)
	}
	return page, nil
}

func (s *table) list(ctx context.Context, db dialects.Querier, q resource.Query) (*resource.Page, error) {
	if q.StartIndex < 1 {
		q.StartIndex = 1
	}
	if q.Count < 0 {
		q.Count = 0
	}
	if q.Count > s.maxResults {
		q.Count = s.maxResults
	}
	if err := s.checkFilter(q); err != nil {
		return nil, err
	}
	op := s.listOp
	if op.Kind == operations.SQL {
		page, err := s.listSQL(ctx, db, op, q)
		if !errors.Is(err, sqlgen.ErrNoPushdown) {
			return page, err
		}
	}
	return s.listStream(ctx, db, op, q)
}

// checkFilter applies the schema's type rules to a filter before either path runs
// it, so that SQL and memory refuse the same filters (active eq 0 compares a
// boolean with a number in both).
func (s *table) checkFilter(q resource.Query) error {
	if q.Filter == nil {
		return nil
	}
	_, err := resource.Match(q.Filter, resource.Resource{}, s.schemas...)
	return err
}

// listSQL pushes the filter and the page into SQL around the list statement, used
// as a derived table. A page that starts at 1 and comes back short already tells the
// total, which spares the COUNT for the lookups IdPs make before every create.
func (s *table) listSQL(ctx context.Context, db dialects.Querier, op *operations.Operation, q resource.Query) (*resource.Page, error) {
	gen, err := s.sqlTable(ctx, db, op)
	if err != nil {
		return nil, err
	}
	// The filter is translated once, for the cursor key, the page and the count.
	cond, err := gen.Where(q.Filter)
	if err != nil {
		return nil, err
	}
	base := run.Bind(op, run.Record{})
	page := &resource.Page{Total: -1}
	// Sequential pages in id order continue from the previous page's last id.
	keyed := q.SortBy == ""
	// The walk's key (the filter's text and values) is rendered only for a page
	// that continues a walk or may be continued: not for a lookup, which comes
	// back short.
	var walk cursorKey
	walkKey := func() cursorKey {
		if walk.query == "" {
			walk = cursorKey{query: cond.Text + argsKey(append(append([]dialects.Arg{}, base...), cond.Args...)), start: q.StartIndex}
		}
		return walk
	}
	req := sqlgen.Page{SortBy: q.SortBy, Descending: q.Descending, Skip: int64(q.StartIndex - 1), Count: q.Count}
	if keyed && q.StartIndex > 1 && q.Count > 0 {
		walk := walkKey()
		if c, ok := s.cursors.take(walk); ok {
			req.After, req.Skip = &c.last, 0
			page.Total = c.total
		} else if c, at, ok := s.cursors.nearest(walk.query, q.StartIndex); ok {
			req.After, req.Skip = &c.last, int64(q.StartIndex-at)
			page.Total = c.total
		}
	}
	var last any
	n := 0 // resources on the page
	if q.Count > 0 {
		st, err := gen.Page(cond, req)
		if err != nil {
			return nil, err
		}
		pageOp := &operations.Operation{Name: op.Name, Text: st.Text}
		args := append(append([]dialects.Arg{}, base...), st.Args...)
		if q.AsRows && s.layout != nil {
			page.Rows = &resource.Rows{Layout: s.layout}
			err = s.pool.Scan(ctx, db, pageOp, args, s.rowReader(page.Rows, q.Count, func(id any) { last = id; n++ }))
		} else {
			err = s.pool.Rows(ctx, db, pageOp, args, func(r run.Record) error {
				res, err := toResource(s.idColumn, s.cols, r)
				if err == nil {
					page.Resources = append(page.Resources, res)
					last = r[run.Key(s.idColumn)]
					n++
				}
				return err
			})
		}
		if err != nil {
			return nil, err
		}
		if page.Total < 0 && q.StartIndex == 1 && n < q.Count {
			page.Total = n
		}
	}
	if page.Total < 0 {
		st := gen.Count(cond)
		countOp := &operations.Operation{Name: op.Name, Text: st.Text}
		if err := s.pool.Rows(ctx, db, countOp, append(append([]dialects.Arg{}, base...), st.Args...), func(r run.Record) error {
			n, _ := (&column{kind: "integer"}).toSCIM(r["n"])
			page.Total = int(n.(int64))
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if keyed && q.Count > 0 && n == q.Count && last != nil {
		s.cursors.put(cursorKey{query: walkKey().query, start: q.StartIndex + q.Count}, cursor{last: last, total: page.Total})
	}
	return page, nil
}

// rowReader reads a page's rows into rows, in its layout: the id as text, each
// column as its mapping reads it (nil where the row has no such column, or a
// value the mapping leaves out), as toResource would set them. It finds the
// columns by name on the first row; a later column of the same name wins, as in
// a Record. Each row's id, as the database returned it, goes to read.
func (s *table) rowReader(rows *resource.Rows, capacity int, read func(id any)) func(columns []string, values []any) error {
	var at []int // position of the id, then of each column; -1 when absent
	return func(columns []string, values []any) error {
		if at == nil {
			find := func(name string) int {
				k, i := run.Key(name), -1
				for j, c := range columns {
					if c == k {
						i = j
					}
				}
				return i
			}
			at = make([]int, len(s.cols)+1)
			at[0] = find(s.idColumn)
			for i := range s.cols {
				at[i+1] = find(s.cols[i].Column)
			}
			// A lookup asks for a page of maxResults and finds one user: the
			// rows start small and grow as they come.
			rows.Values = make([]any, 0, min(capacity, 16)*rows.Layout.Len())
		}
		var id any
		if at[0] >= 0 {
			id = values[at[0]]
		}
		rows.Values = s.appendRow(rows.Values, id, func(i int) (any, bool) {
			if j := at[i+1]; j >= 0 {
				return values[j], true
			}
			return nil, false
		})
		read(id)
		return nil
	}
}

// appendRow appends a row in the layout to dst: the id as text, each column's
// stored value (col, false when the row has no such column) as its mapping reads
// it, nil where the mapping leaves it out, and nil for each attached attribute,
// read after (Users.attachToRows). What the row stands for is what toResource
// makes of the same values.
func (s *table) appendRow(dst []any, id any, col func(i int) (any, bool)) []any {
	if _, isText := id.(string); !isText && id != nil {
		id = text(id)
	}
	dst = append(dst, id)
	for i := range s.cols {
		var sv any
		if v, ok := col(i); ok {
			if v, ok := s.cols[i].toSCIM(v); ok {
				sv = v
			}
		}
		dst = append(dst, sv)
	}
	for range s.attached {
		dst = append(dst, nil)
	}
	return dst
}

// argsKey renders bound values for a cursor key.
func argsKey(args []dialects.Arg) string {
	var sb strings.Builder
	for _, a := range args {
		sb.WriteString("\x00")
		sb.WriteString(text(a.Value))
	}
	return sb.String()
}

// listStream runs the list operation as declared (a procedure, or a statement whose
// filter cannot be pushed down), evaluates the filter on each row as it streams, and
// keeps only the requested page: memory stays flat however many users there are.
func (s *table) listStream(ctx context.Context, db dialects.Querier, op *operations.Operation, q resource.Query) (*resource.Page, error) {
	pk := newPageKeeper(q, s.schemas)
	err := s.pool.Query(ctx, db, op, run.Record{}, func(r run.Record) (bool, error) {
		res, err := toResource(s.idColumn, s.cols, r)
		if err != nil {
			return false, err
		}
		if q.Filter != nil {
			ok, err := resource.Match(q.Filter, res, s.schemas...)
			if err != nil {
				return false, err
			}
			if !ok {
				return true, nil
			}
		}
		pk.add(res)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return pk.page(), nil
}

// pageKeeper keeps one page of a list whose matching resources are read in
// full, in memory: in list order, the page's resources as they come; sorted, the
// first startIndex-1+count resources in sort order, of which it holds at most
// twice that many, trimming as they come, so that memory stays bounded by the
// page's position rather than the size of the list.
type pageKeeper struct {
	q       resource.Query
	schemas []*resource.Schema
	keep    int // startIndex-1+count
	kept    []resource.Resource
	total   int
}

func newPageKeeper(q resource.Query, schemas []*resource.Schema) *pageKeeper {
	return &pageKeeper{q: q, schemas: schemas, keep: q.StartIndex - 1 + q.Count}
}

// add counts a matching resource, and keeps it where the page may need it.
func (k *pageKeeper) add(res resource.Resource) {
	k.total++
	switch {
	case k.q.SortBy != "":
		if k.keep > 0 {
			k.kept = append(k.kept, res)
			if len(k.kept) >= 2*k.keep {
				k.trim()
			}
		}
	case k.total >= k.q.StartIndex && len(k.kept) < k.q.Count:
		k.kept = append(k.kept, res)
	}
}

func (k *pageKeeper) trim() {
	resource.SortResources(k.kept, k.q.SortBy, k.q.Descending, k.schemas...)
	if len(k.kept) > k.keep {
		k.kept = k.kept[:k.keep]
	}
}

// page is the page asked for, with the count of every matching resource.
func (k *pageKeeper) page() *resource.Page {
	page := &resource.Page{Total: k.total, Resources: k.kept}
	if k.q.SortBy != "" {
		k.trim()
		page.Resources = nil
		if skip := k.q.StartIndex - 1; skip < len(k.kept) {
			page.Resources = k.kept[skip:]
		}
	}
	return page
}

// learnColumns reads, once, the names of the columns the list statement returns, so
// that the SQL built around it names each column exactly as the database spells it:
// PostgreSQL folds an unquoted USER_NAME to user_name, but a column created quoted
// as "userName" must be written quoted.
func (s *table) learnColumns(ctx context.Context, db dialects.Querier, op *operations.Operation) error {
	s.outMu.Lock()
	known := s.outCols != nil
	s.outMu.Unlock()
	if known {
		return nil
	}
	d := s.pool.Dialect
	rows, err := d.Query(ctx, db, sqlgen.Columns(d, op.Text), run.Bind(op, run.Record{}))
	if err != nil {
		return s.pool.Error(op, err)
	}
	names, err := rows.Columns()
	rows.Close()
	if err != nil {
		return s.pool.Error(op, err)
	}
	cols := make(map[string]string, len(names))
	for _, n := range names {
		cols[run.Key(n)] = n
	}
	s.outMu.Lock()
	s.outCols = cols
	s.outMu.Unlock()
	return nil
}

// ref is a column of the derived table t, as the list statement spells it.
func (s *table) ref(column string) string {
	s.outMu.Lock()
	actual, ok := s.outCols[run.Key(column)]
	s.outMu.Unlock()
	if ok {
		return "t." + s.pool.Dialect.Quote(actual)
	}
	return "t." + sqlgen.Ident(s.pool.Dialect, column)
}

// sqlTable describes the list statement and the mapped columns to SQL generation,
// with the columns spelled as the list statement returns them.
func (s *table) sqlTable(ctx context.Context, db dialects.Querier, op *operations.Operation) (*sqlgen.Table, error) {
	if err := s.learnColumns(ctx, db, op); err != nil {
		return nil, err
	}
	s.outMu.Lock()
	gen := s.gen
	s.outMu.Unlock()
	if gen != nil && gen.List == op.Text {
		return gen, nil
	}
	gen = describeList(s.pool.Dialect, op, s.idColumn, s.cols, s.ref)
	gen.Children = childrenSQL(s.pool.Dialect, s.idColumn, s.ref(s.idColumn), s.children)
	s.outMu.Lock()
	s.gen = gen
	s.outMu.Unlock()
	return gen, nil
}

// describeList describes a list statement and the mapped columns to SQL
// generation, ref naming each column in the derived table.
func describeList(d dialects.Dialect, op *operations.Operation, idColumn string, cols []column, ref func(string) string) *sqlgen.Table {
	gen := &sqlgen.Table{Dialect: d, List: op.Text, Params: len(op.Params), ID: ref(idColumn)}
	for i := range cols {
		c := &cols[i]
		gen.Columns = append(gen.Columns, sqlgen.Column{
			Ref: ref(c.Column), Kind: c.kind, Fold: c.caseFold, Simple: c.simple,
			Attr: c.attr, Sub: c.sub, ElemAttr: c.elemAttr, ElemValue: c.elemValue, ToDB: c.toDB, Codes: c.codes(),
		})
	}
	return gen
}

// ExplainUserList returns the statements a list of users runs for a query when
// its list operation is a statement: the page, and the COUNT that tells the total
// (a first page that comes back short spares it). Columns are written as the
// configuration spells them; at run time they are spelled as the list statement
// returns them. It returns sqlgen.ErrNoPushdown when the list runs as declared
// and is filtered in memory while it streams (a procedure, or a filter SQL over
// these columns cannot express).
func ExplainUserList(cfg *operations.Users, d dialects.Dialect, q resource.Query) (page, count sqlgen.Statement, err error) {
	op := cfg.Operations[operations.List]
	if op == nil || op.Kind != operations.SQL {
		return page, count, sqlgen.ErrNoPushdown
	}
	cols := resolve(cfg.Attributes, resource.UserSchema(), resource.EnterpriseUserSchema())
	gen := describeList(d, op, cfg.ID, cols, func(column string) string { return "t." + sqlgen.Ident(d, column) })
	gen.Children = childrenSQL(d, cfg.ID, "t."+sqlgen.Ident(d, cfg.ID), newChildren(cfg.Attributes, resource.UserSchema(), cfg.ID))
	cond, err := gen.Where(q.Filter)
	if err != nil {
		return page, count, err
	}
	req := sqlgen.Page{SortBy: q.SortBy, Descending: q.Descending, Skip: int64(max(q.StartIndex, 1) - 1), Count: q.Count}
	if page, err = gen.Page(cond, req); err != nil {
		return page, count, err
	}
	return page, gen.Count(cond), nil
}
