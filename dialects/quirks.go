package dialects

// The interfaces below are implemented only by the dialects that need them: facts
// about one database that the SQL dbscim builds around a list statement must take
// into account. The engine asks for them with a type assertion.

// TextTimes is implemented by a dialect that keeps times as text in more than one
// format (SQLite: CURRENT_TIMESTAMP writes "2006-01-02 15:04:05", the driver adds a
// zone). Time wraps a column or placeholder so that two times compare in time order.
type TextTimes interface {
	Time(expr string) string
}

// Substring says which part of a string a literal must match.
type Substring int

const (
	// Contains matches anywhere (SCIM co).
	Contains Substring = iota
	// Prefix matches at the start (SCIM sw).
	Prefix
	// Suffix matches at the end (SCIM ew).
	Suffix
)

// CaseBlindLike is implemented by a dialect whose LIKE ignores letter case whatever
// the collation (SQLite, for ASCII letters). ExactSubstring returns the condition
// that expr contains, starts or ends with a literal, comparing case exactly; lit
// returns a new placeholder bound to the literal each time it is called.
type CaseBlindLike interface {
	ExactSubstring(expr string, where Substring, lit func() string) string
}

// Time returns expr in SQLite's normal form of a time with milliseconds
// (strftime's %f), so that times compare at the precision they are stored with.
func (SQLite) Time(expr string) string { return "strftime('%Y-%m-%d %H:%M:%f', " + expr + ")" }

// ExactSubstring compares with instr and substr, which respect case.
func (SQLite) ExactSubstring(expr string, where Substring, lit func() string) string {
	switch where {
	case Contains:
		return "instr(" + expr + ", " + lit() + ") > 0"
	case Prefix:
		return "substr(" + expr + ", 1, length(" + lit() + ")) = " + lit()
	}
	return "substr(" + expr + ", -length(" + lit() + ")) = " + lit()
}
