package dialects

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the placeholder scanner shared by every dialect. It is a small
// lexer, not a set of regular expressions: a "?" inside a string literal, a quoted
// identifier or a comment is text, not a parameter, and only a lexer that knows the
// dialect's quoting and comment rules can tell. It does not parse SQL; it only walks
// over the spans that can hide a "?" and reports the placeholders it meets.
//
// A dialect describes its lexical rules as a syntax value: which spans (strings,
// quoted identifiers, comments) to skip, which word prefixes open a special string
// (PostgreSQL E'...', Oracle q'[...]'), and how its native placeholders look. Adding
// a dialect (SQL Server's @p1 and [brackets], Oracle's :1 and q'...') means writing
// a syntax value from the rule constructors below, not a new scanner.

// SyntaxError reports a statement the placeholder scanner cannot read: an
// unterminated string, quoted identifier or comment, a malformed native placeholder,
// or "?" mixed with native placeholders. Offset, Line and Column locate the problem
// inside the statement so that the configuration loader can translate it into a
// file position.
type SyntaxError struct {
	Offset int    // byte offset in the statement, 0-based
	Line   int    // line in the statement, 1-based
	Column int    // column (in bytes) in the statement, 1-based
	Msg    string // what is wrong, without the position
}

// Error returns the message with the position inside the statement.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at line %d, column %d of the statement", e.Msg, e.Line, e.Column)
}

