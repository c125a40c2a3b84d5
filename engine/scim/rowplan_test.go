package scim

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// plannedLayouts are layouts of the shapes a plan writes: a table's plain
// columns as attributes, sub-attributes, extension attributes, value-filtered
// elements and meta's dates.
var plannedLayouts = map[string][]string{
	"benchmark": {"userName", "name.givenName", "name.familyName", `emails[type eq "work"].value`, "active"},
	"wide": {"userName", "externalId", "displayName", "title", "name.givenName", "name.familyName", "name.formatted",
		`emails[type eq "work"].value`, `emails[type eq "home"].value`, `emails[type eq "work"].primary`,
		`phoneNumbers[type eq "mobile"].value`, enterprise + ":department", enterprise + ":manager.value",
		enterprise + ":employeeNumber", "meta.created", "meta.lastModified", "active", "userType", "locale"},
	"extension only": {"userName", enterprise + ":costCenter"},
	"primary filter": {"userName", `emails[primary eq true].value`, `emails[type eq "other"].value`},
	// A filter on what a later path sets: the element is chosen before.
	"setter after the filter": {"userName", `phoneNumbers[type eq "mobile"].value`, `phoneNumbers[primary eq true].value`,
		`phoneNumbers[primary eq true].type`},
	// Attributes a store reads apart from the list statement, set whole.
	"attached": {"userName", "title", `emails[type eq "work"].value`, "phoneNumbers", "groups", "entitlements", "roles"},
}

// unplannedLayouts are layouts whose resources the general way must write.
var unplannedLayouts = map[string][]string{
	"password":           {"userName", "password"},
	"stored version":     {"userName", "meta.version"},
	"constant overwrite": {"userName", `emails[type eq "work"].value`, `emails[type eq "work"].type`},
	"one path twice":     {"userName", "title", "title"},
	// The element a value lands in depends on values: a filter tests what
	// another path sets.
	"filter on a set value": {"userName", `phoneNumbers[primary eq true].value`, `phoneNumbers[primary eq true].type`,
		`phoneNumbers[type eq "mobile"].value`},
	"filter on a set flag":       {"userName", `emails[type eq "work"].primary`, `emails[primary eq true].value`},
	"filter on a set value, not": {"userName", `emails[type eq "work"].value`, `emails[not (value eq "x")].display`},
	"filter on a set value, with the core URN": {"userName", `phoneNumbers[primary eq true].value`, `phoneNumbers[primary eq true].type`,
		`urn:ietf:params:scim:schemas:core:2.0:User:phoneNumbers[type eq "mobile"].value`},
}

func userType(t *testing.T) (*Handler, *resourceType) {
	t.Helper()
	h := NewHandler(Config{ResourceTypes: []ResourceType{{ID: "User", Name: "User", Endpoint: "Users", Schema: resource.UserSchema(),
		Extensions: []*resource.Schema{resource.EnterpriseUserSchema()}, Methods: allMethods}}})
	return h, h.types[0]
}

// randomValue is a value a store may hand over for a mapped column: text that
// JSON must escape (quotes, control characters, U+2028, invalid UTF-8), booleans,
// integers, decimals, or nothing.
func randomValue(rng *rand.Rand) any {
	texts := []string{"mobile", "work", "Work", "ada", "Ada Lovelace", `q"uote\back`, "line\nbreak\ttab", "\u2028sep\u2029", "é ü ß 日本", "\xff\xfe bad", "<a&b>", "", " "}
	switch rng.IntN(8) {
	case 0:
		return nil
	case 7: // a multi-valued attribute's values, as a store reads them whole
		var l []any
		for range 1 + rng.IntN(4) {
			l = append(l, map[string]any{"value": texts[rng.IntN(len(texts))], "type": []string{"work", "home"}[rng.IntN(2)], "display": randomValue(rng)})
		}
		return l
	case 1:
		return rng.IntN(2) == 0
	case 2:
		return int64(rng.IntN(2000) - 1000)
	case 3:
		return float64(rng.IntN(1000)) / 8
	default:
		return texts[rng.IntN(len(texts))]
	}
}

