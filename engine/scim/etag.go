package scim

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	var buf bytes.Buffer
	ss.writeCanonical(&buf, res)
	sum := sha256.Sum256(buf.Bytes())
	return `W/"` + hex.EncodeToString(sum[:8]) + `"`
}

// writeCanonical writes the top level of a resource in canonical form, leaving
// out what does not belong to its version.
func (ss *schemaSet) writeCanonical(buf *bytes.Buffer, res Resource) {
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
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeJSONString(buf, k)
		buf.WriteByte(':')
		v := res[k]
		if strings.EqualFold(k, "meta") {
			if m, ok := v.(map[string]any); ok {
				meta := make(map[string]any, len(m))
				for mk, mv := range m {
					if !strings.EqualFold(mk, "location") && !strings.EqualFold(mk, "version") {
						meta[mk] = mv
					}
				}
				v = meta
			}
		}
		buf.Write(canonicalJSON(v))
	}
	buf.WriteByte('}')
}

// canonicalJSON encodes a JSON value with object keys sorted and array elements
// sorted by their own canonical encoding.
func canonicalJSON(v any) []byte {
	var buf bytes.Buffer
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k, e := range x {
			if e != nil {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(&buf, k)
			buf.WriteByte(':')
			buf.Write(canonicalJSON(x[k]))
		}
		buf.WriteByte('}')
	case []any:
		elems := make([][]byte, len(x))
		for i, e := range x {
			elems[i] = canonicalJSON(e)
		}
		sort.Slice(elems, func(i, j int) bool { return bytes.Compare(elems[i], elems[j]) < 0 })
		buf.WriteByte('[')
		buf.Write(bytes.Join(elems, []byte{','}))
		buf.WriteByte(']')
	case []map[string]any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return canonicalJSON(l)
	case []string:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return canonicalJSON(l)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			b, _ = json.Marshal(textOf(x))
		}
		buf.Write(b)
	}
	return buf.Bytes()
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	buf.Write(b)
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
