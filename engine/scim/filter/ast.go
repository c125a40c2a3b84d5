package filter

import parser "github.com/scim2/filter-parser/v2"

// The expression tree of a parsed filter or path.
type (
	Expression          = parser.Expression
	AttributeExpression = parser.AttributeExpression
	LogicalExpression   = parser.LogicalExpression
	NotExpression       = parser.NotExpression
	ValuePath           = parser.ValuePath
	Path                = parser.Path
	AttributePath       = parser.AttributePath
	CompareOperator     = parser.CompareOperator
	LogicalOperator     = parser.LogicalOperator
)

// The comparison operators (RFC 7644 §3.4.2.2, table 3).
const (
	EQ = parser.EQ
	NE = parser.NE
	CO = parser.CO
	SW = parser.SW
	EW = parser.EW
	GT = parser.GT
	GE = parser.GE
	LT = parser.LT
	LE = parser.LE
	PR = parser.PR
)

// The logical operators.
const (
	AND = parser.AND
	OR  = parser.OR
)
