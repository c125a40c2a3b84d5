package scim

import (
	"bytes"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim/filter"
)

// A rowPlan writes the rows of one resource.Layout as present and appendJSON
// write the resources they stand for, byte for byte, with the same content ETag,
// without building those resources: a list page or an import walk costs the
// values, not the maps. It is made once per layout, from where a probe row's
// values land in the resource the layout builds, and only for the shapes whose
// presentation it can reproduce exactly: plain attributes, sub-attributes,
// extension attributes, the elements of a multi-valued attribute that value
// filters describe (emails[type eq "work"].value), meta's dates, and attributes
// a store sets whole (groups, child-table values, grants); anything else (a
// never-returned attribute, a mapped meta.version, a key the schemas spell
// otherwise, value filters that test what other paths set) has no plan and goes
// the general way.
type rowPlan struct {
	layout *resource.Layout
	rt     *resourceType
	out    []*planNode // the top-level members, in the order appendJSON writes them
	canon  []*planNode // the same members in canonical order (by name)
	// schemas holds the schemas member for each set of extensions present
	// (bit i: rt.Extensions[i]), as each writer writes it.
	schemas []planValue
	// meta's members besides location and version: the mapped ones and
	// resourceType, in name order.
	meta []*planNode
	// metaOut is meta as appendJSON writes it: the same with location and
	// version, in name order.
	metaOut []*planNode
}

// planValue is a value as each writer writes it.
type planValue struct{ out, canon []byte }

type nodeKind int

const (
	leafNode     nodeKind = iota // a value of the row
	constNode                    // a value every element of its kind has (the "work" of type eq "work")
	objectNode                   // a complex attribute or an extension: members in name order
	listNode                     // a multi-valued attribute: elements
	idNode                       // the id, as text
	schemasNode                  // the schemas member
	metaNode                     // meta
	locationNode                 // meta.location
	versionNode                  // meta.version
)

type planNode struct {
	kind  nodeKind
	name  string
	key   planValue // `"name":` in each writer's escaping
	leaf  int       // leafNode: the value's position in the row
	value planValue // constNode, and resourceType
	kids  []*planNode
	elems []*planNode // listNode: objectNodes, each with constNode and leafNode members
	ext   int         // a top-level extension's bit; -1 otherwise
	// leaves are the positions of every value beneath: a node is present when
	// one of them is not nil.
	leaves []int
}

// present reports whether any value beneath the node is set in the row.
func (n *planNode) present(vals []any) bool {
	switch n.kind {
	case leafNode:
		return vals[n.leaf] != nil
	case constNode:
		return true
	}
	for _, i := range n.leaves {
		if vals[i] != nil {
			return true
		}
	}
	return false
}

// probeValue is the value the probe row holds at position i: a string no store
// returns, by which the plan finds where the value lands.
func probeValue(i int) string { return "\x00dbscim-probe:" + strconv.Itoa(i) }

func probeIndex(v any) (int, bool) {
	s, ok := v.(string)
	if !ok || !strings.HasPrefix(s, "\x00dbscim-probe:") {
		return 0, false
	}
	n, err := strconv.Atoi(s[len("\x00dbscim-probe:"):])
	return n, err == nil
}

// maxPlanExtensions bounds the extensions a planned type may have: the schemas
// member is made ahead for every set of them.
const maxPlanExtensions = 6

