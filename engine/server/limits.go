package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/dbscim/dbscim/engine/scim"
)

// readTimeout bounds the reading of a whole request, headers and body, however
// steadily the client sends it.
const readTimeout = 60 * time.Second

// readBody reads a request's body whole, bounded by max bytes and by idle: the
// longest the client may pause between two reads. It runs before the request takes
// a slot of its target, so that a client sending its body slowly holds only its own
// connection. The error is the SCIM error to answer: 413 over the limit, 408 for a
// client that stalled, 400 for a body that breaks off.
func readBody(w http.ResponseWriter, r *http.Request, max int64, idle time.Duration, start time.Time) ([]byte, *scim.Error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	tooLarge := &scim.Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the request body is larger than %d bytes", max)}
	if max > 0 && r.ContentLength > max {
		w.Header().Set("Connection", "close")
		return nil, tooLarge
	}
	rc := http.NewResponseController(w)
	src := io.Reader(r.Body)
	if max > 0 {
		// A chunked body has no length to check up front; the reader stops it at
		// the limit.
		src = http.MaxBytesReader(w, r.Body, max)
	}
	ir := &idleReader{r: src, rc: rc, idle: idle, until: start.Add(readTimeout)}
	size := int64(bytes.MinRead)
	if r.ContentLength > 0 {
		size = r.ContentLength + 1 // +1: EOF is read without growing the buffer
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(ir)
	// The connection's read deadline goes back to none: the request's own timeout
	// bounds what follows, and a deadline passing while the handler runs would be
	// taken for the client going away.
	rc.SetReadDeadline(time.Time{})
	if err == nil {
		return buf.Bytes(), nil
	}
	w.Header().Set("Connection", "close")
	var tooBig *http.MaxBytesError
	var ne net.Error
	switch {
	case errors.As(err, &tooBig):
		return nil, tooLarge
	case errors.As(err, &ne) && ne.Timeout():
		return nil, &scim.Error{Status: http.StatusRequestTimeout,
			Detail: fmt.Sprintf("the request body was not received in time: the client paused more than %s (server.body_timeout)", idle)}
	}
	return nil, &scim.Error{Status: http.StatusBadRequest, ScimType: "invalidSyntax", Detail: "the request body could not be read whole"}
}

// idleReader moves the connection's read deadline forward before each read, so that
// a read waits at most idle, and the body as a whole is done by until.
type idleReader struct {
	r     io.Reader
	rc    *http.ResponseController
	idle  time.Duration
	until time.Time
}

func (i *idleReader) Read(p []byte) (int, error) {
	if i.idle > 0 {
		d := time.Now().Add(i.idle)
		if d.After(i.until) {
			d = i.until
		}
		// A writer without deadlines (a test's recorder) reads without them.
		i.rc.SetReadDeadline(d)
	}
	return i.r.Read(p)
}
