package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// text renders a column value as a SCIM string. Ids are opaque strings, so a number
// renders in its shortest exact form.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// parseBool reads the boolean forms databases store: real booleans, 0/1, 'Y'/'N',
// 'T'/'F', 'true'/'false', 'yes'/'no', 'on'/'off'.
func parseBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case int64:
		return x != 0, true
	case int:
		return x != 0, true
	case int32:
		return x != 0, true
	case float64:
		return x != 0, true
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "1", "y", "t", "true", "yes", "on":
			return true, true
		case "0", "n", "f", "false", "no", "off":
			return false, true
		}
	}
	return false, false
}

// sameValue reports whether two column values are equal for change detection.
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return text(a) == text(b)
}