// newRowPlan makes the plan of a layout for a resource type, or returns nil when
// the layout's resources need the general way.
func newRowPlan(h *Handler, rt *resourceType, l *resource.Layout) *rowPlan {
	if rt.Schema == nil || rt.coreSchemas == nil || !extensionsAreURNs(rt) || len(rt.Extensions) > maxPlanExtensions || l.Len() == 0 {
		return nil
	}
	if matchesValues(l) {
		return nil
	}
	probe := make([]any, l.Len())
	for i := range probe {
		probe[i] = probeValue(i)
	}
	res, err := l.Resource(probe)
	if err != nil {
		return nil
	}
	p := &rowPlan{layout: l, rt: rt}
	seen := make([]int, l.Len())
	pr := resource.NewProjector(rt.ss, resource.Projection{})
	if !pr.KeepsWhole("id", "") || !pr.KeepsWhole("meta", "") || !pr.KeepsWhole("schemas", "") {
		return nil
	}
	var top []*planNode
	var metaKids []*planNode
	for k, v := range res {
		switch {
		case k == "id":
			if i, ok := probeIndex(v); !ok || i != 0 {
				return nil
			}
			seen[0]++
			continue
		case strings.EqualFold(k, "id") || strings.EqualFold(k, "schemas"):
			return nil
		case strings.EqualFold(k, "meta"):
			m, ok := v.(map[string]any)
			if k != "meta" || !ok {
				return nil
			}
			for mk, mv := range m {
				i, ok := probeIndex(mv)
				if !ok || strings.EqualFold(mk, "version") || strings.EqualFold(mk, "location") || strings.EqualFold(mk, "resourceType") {
					return nil
				}
				seen[i]++
				metaKids = append(metaKids, &planNode{kind: leafNode, name: mk, leaf: i, ext: -1})
			}
			continue
		}
		if !pr.KeepsWhole(k, v) {
			return nil
		}
		n := planOf(k, v, seen, false)
		if n == nil {
			return nil
		}
		n.ext = -1
		if len(k) >= 4 && strings.EqualFold(k[:4], "urn:") {
			for i, e := range rt.Extensions {
				if strings.EqualFold(k, e.ID) {
					n.ext = i
				}
			}
			if n.ext < 0 || n.kind != objectNode {
				return nil
			}
		}
		top = append(top, n)
	}
	for _, n := range seen {
		if n != 1 { // a value overwritten by another, or not set where expected
			return nil
		}
	}
	top = append(top, &planNode{kind: idNode, name: "id", ext: -1}, &planNode{kind: schemasNode, name: "schemas", ext: -1}, &planNode{kind: metaNode, name: "meta", ext: -1})
	for _, n := range top {
		n.key = keyOf(n.name)
	}
	p.canon = slices.Clone(top)
	slices.SortFunc(p.canon, func(a, b *planNode) int { return strings.Compare(a.name, b.name) })
	p.out = outputOrder(rt, top)

	rtName := rt.nameValue
	if rtName == nil {
		rtName = rt.Name
	}
	rtValue := planValue{canon: resource.AppendCanonical(nil, rtName)}
	if rtValue.out, err = appendJSON(nil, rtName); err != nil {
		return nil
	}
	p.meta = append(metaKids, &planNode{kind: constNode, name: "resourceType", value: rtValue, ext: -1})
	for _, n := range p.meta {
		n.key = keyOf(n.name)
	}
	slices.SortFunc(p.meta, func(a, b *planNode) int { return strings.Compare(a.name, b.name) })
	p.metaOut = append(slices.Clone(p.meta), &planNode{kind: locationNode, name: "location", key: keyOf("location"), ext: -1},
		&planNode{kind: versionNode, name: "version", key: keyOf("version"), ext: -1})
	slices.SortFunc(p.metaOut, func(a, b *planNode) int { return strings.Compare(a.name, b.name) })

	p.schemas = make([]planValue, 1<<len(rt.Extensions))
	for mask := range p.schemas {
		var v any = rt.coreSchemas
		if mask != 0 {
			ids := []string{rt.Schema.ID}
			for i, e := range rt.Extensions {
				if mask&(1<<i) != 0 {
					ids = append(ids, e.ID)
				}
			}
			v = ids
		}
		p.schemas[mask].canon = resource.AppendCanonical(nil, v)
		if p.schemas[mask].out, err = appendJSON(nil, v); err != nil {
			return nil
		}
	}
	if !p.agrees(h) {
		return nil
	}
	return p
}

