package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dbscim/dbscim/engine/resource"
)

// contentType is the media type of every response (RFC 7644 §3.1).
const contentType = "application/scim+json"

// writeJSON writes a JSON response. HTML escaping is off: SCIM values are data
// ("a&b" stays "a&b"), not markup.
func (h *Handler) writeJSON(w http.ResponseWriter, status int, v any) {
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer putResponseBuffer(buf)
	var err error
	if a, ok := v.(jsonAppender); ok {
		if err = a.appendJSON(buf); err == nil {
			buf.WriteByte('\n')
		}
	} else {
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		err = enc.Encode(v)
	}
	if err != nil {
		h.log.Error("scim: cannot encode a response", "error", err)
		status = http.StatusInternalServerError
		buf.Reset()
		_ = json.NewEncoder(buf).Encode(errorBody{Schemas: []string{ErrorURN}, Status: "500", Detail: "internal server error"})
	}
	h.writeBytes(w, status, buf.Bytes())
}

// writeBytes writes a response whose JSON is ready.
func (h *Handler) writeBytes(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// responseBuffers keeps the buffers responses are written into, for the next
// request; maxPooledResponse bounds the size of one kept.
var responseBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledResponse = 256 << 10

// putResponseBuffer keeps a buffer for the next response. One grown by a large
// page is not kept, so that an import in pages of 1000 does not pin its size for
// the life of the process.
func putResponseBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledResponse {
		buf.Reset()
		responseBuffers.Put(buf)
	}
}

// errorBody is the error response of RFC 7644 §3.12: status is a string.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

func (h *Handler) writeError(w http.ResponseWriter, e *Error) {
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	h.writeJSON(w, status, errorBody{Schemas: []string{ErrorURN}, Status: strconv.Itoa(status), ScimType: string(e.ScimType), Detail: e.Detail})
}

// fail answers a store (or request) error. An *Error, even wrapped, is meant for
// the client and sent as it is. Anything else can carry SQL, table names or
// personal data: it goes to the log and the client gets a generic 500.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	e, known := AsError(err)
	switch {
	case known:
		if e.Status >= 500 || e.Status < 400 {
			h.log.WarnContext(r.Context(), "scim: store answered a server error", "method", r.Method, "path", r.URL.Path, "error", err)
		}
		h.writeError(w, e)
	case errors.Is(err, context.DeadlineExceeded):
		h.log.WarnContext(r.Context(), "scim: request timed out", "method", r.Method, "path", r.URL.Path, "error", err)
		h.writeError(w, &Error{Status: http.StatusServiceUnavailable, Detail: "the request timed out; retry later"})
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		h.log.InfoContext(r.Context(), "scim: request canceled by the client", "method", r.Method, "path", r.URL.Path)
		h.writeError(w, &Error{Status: http.StatusServiceUnavailable, Detail: "request canceled"})
	default:
		h.log.ErrorContext(r.Context(), "scim: store error", "method", r.Method, "path", r.URL.Path, "error", err)
		h.writeError(w, &Error{Status: http.StatusInternalServerError, Detail: "internal server error; the server log has the cause"})
	}
}

// location is a resource's absolute URL.
func location(base string, rt *resourceType, id string) string {
	return base + "/" + rt.endpoint + "/" + url.PathEscape(id)
}

// idString reads a resource's id as the opaque string SCIM wants, also when a
// store put a database integer there.
func idString(res resource.Resource) string {
	_, v, _ := resource.Lookup(res, "id")
	s, _ := resource.ToText(v)
	return s
}

