package resource

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ContentETag returns the weak ETag of a presented resource (schemas and meta set,
// nulls left out, before projection).
func (ss *SchemaSet) ContentETag(res Resource) string {
	// Every resource of a list page is hashed: the canonical form is written into
	// a buffer kept for the next one, and the tag is built in one allocation.
	bp := canonicalBuffers.Get().(*[]byte)
	buf := ss.appendCanonicalResource((*bp)[:0], res)
	sum := sha256.Sum256(buf)
	if cap(buf) <= maxPooledCanonical {
		*bp = buf[:0]
		canonicalBuffers.Put(bp)
	}
	var tag [len(`W/"`) + 16 + 1]byte
	copy(tag[:], `W/"`)
	hex.Encode(tag[3:], sum[:8])
	tag[len(tag)-1] = '"'
	return string(tag[:])
}

// canonicalBuffers keeps the buffers ContentETag writes canonical forms into; one
// grown beyond maxPooledCanonical (a resource with thousands of members) is left
// to the collector rather than kept.
var canonicalBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledCanonical = 64 << 10

// appendCanonicalResource appends the top level of a resource in canonical form,
// leaving out what does not belong to its version.
func (ss *SchemaSet) appendCanonicalResource(dst []byte, res Resource) []byte {
	var stack [16]string
	keys := stack[:0]
	for k, v := range res {
		if v == nil {
			continue
		}
		if ss.Core() != nil {
			if a := FindAttribute(ss.Core().Attributes, k); a != nil && a.ReturnWhen() == ReturnedNever {
				continue
			}
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		v := res[k]
		if m, ok := v.(map[string]any); ok && strings.EqualFold(k, "meta") {
			dst = appendCanonicalObject(dst, m, "location", "version")
			continue
		}
		dst = appendCanonical(dst, v)
	}
	return append(dst, '}')
}

// appendCanonical appends a JSON value with object keys sorted and array elements
// sorted by their own canonical encoding; numbers of the same value encode alike
// whatever their Go type.
func appendCanonical(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendJSONString(dst, x)
	case bool:
		return strconv.AppendBool(dst, x)
	case map[string]any:
		return appendCanonicalObject(dst, x)
	case []any:
		switch len(x) {
		case 0:
			return append(dst, "[]"...)
		case 1:
			return append(appendCanonical(append(dst, '['), x[0]), ']')
		}
		elems := make([][]byte, len(x))
		for i, e := range x {
			elems[i] = appendCanonical(nil, e)
		}
		sort.Slice(elems, func(i, j int) bool { return bytes.Compare(elems[i], elems[j]) < 0 })
		dst = append(dst, '[')
		for i, e := range elems {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, e...)
		}
		return append(dst, ']')
	case []map[string]any:
		switch len(x) {
		case 0:
			return append(dst, "[]"...)
		case 1:
			return append(appendCanonicalObject(append(dst, '['), x[0]), ']')
		}
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return appendCanonical(dst, l)
	case []string:
		if len(x) == 1 {
			return append(appendJSONString(append(dst, '['), x[0]), ']')
		}
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return appendCanonical(dst, l)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e18 {
			return strconv.AppendInt(dst, int64(x), 10)
		}
		return strconv.AppendFloat(dst, x, 'g', -1, 64)
	case float32:
		return appendCanonical(dst, float64(x))
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int32:
		return strconv.AppendInt(dst, int64(x), 10)
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return appendCanonical(dst, f)
		}
		return append(dst, x...)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return appendJSONString(dst, textOf(v))
	}
	return append(dst, b...)
}

// appendCanonicalObject appends an object with sorted keys, without nulls and
// without the keys to skip.
func appendCanonicalObject(dst []byte, m map[string]any, skip ...string) []byte {
	var stack [16]string
	keys := stack[:0]
next:
	for k, e := range m {
		if e == nil {
			continue
		}
		for _, s := range skip {
			if strings.EqualFold(k, s) {
				continue next
			}
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendCanonical(dst, m[k])
	}
	return append(dst, '}')
}

// appendJSONString appends s as a JSON string: quotes, backslashes and control
// characters escaped, everything else as it is (deterministic, which is all a
// version needs).
func appendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// StoreETag returns the ETag header value for a store-set meta.version, quoted as
// RFC 9110 wants; "" when the store set none.
func StoreETag(res Resource) string {
	_, m, _ := Lookup(res, "meta")
	mm, _ := m.(map[string]any)
	_, v, _ := Lookup(mm, "version")
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return ""
		}
		s = textOf(v) // a numeric row version
	}
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, `"`) || strings.HasPrefix(s, `W/"`) {
		return s
	}
	return strconv.Quote(s)
}

// Partial reports whether a store asked with this projection may leave out
// attributes of the resource: the representation is then not the whole
func (ss *SchemaSet) Partial(p Projection) bool {
	if len(p.Attributes) == 0 && len(p.Excluded) == 0 {
		return false
	}
	if ss.Core() == nil {
		return true
	}
	for _, list := range [][]*Attribute{ss.Core().Attributes, CommonAttributes} {
		for _, a := range list {
			if a.Name == "id" || a.ReturnWhen() == ReturnedNever {
				continue
			}
			if !p.Wants(a.Name) {
				return true
			}
		}
	}
	for _, e := range ss.Extensions() {
		if !p.Wants(e.ID) {
			return true
		}
	}
	return false
}
