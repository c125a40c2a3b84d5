package server

import (
	"bytes"
	"encoding/json"
	"strings"
)

// patchOperations counts the operations of a PATCH body, and stops counting once
// past limit. The values of one operation's value array are not counted: the store
// writes them in batches (a group push of thousands of members is one operation).
// A body that is not the JSON of a PATCH counts what was read up to the fault: the
// SCIM handler answers 400 for it.
func patchOperations(body []byte, limit int) int {
	dec := json.NewDecoder(bytes.NewReader(body))
	if !isDelim(dec, '{') {
		return 0
	}
	n := 0
	for dec.More() && n <= limit {
		key, err := dec.Token()
		if err != nil {
			return n
		}
		if k, _ := key.(string); !strings.EqualFold(k, "Operations") {
			if !skipValue(dec) {
				return n
			}
			continue
		}
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		if tok != json.Delim('[') {
			if !skipRest(dec, tok) {
				return n
			}
			continue
		}
		for dec.More() && n <= limit {
			n++
			if !skipValue(dec) {
				return n
			}
		}
		if n <= limit {
			if _, err := dec.Token(); err != nil { // ]
				return n
			}
		}
	}
	return n
}

func isDelim(dec *json.Decoder, d json.Delim) bool {
	tok, err := dec.Token()
	return err == nil && tok == d
}

// skipValue reads past one JSON value.
func skipValue(dec *json.Decoder) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	return skipRest(dec, tok)
}

// skipRest reads past the rest of a value whose first token was tok.
func skipRest(dec *json.Decoder, tok json.Token) bool {
	d, ok := tok.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return true
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return true
}
