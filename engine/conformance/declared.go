package conformance

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// testDeclaredSchema checks that what /Schemas declares is what the target
// serves: a user created with a value for every attribute /Schemas lists as
// writable reads back with every one of them (RFC 7643 §7; Entra's validator
// sends exactly what /Schemas declares, and a value accepted with 201 and lost
// is a silent failure).
func testDeclaredSchema(t *testing.T, e *env) {
	run(t, e, "WritableRoundTrip", func(t testing.TB) {
		e.needs(t, UsersCreate, UsersGet)
		rt := e.do(t, "GET", "/ResourceTypes/User", "")
		rt.want(t, 200)
		urns := []string{fmt.Sprint(rt.body["schema"])}
		for _, x := range list(rt.body["schemaExtensions"]) {
			urns = append(urns, fmt.Sprint(obj(x)["schema"]))
		}
		// Short values: legacy columns are narrow.
		stamp := fmt.Sprint(time.Now().UnixNano() % 1000000)
		manager := ""
		body := map[string]any{"schemas": urns}
		var checks []check
		type managedAttr struct {
			dst  map[string]any
			attr schemaAttr
		}
		var managed []managedAttr
		for i, urn := range urns {
			sr := e.do(t, "GET", "/Schemas/"+urn, "")
			sr.want(t, 200)
			var attrs []schemaAttr
			b, _ := json.Marshal(sr.body["attributes"])
			if err := json.Unmarshal(b, &attrs); err != nil {
				t.Fatalf("/Schemas/%s: %v", urn, err)
			}
			dst := body
			if i > 0 {
				dst = map[string]any{}
				body[urn] = dst
			}
			for _, a := range attrs {
				if !a.writable() || skipRoundTrip[strings.ToLower(a.Name)] {
					continue
				}
				name := a.Name
				if i > 0 {
					name = urn + ":" + a.Name
				}
				if strings.EqualFold(a.Name, "manager") {
					managed = append(managed, managedAttr{dst, a})
					continue
				}
				v := a.sample(stamp, manager)
				dst[a.Name] = v
				checks = append(checks, check{path: name, urn: urn, core: i == 0, attr: a, want: v})
			}
		}
		if len(managed) > 0 {
			// The manager is a user of its own, made with the same values (a
			// target may require some) under another userName.
			body["userName"] = "mg" + stamp + "@ex.com"
			raw, _ := json.Marshal(body)
			m := e.do(t, "POST", "/Users", string(raw))
			m.want(t, 201)
			manager = fmt.Sprint(m.body["id"])
			body["userName"] = "rt" + stamp + "@ex.com"
			for _, ma := range managed {
				v := ma.attr.sample(stamp, manager)
				ma.dst[ma.attr.Name] = v
				checks = append(checks, check{path: "manager", urn: urns[len(urns)-1], attr: ma.attr, want: v})
				for i, urn := range urns {
					if i > 0 && body[urn] != nil && fmt.Sprint(body[urn]) == fmt.Sprint(ma.dst) {
						checks[len(checks)-1].urn = urn
					}
				}
			}
		}
		raw, _ := json.Marshal(body)
		created := e.do(t, "POST", "/Users", string(raw))
		created.want(t, 201)
		got := e.do(t, "GET", "/Users/"+fmt.Sprint(created.body["id"]), "")
		got.want(t, 200)
		for _, c := range checks {
			src := got.body
			if !c.core {
				src = obj(got.body[c.urn])
			}
			if !c.attr.returned() {
				continue
			}
			if !holds(src[c.attr.Name], c.want) {
				t.Errorf("%s: sent %v, read back %v: /Schemas lists it as writable", c.path, c.want, src[c.attr.Name])
			}
		}
	})
}

// skipRoundTrip are attributes whose values must name things that exist (groups,
// grants) or that a user cannot hold a made-up value of.
var skipRoundTrip = map[string]bool{"groups": true, "roles": true, "entitlements": true, "x509certificates": true, "members": true}

type check struct {
	path, urn string
	core      bool
	attr      schemaAttr
	want      any
}

type schemaAttr struct {
	Name            string       `json:"name"`
	Type            string       `json:"type"`
	MultiValued     bool         `json:"multiValued"`
	Mutability      string       `json:"mutability"`
	Returned        string       `json:"returned"`
	CanonicalValues []string     `json:"canonicalValues"`
	SubAttributes   []schemaAttr `json:"subAttributes"`
}

func (a schemaAttr) writable() bool {
	return a.Mutability != "readOnly"
}

func (a schemaAttr) returned() bool { return a.Returned != "never" && a.Mutability != "writeOnly" }

// sample is a value of the attribute's type: a canonical value when it has some.
func (a schemaAttr) sample(stamp, manager string) any {
	switch a.Type {
	case "complex":
		m := map[string]any{}
		for _, s := range a.SubAttributes {
			if !s.writable() || s.Type == "reference" && !strings.EqualFold(s.Name, "value") {
				continue
			}
			if strings.EqualFold(a.Name, "manager") && strings.EqualFold(s.Name, "value") {
				m[s.Name] = manager
				continue
			}
			if strings.EqualFold(s.Name, "primary") {
				continue // one element: primary says nothing, and a store may not keep it
			}
			m[s.Name] = s.sample(stamp, manager)
		}
		if a.MultiValued {
			return []any{m}
		}
		return m
	case "boolean":
		return true
	case "integer":
		return float64(7)
	case "decimal":
		return 7.5
	case "dateTime":
		return "2026-01-02T03:04:05Z"
	}
	if len(a.CanonicalValues) > 0 {
		return a.CanonicalValues[0]
	}
	if strings.EqualFold(a.Name, "userName") {
		return "rt" + stamp + "@ex.com"
	}
	n := a.Name
	if len(n) > 3 {
		n = n[:3]
	}
	return n + stamp
}

// holds says whether a value read back carries what was sent: every sent
// sub-attribute of some element, strings compared ignoring case.
func holds(got, want any) bool {
	switch w := want.(type) {
	case []any:
		for _, x := range w {
			found := false
			for _, g := range list(got) {
				found = found || holds(g, x)
			}
			if !found {
				return false
			}
		}
		return true
	case map[string]any:
		g := obj(got)
		if g == nil {
			return false
		}
		for k, x := range w {
			var gv any
			for gk, v := range g {
				if strings.EqualFold(gk, k) {
					gv = v
				}
			}
			if !holds(gv, x) {
				return false
			}
		}
		return true
	case string:
		g, ok := got.(string)
		if !ok {
			return false
		}
		if t1, err := time.Parse(time.RFC3339Nano, w); err == nil {
			t2, err := time.Parse(time.RFC3339Nano, g)
			return err == nil && t1.Equal(t2)
		}
		return strings.EqualFold(g, w)
	}
	return fmt.Sprint(got) == fmt.Sprint(want)
}
