package resource

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	filter "github.com/scim2/filter-parser/v2"
)

// maxFilterLen bounds the filters and paths handed to the parser. Real IdP filters
// are a few dozen characters; the bound keeps a hostile request from making the
// backtracking parser work on megabytes.
const maxFilterLen = 4096

// ParseFilter parses a SCIM filter (RFC 7644 §3.4.2.2). Entra ID's extended forms
// (`emails[type eq "work"].value eq "x"`, unquoted values such as
// `externalId eq jyoung`) are rewritten into the RFC grammar first. Numbers become
// int or float64, strings have their JSON escapes decoded. Every failure is an
// fault.InvalidFilter error.
func ParseFilter(s string) (expr filter.Expression, err error) {
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
			expr, err = nil, fault.New(fault.InvalidFilter, "invalid filter %s", QuoteForDetail(s))
		}
	}()
	expr, err = filter.ParseFilter([]byte(normalizeFilter(s)))
	if err != nil {
		return nil, fault.New(fault.InvalidFilter, "invalid filter %s: %v", QuoteForDetail(s), parserMessage(err))
	}
	return unescapeExpr(expr), nil
}

// ParsePath parses a PATCH path or an attribute path (RFC 7644 §3.5.2), with the
// same rewriting of unquoted values inside a value filter as ParseFilter. Every
// failure is a fault.InvalidPath error.
func ParsePath(s string) (p *filter.Path, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fault.New(fault.InvalidPath, "the path is empty")
	}
	if len(s) > maxFilterLen {
		return nil, fault.New(fault.InvalidPath, "the path is longer than %d characters", maxFilterLen)
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fault.New(fault.InvalidPath, "invalid path %s", QuoteForDetail(s))
		}
	}()
	parsed, err := filter.ParsePath([]byte(normalizeFilter(s)))
	if err != nil {
		return nil, fault.New(fault.InvalidPath, "invalid path %s: %v", QuoteForDetail(s), parserMessage(err))
	}
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

// QuoteForDetail quotes client input for an error detail, shortened so that an
// error response never grows with the request.
func QuoteForDetail(s string) string {
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return fmt.Sprintf("%q", s)
}

// unescapeExpr decodes the JSON escapes that filter-parser leaves in string values
// (it strips the quotes but keeps `\"` as two characters), so that
// `displayName eq "a \"b\""` compares with `a "b"`.
func unescapeExpr(e filter.Expression) filter.Expression {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		if s, ok := e.CompareValue.(string); ok && strings.Contains(s, `\`) {
			var u string
			if json.Unmarshal([]byte(`"`+s+`"`), &u) == nil {
				e.CompareValue = u
			}
		}
	case *filter.LogicalExpression:
		e.Left = unescapeExpr(e.Left)
		e.Right = unescapeExpr(e.Right)
	case *filter.NotExpression:
		e.Expression = unescapeExpr(e.Expression)
	case *filter.ValuePath:
		e.ValueFilter = unescapeExpr(e.ValueFilter)
	}
	return e
}
