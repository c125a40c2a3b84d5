package scim

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// listRequest is a list query from the query string or a SearchRequest body.
type listRequest struct {
	filter     string
	startIndex int
	count      int // -1: not given
	sortBy     string
	sortOrder  string
	projection resource.Projection
}

// listResponse is RFC 7644 §3.4.2's ListResponse. Resources is always present,
// empty when nothing matches: some clients do not tolerate its absence.
type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

// queryParams reads the query string with lower-cased names: RFC 7644 spells them
// startIndex, count, ..., but clients vary. It reads the string as url.ParseQuery
// does (pairs split at "&", a pair holding ";" or failing to unescape left out),
// straight into the one map it returns: a lookup sends one or two parameters, and
// a request without a query string makes no map at all. A query of more pairs than
// any SCIM request has goes through url.Values, which also applies its bound on
// their number.
func queryParams(r *http.Request) map[string][]string {
	query := r.URL.RawQuery
	if query == "" {
		return nil
	}
	if strings.Count(query, "&") >= 32 {
		out := map[string][]string{}
		for k, vs := range r.URL.Query() {
			lk := strings.ToLower(k)
			out[lk] = append(out[lk], vs...)
		}
		return out
	}
	out := make(map[string][]string, 2)
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if pair == "" || strings.Contains(pair, ";") {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			continue
		}
		lk := strings.ToLower(k)
		out[lk] = append(out[lk], v)
	}
	return out
}

func first(vs []string) (string, bool) {
	if len(vs) == 0 {
		return "", false
	}
	return vs[0], true
}

// listFromQuery parses GET parameters.
func listFromQuery(r *http.Request) (listRequest, *Error) {
	q := queryParams(r)
	lr := listRequest{startIndex: 1, count: -1}
	lr.filter, _ = first(q["filter"])
	lr.sortBy, _ = first(q["sortby"])
	lr.sortOrder, _ = first(q["sortorder"])
	lr.projection = resource.ParseProjection(q["attributes"], q["excludedattributes"])
	if s, ok := first(q["startindex"]); ok && strings.TrimSpace(s) != "" {
		n, e := parseInt("startIndex", s)
		if e != nil {
			return lr, e
		}
		lr.startIndex = n
	}
	if s, ok := first(q["count"]); ok && strings.TrimSpace(s) != "" {
		n, e := parseInt("count", s)
		if e != nil {
			return lr, e
		}
		lr.count = max(n, 0)
	}
	lr.startIndex = max(lr.startIndex, 1)
	return lr, nil
}

// parseInt reads an integer parameter; values beyond int32 are clamped rather
// than refused, since they mean "everything" or "past the end" anyway.
func parseInt(name, s string) (int, *Error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(strings.TrimSpace(s), "-") {
				return math.MinInt32, nil
			}
			return math.MaxInt32, nil
		}
		return 0, Errorf(400, InvalidValue, "%s must be an integer, not %s", name, fault.Quote(s))
	}
	return int(max(min(n, math.MaxInt32), math.MinInt32)), nil
}

