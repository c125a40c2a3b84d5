package scim

import "fmt"

// Error is a SCIM error response (RFC 7644 §3.12).
type Error struct {
	// Status is the HTTP status, sent as a string in the body as RFC 7644 wants.
	Status   int
	ScimType string // "invalidFilter", "uniqueness", "mutability", "invalidValue", "noTarget", ...
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
func Errorf(status int, scimType, format string, args ...any) *Error {
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
	return &Error{Status: 400, ScimType: "invalidValue", Detail: err.Error()}
}
