// Package scim11 serves SCIM 1.1, the protocol the Okta On-Premises Provisioning
// agent speaks unless its base URL asks for 2.0, beside the SCIM 2.0 of
// engine/scim and over the same resource types and stores.
//
// It is a wire format, not a second protocol implementation: a 1.1 request is
// rewritten into the 2.0 request that means the same (URNs renamed, a 1.1 PATCH
// body turned into PatchOp operations, meta.attributes into removals, members
// marked "operation": "delete" into member removals), served by the 2.0 handler
// (so every write still becomes the one resource.Change the stores apply and the
// audit log records), and its answer rewritten into 1.1 shapes: core schema
// urn:scim:schemas:core:1.0, the enterprise extension as
// urn:scim:schemas:extension:enterprise:1.0, list responses without the 2.0
// message URN, and errors as {"Errors": [{"description", "code"}]}.
// /ServiceProviderConfigs is answered here, with Okta's
// urn:okta:schemas:scim:providerconfig:1.0 userManagementCapabilities derived from
// the methods each resource type declares.
package scim11

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim"
)

// The URNs of SCIM 1.1 and of Okta's 1.1 extensions.
const (
	CoreURN       = "urn:scim:schemas:core:1.0"
	EnterpriseURN = "urn:scim:schemas:extension:enterprise:1.0"
	// OktaCustomURN is the extension the Okta agent puts the app's custom
	// attributes under; a target maps its attributes like any extension's
	// (urn:okta:onprem_app:1.0:user:custom:employeeNumber).
	OktaCustomURN = "urn:okta:onprem_app:1.0:user:custom"
	// ProviderConfigURN is Okta's extension of /ServiceProviderConfigs.
	ProviderConfigURN = "urn:okta:schemas:scim:providerconfig:1.0"
)

// contentType is what 1.1 answers with (SCIM 1.1 predates application/scim+json).
const contentType = "application/json"

// Handler serves SCIM 1.1 for a set of resource types. Like scim.Handler it
// serves paths relative to its base; mount it the same way.
type Handler struct {
	cfg   scim.Config
	inner *scim.Handler
}

// NewHandler returns the 1.1 handler for the same configuration a 2.0 handler is
// built from.
func NewHandler(c scim.Config) *Handler {
	if c.MaxResults <= 0 {
		c.MaxResults = 1000
	}
	return &Handler{cfg: c, inner: scim.NewHandler(c)}
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	segs := strings.FieldsFunc(r.URL.Path, func(c rune) bool { return c == '/' })
	if len(segs) == 1 && strings.EqualFold(strings.TrimSuffix(segs[0], "s"), "ServiceProviderConfig") {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, http.StatusMethodNotAllowed, "/ServiceProviderConfigs is read-only")
			return
		}
		writeJSON(w, http.StatusOK, h.serviceProviderConfig())
		return
	}
	r2, e := h.request(r)
	if e != nil {
		writeError(w, e.Status, e.Detail)
		return
	}
	buf := &bufferWriter{header: http.Header{}}
	h.inner.ServeHTTP(buf, r2)
	h.answer(w, buf)
}