func syntaxErrorAt(src string, offset int, format string, args ...any) *SyntaxError {
	line, col := 1, 1
	for i := 0; i < offset && i < len(src); i++ {
		if src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &SyntaxError{Offset: offset, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// spanRule recognises a span that cannot hold a placeholder (a string literal, a
// quoted identifier, a comment) starting at src[i]. It returns the offset just past
// the span and true, or false if no such span starts at i. A non-empty msg says the
// span starts at i but never ends.
type spanRule func(src string, i int) (end int, ok bool, msg string)

// nativeRule recognises a native placeholder starting at src[i] and returns its
// number (1-based) and the offset just past it. A non-empty msg says that src[i:]
// looks like a placeholder the dialect cannot bind (e.g. a named one).
type nativeRule func(src string, i int) (n, end int, ok bool, msg string)

// syntax is one dialect's lexical rules, as far as placeholders are concerned.
type syntax struct {
	// spans are tried, in order, at every position outside a span.
	spans []spanRule
	// prefixes maps a lower-case word to the rule of the string it opens when the
	// quote follows the word directly (PostgreSQL e'..', Oracle q'[..]'). The rule
	// is applied at the quote.
	prefixes map[string]spanRule
	// identQuotes are the quoted-identifier rules; Call uses them to check routine names.
	identQuotes []spanRule
	// identChar reports whether c continues an unquoted identifier or a number.
	identChar func(c byte) bool
	// native recognises the dialect's own placeholders; nil if "?" is the only form.
	native nativeRule
	// questionEscape makes "??" a literal "?" (the JDBC convention PostgreSQL needs
	// for its jsonb operators ?, ?| and ?&).
	questionEscape bool
}

type tokenKind int

const (
	tokQuestion tokenKind = iota // a JDBC "?"
	tokNative                    // a native placeholder, kept as written
	tokEscaped                   // "??", written out as "?"
)

type token struct {
	kind       tokenKind
	start, end int
	n          int // number of a native placeholder
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isWordStart reports whether c starts an unquoted identifier, keyword or number.
// Bytes of multi-byte UTF-8 characters count as letters, as they do in every
// dialect's identifiers.
func isWordStart(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c >= 0x80 }

// identCharDollar is the identifier rule of MySQL, PostgreSQL, SQLite and Oracle,
// where "$" may continue an identifier.
func identCharDollar(c byte) bool { return isWordStart(c) || c == '$' }

// scan walks src and returns its placeholders in order.
func (s *syntax) scan(src string) ([]token, error) {
	var toks []token
	i := 0
next:
	for i < len(src) {
		for _, rule := range s.spans {
			end, ok, msg := rule(src, i)
			if msg != "" {
				return nil, syntaxErrorAt(src, i, "%s", msg)
			}
			if ok {
				i = end
				continue next
			}
		}
		if s.native != nil {
			n, end, ok, msg := s.native(src, i)
			if msg != "" {
				return nil, syntaxErrorAt(src, i, "%s", msg)
			}
			if ok {
				toks = append(toks, token{kind: tokNative, start: i, end: end, n: n})
				i = end
				continue
			}
		}
		c := src[i]
		switch {
		case c == '?':
			if s.questionEscape && i+1 < len(src) && src[i+1] == '?' {
				toks = append(toks, token{kind: tokEscaped, start: i, end: i + 2})
				i += 2
				continue
			}
			if i+1 < len(src) && isDigit(src[i+1]) {
				// Rewriting "?2" as "$12" would silently bind the wrong value.
				return nil, syntaxErrorAt(src, i, "numbered placeholder ?%c... is not supported here; write ?", src[i+1])
			}
			toks = append(toks, token{kind: tokQuestion, start: i, end: i + 1})
			i++
		case isWordStart(c):
			j := i + 1
			for j < len(src) && s.identChar(src[j]) {
				j++
			}
			if rule, ok := s.prefixes[strings.ToLower(src[i:j])]; ok && j < len(src) {
				end, ok, msg := rule(src, j)
				if msg != "" {
					return nil, syntaxErrorAt(src, i, "%s", msg)
				}
				if ok {
					i = end
					continue
				}
			}
			i = j
		default:
			i++
		}
	}
	return toks, nil
}

// rewrite scans src, checks that it uses either "?" or native placeholders but not
// both, and replaces each "?" by placeholder(k) for the k-th one. It returns the
// number of parameters the statement takes: the number of "?", or the highest native
// number.
func (s *syntax) rewrite(src string, placeholder func(n int) string) (string, int, error) {
	toks, err := s.scan(src)
	if err != nil {
		return "", 0, err
	}
	var questions, maxNative, escapes int
	firstQuestion, firstNative := -1, -1
	for _, t := range toks {
		switch t.kind {
		case tokQuestion:
			questions++
			if firstQuestion < 0 {
				firstQuestion = t.start
			}
		case tokNative:
			maxNative = max(maxNative, t.n)
			if firstNative < 0 {
				firstNative = t.start
			}
		case tokEscaped:
			escapes++
		}
	}
	if questions > 0 && maxNative > 0 {
		at := max(firstQuestion, firstNative)
		return "", 0, syntaxErrorAt(src, at,
			"the statement mixes ? with native placeholders (%s); use one style",
			nativeText(src, toks))
	}
	if maxNative > 0 {
		questions = maxNative
	}
	if escapes == 0 && (questions == 0 || maxNative > 0 || placeholder(1) == "?" && placeholder(2) == "?") {
		return src, questions, nil
	}
	var b strings.Builder
	b.Grow(len(src) + 2*questions)
	last, k := 0, 0
	for _, t := range toks {
		b.WriteString(src[last:t.start])
		switch t.kind {
		case tokQuestion:
			k++
			b.WriteString(placeholder(k))
		case tokEscaped:
			b.WriteByte('?')
		case tokNative:
			b.WriteString(src[t.start:t.end])
		}
		last = t.end
	}
	b.WriteString(src[last:])
	return b.String(), questions, nil
}

// Substitute replaces each parameter of a statement written in the dialect's
// native form (as Rewrite returns it) by with(n), n being the parameter's number,
// and leaves strings, quoted identifiers and comments as they are. It nests a
// declared statement in another with its parameter bound to a column of the
// outer query instead of a value. A "?" in native text is a parameter only where
// "?" is the dialect's placeholder; elsewhere it is an operator (PostgreSQL's
// jsonb ?, written ?? in the configuration).
func Substitute(d Dialect, native string, with func(n int) string) (string, error) {
	sx, ok := d.(interface{ syntax() *syntax })
	if !ok {
		return "", fmt.Errorf("dialect %s: no placeholder syntax", d.Name())
	}
	toks, err := sx.syntax().scan(native)
	if err != nil {
		return "", err
	}
	questions := d.Placeholder(1) == "?"
	var b strings.Builder
	last, k := 0, 0
	for _, t := range toks {
		b.WriteString(native[last:t.start])
		switch {
		case t.kind == tokQuestion && questions:
			k++
			b.WriteString(with(k))
		case t.kind == tokNative:
			b.WriteString(with(t.n))
		default:
			b.WriteString(native[t.start:t.end])
		}
		last = t.end
	}
	b.WriteString(native[last:])
	return b.String(), nil
}

func nativeText(src string, toks []token) string {
	for _, t := range toks {
		if t.kind == tokNative {
			return src[t.start:t.end]
		}
	}
	return ""
}

// checkName checks that a routine name from the configuration is one identifier or a
// dot-separated path of identifiers, unquoted or quoted by the dialect's rules, so
// that Call never writes anything but a name into the statement.
func (s *syntax) checkName(name string) error {
	if name == "" {
		return fmt.Errorf("the routine name is empty")
	}
	expectPart := true
	for i := 0; i < len(name); {
		if !expectPart {
			if name[i] != '.' {
				return fmt.Errorf("invalid routine name %q: unexpected %q", name, name[i])
			}
			expectPart = true
			i++
			continue
		}
		quoted := false
		for _, rule := range s.identQuotes {
			end, ok, msg := rule(name, i)
			if msg != "" {
				return fmt.Errorf("invalid routine name %q: %s", name, msg)
			}
			if ok {
				i, quoted = end, true
				break
			}
		}
		if !quoted {
			j := i
			for j < len(name) && (isWordStart(name[j]) || s.identChar(name[j])) {
				j++
			}
			if j == i {
				return fmt.Errorf("invalid routine name %q: unexpected %q", name, name[i])
			}
			i = j
		}
		expectPart = false
	}
	if expectPart {
		return fmt.Errorf("invalid routine name %q: it ends with a dot", name)
	}
	return nil
}

// Rule constructors. Each returns a spanRule that tests its first byte before doing
// anything else, so trying every rule at every position stays cheap.

// quoted is a span between open and closing delimiters: a string literal or a quoted
// identifier. With backslash, a backslash escapes the next byte (MySQL strings,
// PostgreSQL E'..'). With doubled, a doubled closing delimiter stands for itself.
func quoted(open, closing byte, backslash, doubled bool, what string) spanRule {
	return func(src string, i int) (int, bool, string) {
		if src[i] != open {
			return 0, false, ""
		}
		for j := i + 1; j < len(src); j++ {
			switch c := src[j]; {
			case backslash && c == '\\':
				j++
			case c == closing:
				if doubled && j+1 < len(src) && src[j+1] == closing {
					j++
					continue
				}
				return j + 1, true, ""
			}
		}
		return 0, false, "unterminated " + what
	}
}

// lineComment is a comment from prefix to the end of the line. With needSpace, the
// prefix only opens a comment when followed by whitespace, a control character or
// the end of the text (MySQL's "-- ", so that "1--1" stays arithmetic).
func lineComment(prefix string, needSpace bool) spanRule {
	return func(src string, i int) (int, bool, string) {
		if src[i] != prefix[0] || !strings.HasPrefix(src[i:], prefix) {
			return 0, false, ""
		}
		j := i + len(prefix)
		if needSpace && j < len(src) && src[j] > ' ' {
			return 0, false, ""
		}
		if k := strings.IndexByte(src[j:], '\n'); k >= 0 {
			return j + k + 1, true, ""
		}
		return len(src), true, ""
	}
}

// blockComment is a /* ... */ comment; nested ones (PostgreSQL, SQL Server) count
// their depth.
func blockComment(nested bool) spanRule {
	return func(src string, i int) (int, bool, string) {
		if src[i] != '/' || i+1 >= len(src) || src[i+1] != '*' {
			return 0, false, ""
		}
		depth := 1
		for j := i + 2; j+1 < len(src); j++ {
			switch {
			case src[j] == '*' && src[j+1] == '/':
				depth--
				j++
				if depth == 0 || !nested {
					return j + 1, true, ""
				}
			case nested && src[j] == '/' && src[j+1] == '*':
				depth++
				j++
			}
		}
		return 0, false, "unterminated /* comment"
	}
}

// dollarQuoted is PostgreSQL's $tag$ ... $tag$ string (tag possibly empty). "$1" is
// not one: a tag cannot start with a digit.
func dollarQuoted(src string, i int) (int, bool, string) {
	if src[i] != '$' {
		return 0, false, ""
	}
	j := i + 1
	if j < len(src) && (isLetter(src[j]) || src[j] == '_' || src[j] >= 0x80) {
		for j < len(src) && isWordStart(src[j]) {
			j++
		}
	}
	if j >= len(src) || src[j] != '$' {
		return 0, false, ""
	}
	delim := src[i : j+1]
	if k := strings.Index(src[j+1:], delim); k >= 0 {
		return j + 1 + k + len(delim), true, ""
	}
	return 0, false, "unterminated dollar-quoted string " + delim
}

// numbered recognises a native placeholder made of a sigil and a decimal number
// ($1, ?1, :1, @p1 with prefix "@p"), numbered from 1 to limit. The byte before
// the sigil is not looked at: the scanner never stops inside a word.
func numbered(sigil string, limit int) nativeRule {
	return func(src string, i int) (int, int, bool, string) {
		if src[i] != sigil[0] || !strings.HasPrefix(src[i:], sigil) {
			return 0, 0, false, ""
		}
		j := i + len(sigil)
		if j >= len(src) || !isDigit(src[j]) {
			return 0, 0, false, ""
		}
		for j < len(src) && isDigit(src[j]) {
			j++
		}
		n, err := strconv.Atoi(src[i+len(sigil) : j])
		if err != nil || n < 1 || n > limit {
			return 0, 0, false, fmt.Sprintf("placeholder %s is out of range 1..%d", src[i:j], limit)
		}
		return n, j, true, ""
	}
}

// anyNative tries each rule in turn.
func anyNative(rules ...nativeRule) nativeRule {
	return func(src string, i int) (int, int, bool, string) {
		for _, r := range rules {
			if n, end, ok, msg := r(src, i); ok || msg != "" {
				return n, end, ok, msg
			}
		}
		return 0, 0, false, ""
	}
}

// namedUnsupported rejects named placeholders (":name", "@name", "$name"): dbscim
// binds parameters by position only, and a named one would fail at run time with a
// less helpful message.
func namedUnsupported(sigils string) nativeRule {
	return func(src string, i int) (int, int, bool, string) {
		if strings.IndexByte(sigils, src[i]) < 0 || i+1 >= len(src) {
			return 0, 0, false, ""
		}
		if c := src[i+1]; !isLetter(c) && c != '_' {
			return 0, 0, false, ""
		}
		j := i + 1
		for j < len(src) && identCharDollar(src[j]) {
			j++
		}
		return 0, 0, false, fmt.Sprintf("named parameter %s is not supported; use ? placeholders", src[i:j])
	}
}
