package scim11

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/dbscim/dbscim/engine/scim"
)

// ErrorWriter wraps the writer of a request served under the 1.1 base path, so
// that the SCIM 2.0 errors the transport writes before the handler runs
// (authentication, body limits, request limits, an unknown target) reach a 1.1
// client as 1.1 errors, with the same status and headers. Anything else passes
// through. Call Close when the request is done.
func ErrorWriter(w http.ResponseWriter) *ErrorResponseWriter {
	return &ErrorResponseWriter{ResponseWriter: w}
}

// ErrorResponseWriter is the writer ErrorWriter returns.
type ErrorResponseWriter struct {
	http.ResponseWriter
	status int
	buf    *bytes.Buffer // an error body being held for rewriting
}

// WriteHeader holds back an error status until its body is known.
func (e *ErrorResponseWriter) WriteHeader(code int) {
	if e.status != 0 {
		return
	}
	e.status = code
	if code >= 400 {
		e.buf = &bytes.Buffer{}
		return
	}
	e.ResponseWriter.WriteHeader(code)
}

// Write holds an error body, and passes anything else through.
func (e *ErrorResponseWriter) Write(p []byte) (int, error) {
	if e.status == 0 {
		e.WriteHeader(http.StatusOK)
	}
	if e.buf != nil {
		return e.buf.Write(p)
	}
	return e.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (e *ErrorResponseWriter) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// Close writes a held error: rewritten when it is a SCIM 2.0 error, as it was
// otherwise.
func (e *ErrorResponseWriter) Close() {
	if e.buf == nil {
		return
	}
	held := e.buf
	e.buf = nil
	var v struct {
		Schemas []string `json:"schemas"`
		Detail  string   `json:"detail"`
	}
	if json.Unmarshal(held.Bytes(), &v) == nil && len(v.Schemas) == 1 && v.Schemas[0] == scim.ErrorURN {
		writeError(e.ResponseWriter, e.status, v.Detail)
		return
	}
	e.ResponseWriter.WriteHeader(e.status)
	_, _ = e.ResponseWriter.Write(held.Bytes())
}