// TestRowPlanWritesWhatPresentWrites checks that a plan writes every row as the
// general way writes the resource the layout makes of it, meta.version (the
// content ETag) included, byte for byte, over random rows.
func TestRowPlanWritesWhatPresentWrites(t *testing.T) {
	h, rt := userType(t)
	pr := resource.NewProjector(rt.ss, resource.Projection{})
	rng := rand.New(rand.NewPCG(1, 2))
	for name, paths := range plannedLayouts {
		t.Run(name, func(t *testing.T) {
			l := resource.NewLayout(paths...)
			p := newRowPlan(h, rt, l)
			if p == nil {
				t.Fatalf("no plan for %v", paths)
			}
			var general, planned bytes.Buffer
			for round := range 3000 {
				vals := make([]any, l.Len())
				for i := range vals {
					vals[i] = randomValue(rng)
				}
				if round%5 != 0 {
					vals[0] = "id-" + strconv.Itoa(round) + []string{"", "/with space", "é"}[round%3]
				}
				res, err := l.Resource(vals)
				if err != nil {
					t.Fatal(err)
				}
				general.Reset()
				planned.Reset()
				base := "https://scim.example.com/scim/v2/t" + []string{"", "\"q\""}[round%2]
				if err := h.present(rt, res, base, pr, true).appendJSON(&general); err != nil {
					t.Fatal(err)
				}
				if _, err := p.appendRow(&planned, vals, base); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(general.Bytes(), planned.Bytes()) {
					t.Fatalf("row %#v:\ngeneral %s\nplanned %s", vals, general.Bytes(), planned.Bytes())
				}
			}
		})
	}
}

// TestRowPlanRefuses checks that layouts whose presentation a plan cannot
// reproduce get none.
func TestRowPlanRefuses(t *testing.T) {
	h, rt := userType(t)
	for name, paths := range unplannedLayouts {
		if p := newRowPlan(h, rt, resource.NewLayout(paths...)); p != nil {
			t.Errorf("%s: a plan for %v", name, paths)
		}
	}
	schemaless := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "User"}}})
	if p := newRowPlan(schemaless, schemaless.types[0], resource.NewLayout("userName")); p != nil {
		t.Error("a plan for a type without a schema")
	}
}

// rowStore is a store whose list answers with the rows it holds, as Rows when
// asked for them and as resources otherwise.
type rowStore struct {
	resource.Store
	rows   *resource.Rows
	never  bool // answer with resources even when asked for rows
	asRows []bool
	gets   int // Get and GetRow calls
}

func (s *rowStore) List(_ context.Context, q resource.Query) (*resource.Page, error) {
	s.asRows = append(s.asRows, q.AsRows)
	if q.AsRows && !s.never {
		return &resource.Page{Total: s.rows.Len(), Rows: s.rows}, nil
	}
	all, err := s.rows.Resources()
	return &resource.Page{Total: len(all), Resources: all}, err
}

func (s *rowStore) Get(_ context.Context, id string, _ resource.Projection) (resource.Resource, error) {
	s.gets++
	for i := range s.rows.Len() {
		if s.rows.Row(i)[0] == id {
			return s.rows.Layout.Resource(s.rows.Row(i))
		}
	}
	return nil, fault.New(fault.NotFound, "User %q not found", id)
}

func (s *rowStore) GetRow(_ context.Context, id string, _ resource.Projection) (*resource.Rows, error) {
	if s.never {
		return nil, nil
	}
	s.gets++
	for i := range s.rows.Len() {
		if s.rows.Row(i)[0] == id {
			return &resource.Rows{Layout: s.rows.Layout, Values: s.rows.Row(i)}, nil
		}
	}
	return nil, fault.New(fault.NotFound, "User %q not found", id)
}

