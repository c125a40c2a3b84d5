package scim

import (
	"net/http"
	"strings"

	"github.com/dbscim/dbscim/engine/resource"
)

// projectionOf reads attributes / excludedAttributes from the query string.
func projectionOf(r *http.Request) resource.Projection {
	q := queryParams(r)
	return resource.ParseProjection(q["attributes"], q["excludedattributes"])
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) {
	p := projectionOf(r)
	base := requestBaseURL(r)
	// A projection may let the store leave attributes out; a conditional request
	// needs the whole resource's version, so it reads everything.
	fetch, complete := p, !rt.ss.Partial(p)
	if !complete && conditional(r) {
		fetch, complete = resource.Projection{}, true
	}
	var res resource.Resource
	read := false // whether res is the resource, read as a row
	if rg, ok := rt.Store.(resource.RowGetter); ok && len(p.Attributes) == 0 && len(p.Excluded) == 0 && !conditional(r) {
		// The whole resource, unconditionally: its row may be written through
		// the plan list pages use (rowplan.go); without one, the row is the
		// resource, not read again.
		rows, err := rg.GetRow(r.Context(), id, p)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if rows.Len() == 1 {
			if plan := h.planFor(rt, rows.Layout); plan != nil {
				h.writeRow(w, r, plan, rows.Row(0), base)
				return
			}
			if res, err = rows.Layout.Resource(rows.Row(0)); err != nil {
				h.fail(w, r, err)
				return
			}
			read = true
		}
	}
	if !read {
		var err error
		if res, err = rt.Store.Get(r.Context(), id, fetch); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if res == nil {
		h.writeError(w, ErrNotFound(rt.Name, id))
		return
	}
	o := h.present(rt, res, base, resource.NewProjector(rt.ss, p), complete)
	if tags := splitTags(r.Header.Values("If-Match")); len(tags) > 0 && !tagsMatch(tags, o.etag) {
		if o.etag != "" {
			w.Header().Set("ETag", o.etag)
		}
		h.writeError(w, Errorf(http.StatusPreconditionFailed, "", "the resource changed: its version is %s, not %s (If-Match)", o.etag, strings.Join(tags, ", ")))
		return
	}
	if tags := splitTags(r.Header.Values("If-None-Match")); len(tags) > 0 && tagsMatch(tags, o.etag) {
		if o.etag != "" {
			w.Header().Set("ETag", o.etag)
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.writeResource(w, http.StatusOK, o, base)
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request, rt *resourceType) {
	c, ignored, e := readWrite(r, rt, resource.OpCreate)
	if len(ignored) > 0 {
		h.log.DebugContext(r.Context(), "scim: attributes this target does not serve were ignored", "method", r.Method, "path", r.URL.Path, "attributes", ignored)
	}
	if e != nil {
		h.writeError(w, e)
		return
	}
	stored, err := rt.Store.Create(r.Context(), c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerWrite(w, r, rt, stored, http.StatusCreated)
}

func (h *Handler) replace(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) {
	c, ignored, e := readWrite(r, rt, resource.OpReplace)
	if len(ignored) > 0 {
		h.log.DebugContext(r.Context(), "scim: attributes this target does not serve were ignored", "method", r.Method, "path", r.URL.Path, "attributes", ignored)
	}
	if e != nil {
		h.writeError(w, e)
		return
	}
	if !h.checkIfMatch(w, r, rt, id) {
		return
	}
	stored, err := rt.Store.Replace(r.Context(), id, c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerWrite(w, r, rt, stored, http.StatusOK)
}

func (h *Handler) patch(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) {
	body, e := decodePatch(r.Context(), r, rt.hasMembers())
	if e != nil {
		h.writeError(w, e)
		return
	}
	ops, e := parsePatch(r.Context(), rt.ss, body, id)
	if e != nil {
		h.writeError(w, e)
		return
	}
	c, e := patchChange(rt, ops)
	if e != nil {
		h.writeError(w, e)
		return
	}
	if !h.checkIfMatch(w, r, rt, id) {
		return
	}
	stored, err := rt.Store.Patch(r.Context(), id, c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p := projectionOf(r); stored == nil && (len(p.Attributes) > 0 || len(p.Excluded) > 0) {
		// RFC 7644 §3.5.2: a PATCH with "attributes" is answered 200 with the
		// resource, also by a store that prefers 204.
		res, err := rt.Store.Get(r.Context(), id, p)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if res == nil {
			h.fail(w, r, errNilResource)
			return
		}
		base := requestBaseURL(r)
		h.writeResource(w, http.StatusOK, h.present(rt, res, base, resource.NewProjector(rt.ss, p), !rt.ss.Partial(p)), base)
		return
	}
	if stored == nil {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.answerWrite(w, r, rt, stored, http.StatusOK)
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, rt *resourceType, id string) {
	if !h.checkIfMatch(w, r, rt, id) {
		return
	}
	if err := rt.Store.Delete(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusNoContent)
}

// answerWrite answers POST, PUT and PATCH with the stored resource, projected as
// the query string asks (RFC 7644 §3.9 applies attributes to these too).
func (h *Handler) answerWrite(w http.ResponseWriter, r *http.Request, rt *resourceType, stored resource.Resource, status int) {
	if stored == nil {
		h.fail(w, r, errNilResource)
		return
	}
	base := requestBaseURL(r)
	h.writeResource(w, status, h.present(rt, stored, base, resource.NewProjector(rt.ss, projectionOf(r)), true), base)
}

type nilResourceError struct{}

// Error implements error.
func (nilResourceError) Error() string { return "scim: store returned neither a resource nor an error" }

var errNilResource error = nilResourceError{}

// prepareWrite turns a POST or PUT body into what Store.Create and Store.Replace
// receive: names canonical, "True"/"False" as booleans, single elements of
// multi-valued attributes wrapped in arrays; "schemas" and the read-only
// attributes a client sends back (id, meta, groups, manager.displayName) removed;
// required attributes present. password stays: writeOnly means the store may use
// it, the handler just never returns it.
func prepareWrite(rt *resourceType, body map[string]any) (resource.Resource, *Error) {
	ss := rt.ss
	res := resource.Canonicalize(body, rt.schemas...)
	delete(res, "schemas")
	for k, v := range res {
		if ss.Core() == nil {
			if strings.EqualFold(k, "id") || strings.EqualFold(k, "meta") {
				delete(res, k)
			}
			continue
		}
		if ext := ss.Extension(k); ext != nil {
			m, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return nil, Errorf(400, InvalidValue, "%s must be an object", k)
			}
			if e := prepareObject(m, ext.Attributes, k); e != nil {
				return nil, e
			}
			continue
		}
		a := resource.FindAttribute(ss.Core().Attributes, k)
		if a == nil {
			a = resource.FindAttribute(resource.CommonAttributes, k)
		}
		if a == nil {
			continue
		}
		if a.ReadOnly() {
			delete(res, k)
			continue
		}
		if v == nil {
			continue
		}
		cv, e := checkedValue(a, v)
		if e != nil {
			return nil, e
		}
		res[k] = cv
	}
	if ss.Core() != nil {
		for _, a := range ss.Core().Attributes {
			if !a.Required {
				continue
			}
			if _, v, _ := resource.Lookup(res, a.Name); resource.IsEmpty(v) {
				return nil, Errorf(400, InvalidValue, "%s is required", a.Name)
			}
		}
	}
	return res, nil
}

// prepareObject applies prepareWrite's rules inside an extension object.
func prepareObject(m map[string]any, attrs []*resource.Attribute, path string) *Error {
	for k, v := range m {
		a := resource.FindAttribute(attrs, k)
		if a == nil || v == nil {
			continue
		}
		if a.ReadOnly() {
			delete(m, k)
			continue
		}
		cv, e := checkedValue(a, v)
		if e != nil {
			return e
		}
		m[k] = cv
	}
	return nil
}

// checkedValue type-checks a value and strips read-only sub-attributes.
func checkedValue(a *resource.Attribute, v any) (any, *Error) {
	cv, err := resource.ValueFor(a, v, false, a.Name)
	if err != nil {
		return nil, toError(err)
	}
	if a.Type == resource.TypeComplex {
		cv = resource.MapElements(cv, func(m map[string]any) map[string]any {
			for k := range m {
				if a.SubAttribute(k).ReadOnly() {
					delete(m, k)
				}
			}
			return m
		})
	}
	return cv, nil
}
