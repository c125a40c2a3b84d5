package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

// checkContentType accepts the media types RFC 7644 §3.1 names for requests,
// application/scim+json and application/json, and a missing Content-Type (some
// agents send none); anything else is 415.
func checkContentType(r *http.Request) *Error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && (mt == "application/scim+json" || mt == "application/json") {
		return nil
	}
	return Errorf(http.StatusUnsupportedMediaType, "", "unsupported Content-Type %s; send application/scim+json or application/json", fault.Quote(ct))
}

// decodeObject reads a request body that must be one JSON object.
func decodeObject(r *http.Request) (map[string]any, *Error) {
	if e := checkContentType(r); e != nil {
		return nil, e
	}
	if r.Body == nil {
		return nil, Errorf(400, InvalidSyntax, "the request body is empty")
	}
	dec := json.NewDecoder(r.Body)
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, decodeError(err)
		}
		return nil, Errorf(400, InvalidSyntax, "the request body holds more than one JSON value")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(400, InvalidSyntax, "the request body must be a JSON object, not %s", jsonKind(v))
	}
	return m, nil
}

func decodeError(err error) *Error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return Errorf(http.StatusRequestEntityTooLarge, "", "the request body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return Errorf(400, InvalidSyntax, "the request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Errorf(400, InvalidSyntax, "malformed JSON: the body ends too early")
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return Errorf(400, InvalidSyntax, "malformed JSON at byte %d: %v", syn.Offset, syn)
	}
	return Errorf(400, InvalidSyntax, "malformed JSON: %v", err)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// field reads a member of a request object case-insensitively: clients differ in
// "Operations" / "operations".
func field(m map[string]any, name string) (any, bool) {
	_, v, ok := resource.Lookup(m, name)
	return v, ok
}

// hasSchema reports whether a request's "schemas" lists urn.
func hasSchema(m map[string]any, urn string) bool {
	v, _ := field(m, "schemas")
	l, _ := resource.StringList(v)
	for _, s := range l {
		if strings.EqualFold(strings.TrimSpace(s), urn) {
			return true
		}
	}
	return false
}
