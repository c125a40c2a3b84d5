// Package filter is the SCIM filter language (RFC 7644 §3.4.2.2) as dbscim reads
// it: filters and attribute paths parsed by github.com/scim2/filter-parser with
// Entra ID's extended forms rewritten into the RFC grammar first, JSON escapes in
// values decoded, a fast path for the one-comparison lookups IdPs send before every
// create, and bounds and panics turned into invalid-filter errors (engine/fault).
// The expression types are the parser's, under this package's names, so that the
// layers above need no other import for filters.
package filter

import (
	"encoding/json"
	"strings"

	parser "github.com/scim2/filter-parser/v2"

	"github.com/dbscim/dbscim/engine/fault"
)

// maxFilterLen bounds the filters and paths handed to the parser. Real IdP filters
// are a few dozen characters; the bound keeps a hostile request from making the
// backtracking parser work on megabytes.
const maxFilterLen = 4096

// Parse parses a SCIM filter (RFC 7644 §3.4.2.2). Entra ID's extended forms
// (`emails[type eq "work"].value eq "x"`, unquoted values such as
// `externalId eq jyoung`) are rewritten into the RFC grammar first. Numbers become
// int or float64, strings have their JSON escapes decoded. Every failure is an
// fault.InvalidFilter error.
func Parse(s string) (expr Expression, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fault.New(fault.InvalidFilter, "the filter is empty")
	}
	if len(s) > maxFilterLen {
		return nil, fault.New(fault.InvalidFilter, "the filter is longer than %d characters", maxFilterLen)
	}
	if e, ok := fastComparison(s); ok {
		return e, nil
	}
	defer func() {
		// The parser is third-party code fed with client input: a panic in it must
		// be the client's 400, never the server's crash.
		if r := recover(); r != nil {
			expr, err = nil, fault.New(fault.InvalidFilter, "invalid filter %s", fault.Quote(s))
		}
	}()
	expr, err = parser.ParseFilter([]byte(hideURNUnderscores(normalizeFilter(s))))
	if err != nil {
		return nil, fault.New(fault.InvalidFilter, "invalid filter %s: %v", fault.Quote(s), parserMessage(err))
	}
	restoreExpr(expr)
	return unescapeExpr(expr), nil
}

// ParsePath parses a PATCH path or an attribute path (RFC 7644 §3.5.2), with the
// same rewriting of unquoted values inside a value filter as Parse. Every
// failure is a fault.InvalidPath error.
func ParsePath(s string) (p *Path, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fault.New(fault.InvalidPath, "the path is empty")
	}
	if len(s) > maxFilterLen {
		return nil, fault.New(fault.InvalidPath, "the path is longer than %d characters", maxFilterLen)
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fault.New(fault.InvalidPath, "invalid path %s", fault.Quote(s))
		}
	}()
	parsed, err := parser.ParsePath([]byte(hideURNUnderscores(normalizeFilter(s))))
	if err != nil {
		return nil, fault.New(fault.InvalidPath, "invalid path %s: %v", fault.Quote(s), parserMessage(err))
	}
	restorePath(&parsed.AttributePath)
	if parsed.SubAttribute != nil {
		sub := restoreUnderscores(*parsed.SubAttribute)
		parsed.SubAttribute = &sub
	}
	restoreExpr(parsed.ValueExpression)
	parsed.ValueExpression = unescapeExpr(parsed.ValueExpression)
	return &parsed, nil
}

// parserMessage keeps the parser's message short: it can quote the whole input.
func parserMessage(err error) string {
	m := err.Error()
	if len(m) > 200 {
		m = m[:200] + "..."
	}
	return m
}

// unescapeExpr decodes the JSON escapes that filter-parser leaves in string values
// (it strips the quotes but keeps `\"` as two characters), so that
// `displayName eq "a \"b\""` compares with `a "b"`.
func unescapeExpr(e Expression) Expression {
	switch e := e.(type) {
	case *AttributeExpression:
		if s, ok := e.CompareValue.(string); ok && strings.Contains(s, `\`) {
			var u string
			if json.Unmarshal([]byte(`"`+s+`"`), &u) == nil {
				e.CompareValue = u
			}
		}
	case *LogicalExpression:
		e.Left = unescapeExpr(e.Left)
		e.Right = unescapeExpr(e.Right)
	case *NotExpression:
		e.Expression = unescapeExpr(e.Expression)
	case *ValuePath:
		e.ValueFilter = unescapeExpr(e.ValueFilter)
	}
	return e
}

// ParseAttrPath parses an attribute path without a value filter ("name.givenName",
// an extension URN path), as sortBy and attributes name them. Every failure is a
// fault.InvalidPath error.
func ParseAttrPath(s string) (ap AttributePath, err error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxFilterLen {
		return AttributePath{}, fault.New(fault.InvalidPath, "invalid attribute path %s", fault.Quote(s))
	}
	defer func() {
		if r := recover(); r != nil {
			ap, err = AttributePath{}, fault.New(fault.InvalidPath, "invalid attribute path %s", fault.Quote(s))
		}
	}()
	ap, err = parser.ParseAttrPath([]byte(s))
	if err != nil {
		return AttributePath{}, fault.New(fault.InvalidPath, "invalid attribute path %s: %v", fault.Quote(s), parserMessage(err))
	}
	return ap, nil
}
