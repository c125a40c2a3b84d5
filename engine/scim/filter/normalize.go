package filter

import (
	"strconv"
	"strings"
)

// This file rewrites the two filter forms that Microsoft documents for Entra ID but
// that the RFC 7644 grammar (and so filter-parser) rejects, into their RFC
// equivalents:
//
//	emails[type eq "work"].value eq "x"  ->  emails[type eq "work" and value eq "x"]
//	externalId eq jyoung                  ->  externalId eq "jyoung"
//
// It works on tokens, not on the text, so that nothing inside a quoted string is
// ever rewritten, and it only touches token sequences the grammar cannot accept: a
// filter that already parses comes out unchanged (up to whitespace).

type tokenKind int

const (
	tokWord   tokenKind = iota // an attribute path, operator, keyword or bare value
	tokString                  // a double-quoted string, escapes kept as written
	tokOpen                    // (
	tokClose                   // )
	tokLBrack                  // [
	tokRBrack                  // ]
)

type token struct {
	kind  tokenKind
	text  string
	space bool // whitespace preceded the token
}

// tokenize splits a filter into tokens. An unterminated string runs to the end of
// the input; the parser reports it.
func tokenize(s string) []token {
	var toks []token
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			i++
			continue
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				j++
			}
			if j < len(s) {
				j++ // the closing quote
			}
			toks = append(toks, token{tokString, s[i:j], space})
			i = j
		case c == '(' || c == ')' || c == '[' || c == ']':
			k := map[byte]tokenKind{'(': tokOpen, ')': tokClose, '[': tokLBrack, ']': tokRBrack}[c]
			toks = append(toks, token{k, s[i : i+1], space})
			i++
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r\"()[]", rune(s[j])) {
				j++
			}
			toks = append(toks, token{tokWord, s[i:j], space})
			i = j
		}
		space = false
	}
	return toks
}

func render(toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if t.space && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

var compareOps = map[string]bool{
	"eq": true, "ne": true, "co": true, "sw": true, "ew": true,
	"gt": true, "lt": true, "ge": true, "le": true,
}

func isCompareOp(t token) bool { return t.kind == tokWord && compareOps[strings.ToLower(t.text)] }

func isWord(t token, w string) bool { return t.kind == tokWord && strings.EqualFold(t.text, w) }

// normalizeFilter returns the filter with Entra's extended forms rewritten.
func normalizeFilter(s string) string {
	toks := tokenize(s)
	for i, t := range toks {
		if t.kind == tokString {
			toks[i].text = upperUnicodeEscapes(t.text)
		}
	}
	quoteBareValues(toks)
	toks = mergeValuePathComparisons(toks)
	return render(toks)
}

// upperUnicodeEscapes writes the hex digits of \uXXXX escapes in upper case:
// JSON allows both cases, filter-parser only upper case.
func upperUnicodeEscapes(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] == 'u' {
			for j := i + 2; j < i+6 && j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'f' {
					b[j] -= 'a' - 'A'
				}
			}
		}
		i++ // skip the escaped character
	}
	return string(b)
}

// quoteBareValues quotes a bare word in value position (after an attribute path
// and a comparison operator) unless it is a literal the grammar accepts: true,
// false, null or a JSON number that fits a float64. Entra sends ids unquoted, and
// a hex id such as 719283362675e616 is a number in JSON's syntax but out of any
// number's range: it is the string it was meant to be.
func quoteBareValues(toks []token) {
	for i := 2; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tokWord || !isCompareOp(toks[i-1]) || !isPathEnd(toks, i-2) {
			continue
		}
		if isWord(t, "true") || isWord(t, "false") || isWord(t, "null") || isJSONNumber(t.text) && finite(t.text) {
			continue
		}
		toks[i].kind = tokString
		toks[i].text = `"` + strings.NewReplacer(`\`, `\\`).Replace(t.text) + `"`
	}
}

// isPathEnd reports whether toks[i] can end an attribute path: a word that is not
// an operator or keyword, or the ".sub" after a "]".
func isPathEnd(toks []token, i int) bool {
	t := toks[i]
	if t.kind != tokWord || isCompareOp(t) {
		return false
	}
	for _, kw := range []string{"and", "or", "not", "pr", "true", "false", "null"} {
		if isWord(t, kw) {
			return false
		}
	}
	if strings.HasPrefix(t.text, ".") {
		return i > 0 && toks[i-1].kind == tokRBrack
	}
	return !isJSONNumber(t.text)
}

// mergeValuePathComparisons rewrites `attr[filter].sub op value` (and `.sub pr`)
// into `attr[filter and sub op value]`. It leaves the tokens alone when the bracket
// already holds a logical expression, because the grammar allows only one "and"
// inside brackets; the parser then rejects the filter with a clear error.
func mergeValuePathComparisons(toks []token) []token {
	var out []token
	var opens []int // indexes in out of unmatched '['
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokLBrack:
			opens = append(opens, len(out))
		case tokRBrack:
			open := -1
			if n := len(opens); n > 0 {
				open, opens = opens[n-1], opens[:n-1]
			}
			if n := comparisonAfterBracket(toks, i); n > 0 && open >= 0 && !hasLogical(out[open+1:]) {
				sub := toks[i+1]
				tail := []token{
					{kind: tokWord, text: "and", space: true},
					{kind: tokWord, text: strings.TrimPrefix(sub.text, "."), space: true},
				}
				for _, x := range toks[i+2 : i+1+n] {
					x.space = true
					tail = append(tail, x)
				}
				out = append(out, tail...)
				out = append(out, t)
				i += n
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// comparisonAfterBracket returns how many tokens after the "]" at toks[i] form
// ".sub op value" or ".sub pr", or 0.
func comparisonAfterBracket(toks []token, i int) int {
	if i+2 >= len(toks) {
		return 0
	}
	sub := toks[i+1]
	if sub.kind != tokWord || sub.space || len(sub.text) < 2 || sub.text[0] != '.' || strings.Contains(sub.text[1:], ".") {
		return 0
	}
	if isWord(toks[i+2], "pr") {
		return 2
	}
	if isCompareOp(toks[i+2]) && i+3 < len(toks) && (toks[i+3].kind == tokString || toks[i+3].kind == tokWord) {
		return 3
	}
	return 0
}

func hasLogical(toks []token) bool {
	for _, t := range toks {
		if isWord(t, "and") || isWord(t, "or") || isWord(t, "not") {
			return true
		}
	}
	return false
}

// isJSONNumber reports whether s is a number in JSON's (and the SCIM grammar's)
// syntax: no leading zeros, so "010007" is a string, as an id must be.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	n := digits()
	if n == 0 || (n > 1 && s[start] == '0') {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// finite reports whether a number in JSON's syntax is within float64's range.
func finite(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