// present prepares a stored resource for a response: schemas and meta
// (resourceType, location) are set by the handler, null attributes are left out,
// and the projection (which also drops password) is applied. complete says that
// res is the whole resource (not one a store may have trimmed for a projection),
// so that its content ETag can be computed and set as meta.version when the store
// set no version.
func (h *Handler) present(rt *resourceType, res resource.Resource, base string, pr *resource.Projector, complete bool) *outResource {
	out := make(resource.Resource, len(res)+3) // and id, meta, schemas
	urnKeys := false                           // whether an extension may be present
	whole := pr == nil || pr.KeepsWhole("id", "") && pr.KeepsWhole("meta", "") && pr.KeepsWhole("schemas", "")
	for k, v := range res {
		if v == nil || strings.EqualFold(k, "schemas") {
			continue
		}
		if len(k) >= 4 && strings.EqualFold(k[:4], "urn:") {
			urnKeys = true
			if m, ok := v.(map[string]any); ok {
				if m = resource.WithoutNulls(m); len(m) == 0 {
					continue
				}
				v = m
			}
		}
		out[k] = v
		whole = whole && (pr == nil || pr.KeepsWhole(k, v))
	}
	id := idString(res)
	if k, v, ok := resource.Lookup(out, "id"); ok {
		delete(out, k)
		if s, isText := v.(string); !isText || s != id {
			v = id
		}
		out["id"] = v
	}
	meta := make(map[string]any, 3)
	storeVersion := false // whether the store set a version
	if k, v, ok := resource.Lookup(out, "meta"); ok {
		if m, isMap := v.(map[string]any); isMap {
			for mk, mv := range m {
				meta[mk] = mv
				storeVersion = storeVersion || len(mk) == len("version") && strings.EqualFold(mk, "version")
			}
		}
		delete(out, k)
	}
	meta["resourceType"] = rt.nameValue
	if rt.nameValue == nil {
		meta["resourceType"] = rt.Name
	}
	if id != "" {
		meta["location"] = location(base, rt, id)
	}
	out["meta"] = meta
	if !urnKeys && rt.coreSchemas != nil && extensionsAreURNs(rt) {
		// No key can name an extension: the core schema alone, without looking
		// each extension up in the resource.
		out["schemas"] = rt.coreSchemas
	} else if schemas := schemasOf(rt, out); len(schemas) == 1 && rt.coreSchemas != nil {
		out["schemas"] = rt.coreSchemas // shared: a presented resource is only read
	} else {
		out["schemas"] = schemas
	}
	o := &outResource{rt: rt, id: id}
	if storeVersion {
		o.etag = resource.StoreETag(out)
	}
	if o.etag == "" && complete {
		o.etag = rt.ss.ContentETag(out)
		meta["version"] = o.etag
	}
	if !whole {
		out = pr.ApplyOwned(out) // out is this function's own copy
	}
	o.r = out
	return o
}

// extensionsAreURNs reports whether every extension's id starts with "urn:", so
// that a resource without such keys has no extension data.
func extensionsAreURNs(rt *resourceType) bool {
	for _, e := range rt.Extensions {
		if len(e.ID) < 4 || !strings.EqualFold(e.ID[:4], "urn:") {
			return false
		}
	}
	return true
}

// schemasOf lists the core schema and each extension the resource has data for.
func schemasOf(rt *resourceType, res resource.Resource) []string {
	var out []string
	for _, e := range rt.Extensions {
		if _, _, ok := resource.Lookup(res, e.ID); ok {
			if out == nil && rt.Schema != nil {
				out = append(out, rt.Schema.ID)
			}
			out = append(out, e.ID)
		}
	}
	if out == nil && rt.Schema != nil {
		if rt.coreSchemas != nil {
			return rt.coreSchemas.([]string)
		}
		out = []string{rt.Schema.ID}
	}
	return out
}

// outResource marshals a resource in a readable order: schemas, id, externalId,
// the core attributes in schema order, other attributes, extensions, meta.
type outResource struct {
	r        resource.Resource
	rt       *resourceType
	id, etag string // taken before the projection, which may drop meta
}