// listFromBody parses a SearchRequest (RFC 7644 §3.4.3).
func listFromBody(body map[string]any) (listRequest, *Error) {
	lr := listRequest{startIndex: 1, count: -1}
	str := func(name string) (string, *Error) {
		v, _ := field(body, name)
		if v == nil {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", Errorf(400, InvalidValue, "%s must be a string", name)
		}
		return s, nil
	}
	num := func(name string) (int, bool, *Error) {
		v, _ := field(body, name)
		switch v := v.(type) {
		case nil:
			return 0, false, nil
		case float64:
			if v != math.Trunc(v) {
				return 0, false, Errorf(400, InvalidValue, "%s must be an integer", name)
			}
			return int(max(min(v, math.MaxInt32), math.MinInt32)), true, nil
		case string:
			n, e := parseInt(name, v)
			return n, e == nil, e
		}
		return 0, false, Errorf(400, InvalidValue, "%s must be an integer", name)
	}
	var e *Error
	if lr.filter, e = str("filter"); e != nil {
		return lr, e
	}
	if lr.sortBy, e = str("sortBy"); e != nil {
		return lr, e
	}
	if lr.sortOrder, e = str("sortOrder"); e != nil {
		return lr, e
	}
	if n, ok, e := num("startIndex"); e != nil {
		return lr, e
	} else if ok {
		lr.startIndex = max(n, 1)
	}
	if n, ok, e := num("count"); e != nil {
		return lr, e
	} else if ok {
		lr.count = max(n, 0)
	}
	attrs, _ := field(body, "attributes")
	excl, _ := field(body, "excludedAttributes")
	a, ok1 := resource.StringList(attrs)
	x, ok2 := resource.StringList(excl)
	if !ok1 || !ok2 {
		return lr, Errorf(400, InvalidValue, "attributes and excludedAttributes must be arrays of strings")
	}
	lr.projection = resource.ParseProjection(a, x)
	return lr, nil
}

// query turns a list request into the Query a store receives for one type.
func (h *Handler) query(rt *resourceType, lr listRequest, expr filter.Expression) (resource.Query, *Error) {
	q := resource.Query{Filter: expr, StartIndex: lr.startIndex, Count: lr.count, Projection: lr.projection}
	if q.Count < 0 || q.Count > h.cfg.MaxResults {
		q.Count = h.cfg.MaxResults
	}
	if expr != nil {
		if err := rt.ss.CheckFilter(expr, nil, false); err != nil {
			return q, toError(err)
		}
	}
	if h.cfg.Sort && strings.TrimSpace(lr.sortBy) != "" {
		ap, err := filter.ParseAttrPath(strings.TrimSpace(lr.sortBy))
		if err != nil {
			return q, Errorf(400, InvalidValue, "sortBy %s is not an attribute path", fault.Quote(lr.sortBy))
		}
		if t, ok := rt.ss.Resolve(ap, nil); ok && t.CompareAttr().ReturnWhen() == resource.ReturnedNever {
			return q, Errorf(400, InvalidValue, "cannot sort by %s", lr.sortBy)
		}
		q.SortBy = strings.TrimSpace(lr.sortBy)
		switch strings.ToLower(strings.TrimSpace(lr.sortOrder)) {
		case "", "ascending":
		case "descending":
			q.Descending = true
		default:
			return q, Errorf(400, InvalidValue, "sortOrder must be ascending or descending, not %s", fault.Quote(lr.sortOrder))
		}
	}
	return q, nil
}

func parseListFilter(s string) (filter.Expression, *Error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	expr, err := filter.Parse(s)
	if err != nil {
		return nil, toError(err)
	}
	return expr, nil
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request, rt *resourceType) {
	lr, e := listFromQuery(r)
	if e != nil {
		h.writeError(w, e)
		return
	}
	h.runList(w, r, rt, lr)
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request, rt *resourceType) {
	body, e := decodeObject(r)
	if e != nil {
		h.writeError(w, e)
		return
	}
	lr, e := listFromBody(body)
	if e != nil {
		h.writeError(w, e)
		return
	}
	h.runList(w, r, rt, lr)
}

