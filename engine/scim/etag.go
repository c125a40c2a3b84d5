package scim

import (
	"context"
	"net/http"
	"strings"

	"github.com/dbscim/dbscim/engine/resource"
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
	res, err := rt.Store.Get(ctx, id, resource.Projection{})
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
