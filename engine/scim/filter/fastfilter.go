package filter

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// fastComparison recognises the one filter shape IdPs send on every provisioning
// call, `attr op "string"` (Okta's `userName eq "x"` before each create, Entra's
// `externalId eq "x"`), and builds its expression directly. The general parser costs
// a few hundred microseconds per filter, more than the database lookup it guards;
// anything else, including URN-prefixed paths and value filters, goes to the parser.
// TestFastComparisonAgreesWithParser pins that both give the same expression.
func fastComparison(s string) (Expression, bool) {
	attr, rest, ok := strings.Cut(s, " ")
	if !ok {
		return nil, false
	}
	op, value, ok := strings.Cut(rest, " ")
	if !ok {
		return nil, false
	}
	name, sub, hasSub := strings.Cut(attr, ".")
	if !isPlainAttrName(name) || hasSub && !isPlainAttrName(sub) {
		return nil, false
	}
	switch strings.ToLower(op) {
	case "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le":
	default:
		return nil, false
	}
	if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
		return nil, false
	}
	v, ok := plainJSONString(value[1 : len(value)-1])
	if !ok {
		// A variable of its own: its address, taken here, would otherwise move v
		// to the heap on every call.
		var decoded string
		if err := json.Unmarshal([]byte(value), &decoded); err != nil {
			return nil, false
		}
		v = decoded
	}
	e := &AttributeExpression{
		AttributePath: AttributePath{AttributeName: name},
		Operator:      CompareOperator(strings.ToLower(op)),
		CompareValue:  v,
	}
	if hasSub {
		sub := sub // only a sub-attribute's copy escapes
		e.AttributePath.SubAttribute = &sub
	}
	return e, true
}

// isPlainAttrName reports whether s is an ATTRNAME of RFC 7643 §2.1:
// ALPHA *(ALPHA / DIGIT / "-" / "_").
func isPlainAttrName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if i == 0 && !alpha || !(alpha || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// plainJSONString returns the inside of a JSON string literal that needs no
// decoding (no escapes, quotes or control characters, valid UTF-8): what
// json.Unmarshal would return for it, without its cost on every lookup.
func plainJSONString(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	return s, utf8.ValidString(s)
}
