package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/dbscim/dbscim/dialects"
)

// readUserNameIndex reads the users table's unique indexes and says, in the
// comment over userName, whether one makes it unique regardless of letter case,
// as SCIM's userName is: without one, two creates at once (two replicas, an
// IdP's retry) can store "Ann" and "ann" as two users. Where none does, it
// proposes the dialect's DDL for one.
func (p *usersPlan) readUserNameIndex(ctx context.Context, d dialects.Dialect, db *sql.DB) {
	i := -1
	for j, m := range p.attrs {
		if m.path == "userName" {
			i = j
		}
	}
	if i < 0 {
		return
	}
	col := p.attrs[i].col.Name
	if p.view {
		p.attrs[i].note = "guessed from the column's name"
		p.userNameIndex = []string{fmt.Sprintf("%s is a view: the unique index of its table must make %s unique in any letter case, as SCIM's userName", p.table, col)}
		return
	}
	indexes, err := dialects.UniqueIndexes(ctx, d, db, p.table)
	if err != nil {
		p.userNameIndex = []string{fmt.Sprintf("the unique indexes of %s could not be read (%s): check that one makes %s unique in any letter case", p.table, d.Classify(err), col)}
		return
	}
	var exact string
	for _, u := range indexes {
		if !u.On(col) {
			continue
		}
		if u.CaseBlind() {
			p.attrs[i].note = "guessed from the column's name; unique in any letter case (index " + u.Name + "), as SCIM's userName"
			return
		}
		exact = u.Name
	}
	if exact != "" {
		p.attrs[i].note = "guessed from the column's name; unique, but its index " + exact + " tells Ann from ann"
		p.userNameIndex = []string{fmt.Sprintf("SCIM's userName ignores letter case, %s's unique index %s does not: two creates at once can store Ann and ann as two users. A unique index that ignores case:", col, exact)}
	} else {
		p.attrs[i].note = "guessed from the column's name; no unique index"
		p.userNameIndex = []string{fmt.Sprintf("no unique index makes %s unique: two creates at once can store one userName twice. A unique index that also ignores letter case, as SCIM's userName:", col)}
	}
	p.userNameIndex = append(p.userNameIndex, "  "+dialects.CaseBlindUniqueIndex(d, p.table, col))
}
