package store

import (
	"context"
	"strings"
	"sync"

	"github.com/dbscim/dbscim/engine/fault"
)

// names serialises, within one process, the writes that claim the same value of a
// unique attribute (a userName, a group's displayName), in any letter case: the
// uniqueness check and the insert or rename of one write finish, commit included,
// before another write may check that value. Without it two concurrent creates of
// one name both pass the check when the database has no unique index, or one whose
// collation is case-sensitive. Across processes only the database's own unique
// index can do this; validate says when it is missing.
type names struct {
	mu   sync.Mutex
	held map[string]*nameLock
}

type nameLock struct {
	token chan struct{} // holds one token while the value is claimed
	users int           // writes holding or waiting for it
}

// claims are the unique values one write holds until its transaction has ended.
type claims struct {
	n        *names
	released []func()
}

// newClaims starts the claims of one write; call done after its transaction.
func (n *names) newClaims() *claims { return &claims{n: n} }

// claim waits, as long as ctx allows, until no other write holds value, then holds
// it until done.
func (c *claims) claim(ctx context.Context, value string) error {
	key := strings.ToLower(value)
	n := c.n
	n.mu.Lock()
	if n.held == nil {
		n.held = map[string]*nameLock{}
	}
	l := n.held[key]
	if l == nil {
		l = &nameLock{token: make(chan struct{}, 1)}
		n.held[key] = l
	}
	l.users++
	n.mu.Unlock()
	leave := func() {
		n.mu.Lock()
		l.users--
		if l.users == 0 {
			delete(n.held, key)
		}
		n.mu.Unlock()
	}
	select {
	case l.token <- struct{}{}:
	case <-ctx.Done():
		leave()
		return fault.Wrap(fault.Timeout, ctx.Err(), "another request is writing the same unique value; retry")
	}
	c.released = append(c.released, func() {
		<-l.token
		leave()
	})
	return nil
}

// done releases every value the write claimed.
func (c *claims) done() {
	for _, release := range c.released {
		release()
	}
	c.released = nil
}
