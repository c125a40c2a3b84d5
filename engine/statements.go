package engine

import (
	"context"
	"database/sql"
	"sync"

	"github.com/dbscim/dbscim/dialects"
)

// statements keeps the reads the engine runs on the pool prepared, so that a
// lookup is one round trip (execute) instead of three (prepare, execute, close) on
// drivers that do not cache statements themselves (go-sql-driver/mysql, SQLite).
// database/sql re-prepares a statement on each connection the first time it is used
// there. The cache is bounded: filters from clients produce a bounded but open set
// of statement texts.
type statements struct {
	db   *sql.DB
	mu   sync.Mutex
	max  int
	byID map[string]*sql.Stmt
}

func newStatements(db *sql.DB) *statements {
	return &statements{db: db, max: 256, byID: map[string]*sql.Stmt{}}
}

// querier returns something to run text on: q itself when it is a transaction or
// connection, or a prepared statement of the pool.
func (s *statements) querier(ctx context.Context, q dialects.Querier, text string) (dialects.Querier, error) {
	if q != dialects.Querier(s.db) {
		return q, nil
	}
	s.mu.Lock()
	st, ok := s.byID[text]
	s.mu.Unlock()
	if ok {
		return prepared{st}, nil
	}
	st, err := s.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.byID[text]; ok {
		st.Close()
		return prepared{old}, nil
	}
	if len(s.byID) >= s.max {
		for k, old := range s.byID { // evict one; any will do
			old.Close()
			delete(s.byID, k)
			break
		}
	}
	s.byID[text] = st
	return prepared{st}, nil
}

// close closes every prepared statement.
func (s *statements) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, st := range s.byID {
		st.Close()
		delete(s.byID, k)
	}
}

// prepared runs its statement whatever text it is given: the text is the one it
// was prepared from.
type prepared struct{ st *sql.Stmt }

func (p prepared) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return p.st.QueryContext(ctx, args...)
}

func (p prepared) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return p.st.ExecContext(ctx, args...)
}
