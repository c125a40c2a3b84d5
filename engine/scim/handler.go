package scim

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

// Config configures a Handler.
type Config struct {
	// ResourceTypes are the types served, each at /<Endpoint>.
	ResourceTypes []ResourceType
	// MaxResults caps count on list requests and is advertised in
	// /ServiceProviderConfig; 0 means 1000.
	MaxResults int
	// Sort enables sortBy/sortOrder (passed to the stores) and advertises it.
	Sort bool
	// Logger receives store errors (with their real text, which clients never see)
	// and recovered panics; nil means slog.Default().
	Logger *slog.Logger
	// DocumentationURI is advertised in /ServiceProviderConfig when set.
	DocumentationURI string
	// AuthenticationSchemes are advertised in /ServiceProviderConfig. The handler
	// does not authenticate: the server in front of it does.
	AuthenticationSchemes []AuthScheme
}

// AuthScheme is one authenticationSchemes entry of /ServiceProviderConfig
// (RFC 7643 §5).
type AuthScheme struct {
	// Type is "oauthbearertoken", "httpbasic", "oauth2" or another scheme name.
	Type string
	// Name and Description are shown to administrators.
	Name        string
	Description string
	// SpecURI and DocumentationURI are optional links (RFC 7643 §5).
	SpecURI          string
	DocumentationURI string
	// Primary marks the preferred scheme when several are advertised.
	Primary bool
}

// Handler serves the SCIM 2.0 protocol for a set of resource types. It serves paths
// relative to its base ("/Users", "/Users/{id}", "/Users/.search", "/.search",
// "/ServiceProviderConfig", "/ResourceTypes", "/Schemas"), so mount it with
// http.StripPrefix, and set the base URL that Location and meta.location use with
// WithBaseURL.
type Handler struct {
	cfg   Config
	types []*resourceType
	log   *slog.Logger
}

// resourceType is a configured type with its schemas prepared.
type resourceType struct {
	ResourceType
	ss       *resource.SchemaSet
	schemas  []*resource.Schema
	endpoint string // without slashes
	// nameValue and coreSchemas are what every presented resource's
	// meta.resourceType and (without extension data) schemas hold, made once.
	nameValue   any
	coreSchemas any
	// keyOrder is the position of the keys a resource is written with first:
	// schemas, id, externalId, then the core schema's attributes in its order.
	keyOrder map[string]int
	// plan writes the rows of the store's layout (rowplan.go).
	plan atomic.Pointer[plannedLayout]
}

// NewHandler returns a Handler for the configuration. Resource types without a
// schema are served schema-less (every attribute passes through as sent).
func NewHandler(c Config) *Handler {
	if c.MaxResults <= 0 {
		c.MaxResults = 1000
	}
	h := &Handler{cfg: c, log: c.Logger}
	if h.log == nil {
		h.log = slog.Default()
	}
	for _, t := range c.ResourceTypes {
		rt := &resourceType{ResourceType: t, endpoint: strings.Trim(t.Endpoint, "/")}
		if rt.ID == "" {
			rt.ID = rt.Name
		}
		if rt.Name == "" {
			rt.Name = rt.ID
		}
		if rt.endpoint == "" {
			rt.endpoint = rt.Name + "s"
		}
		if t.Schema != nil {
			rt.schemas = append([]*resource.Schema{t.Schema}, t.Extensions...)
		}
		rt.ss = resource.NewSchemaSet(rt.schemas)
		rt.nameValue = rt.Name
		rt.keyOrder = map[string]int{}
		for _, k := range []string{"schemas", "id", "externalId"} {
			rt.keyOrder[k] = len(rt.keyOrder)
		}
		if t.Schema != nil {
			rt.coreSchemas = []string{t.Schema.ID}
			for _, a := range t.Schema.Attributes {
				if _, ok := rt.keyOrder[a.Name]; !ok {
					rt.keyOrder[a.Name] = len(rt.keyOrder)
				}
			}
		}
		h.types = append(h.types, rt)
	}
	return h
}

type baseURLKey struct{}

// WithBaseURL returns a context carrying the absolute URL the handler is mounted at
// (e.g. "https://host:8443/scim/v2/oktademo"), from which it builds Location and
// meta.location. Without it the handler uses the request's scheme and Host and the
// prefix that http.StripPrefix removed.
func WithBaseURL(ctx context.Context, baseURL string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, strings.TrimRight(baseURL, "/"))
}

