package filter

import (
	"strings"

	parser "github.com/scim2/filter-parser/v2"
)

// underscoreStandIn takes the place of "_" inside a URN while the parser reads a
// filter or a path: filter-parser v2.3.1 refuses "_" in a schema URN, which RFC
// 8141 allows and Okta's SCIM 1.1 extension urn:okta:onprem_app:1.0:user:custom
// has. It is put back in the parsed URNs and names.
const underscoreStandIn = "Z5fZ"

// hideURNUnderscores replaces "_" by the stand-in inside every word that starts
// with "urn:" (up to a space, bracket, parenthesis or quote).
func hideURNUnderscores(s string) string {
	if !strings.Contains(s, "_") || !strings.Contains(strings.ToLower(s), "urn:") {
		return s
	}
	var b strings.Builder
	inURN, inString := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inString:
			if c == '\\' && i+1 < len(s) {
				b.WriteByte(c)
				i++
				c = s[i]
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString, inURN = true, false
		case c == ' ' || c == '[' || c == ']' || c == '(' || c == ')':
			inURN = false
		case !inURN && (i == 0 || strings.IndexByte(" ([", s[i-1]) >= 0) && len(s)-i >= 4 && strings.EqualFold(s[i:i+4], "urn:"):
			inURN = true
		case inURN && c == '_':
			b.WriteString(underscoreStandIn)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func restoreUnderscores(s string) string {
	return strings.ReplaceAll(s, underscoreStandIn, "_")
}

func restorePath(p *parser.AttributePath) {
	if p.URIPrefix != nil {
		u := restoreUnderscores(*p.URIPrefix)
		p.URIPrefix = &u
	}
	p.AttributeName = restoreUnderscores(p.AttributeName)
	if p.SubAttribute != nil {
		s := restoreUnderscores(*p.SubAttribute)
		p.SubAttribute = &s
	}
}

// restoreExpr puts the underscores hideURNUnderscores hid back into a parsed
// filter.
func restoreExpr(e parser.Expression) {
	switch e := e.(type) {
	case *parser.AttributeExpression:
		restorePath(&e.AttributePath)
	case *parser.LogicalExpression:
		restoreExpr(e.Left)
		restoreExpr(e.Right)
	case *parser.NotExpression:
		restoreExpr(e.Expression)
	case *parser.ValuePath:
		restorePath(&e.AttributePath)
		restoreExpr(e.ValueFilter)
	}
}