// agrees checks the plan against the general way on the probe row with every
// value set, with none, with each value alone and with each value missing: any
// difference in the bytes written (a filter's constant that a value may
// overwrite, an element a value filter finds among others) and the layout goes
// the general way.
func (p *rowPlan) agrees(h *Handler) bool {
	const base = "https://probe.invalid/scim/v2/t"
	n := p.layout.Len()
	pr := resource.NewProjector(p.rt.ss, resource.Projection{})
	var general, planned bytes.Buffer
	try := func(set func(i int) bool) bool {
		vals := make([]any, n)
		for i := range vals {
			if set(i) {
				vals[i] = probeValue(i)
			}
		}
		res, err := p.layout.Resource(vals)
		if err != nil {
			return false
		}
		general.Reset()
		planned.Reset()
		if err := h.present(p.rt, res, base, pr, true).appendJSON(&general); err != nil {
			return false
		}
		if _, err := p.appendRow(&planned, vals, base); err != nil {
			return false
		}
		return bytes.Equal(general.Bytes(), planned.Bytes())
	}
	if !try(func(int) bool { return true }) || !try(func(i int) bool { return i == 0 }) || !try(func(i int) bool { return i > 0 }) {
		return false
	}
	for j := 1; j < n; j++ {
		if !try(func(i int) bool { return i == 0 || i == j }) || !try(func(i int) bool { return i != j }) {
			return false
		}
	}
	return true
}

// matchesValues reports whether the element a value-filtered path sets may
// depend on the row's values (resource.ValueFiltersMeetValues): the general way
// then puts a value in the first element the values make match, which a plan
// made from probe values cannot foresee. A path that does not parse answers
// true too.
func matchesValues(l *resource.Layout) bool {
	paths := make([]string, 0, l.Len()-1)
	for i := 1; i < l.Len(); i++ {
		if _, err := filter.ParsePath(l.Path(i)); err != nil {
			return true
		}
		paths = append(paths, l.Path(i))
	}
	return len(resource.ValueFiltersMeetValues(paths)) > 0
}

// planOf makes the node of a member of the probe resource, counting in seen
// where each probe value landed; nil for a shape the plan does not write. In an
// element (inElement), values that are not probe values are the element's
// constants.
func planOf(name string, v any, seen []int, inElement bool) *planNode {
	n := &planNode{name: name, key: keyOf(name), ext: -1}
	if i, ok := probeIndex(v); ok {
		seen[i]++
		n.kind, n.leaf, n.leaves = leafNode, i, []int{i}
		return n
	}
	switch x := v.(type) {
	case map[string]any:
		n.kind = objectNode
		for k, kv := range x {
			kid := planOf(k, kv, seen, inElement)
			if kid == nil || kid.kind == listNode {
				return nil
			}
			n.kids = append(n.kids, kid)
			n.leaves = append(n.leaves, kid.leaves...)
		}
		if len(n.leaves) == 0 {
			return nil
		}
		slices.SortFunc(n.kids, func(a, b *planNode) int { return strings.Compare(a.name, b.name) })
		slices.Sort(n.leaves)
		return n
	case []any:
		if inElement || len(x) == 0 || len(x) > maxPlanElements {
			return nil
		}
		n.kind = listNode
		for _, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil
			}
			el := planOf("", m, seen, true)
			if el == nil {
				return nil
			}
			n.elems = append(n.elems, el)
			n.leaves = append(n.leaves, el.leaves...)
		}
		return n
	case string, bool, int, int64, float64:
		if !inElement {
			return nil
		}
		n.kind = constNode
		n.value.canon = resource.AppendCanonical(nil, x)
		n.value.out, _ = appendJSON(nil, x)
		return n
	}
	return nil
}

// maxPlanElements bounds the elements a planned multi-valued attribute has, so
// that they are ordered on the stack.
const maxPlanElements = 16

// keyOf is a member's name followed by a colon, as each writer writes it.
func keyOf(name string) planValue {
	return planValue{
		out:   append(appendString(nil, name), ':'),
		canon: append(resource.AppendCanonical(nil, name), ':'),
	}
}

