package scim

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/dbscim/dbscim/engine/fault"
)

// ScimType is the scimType of an error response (RFC 7644 §3.12, table 9).
type ScimType string

// The scimType values of RFC 7644 §3.12.
const (
	InvalidFilter ScimType = "invalidFilter"
	TooMany       ScimType = "tooMany"
	Uniqueness    ScimType = "uniqueness"
	Mutability    ScimType = "mutability"
	InvalidSyntax ScimType = "invalidSyntax"
	InvalidPath   ScimType = "invalidPath"
	NoTarget      ScimType = "noTarget"
	InvalidValue  ScimType = "invalidValue"
	InvalidVers   ScimType = "invalidVers"
	Sensitive     ScimType = "sensitive"
)

// Error is a SCIM error response (RFC 7644 §3.12).
type Error struct {
	// Status is the HTTP status, sent as a string in the body as RFC 7644 wants.
	Status   int
	ScimType ScimType
	// Detail is the human-readable message; it reaches the IdP's logs, so it
	// must never hold SQL, driver messages or secrets.
	Detail string
	// RetryAfter, in seconds, is sent as Retry-After when positive (503, 429).
	RetryAfter int
}

// Error implements error: "scim 409 uniqueness: ...".
func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("scim %d %s: %s", e.Status, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("scim %d: %s", e.Status, e.Detail)
}

// Errorf makes an *Error.
func Errorf(status int, scimType ScimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the 404 for a resource id.
func ErrNotFound(resourceType, id string) *Error {
	return &Error{Status: 404, Detail: fmt.Sprintf("%s %q not found", resourceType, id)}
}

// toError returns err as an *Error; the package's own checks only make *Error,
// and anything else becomes a 400 rather than a silent nil.
func toError(err error) *Error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*Error); ok {
		return e
	}
	if e, ok := fromFault(err); ok {
		return e
	}
	return &Error{Status: 400, ScimType: InvalidValue, Detail: err.Error()}
}

// faultResponses is how each kind of engine error is answered. This table is the
// only place where the engine's kinds meet HTTP statuses.
var faultResponses = map[fault.Kind]Error{
	fault.NotFound:      {Status: http.StatusNotFound},
	fault.NotDeclared:   {Status: http.StatusMethodNotAllowed},
	fault.Invalid:       {Status: http.StatusBadRequest, ScimType: InvalidValue},
	fault.InvalidFilter: {Status: http.StatusBadRequest, ScimType: InvalidFilter},
	fault.InvalidPath:   {Status: http.StatusBadRequest, ScimType: InvalidPath},
	fault.InvalidSyntax: {Status: http.StatusBadRequest, ScimType: InvalidSyntax},
	fault.NoTarget:      {Status: http.StatusBadRequest, ScimType: NoTarget},
	fault.ReadOnly:      {Status: http.StatusBadRequest, ScimType: Mutability},
	fault.Refused:       {Status: http.StatusBadRequest, ScimType: InvalidValue},
	fault.Uniqueness:    {Status: http.StatusConflict, ScimType: Uniqueness},
	fault.Conflict:      {Status: http.StatusServiceUnavailable, RetryAfter: 1},
	fault.Unavailable:   {Status: http.StatusServiceUnavailable, RetryAfter: 5},
	fault.Timeout:       {Status: http.StatusServiceUnavailable, RetryAfter: 5},
	fault.Canceled:      {Status: http.StatusServiceUnavailable, RetryAfter: 1},
	fault.Indeterminate: {Status: http.StatusServiceUnavailable, RetryAfter: 5},
	fault.Misconfigured: {Status: http.StatusInternalServerError},
}

// fromFault turns an engine error into the SCIM error the client sees: the
// status, scimType and Retry-After of its kind, and its detail. ok is false for
// errors that are not engine errors, or of kind Internal.
func fromFault(err error) (*Error, bool) {
	var fe *fault.Error
	if !errors.As(err, &fe) {
		return nil, false
	}
	resp, ok := faultResponses[fe.Kind]
	if !ok {
		return nil, false
	}
	resp.Detail = fe.Detail
	return &resp, true
}

// AsError returns the SCIM error a client is answered with for err: err itself when
// it is an *Error, the answer for its kind when it is an engine error. ok is false
// for anything else, which is answered as a 500 without its text.
func AsError(err error) (*Error, bool) {
	if e, ok := fromFault(err); ok {
		return e, true
	}
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