// MarshalJSON writes the resource's keys in the order described above.
func (o *outResource) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := o.appendJSON(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// appendJSON writes the resource to buf as compact JSON, its keys in the order
// described above. Responses are written this way rather than through
// MarshalJSON, which encoding/json would parse and compact again.
func (o *outResource) appendJSON(buf *bytes.Buffer) error {
	// The keys are gathered on the stack, a resource has a few dozen at most: the
	// known ones (keyOrder) by their position, the others by name with
	// extensions last, meta at the end unless the schema places it.
	type placed struct {
		k   string
		v   any
		pos int
	}
	var known [32]placed
	var other [32]placed
	byPos, rest := known[:0], other[:0]
	order := o.rt.keyOrder
	if order == nil {
		order = map[string]int{"schemas": 0, "id": 1, "externalId": 2}
	}
	_, metaPlaced := order["meta"]
	var meta any
	hasMeta := false
	for k, v := range o.r {
		if pos, ok := order[k]; ok {
			byPos = append(byPos, placed{k, v, pos})
		} else if k == "meta" {
			meta, hasMeta = v, true
		} else {
			rest = append(rest, placed{k: k, v: v})
		}
	}
	slices.SortFunc(byPos, func(a, b placed) int { return a.pos - b.pos })
	slices.SortFunc(rest, func(a, b placed) int { return compareOtherKeys(a.k, b.k) })
	if hasMeta && !metaPlaced {
		rest = append(rest, placed{k: "meta", v: meta})
	}
	buf.Grow(256)
	b := buf.AvailableBuffer()
	b = append(b, '{')
	first := true
	for _, list := range [2][]placed{byPos, rest} {
		for _, p := range list {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, p.k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, p.v); err != nil {
				return err
			}
		}
	}
	b = append(b, '}')
	buf.Write(b)
	return nil
}

// compareOtherKeys orders the keys a resource type does not place: by name,
// extensions (URNs) last.
func compareOtherKeys(a, b string) int {
	ua, ub := strings.HasPrefix(a, "urn:"), strings.HasPrefix(b, "urn:")
	if ua != ub {
		if ub {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// appendJSON writes a list response to buf as compact JSON, each resource written
// by its own appendJSON.
func (l *listResponse) appendJSON(buf *bytes.Buffer) error {
	l.appendHead(buf)
	for i, r := range l.Resources {
		if i > 0 {
			buf.WriteByte(',')
		}
		o, ok := r.(*outResource)
		if !ok {
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			buf.Write(b)
			continue
		}
		if err := o.appendJSON(buf); err != nil {
			return err
		}
	}
	buf.WriteString("]}")
	return nil
}

// appendHead writes a list response up to the opening of its Resources.
func (l *listResponse) appendHead(buf *bytes.Buffer) {
	b := append(buf.AvailableBuffer(), `{"schemas":`...)
	b, _ = appendJSON(b, l.Schemas)
	b = append(b, `,"totalResults":`...)
	b = strconv.AppendInt(b, int64(l.TotalResults), 10)
	b = append(b, `,"startIndex":`...)
	b = strconv.AppendInt(b, int64(l.StartIndex), 10)
	b = append(b, `,"itemsPerPage":`...)
	b = strconv.AppendInt(b, int64(l.ItemsPerPage), 10)
	b = append(b, `,"Resources":[`...)
	buf.Write(b)
}

// jsonAppender is a response that writes its own compact JSON.
type jsonAppender interface {
	appendJSON(buf *bytes.Buffer) error
}

// writeRow answers a GET with one row written through its plan, and its ETag.
func (h *Handler) writeRow(w http.ResponseWriter, r *http.Request, plan *rowPlan, vals []any, base string) {
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer putResponseBuffer(buf)
	digits, err := plan.appendRow(buf, vals, base)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	buf.WriteByte('\n')
	var tag [len(`W/"`) + 16 + 1]byte
	copy(tag[:], `W/"`)
	copy(tag[3:], digits[:])
	tag[len(tag)-1] = '"'
	w.Header().Set("ETag", string(tag[:]))
	h.writeBytes(w, http.StatusOK, buf.Bytes())
}

// writeResource answers one resource with its ETag (and Location for 201).
func (h *Handler) writeResource(w http.ResponseWriter, status int, o *outResource, base string) {
	if o.etag != "" {
		w.Header().Set("ETag", o.etag)
	}
	if status == http.StatusCreated && o.id != "" {
		w.Header().Set("Location", location(base, o.rt, o.id))
	}
	h.writeJSON(w, status, o)
}