// outputOrder orders the top-level members as outResource.appendJSON does: the
// keys the type places by position, then the others by name with extensions
// last, then meta unless placed.
func outputOrder(rt *resourceType, top []*planNode) []*planNode {
	order := rt.keyOrder
	var byPos, rest []*planNode
	var meta *planNode
	for _, n := range top {
		if _, ok := order[n.name]; ok {
			byPos = append(byPos, n)
		} else if n.name == "meta" {
			meta = n
		} else {
			rest = append(rest, n)
		}
	}
	slices.SortFunc(byPos, func(a, b *planNode) int { return order[a.name] - order[b.name] })
	slices.SortFunc(rest, func(a, b *planNode) int { return compareOtherKeys(a.name, b.name) })
	if meta != nil {
		rest = append(rest, meta)
	}
	return append(byPos, rest...)
}

// rowCanonicalBuffers keeps the buffers rows' canonical forms are written into;
// one grown beyond maxPooledRowCanonical (a user with thousands of grants) is
// left to the collector.
var rowCanonicalBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledRowCanonical = 64 << 10

// appendRow writes one row as its presented resource, and returns the digits of
// its content ETag. A value JSON cannot hold (a NaN) fails as it does the
// general way, the buffer then holding part of the resource.
func (p *rowPlan) appendRow(buf *bytes.Buffer, vals []any, base string) ([16]byte, error) {
	id, hasID := "", vals[0] != nil
	if hasID {
		if s, ok := vals[0].(string); ok {
			id = s
		} else {
			id, _ = resource.ToText(vals[0])
		}
	}
	mask := 0
	for _, n := range p.canon {
		if n.ext >= 0 && n.present(vals) {
			mask |= 1 << n.ext
		}
	}
	bp := rowCanonicalBuffers.Get().(*[]byte)
	c := p.appendCanonical((*bp)[:0], vals, id, hasID, mask)
	etag := resource.CanonicalETagDigits(c)
	if cap(c) <= maxPooledRowCanonical {
		*bp = c[:0]
		rowCanonicalBuffers.Put(bp)
	}

	buf.Grow(256)
	b := append(buf.AvailableBuffer(), '{')
	first := true
	var err error
	for _, n := range p.out {
		if !p.has(n, vals, hasID) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, n.key.out...)
		switch n.kind {
		case idNode:
			b = appendString(b, id)
		case schemasNode:
			b = append(b, p.schemas[mask].out...)
		case metaNode:
			b, err = p.appendMeta(b, vals, base, id, etag)
		default:
			b, err = appendOut(b, n, vals)
		}
		if err != nil {
			return etag, err
		}
	}
	b = append(b, '}')
	buf.Write(b)
	return etag, nil
}

// has reports whether a top-level member is written for the row.
func (p *rowPlan) has(n *planNode, vals []any, hasID bool) bool {
	switch n.kind {
	case idNode:
		return hasID
	case schemasNode, metaNode:
		return true
	}
	return n.present(vals)
}

// appendMeta writes meta: its mapped members, location, resourceType and
// version, in name order as appendJSON writes a map.
func (p *rowPlan) appendMeta(b []byte, vals []any, base, id string, etag [16]byte) ([]byte, error) {
	b = append(b, '{')
	first := true
	for _, n := range p.metaOut {
		switch {
		case n.kind == locationNode && id == "", n.kind == leafNode && vals[n.leaf] == nil:
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, n.key.out...)
		switch n.kind {
		case locationNode:
			b = append(b, '"')
			b = appendStringBody(b, base)
			b = append(b, '/')
			b = appendStringBody(b, p.rt.endpoint)
			b = append(b, '/')
			b = appendStringBody(b, url.PathEscape(id))
			b = append(b, '"')
		case versionNode: // the content ETag, W/"digits", as a JSON string
			b = append(b, `"W/\"`...)
			b = append(b, etag[:]...)
			b = append(b, `\""`...)
		case constNode:
			b = append(b, n.value.out...)
		default:
			var err error
			if b, err = appendJSON(b, vals[n.leaf]); err != nil {
				return b, err
			}
		}
	}
	return append(b, '}'), nil
}

