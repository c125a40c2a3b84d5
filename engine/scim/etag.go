package scim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// ETags (RFC 7644 §3.14).
//
// Every resource has a version. A store that keeps one (a version or row-version
// column mapped to meta.version) sets it and the handler uses it as it is. Otherwise
// the handler derives a weak ETag from the content: W/"<16 hex digits>", the start
// of the SHA-256 of the resource's canonical JSON (object keys sorted, the elements
// of multi-valued attributes sorted, since their order carries no meaning), without
// meta.location and meta.version (which depend on the request, not on the data) and
// without "never returned" attributes (password), so that the tag reveals nothing
// the response does not.
//
// The version is sent as the ETag header and as meta.version on GET, POST, PUT and
// PATCH, and as meta.version of every resource of a list. A content tag is only
// computed over a complete resource: when attributes/excludedAttributes let the
// store leave attributes out (a group's members), the representation is partial,
// and it carries no computed version unless the request is conditional, in which
// case the handler reads the whole resource to evaluate the condition.
//
// Preconditions are evaluated as SCIM uses them, with weak comparison (RFC 7644
// §3.14's examples send W/ tags in If-Match):
//
//   - If-Match on GET, PUT, PATCH and DELETE: the current resource is read with
//     Store.Get; when no listed tag matches its version, the answer is 412
//     Precondition Failed and nothing is written. "*" matches any existing
//     resource. A missing resource is 404 as without the header (RFC 9110 §13.2.2:
//     preconditions are ignored when the request would not succeed anyway).
//   - If-None-Match on GET: when a listed tag (or "*") matches, the answer is 304
//     Not Modified with the ETag and no body.
//
// The check and the write are two store calls: a write that lands between them is
// not detected. Stores that need strict compare-and-set keep a version column and
// check it in their update statement.

// contentETag returns the weak ETag of a presented resource (schemas and meta set,
// nulls left out, before projection).
func (ss *schemaSet) contentETag(res Resource) string {
	buf := ss.appendCanonicalResource(make([]byte, 0, 1024), res)
	sum := sha256.Sum256(buf)
	return `W/"` + hex.EncodeToString(sum[:8]) + `"`
}

// appendCanonicalResource appends the top level of a resource in canonical form,
// leaving out what does not belong to its version.
func (ss *schemaSet) appendCanonicalResource(dst []byte, res Resource) []byte {
	keys := make([]string, 0, len(res))
	for k, v := range res {
		if v == nil {
			continue
		}
		if ss.core != nil {
			if a := findAttribute(ss.core.Attributes, k); a != nil && a.returned() == ReturnedNever {
				continue
			}
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
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
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return appendCanonical(dst, l)
	case []string:
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
	keys := make([]string, 0, len(m))
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
	sort.Strings(keys)
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

// storeETag returns the ETag header value for a store-set meta.version, quoted as
// RFC 9110 wants; "" when the store set none.
func storeETag(res Resource) string {
	_, m, _ := lookup(res, "meta")
	mm, _ := m.(map[string]any)
	_, v, _ := lookup(mm, "version")
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

// partial reports whether a store asked with this projection may leave out
// attributes of the resource: the representation is then not the whole resource.
func (ss *schemaSet) partial(p Projection) bool {
	if len(p.Attributes) == 0 && len(p.Excluded) == 0 {
		return false
	}
	if ss.core == nil {
		return true
	}
	for _, list := range [][]*Attribute{ss.core.Attributes, commonAttributes} {
		for _, a := range list {
			if a.Name == "id" || a.returned() == ReturnedNever {
				continue
			}
			if !p.Wants(a.Name) {
				return true
			}
		}
	}
	for _, e := range ss.exts {
		if !p.Wants(e.ID) {
			return true
		}
	}
	return false
}

// opaqueTag returns an entity tag's opaque part for weak comparison: W/"x" and
// "x" are both x. An unquoted tag (a client that sends meta.version without the
// quotes) is taken as it is.
func opaqueTag(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "W/")
	s = strings.TrimPrefix(s, "w/")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// splitTags splits an If-Match / If-None-Match value into its entity tags,
// respecting commas inside quoted tags.
func splitTags(values []string) []string {
	var out []string
	for _, v := range values {
		inQuote := false
		start := 0
		for i := 0; i <= len(v); i++ {
			if i < len(v) {
				if v[i] == '"' {
					inQuote = !inQuote
				}
				if v[i] != ',' || inQuote {
					continue
				}
			}
			if t := strings.TrimSpace(v[start:i]); t != "" {
				out = append(out, t)
			}
			start = i + 1
		}
	}
	return out
}

// tagsMatch reports whether any of the listed tags matches current, with weak
// comparison; "*" matches any current tag.
func tagsMatch(tags []string, current string) bool {
	cur := opaqueTag(current)
	for _, t := range tags {
		if t == "*" {
			return true
		}
		if cur != "" && opaqueTag(t) == cur {
			return true
		}
	}
	return false
}

// conditional reports whether the request carries a precondition header.
func conditional(r *http.Request) bool {
	return len(r.Header.Values("If-Match")) > 0 || len(r.Header.Values("If-None-Match")) > 0
}

// currentETag reads the resource with Store.Get and returns its version, with
// the presented resource.
func (h *Handler) currentETag(ctx context.Context, rt *resourceType, id, base string) (*outResource, error) {
	res, err := rt.Store.Get(ctx, id, Projection{})
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, ErrNotFound(rt.Name, id)
	}
	return h.present(rt, res, base, nil, true), nil
}

// checkIfMatch evaluates If-Match before a write (PUT, PATCH, DELETE): it answers
// and returns false when the request must not go on.
func (h *Handler) checkIfMatch(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) bool {
	tags := splitTags(r.Header.Values("If-Match"))
	if len(tags) == 0 {
		return true
	}
	cur, err := h.currentETag(r.Context(), rt, id, requestBaseURL(r))
	if err != nil {
		h.fail(w, r, err)
		return false
	}
	if !tagsMatch(tags, cur.etag) {
		if cur.etag != "" {
			w.Header().Set("ETag", cur.etag)
		}
		h.writeError(w, Errorf(http.StatusPreconditionFailed, "", "the resource changed: its version is %s, not %s (If-Match)", cur.etag, strings.Join(tags, ", ")))
		return false
	}
	return true
}