// request rewrites a 1.1 request into the 2.0 request the inner handler serves.
func (h *Handler) request(r *http.Request) (*http.Request, *scim.Error) {
	r2 := r.Clone(r.Context())
	if q := r.URL.Query(); len(q) > 0 {
		for k, vs := range q {
			if strings.EqualFold(k, "filter") || strings.EqualFold(k, "attributes") || strings.EqualFold(k, "sortBy") {
				for i := range vs {
					vs[i] = renameIn(vs[i])
				}
			}
		}
		r2.URL.RawQuery = q.Encode()
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return r2, nil
	}
	if r.Body == nil || r.Body == http.NoBody {
		return r2, nil
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		// The body limit or a broken connection: let the 2.0 handler say which.
		r2.Body = io.NopCloser(io.MultiReader(bytes.NewReader(raw), errReader{err}))
		return r2, nil
	}
	r2.Body = io.NopCloser(bytes.NewReader(raw))
	var body map[string]any
	if json.Unmarshal(raw, &body) != nil || body == nil {
		return r2, nil // malformed: the 2.0 handler answers 400, rewritten as 1.1
	}
	var out any
	if r.Method == http.MethodPatch {
		ops, e := patchOps(body)
		if e != nil {
			return nil, e
		}
		out = map[string]any{"schemas": []string{scim.PatchOpURN}, "Operations": ops}
	} else {
		out = toV2(body, r.URL.Path)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, scim.Errorf(http.StatusBadRequest, scim.InvalidValue, "the request body cannot be read: %v", err)
	}
	r2.Body = io.NopCloser(bytes.NewReader(b))
	r2.ContentLength = int64(len(b))
	r2.Header.Set("Content-Length", strconv.Itoa(len(b)))
	return r2, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// renames are the 2.0 URNs and their 1.1 names.
var renames = []struct{ v2, v1 string }{
	{resource.EnterpriseUserURN, EnterpriseURN},
	{resource.UserSchemaURN, CoreURN},
	{resource.GroupSchemaURN, CoreURN},
	{scim.ListResponseURN, CoreURN},
}

// toV1Name is the 1.1 name of a 2.0 URN (or of an attribute path under it).
func toV1Name(s string) string {
	for _, n := range renames {
		if len(s) >= len(n.v2) && strings.EqualFold(s[:len(n.v2)], n.v2) {
			return n.v1 + s[len(n.v2):]
		}
	}
	return s
}

// toV2Name is the 2.0 name of a 1.1 extension URN (or of a path under it). The
// core URN has no 2.0 name: core attributes are not prefixed in 2.0 bodies.
func toV2Name(s string) string {
	if len(s) >= len(EnterpriseURN) && strings.EqualFold(s[:len(EnterpriseURN)], EnterpriseURN) {
		return resource.EnterpriseUserURN + s[len(EnterpriseURN):]
	}
	if len(s) > len(CoreURN) && strings.EqualFold(s[:len(CoreURN)+1], CoreURN+":") {
		return s[len(CoreURN)+1:]
	}
	return s
}

// renameIn renames 1.1 extension URNs inside a filter or a list of paths.
func renameIn(s string) string {
	lower := strings.ToLower(s)
	for _, u := range []string{strings.ToLower(EnterpriseURN), strings.ToLower(CoreURN) + ":"} {
		for {
			i := strings.Index(lower, u)
			if i < 0 {
				break
			}
			repl := toV2Name(s[i : i+len(u)])
			if u == strings.ToLower(CoreURN)+":" {
				repl = ""
			}
			s = s[:i] + repl + s[i+len(u):]
			lower = strings.ToLower(s)
		}
	}
	return s
}

// toV2 rewrites a 1.1 POST or PUT body: meta goes (the 2.0 handler drops it
// anyway), schemas become the 2.0 core schema of the endpoint (which the 2.0
// handler requires), extension objects take their 2.0 names.
func toV2(body map[string]any, path string) map[string]any {
	out := make(map[string]any, len(body))
	core := resource.UserSchemaURN
	if strings.Contains(strings.ToLower(path), "/groups") {
		core = resource.GroupSchemaURN
	}
	out["schemas"] = []any{core}
	for k, v := range body {
		switch {
		case strings.EqualFold(k, "schemas"), strings.EqualFold(k, "meta"):
			continue
		}
		out[toV2Name(k)] = v
	}
	return out
}

// bufferWriter keeps the 2.0 handler's answer for rewriting.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }

func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// answer rewrites the 2.0 handler's answer into 1.1 and writes it.
func (h *Handler) answer(w http.ResponseWriter, b *bufferWriter) {
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	for _, k := range []string{"ETag", "Location", "Retry-After", "Allow"} {
		if v := b.header.Get(k); v != "" {
			w.Header().Set(k, v)
		}
	}
	if b.body.Len() == 0 {
		w.WriteHeader(status)
		return
	}
	var v map[string]any
	if err := json.Unmarshal(b.body.Bytes(), &v); err != nil {
		writeError(w, http.StatusInternalServerError, "internal server error")
		return
	}
	if status >= 400 {
		detail, _ := v["detail"].(string)
		writeError(w, status, detail)
		return
	}
	if list, ok := v["Resources"].([]any); ok {
		for i, x := range list {
			if m, ok := x.(map[string]any); ok {
				list[i] = toV1(m)
			}
		}
		v["schemas"] = []any{CoreURN}
		writeJSON(w, status, v)
		return
	}
	writeJSON(w, status, toV1(v))
}

// toV1 rewrites a 2.0 resource: schemas and extension keys take their 1.1 names
// (the core schema first), meta loses resourceType, which 1.1 does not have.
func toV1(res map[string]any) map[string]any {
	out := make(map[string]any, len(res))
	schemas := []any{CoreURN}
	for k, v := range res {
		switch {
		case k == "schemas":
			continue
		case k == "meta":
			if m, ok := v.(map[string]any); ok {
				delete(m, "resourceType")
			}
		case strings.HasPrefix(strings.ToLower(k), "urn:"):
			k = toV1Name(k)
			schemas = append(schemas, k)
		}
		out[k] = v
	}
	out["schemas"] = schemas
	return out
}

// errorBody is SCIM 1.1's error response.
type errorBody struct {
	Errors []errorItem `json:"Errors"`
}

type errorItem struct {
	Description string `json:"description,omitempty"`
	Code        string `json:"code"`
}

func writeError(w http.ResponseWriter, status int, detail string) {
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, errorBody{Errors: []errorItem{{Description: detail, Code: strconv.Itoa(status)}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"Errors":[{"description":"internal server error","code":"500"}]}` + "\n")
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// quote writes a string as a filter value.
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
