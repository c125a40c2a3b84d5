package dialects

import (
	"fmt"
	"time"
)

// inValue converts an In parameter's value into what every driver stores the same
// way. Times are bound in UTC: the DSNs pin the sessions to UTC, and a time.Time in
// another zone would otherwise be written as its wall clock by drivers that drop the
// zone (MySQL DATETIME, PostgreSQL timestamp without time zone, SQLite text).
func inValue(v any) any {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case *time.Time:
		if t == nil {
			return nil
		}
		return t.UTC()
	}
	return v
}

// inArgs binds a statement whose parameters must all be In, for the dialects that
// have no OUT or cursor parameters at the driver level (Spec.OutParams and
// Spec.CursorParams false).
func inArgs(s Spec, args []Arg) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		if err := checkMode(s, i, a.Mode); err != nil {
			return nil, err
		}
		out[i] = inValue(a.Value)
	}
	return out, nil
}

// checkModes is the shared part of Call's mode check for dialects without OUT and
// cursor parameters.
func checkModes(s Spec, modes []ParamMode) error {
	for i, m := range modes {
		if err := checkMode(s, i, m); err != nil {
			return err
		}
	}
	return nil
}

// checkMode refuses the i-th parameter's mode (0-based) when the Spec says the
// database cannot bind it.
func checkMode(s Spec, i int, m ParamMode) error {
	switch m {
	case In:
		return nil
	case Out:
		if s.OutParams {
			return nil
		}
		return unsupported(fmt.Sprintf("parameter %d: OUT parameters are not supported for %s; return a result set instead", i+1, s.Name))
	case Cursor:
		if s.CursorParams {
			return nil
		}
		return unsupported(fmt.Sprintf("parameter %d: cursor parameters are not supported for %s; return a result set instead", i+1, s.Name))
	}
	return fmt.Errorf("parameter %d: unknown parameter mode %d", i+1, m)
}

// placeholderList writes n placeholders separated by ", ".
func placeholderList(d Dialect, n int) string {
	b := make([]byte, 0, n*4)
	for i := 1; i <= n; i++ {
		if i > 1 {
			b = append(b, ", "...)
		}
		b = append(b, d.Placeholder(i)...)
	}
	return string(b)
}
