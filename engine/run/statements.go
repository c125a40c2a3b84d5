package run

import (
	"container/list"
	"context"
	"database/sql"
	"sync"

	"github.com/dbscim/dbscim/dialects"
)

// statements keeps the reads the engine runs on the pool prepared, so that a
// lookup is one round trip (execute) instead of three (prepare, execute, close) on
// drivers that do not cache statements themselves (go-sql-driver/mysql, SQLite).
// database/sql re-prepares a statement on each connection the first time it is used
// there.
//
// The texts come from the configuration and from the SQL the engine builds from it
// for a request's filter, sort and paging: a bounded but open set, so the cache is
// bounded too and drops the least recently used statement when full. A statement is
// closed only when it has left the cache and no request still runs it: a request
// that took a statement keeps it usable until it lets go.
type statements struct {
	db  *sql.DB
	mu  sync.Mutex
	max int
	// byText and recent hold the cached statements; recent's front is the most
	// recently used.
	byText map[string]*list.Element
	recent *list.List
	closed bool
}

// cachedStmt is one prepared statement and who is running it.
type cachedStmt struct {
	text string
	st   *sql.Stmt
	// holders counts the requests running the statement now.
	holders int
	// evicted says the statement has left the cache; the last holder closes it.
	evicted bool
}

func newStatements(db *sql.DB) *statements {
	return &statements{db: db, max: 256, byText: map[string]*list.Element{}, recent: list.New()}
}

// querier returns something to run text on, and a function to call when the rows
// are read: q itself when it is a transaction or connection, or a prepared
// statement of the pool, held until release.
func (s *statements) querier(ctx context.Context, q dialects.Querier, text string) (dialects.Querier, func(), error) {
	if q != dialects.Querier(s.db) {
		return q, func() {}, nil
	}
	if c := s.take(text); c != nil {
		return prepared{c.st}, func() { s.release(c) }, nil
	}
	st, err := s.db.PrepareContext(ctx, text)
	if err != nil {
		return nil, nil, err
	}
	c := s.add(text, st)
	return prepared{c.st}, func() { s.release(c) }, nil
}

// take returns the cached statement for text, held, or nil.
func (s *statements) take(text string) *cachedStmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.byText[text]
	if !ok {
		return nil
	}
	s.recent.MoveToFront(el)
	c := el.Value.(*cachedStmt)
	c.holders++
	return c
}

// add caches a newly prepared statement and returns it held. When another request
// prepared the same text meanwhile, that one is kept and st is closed.
func (s *statements) add(text string, st *sql.Stmt) *cachedStmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byText[text]; ok {
		st.Close()
		s.recent.MoveToFront(el)
		c := el.Value.(*cachedStmt)
		c.holders++
		return c
	}
	c := &cachedStmt{text: text, st: st, holders: 1}
	if s.closed {
		// The target is closing: run this once, then close it.
		c.evicted = true
		return c
	}
	s.byText[text] = s.recent.PushFront(c)
	for s.recent.Len() > s.max {
		s.evict(s.recent.Back())
	}
	return c
}

// evict takes a statement out of the cache, closing it unless a request still runs
// it. s.mu is held.
func (s *statements) evict(el *list.Element) {
	c := s.recent.Remove(el).(*cachedStmt)
	delete(s.byText, c.text)
	c.evicted = true
	if c.holders == 0 {
		c.st.Close()
	}
}

// release lets go of a held statement, closing it if it left the cache meanwhile.
func (s *statements) release(c *cachedStmt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.holders--
	if c.evicted && c.holders == 0 {
		c.st.Close()
	}
}

// close empties the cache; statements still running close when released.
func (s *statements) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for s.recent.Len() > 0 {
		s.evict(s.recent.Back())
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
