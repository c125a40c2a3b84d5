package resource

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Lookup finds a key in a JSON object case-insensitively (RFC 7643 §2.1: attribute
// names are case-insensitive), preferring an exact match. It returns the key as
// stored.
func Lookup(m map[string]any, name string) (string, any, bool) {
	if v, ok := m[name]; ok {
		return name, v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return k, v, true
		}
	}
	return "", nil, false
}

// DeepCopy copies JSON values so that a PATCH applied to a copy leaves the original
// untouched.
func DeepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = DeepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = DeepCopy(x)
		}
		return s
	case []map[string]any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = DeepCopy(x)
		}
		return s
	case []string:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = x
		}
		return s
	default:
		return v
	}
}

func CopyResource(r Resource) Resource {
	if r == nil {
		return Resource{}
	}
	return DeepCopy(r).(map[string]any)
}

// AsList returns a multi-valued attribute's elements. Stores may build resources
// with typed slices; they are read like []any.
func AsList(v any) ([]any, bool) {
	switch v := v.(type) {
	case []any:
		return v, true
	case []map[string]any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = x
		}
		return s, true
	case []string:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = x
		}
		return s, true
	}
	return nil, false
}

// IsEmpty reports the "unassigned" values of RFC 7643 §2.5: null, "", [] and {}.
func IsEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case map[string]any:
		for _, x := range v {
			if !IsEmpty(x) {
				return false
			}
		}
		return true
	}
	if l, ok := AsList(v); ok {
		return len(l) == 0
	}
	return false
}

// toBool reads a boolean, also from the strings "true"/"false" in any case that
// Entra ID sends.
func toBool(v any) (bool, bool) {
	switch v := v.(type) {
	case bool:
		return v, true
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// toFloat reads a number of any of the Go types JSON decoding or a database
// driver produce, or a numeric string.
func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

func isNumber(v any) bool {
	switch v.(type) {
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return true
	}
	return false
}

// dateLayouts are the forms a dateTime may take: RFC 3339 as SCIM requires, and the
// zone-less forms databases print (read as UTC).
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999", "2006-01-02"}

// toTime reads a dateTime from a time.Time or a string.
func toTime(v any) (time.Time, bool) {
	switch v := v.(type) {
	case time.Time:
		return v, true
	case *time.Time:
		if v != nil {
			return *v, true
		}
	case string:
		s := strings.TrimSpace(v)
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// ToText renders a simple value as the string a string attribute compares with:
// Entra's unquoted `externalId eq 12345` must find the string "12345".
func ToText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case json.Number:
		return v.String(), true
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano), true
	case []byte:
		return string(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32), true
	}
	if isNumber(v) {
		f, _ := toFloat(v)
		if f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.FormatInt(int64(f), 10), true
		}
		switch n := v.(type) {
		case int64:
			return strconv.FormatInt(n, 10), true
		case uint64:
			return strconv.FormatUint(n, 10), true
		}
		return strconv.FormatFloat(f, 'f', -1, 64), true
	}
	return "", false
}

// Compare orders two attribute values for sorting (RFC 7644 §3.4.2.3) and filters:
// numbers numerically, booleans false before true, dateTimes (time.Time, or strings
// when both parse as RFC 3339) chronologically, strings lexically, folding case
// unless caseExact. A missing value (nil) sorts after every other value, as the RFC
// asks for ascending order. Values of different kinds order by kind, so that the
// order is total and sorting is stable.
func Compare(a, b any, caseExact bool) int {
	ka, kb := kindRank(a), kindRank(b)
	if ka != kb {
		// Strings that hold dateTimes compare with time.Time values.
		if ta, ok := toTime(a); ok && (ka == rankTime || kb == rankTime) {
			if tb, ok := toTime(b); ok {
				return ta.Compare(tb)
			}
		}
		return cmpInt(ka, kb)
	}
	switch ka {
	case rankNil:
		return 0
	case rankBool:
		x, _ := toBool(a)
		y, _ := toBool(b)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case rankNumber:
		x, _ := toFloat(a)
		y, _ := toFloat(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case rankTime:
		x, _ := toTime(a)
		y, _ := toTime(b)
		return x.Compare(y)
	case rankString:
		x, _ := ToText(a)
		y, _ := ToText(b)
		if tx, ok := toTime(x); ok && looksLikeDateTime(x) {
			if ty, ok := toTime(y); ok && looksLikeDateTime(y) {
				return tx.Compare(ty)
			}
		}
		if !caseExact {
			if c := strings.Compare(strings.ToLower(x), strings.ToLower(y)); c != 0 {
				return c
			}
			return 0
		}
		return strings.Compare(x, y)
	}
	// Complex values: compare their canonical JSON so the order is at least total.
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return strings.Compare(string(x), string(y))
}

// looksLikeDateTime guards Compare's dateTime reading of strings: only text shaped
// like 2006-01-02T... is a candidate, so "2024" stays a string.
func looksLikeDateTime(s string) bool {
	return len(s) >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ')
}

const (
	rankBool = iota
	rankNumber
	rankTime
	rankString
	rankOther
	rankNil
)

func kindRank(v any) int {
	switch v.(type) {
	case nil:
		return rankNil
	case bool:
		return rankBool
	case string, []byte:
		return rankString
	case time.Time, *time.Time:
		return rankTime
	}
	if isNumber(v) {
		return rankNumber
	}
	return rankOther
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// StringList reads a list of strings, or one (comma-separated) string.
func StringList(v any) ([]string, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case string:
		return []string{v}, true
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

func WithoutNulls(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if v != nil {
			out[k] = v
		}
	}
	return out
}

// textOf is a value as text, "" when it has none.
func textOf(v any) string {
	s, _ := ToText(v)
	return s
}
