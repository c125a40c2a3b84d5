package operations

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a configuration file, at the place it is about.
type Error struct {
	Pos Position
	Msg string
}

// Error formats the problem as "file:line:col: message", the form editors and CI
// annotators recognise. A problem with the file as a whole (a YAML syntax error the
// parser could not place) has no line and prints as "file: message".
func (e *Error) Error() string {
	if e.Pos.Line == 0 {
		return e.Pos.File + ": " + e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is every problem found in a configuration file, sorted by position. Parse
// and Load return it (as an error) so that a DBA fixes the whole file in one round
// instead of one problem per run.
type ErrorList []*Error

// Error prints one problem per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap exposes the individual problems to errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sort orders the list by position, keeping the order of discovery at one position,
// and drops exact repeats, which YAML aliases produce when the same anchored node is
// checked at every place that refers to it.
func (l ErrorList) sort() ErrorList {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Column, b.Pos.Column))
	})
	seen := make(map[Error]bool, len(l))
	out := l[:0]
	for _, e := range l {
		if !seen[*e] {
			seen[*e] = true
			out = append(out, e)
		}
	}
	return out
}

func (p *parser) errorAt(pos Position, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}