func (h *Handler) runList(w http.ResponseWriter, r *http.Request, rt *resourceType, lr listRequest) {
	expr, e := parseListFilter(lr.filter)
	if e != nil {
		h.writeError(w, e)
		return
	}
	q, e := h.query(rt, lr, expr)
	if e != nil {
		h.writeError(w, e)
		return
	}
	// A page asked for whole may come as rows, which a plan writes without
	// building the resources (rowplan.go).
	q.AsRows = len(q.Projection.Attributes) == 0 && len(q.Projection.Excluded) == 0
	page, err := rt.Store.List(r.Context(), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var plan *rowPlan
	if page != nil && page.Rows != nil {
		if plan = h.planFor(rt, page.Rows.Layout); plan == nil {
			if page.Resources, err = page.Rows.Resources(); err != nil {
				h.fail(w, r, err)
				return
			}
		}
	}
	resp := listResponse{Schemas: []string{ListResponseURN}, StartIndex: q.StartIndex}
	var resources []resource.Resource
	n := 0 // resources on the page
	if page != nil {
		resp.TotalResults = page.Total
		// A store that ignores Count must not exceed maxResults.
		if plan != nil {
			n = min(page.Rows.Len(), max(q.Count, 0))
		} else {
			resources = page.Resources[:min(len(page.Resources), max(q.Count, 0))]
			n = len(resources)
		}
	}
	resp.ItemsPerPage = n
	if resp.ItemsPerPage > 0 {
		// A store that under-reports its total must not produce a page that ends
		// beyond totalResults: clients stop paging there.
		resp.TotalResults = max(resp.TotalResults, q.StartIndex-1+resp.ItemsPerPage)
	}
	// The page is written straight into the response: each resource as soon as
	// it is presented, neither its stored nor its presented form kept, so that a
	// page of 1000 holds one resource at a time besides its JSON.
	buf := responseBuffers.Get().(*bytes.Buffer)
	defer putResponseBuffer(buf)
	resp.appendHead(buf)
	base, pr := requestBaseURL(r), resource.NewProjector(rt.ss, q.Projection)
	complete := !rt.ss.Partial(q.Projection)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		start := buf.Len()
		if plan != nil {
			if _, err := plan.appendRow(buf, page.Rows.Row(i), base); err != nil {
				h.fail(w, r, err)
				return
			}
		} else {
			if err := h.present(rt, resources[i], base, pr, complete).appendJSON(buf); err != nil {
				h.fail(w, r, err)
				return
			}
			resources[i] = nil
		}
		if i == 0 {
			// The first resource tells the size of the page, which spares the
			// buffer its doublings.
			buf.Grow((buf.Len() - start + 1) * (n - 1))
		}
	}
	buf.WriteString("]}\n")
	h.writeBytes(w, http.StatusOK, buf.Bytes())
}

// rootSearch answers POST /.search across every listable type (RFC 7644 §3.4.3),
// paging through the types in configuration order. A filter is checked per type;
// sorting applies within each type.
func (h *Handler) rootSearch(w http.ResponseWriter, r *http.Request) {
	body, e := decodeObject(r)
	if e != nil {
		h.writeError(w, e)
		return
	}
	lr, e := listFromBody(body)
	if e != nil {
		h.writeError(w, e)
		return
	}
	expr, e := parseListFilter(lr.filter)
	if e != nil {
		h.writeError(w, e)
		return
	}
	base := requestBaseURL(r)
	resp := listResponse{Schemas: []string{ListResponseURN}, StartIndex: lr.startIndex, Resources: []any{}}
	skip := lr.startIndex - 1
	want := lr.count
	if want < 0 || want > h.cfg.MaxResults {
		want = h.cfg.MaxResults
	}
	for _, rt := range h.types {
		if rt.Methods&MethodList == 0 {
			continue
		}
		sub := lr
		sub.startIndex, sub.count = skip+1, want-len(resp.Resources)
		q, e := h.query(rt, sub, expr)
		if e != nil {
			h.writeError(w, e)
			return
		}
		page, err := rt.Store.List(r.Context(), q)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if page == nil {
			continue
		}
		resp.TotalResults += page.Total
		skip = max(skip-page.Total, 0)
		pr, complete := resource.NewProjector(rt.ss, q.Projection), !rt.ss.Partial(q.Projection)
		for _, res := range page.Resources {
			if len(resp.Resources) >= want {
				break
			}
			resp.Resources = append(resp.Resources, h.present(rt, res, base, pr, complete))
		}
	}
	resp.ItemsPerPage = len(resp.Resources)
	h.writeJSON(w, http.StatusOK, &resp)
}

var _ json.Marshaler = (*outResource)(nil)
