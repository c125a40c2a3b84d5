package run

// ShrinkStatementCache bounds the pool's statement cache to n statements, so that
// a test can make statements leave it while requests run them.
func (p *Pool) ShrinkStatementCache(n int) {
	p.stmts.mu.Lock()
	defer p.stmts.mu.Unlock()
	p.stmts.max = n
}

// CachedStatements reports how many statements the cache holds and how many of
// them a request still holds.
func (p *Pool) CachedStatements() (cached, held int) {
	p.stmts.mu.Lock()
	defer p.stmts.mu.Unlock()
	for el := p.stmts.recent.Front(); el != nil; el = el.Next() {
		if el.Value.(*cachedStmt).holders != 0 {
			held++
		}
	}
	return p.stmts.recent.Len(), held
}

// RaceEnabled is set when the tests run under the race detector.
const RaceEnabled = raceEnabled