// TestListAnswersRowsAsResources checks that a list page handed over as rows
// gets the answer the same page handed over as resources gets, planned or not,
// and that only a page asked for whole is asked for as rows.
func TestListAnswersRowsAsResources(t *testing.T) {
	for _, paths := range [][]string{plannedLayouts["wide"], unplannedLayouts["password"]} {
		l := resource.NewLayout(paths...)
		rng := rand.New(rand.NewPCG(3, 4))
		rows := &resource.Rows{Layout: l}
		for i := range 40 {
			vals := make([]any, l.Len())
			for j := range vals {
				vals[j] = randomValue(rng)
			}
			vals[0] = "u" + strconv.Itoa(i)
			rows.Values = append(rows.Values, vals...)
		}
		var reads int // the store's reads of the last answer
		answer := func(target string, asRows bool, header ...string) (string, []bool) {
			st := &rowStore{rows: rows, never: !asRows}
			h := NewHandler(Config{ResourceTypes: []ResourceType{{ID: "User", Name: "User", Endpoint: "Users", Schema: resource.UserSchema(),
				Extensions: []*resource.Schema{resource.EnterpriseUserSchema()}, Methods: allMethods, Store: st}}})
			req := httptest.NewRequest("GET", target, nil)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			req = req.WithContext(WithBaseURL(req.Context(), "https://scim.example.com/scim/v2/t"))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			reads = st.gets
			return fmt.Sprint(rec.Code, " ", rec.Header().Get("ETag"), " ", rec.Header().Get("Content-Type"), "\n", rec.Body.String()), st.asRows
		}
		for _, target := range []string{"/Users", "/Users?count=7", "/Users?attributes=userName", "/Users?excludedAttributes=emails"} {
			planned, asked := answer(target, true)
			general, _ := answer(target, false)
			if planned != general {
				t.Errorf("%v %s:\nas rows      %s\nas resources %s", paths, target, planned, general)
			}
			if want := target == "/Users" || target == "/Users?count=7"; asked[0] != want {
				t.Errorf("%s asked for rows: %v, want %v", target, asked[0], want)
			}
		}
		// A GET: whole, projected, conditional, and of a user that is not there.
		for _, target := range []string{"/Users/u3", "/Users/u17?attributes=emails", "/Users/u40"} {
			planned, _ := answer(target, true)
			if reads != 1 {
				t.Errorf("%v GET %s read the store %d times", paths, target, reads)
			}
			general, _ := answer(target, false)
			if planned != general {
				t.Errorf("%v GET %s:\nas a row      %s\nas a resource %s", paths, target, planned, general)
			}
		}
		general, _ := answer("/Users/u5", false)
		etag := strings.Fields(general)[1]
		for _, h := range [][]string{{"If-None-Match", etag}, {"If-Match", etag}, {"If-Match", `W/"other"`}} {
			planned, _ := answer("/Users/u5", true, h...)
			general, _ := answer("/Users/u5", false, h...)
			if planned != general {
				t.Errorf("%v GET with %v:\nas a row      %s\nas a resource %s", paths, h, planned, general)
			}
		}
	}
}

// BenchmarkPlanPage writes through a plan the page BenchmarkPresentPage
// presents: 100 users, one row each.
func BenchmarkPlanPage(b *testing.B) {
	h := NewHandler(Config{ResourceTypes: []ResourceType{{Name: "User", Endpoint: "Users",
		Schema: resource.UserSchema(), Extensions: []*resource.Schema{resource.EnterpriseUserSchema()}}}})
	rt := h.types[0]
	l := resource.NewLayout("userName", "externalId", "name.givenName", "name.familyName", `emails[type eq "work"].value`,
		`emails[type eq "work"].primary`, "active", "title", "displayName", "meta.created", "meta.lastModified")
	p := newRowPlan(h, rt, l)
	if p == nil {
		b.Fatal("no plan")
	}
	rows := &resource.Rows{Layout: l}
	for i := range 100 {
		rows.Values = append(rows.Values, strconv.Itoa(i+1), "user"+strconv.Itoa(i)+"@example.com", "ext-"+strconv.Itoa(i),
			"Barbara", "Jensen", "user"+strconv.Itoa(i)+"@example.com", true, true, nil, "Barbara Jensen",
			"2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z")
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		for i := range rows.Len() {
			if _, err := p.appendRow(&buf, rows.Row(i), "https://h/scim/v2"); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestRowPlanFailsAsPresentFails checks that a value JSON cannot hold fails
// through a plan as it fails the general way, instead of writing broken JSON.
func TestRowPlanFailsAsPresentFails(t *testing.T) {
	h, rt := userType(t)
	l := resource.NewLayout("userName", "title")
	p := newRowPlan(h, rt, l)
	if p == nil {
		t.Fatal("no plan")
	}
	vals := []any{"u1", "bjensen", math.NaN()}
	res, err := l.Resource(vals)
	if err != nil {
		t.Fatal(err)
	}
	var general, planned bytes.Buffer
	errGeneral := h.present(rt, res, "https://h", resource.NewProjector(rt.ss, resource.Projection{}), true).appendJSON(&general)
	_, errPlanned := p.appendRow(&planned, vals, "https://h")
	if errGeneral == nil || errPlanned == nil {
		t.Errorf("NaN: general way %v, plan %v", errGeneral, errPlanned)
	}
}
