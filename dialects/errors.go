package dialects

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
)

// ErrUnsupported is matched (with errors.Is) by every error a dialect returns for
// something its database cannot do: a stored routine on SQLite, an OUT or cursor
// parameter where the driver cannot bind one. The configuration loader uses it to
// tell a configuration mistake from a failure of the database.
var ErrUnsupported = errors.New("not supported by this database")

// unsupportedError carries a message written for the DBA and matches ErrUnsupported.
type unsupportedError struct{ msg string }

// Error returns the message for the DBA.
func (e *unsupportedError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrUnsupported) true.
func (e *unsupportedError) Is(target error) bool { return target == ErrUnsupported }

func unsupported(msg string) error { return &unsupportedError{msg: msg} }

// classifyCommon sorts the errors every driver can return: context expiry and the
// network and connection-state errors of the standard library. Each dialect tries
// its own server error codes first, then falls back to this.
func classifyCommon(err error) ErrorKind {
	switch {
	case err == nil:
		return Unknown
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return Timeout
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Unavailable
	}
	// *net.OpError, *net.DNSError and the dialers' timeouts all implement net.Error.
	// A network timeout is Unavailable, not Timeout: it is the connection that
	// failed, not a statement that ran too long.
	var netErr net.Error
	if errors.As(err, &netErr) {
		return Unavailable
	}
	return Unknown
}