func requestBaseURL(r *http.Request) string {
	if v, ok := r.Context().Value(baseURLKey{}).(string); ok && v != "" {
		return v
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	if path, _, _ := strings.Cut(r.RequestURI, "?"); strings.HasPrefix(path, "/") {
		if rest := r.URL.EscapedPath(); strings.HasSuffix(path, rest) {
			prefix = strings.TrimSuffix(path, rest)
		}
	}
	return scheme + "://" + r.Host + strings.TrimRight(prefix, "/")
}

// trackingWriter records whether a response was started, so that a recovered
// panic does not write a second status line.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

// WriteHeader records that the response has started.
func (w *trackingWriter) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

// Write records that the response has started.
func (w *trackingWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tw := &trackingWriter{ResponseWriter: w}
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		// A store bug must cost one request a 500, not the process.
		h.log.ErrorContext(r.Context(), "scim: panic while serving a request",
			"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		if !tw.wrote {
			h.writeError(tw, &Error{Status: http.StatusInternalServerError, Detail: "internal server error"})
		}
	}()
	h.route(tw, r)
}

// route dispatches on the cleaned path segments.
func (h *Handler) route(w http.ResponseWriter, r *http.Request) {
	var buf [4]string
	segs, ok := segments(r, buf[:0])
	if !ok {
		h.writeError(w, Errorf(http.StatusNotFound, "", "malformed path %s", fault.Quote(r.URL.Path)))
		return
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	if len(segs) == 0 {
		h.writeError(w, Errorf(http.StatusNotFound, "", "no SCIM endpoint at the base URL; see /ServiceProviderConfig, /ResourceTypes and /Schemas"))
		return
	}
	first := segs[0]
	endpoint, _ := ProtocolEndpoint(first)
	switch {
	case len(segs) == 1 && endpoint == "ServiceProviderConfig":
		if h.onlyGet(w, method) {
			h.serviceProviderConfig(w, r)
		}
		return
	case endpoint == "ResourceTypes" && len(segs) <= 2:
		if h.onlyGet(w, method) {
			h.resourceTypes(w, r, segs[1:])
		}
		return
	case endpoint == "Schemas" && len(segs) <= 2:
		if h.onlyGet(w, method) {
			h.schemasEndpoint(w, r, segs[1:])
		}
		return
	case len(segs) == 1 && first == ".search":
		if method != http.MethodPost {
			h.methodNotAllowed(w, "", "/.search accepts POST only", http.MethodPost)
			return
		}
		h.rootSearch(w, r)
		return
	}
	rt := h.typeFor(first)
	if rt == nil || len(segs) > 2 {
		h.writeError(w, Errorf(http.StatusNotFound, "", "no SCIM endpoint at %s", fault.Quote("/"+strings.Join(segs, "/"))))
		return
	}
	if len(segs) == 1 {
		switch method {
		case http.MethodGet:
			h.ifDeclared(w, rt, MethodList, "GET", func() { h.list(w, r, rt) })
		case http.MethodPost:
			h.ifDeclared(w, rt, MethodCreate, "POST", func() { h.create(w, r, rt) })
		default:
			h.methodNotAllowed(w, "", fmt.Sprintf("%s is not a method of /%s", method, rt.endpoint), rt.allow(MethodList, MethodCreate)...)
		}
		return
	}
	id := segs[1]
	if id == ".search" && method == http.MethodPost {
		h.ifDeclared(w, rt, MethodList, "POST .search", func() { h.search(w, r, rt) })
		return
	}
	switch method {
	case http.MethodGet:
		h.ifDeclared(w, rt, MethodGet, "GET", func() { h.get(w, r, rt, id) })
	case http.MethodPut:
		h.ifDeclared(w, rt, MethodReplace, "PUT", func() { h.replace(w, r, rt, id) })
	case http.MethodPatch:
		h.ifDeclared(w, rt, MethodPatch, "PATCH", func() { h.patch(w, r, rt, id) })
	case http.MethodDelete:
		h.ifDeclared(w, rt, MethodDelete, "DELETE", func() { h.delete(w, r, rt, id) })
	default:
		h.methodNotAllowed(w, "", fmt.Sprintf("%s is not a method of /%s/{id}", method, rt.endpoint), rt.allow(MethodGet, MethodReplace, MethodPatch, MethodDelete)...)
	}
}

// segments splits the escaped path, so that an id holding "%2F" stays one segment,
// and unescapes each, appending them to out (the caller's buffer: a SCIM path has
// one to three). Empty segments ("//Users", "/Users/") are dropped: the Okta agent
// joins paths to a base URL that ends with a slash.
func segments(r *http.Request, out []string) ([]string, bool) {
	rest := r.URL.EscapedPath()
	for rest != "" {
		var s string
		s, rest, _ = strings.Cut(rest, "/")
		if s == "" {
			continue
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		out = append(out, u)
	}
	return out, true
}

func (h *Handler) typeFor(endpoint string) *resourceType {
	for _, rt := range h.types {
		if rt.endpoint == endpoint {
			return rt
		}
	}
	for _, rt := range h.types {
		if strings.EqualFold(rt.endpoint, endpoint) {
			return rt
		}
	}
	return nil
}

// methodNames are the HTTP forms of the Method bits, for Allow and error details.
var methodNames = []struct {
	m    Method
	verb string
	op   string
}{
	{MethodList, http.MethodGet, "list"},
	{MethodCreate, http.MethodPost, "create"},
	{MethodGet, http.MethodGet, "get"},
	{MethodReplace, http.MethodPut, "replace"},
	{MethodPatch, http.MethodPatch, "patch"},
	{MethodDelete, http.MethodDelete, "delete"},
}

// allow lists the HTTP methods a route has for the operations the type declares.
func (rt *resourceType) allow(ms ...Method) []string {
	var out []string
	for _, m := range ms {
		if rt.Methods&m == 0 {
			continue
		}
		for _, n := range methodNames {
			if n.m == m {
				out = append(out, n.verb)
			}
		}
	}
	return out
}

// ifDeclared runs f when the type declares the operation, and answers 405 naming
// the missing operation otherwise: an IdP admin reads this detail in the IdP's
// provisioning log and must learn which operation to add to the configuration.
func (h *Handler) ifDeclared(w http.ResponseWriter, rt *resourceType, m Method, what string, f func()) {
	if rt.Methods&m != 0 {
		f()
		return
	}
	op := ""
	for _, n := range methodNames {
		if n.m == m {
			op = n.op
		}
	}
	var allow []string
	if m == MethodList || m == MethodCreate {
		allow = rt.allow(MethodList, MethodCreate)
	} else {
		allow = rt.allow(MethodGet, MethodReplace, MethodPatch, MethodDelete)
	}
	h.methodNotAllowed(w, "", fmt.Sprintf("%s on %s is not available: the target does not declare a %s operation for %s", what, rt.endpoint, op, rt.Name), allow...)
}

func (h *Handler) methodNotAllowed(w http.ResponseWriter, scimType ScimType, detail string, allow ...string) {
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
	}
	h.writeError(w, &Error{Status: http.StatusMethodNotAllowed, ScimType: scimType, Detail: detail})
}

// onlyGet answers 405 for discovery endpoints, which are read-only.
func (h *Handler) onlyGet(w http.ResponseWriter, method string) bool {
	if method == http.MethodGet {
		return true
	}
	h.methodNotAllowed(w, "", "discovery endpoints are read-only", http.MethodGet)
	return false
}

// protocolEndpoints are the endpoints RFC 7644 §3.2 defines beside those of the
// resource types, in their canonical spelling. Requests match them whatever the
// letter case, and SCIM 1.1's ServiceProviderConfigs names the same document.
var protocolEndpoints = map[string]string{
	"serviceproviderconfig":  "ServiceProviderConfig",
	"serviceproviderconfigs": "ServiceProviderConfig",
	"resourcetypes":          "ResourceTypes",
	"schemas":                "Schemas",
	".search":                ".search",
	"bulk":                   "Bulk",
	"me":                     "Me",
}

// ProtocolEndpoint reports whether a path segment names one of the endpoints the
// protocol defines (discovery, root search, Bulk, Me), whatever its letter case,
// and returns its canonical name.
func ProtocolEndpoint(seg string) (string, bool) {
	return LookupLower(protocolEndpoints, seg)
}

// LookupLower looks name up in m, whose keys are lower case, whatever the letter case of
// name: what m[strings.ToLower(name)] finds, without allocating the lower-cased
// copy for a short ASCII name (a path segment such as "Users", on every request).
func LookupLower(m map[string]string, name string) (string, bool) {
	var buf [64]byte
	if len(name) <= len(buf) {
		ascii := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c >= 0x80 {
				ascii = false
				break
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf[i] = c
		}
		if ascii {
			v, ok := m[string(buf[:len(name)])]
			return v, ok
		}
	}
	v, ok := m[strings.ToLower(name)]
	return v, ok
}

// ProtocolEndpoints lists the protocol's endpoints in their canonical spelling,
// the SCIM 1.1 name included.
func ProtocolEndpoints() []string {
	var out []string
	for lower, name := range protocolEndpoints {
		if strings.EqualFold(lower, name) {
			out = append(out, name)
		}
	}
	out = append(out, "ServiceProviderConfigs")
	sort.Strings(out)
	return out
}