// appendOut writes a member's value as appendJSON writes the value present
// would have made of it.
func appendOut(b []byte, n *planNode, vals []any) ([]byte, error) {
	switch n.kind {
	case leafNode:
		return appendJSON(b, vals[n.leaf])
	case constNode:
		return append(b, n.value.out...), nil
	case objectNode:
		return appendObject(b, n, vals, false, appendOut)
	case listNode:
		// Elements in the order the layout made them: by the first of their
		// values that is set.
		type elem struct {
			n     *planNode
			first int
		}
		var stack [maxPlanElements]elem
		elems := stack[:0]
		for _, e := range n.elems {
			first := -1
			for _, i := range e.leaves {
				if vals[i] != nil && (first < 0 || i < first) {
					first = i
				}
			}
			if first >= 0 {
				elems = append(elems, elem{e, first})
			}
		}
		slices.SortFunc(elems, func(a, b elem) int { return a.first - b.first })
		b = append(b, '[')
		for i, e := range elems {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendOut(b, e.n, vals); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	return b, nil
}

// appendObject writes an object node's members the row sets, in name order
// (which is how both writers order an object's keys): each key as the writer
// spells it (canon: the canonical form), each value by write.
func appendObject(b []byte, n *planNode, vals []any, canon bool, write func([]byte, *planNode, []any) ([]byte, error)) ([]byte, error) {
	b = append(b, '{')
	first := true
	for _, k := range n.kids {
		if !k.present(vals) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		if canon {
			b = append(b, k.key.canon...)
		} else {
			b = append(b, k.key.out...)
		}
		var err error
		if b, err = write(b, k, vals); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendCanonical writes the row's canonical form, as ContentETag writes that of
// the presented resource.
func (p *rowPlan) appendCanonical(c []byte, vals []any, id string, hasID bool, mask int) []byte {
	c = append(c, '{')
	first := true
	for _, n := range p.canon {
		if !p.has(n, vals, hasID) {
			continue
		}
		if !first {
			c = append(c, ',')
		}
		first = false
		c = append(c, n.key.canon...)
		switch n.kind {
		case idNode:
			c = resource.AppendCanonicalString(c, id)
		case schemasNode:
			c = append(c, p.schemas[mask].canon...)
		case metaNode:
			c = append(c, '{')
			mfirst := true
			for _, m := range p.meta {
				if m.kind != constNode && !m.present(vals) {
					continue
				}
				if !mfirst {
					c = append(c, ',')
				}
				mfirst = false
				c = append(c, m.key.canon...)
				c, _ = appendCanon(c, m, vals)
			}
			c = append(c, '}')
		default:
			c, _ = appendCanon(c, n, vals)
		}
	}
	return append(c, '}')
}

// appendCanon writes a member's value in canonical form. It never fails: its
// error is appendObject's.
func appendCanon(c []byte, n *planNode, vals []any) ([]byte, error) {
	switch n.kind {
	case leafNode:
		return resource.AppendCanonical(c, vals[n.leaf]), nil
	case constNode:
		return append(c, n.value.canon...), nil
	case objectNode:
		return appendObject(c, n, vals, true, appendCanon)
	case listNode:
		var stack [maxPlanElements]int
		ends := stack[:0]
		start := len(c)
		for _, e := range n.elems {
			if e.present(vals) {
				c, _ = appendCanon(c, e, vals)
				ends = append(ends, len(c))
			}
		}
		return resource.SortedArray(c, start, ends), nil
	}
	return c, nil
}

// plannedLayout is the plan a resource type made for the layout its store's rows
// last came in (nil: the layout goes the general way). A store keeps one layout,
// a reload brings a new store: the one kept is replaced, not added to.
type plannedLayout struct {
	layout *resource.Layout
	plan   *rowPlan
}

// planFor returns the plan for a layout of the type's rows, making it on first use.
func (h *Handler) planFor(rt *resourceType, l *resource.Layout) *rowPlan {
	if pl := rt.plan.Load(); pl != nil && pl.layout == l {
		return pl.plan
	}
	pl := &plannedLayout{layout: l, plan: newRowPlan(h, rt, l)}
	rt.plan.Store(pl)
	return pl.plan
}
