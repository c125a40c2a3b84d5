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
	tag := CanonicalETag(buf)
	if cap(buf) <= maxPooledCanonical {
		*bp = buf[:0]
		canonicalBuffers.Put(bp)
	}
	return tag
}

// CanonicalETag is the weak ETag of a resource whose canonical form is
// canonical: what ContentETag returns for it. A protocol layer that writes the
// canonical form itself (from a Layout's rows) tags it with this.
func CanonicalETag(canonical []byte) string {
	var tag [len(`W/"`) + 16 + 1]byte
	copy(tag[:], `W/"`)
	digits := CanonicalETagDigits(canonical)
	copy(tag[3:], digits[:])
	tag[len(tag)-1] = '"'
	return string(tag[:])
}

// CanonicalETagDigits is the hexadecimal digits a CanonicalETag quotes, for a
// writer that writes the tag without making its string.
func CanonicalETagDigits(canonical []byte) (digits [16]byte) {
	sum := sha256.Sum256(canonical)
	hex.Encode(digits[:], sum[:8])
	return digits
}

// AppendCanonicalString is AppendCanonical for a string.
func AppendCanonicalString(dst []byte, s string) []byte { return appendJSONString(dst, s) }

// AppendCanonical appends a value as the canonical form of a ContentETag writes
// it: object keys sorted, nulls left out of objects, array elements in the order
// of their own canonical encodings, numbers of one value alike whatever their Go
// type. The canonical form of a whole resource is an object of its members (nil
// ones left out) with the keys sorted, its never-returned attributes left out,
// and its meta without location and version.
func AppendCanonical(dst []byte, v any) []byte { return appendCanonical(dst, v) }

// canonicalBuffers keeps the buffers ContentETag writes canonical forms into; one
// grown beyond maxPooledCanonical (a resource with thousands of members) is left
// to the collector rather than kept.
var canonicalBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledCanonical = 64 << 10

// appendCanonicalResource appends the top level of a resource in canonical form,
// leaving out what does not belong to its version.
func (ss *SchemaSet) appendCanonicalResource(dst []byte, res Resource) []byte {
	// The members are gathered with their values, so that each is read from the
	// map once.
	var stack [24]member
	members := stack[:0]
	for k, v := range res {
		if v == nil || ss.neverReturned(k) {
			continue
		}
		members = append(members, member{k, v})
	}
	slices.SortFunc(members, compareMembers)
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, m.k)
		dst = append(dst, ':')
		if o, ok := m.v.(map[string]any); ok && len(m.k) == 4 && strings.EqualFold(m.k, "meta") {
			dst = appendCanonicalObject(dst, o, "location", "version")
			continue
		}
		dst = appendCanonical(dst, m.v)
	}
	return append(dst, '}')
}

// member is an object member on its way to the canonical form.
type member struct {
	k string
	v any
}

func compareMembers(a, b member) int { return strings.Compare(a.k, b.k) }

// neverReturned reports whether a top-level key names a core attribute that is
// never returned (password), which a version leaves out. Only a key equal, up to
// case, to the name of such an attribute is looked up, so that the other keys of
// every resource of a page cost a comparison or two.
func (ss *SchemaSet) neverReturned(k string) bool {
	core := ss.Core()
	if core == nil {
		return false
	}
	for _, n := range ss.neverNames() {
		if len(n) == len(k) && strings.EqualFold(n, k) {
			a := FindAttribute(core.Attributes, k)
			return a != nil && a.ReturnWhen() == ReturnedNever
		}
	}
	return false
}

// neverNames lists the names of the core attributes that are never returned,
// gathered on first use (the schemas are complete by then).
func (ss *SchemaSet) neverNames() []string {
	if p := ss.never.Load(); p != nil {
		return *p
	}
	names := []string{}
	if core := ss.Core(); core != nil {
		for _, a := range core.Attributes {
			if a.ReturnWhen() == ReturnedNever {
				names = append(names, a.Name)
			}
		}
	}
	ss.never.Store(&names)
	return names
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
		if len(x) <= maxInPlaceSort {
			return appendSortedElements(dst, x)
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

// maxInPlaceSort is the most elements appendSortedElements orders; a longer list
// (a group's members) is sorted with its own buffers.
const maxInPlaceSort = 16

// appendSortedElements appends a short list with its elements in the order of
// their canonical encodings, without a buffer per element: the elements are
// written after dst, then ordered by SortedArray. Every multi-valued attribute of
// every resource of a page passes here.
func appendSortedElements(dst []byte, l []any) []byte {
	var stack [maxInPlaceSort]int
	ends := stack[:0]
	start := len(dst)
	for _, e := range l {
		dst = appendCanonical(dst, e)
		ends = append(ends, len(dst))
	}
	return SortedArray(dst, start, ends)
}

// SortedArray turns the canonical encodings written one after the other at
// dst[start:], the i-th ending at ends[i], into the JSON array of them in the
// order of their bytes: the canonical form of a multi-valued attribute's
// elements. They are written again in order after themselves and moved back.
func SortedArray(dst []byte, start int, ends []int) []byte {
	type span struct{ from, to int }
	var stack [maxInPlaceSort]span
	spans := stack[:0]
	from := start
	for _, to := range ends {
		spans = append(spans, span{from, to})
		from = to
	}
	for i := 1; i < len(spans); i++ { // insertion sort: a handful of elements
		for j := i; j > 0 && bytes.Compare(dst[spans[j].from:spans[j].to], dst[spans[j-1].from:spans[j-1].to]) < 0; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	out := len(dst)
	dst = append(dst, '[')
	for i, sp := range spans {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, dst[sp.from:sp.to]...)
	}
	dst = append(dst, ']')
	n := copy(dst[start:], dst[out:])
	return dst[:start+n]
}

// appendCanonicalObject appends an object with sorted keys, without nulls and
// without the keys to skip.
func appendCanonicalObject(dst []byte, m map[string]any, skip ...string) []byte {
	var stack [16]member
	members := stack[:0]
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
		members = append(members, member{k, e})
	}
	slices.SortFunc(members, compareMembers)
	dst = append(dst, '{')
	for i, e := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, e.k)
		dst = append(dst, ':')
		dst = appendCanonical(dst, e.v)
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
