// Package fault names the kinds of error the engine returns, whatever the protocol in
// front of it: a resource that is not there, an operation the configuration does not
// declare, a value the database refuses, a database that is down. Each error carries
// a detail the client may read and, apart from it, the cause that only the log sees
// (a driver's message can hold table names and personal data).
//
// The engine never speaks in HTTP statuses; the protocol layer turns a Kind into its
// own status, error type and retry hint in one place.
package fault

import (
	"context"
	"errors"
	"fmt"
)

// Kind is what went wrong, in the terms a client can act on.
type Kind int

const (
	// Internal is a failure the client cannot act on: a bug or an unclassified
	// database error. It is the kind of every error that is not an *Error.
	Internal Kind = iota
	// NotFound: no resource has the id.
	NotFound
	// NotDeclared: the configuration declares no operation for the request.
	NotDeclared
	// Invalid: a value is not one the target can store (wrong type, not in the
	// catalogue, rejected by a constraint).
	Invalid
	// InvalidFilter: a filter the target cannot evaluate.
	InvalidFilter
	// InvalidPath: an attribute path the target cannot apply.
	InvalidPath
	// InvalidSyntax: a request that does not have the form the protocol wants
	// (an operation that is not an object, an unknown op).
	InvalidSyntax
	// NoTarget: a patch path that names nothing to change.
	NoTarget
	// ReadOnly: the change touches something the target does not let clients
	// change (no grant operation, no member operation).
	ReadOnly
	// Refused: a stored routine refused the request on purpose, with a message
	// its author wrote for the caller; the message is the detail.
	Refused
	// Uniqueness: the change would duplicate a unique value.
	Uniqueness
	// Conflict: the database aborted the work because of concurrent work
	// (deadlock, serialization failure); retrying may succeed.
	Conflict
	// Unavailable: the database cannot be reached; retrying later may succeed.
	Unavailable
	// Timeout: the database did not answer in time.
	Timeout
	// Canceled: the request was canceled before the work finished.
	Canceled
	// Indeterminate: a write's commit was sent but its outcome is unknown (the
	// connection was lost on the way back). The store finds out which it was
	// before answering; this kind reaches the client only when even that check
	// could not run.
	Indeterminate
	// Misconfigured: the configuration cannot serve the request as declared
	// (a create that does not reveal the new id).
	Misconfigured
)

var kindNames = [...]string{
	Internal:      "internal",
	NotFound:      "not found",
	NotDeclared:   "not declared",
	Invalid:       "invalid value",
	InvalidFilter: "invalid filter",
	InvalidPath:   "invalid path",
	InvalidSyntax: "invalid syntax",
	NoTarget:      "no target",
	ReadOnly:      "read-only",
	Refused:       "refused",
	Uniqueness:    "uniqueness",
	Conflict:      "conflict",
	Unavailable:   "unavailable",
	Timeout:       "timeout",
	Canceled:      "canceled",
	Indeterminate: "indeterminate",
	Misconfigured: "misconfigured",
}

// String names the kind, for logs and metrics labels.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an engine error of a known kind.
type Error struct {
	Kind Kind
	// Detail is the message a client may see: never SQL, driver text or secrets.
	Detail string
	// Cause is the underlying error, for the log only; nil when there is none.
	Cause error
}

// Error implements error. It includes the cause, so it is for logs, not clients.
func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Kind.String() + ": " + e.Detail + ": " + e.Cause.Error()
	}
	return e.Kind.String() + ": " + e.Detail
}

// Unwrap returns the cause, so that errors.Is sees context.DeadlineExceeded and
// the like through an *Error.
func (e *Error) Unwrap() error { return e.Cause }

// New makes an error of kind k with a detail for the client.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Detail: fmt.Sprintf(format, args...)}
}

// Wrap makes an error of kind k whose cause is err; the detail is for the client,
// the cause for the log.
func Wrap(k Kind, err error, format string, args ...any) *Error {
	return &Error{Kind: k, Detail: fmt.Sprintf(format, args...), Cause: err}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain, or
// Internal when there is none. KindOf(nil) is Internal too; test err first.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err is an engine error of kind k.
func Is(err error, k Kind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// Quote quotes client input for an error detail, shortened so that an error
// response never grows with the request.
func Quote(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// Interrupted returns nil while ctx is live, and once it is done the error the
// engine answers for a request whose time ran out (Timeout) or whose client went
// away (Canceled). Work in memory that grows with a request checks it every so
// many items, so that it stops with the request as database calls do.
func Interrupted(ctx context.Context) error {
	switch err := ctx.Err(); {
	case err == nil:
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return Wrap(Timeout, err, "the request did not finish within its time limit; nothing was changed")
	default:
		return Wrap(Canceled, err, "the request was canceled before it finished; nothing was changed")
	}
}
