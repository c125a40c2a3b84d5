package store

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/dbscim/dbscim/engine/scim/filter"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
	"github.com/dbscim/dbscim/engine/sqlgen"
	"github.com/dbscim/dbscim/operations"
)

// column is one attribute mapping, resolved against the SCIM schemas.
type column struct {
	operations.Mapping
	kind     string // "string", "boolean", "integer", "decimal", "dateTime"
	attr     string // the top-level attribute name, lower case ("name", "emails", "urn:...:user:department")
	top      string // the top-level attribute name as the schema spells it
	sub      string // the sub-attribute name ("givenName"), if any
	simple   bool   // a single-valued top-level attribute or a sub-attribute of a complex one: filterable in SQL
	caseFold bool   // compared case-insensitively (caseExact false)
	// elemAttr and elemValue are the value filter of a multi-valued mapping such as
	// emails[type eq "work"].value: the element it fills has elemAttr = elemValue.
	elemAttr, elemValue string
	// readOnly is set for attributes clients cannot write (manager.displayName,
	// meta.*): a PUT does not carry them, so their columns keep the stored value.
	readOnly bool
	// schemaWriteOnly is set for attributes the schema never returns (password).
	schemaWriteOnly bool
	// log receives a warning for a stored value outside the column's value map.
	log *slog.Logger
	// unknown says what the schema lacks when the path names an attribute or
	// sub-attribute it does not define (a misspelling: titel, emails.work);
	// "" when the schema defines it.
	unknown string
	// oneSpelling says that no two mappings of the resource (nor "id") spell an
	// attribute or sub-attribute name in two letter cases, so that a row is
	// mapped with exact key matches (resource.MappedPath.Set).
	oneSpelling bool
	// mapped is Path parsed once, set with oneSpelling.
	mapped *resource.MappedPath
}

// resolve works out the SCIM type and filterability of each mapping from the schemas.
func resolve(maps []operations.Mapping, core *resource.Schema, exts ...*resource.Schema) []column {
	cols := make([]column, 0, len(maps))
	for _, m := range maps {
		if m.Table != nil {
			continue // a child table's attribute: see children.go
		}
		c := column{Mapping: m, kind: "string", caseFold: true}
		p, err := filter.ParsePath(m.Path)
		if err == nil {
			schema := core
			if p.AttributePath.URIPrefix != nil {
				for _, e := range exts {
					if strings.EqualFold(e.ID, *p.AttributePath.URIPrefix) {
						schema = e
					}
				}
			}
			a := schema.Attribute(p.AttributePath.AttributeName)
			sub := p.AttributePath.SubAttributeName()
			if sub == "" && p.SubAttribute != nil {
				sub = *p.SubAttribute
			}
			if a != nil {
				c.top = a.Name
				c.attr = strings.ToLower(a.Name)
				if schema != core {
					c.attr = strings.ToLower(schema.ID + ":" + a.Name)
				}
				target := a
				if sub != "" {
					target = nil
					for _, s := range a.SubAttributes {
						if strings.EqualFold(s.Name, sub) {
							target = s
							c.sub = s.Name
						}
					}
				}
				if target == nil {
					c.unknown = fmt.Sprintf("%s has no sub-attribute %s (it has %s)", a.Name, sub, strings.Join(attributeNames(a.SubAttributes), ", "))
					if near := operations.Closest(sub, attributeNames(a.SubAttributes)); near != "" {
						c.unknown += ": did you mean " + a.Name + "." + near + "?"
					} else if a.MultiValued && resource.FindAttribute(a.SubAttributes, "type") != nil {
						c.unknown += fmt.Sprintf(": for the %s value of type %s, write %s[type eq %q].value", a.Name, sub, a.Name, sub)
					}
				}
				if target != nil {
					c.kind = target.Type
					c.caseFold = !target.CaseExact
					c.readOnly = target.Mutability == "readOnly" || a.Mutability == "readOnly"
					c.schemaWriteOnly = target.Mutability == resource.MutabilityWriteOnly
				}
				c.simple = !a.MultiValued && p.ValueExpression == nil
				if eq, ok := p.ValueExpression.(*filter.AttributeExpression); ok && eq.Operator == filter.EQ {
					if v, ok := eq.CompareValue.(string); ok && eq.AttributePath.SubAttribute == nil {
						c.elemAttr, c.elemValue = eq.AttributePath.AttributeName, v
					}
				}
			} else {
				name := p.AttributePath.AttributeName
				names := append(attributeNames(schema.Attributes), attributeNames(resource.CommonAttributes)...)
				c.unknown = fmt.Sprintf("the %s schema (%s) has no attribute %s", schema.Name, schema.ID, name)
				if near := operations.Closest(name, names); near != "" {
					c.unknown += ": did you mean " + near + "?"
				} else {
					c.unknown += "; an attribute of your own goes in an extension of your own, such as urn:example:params:scim:schemas:extension:mycompany:2.0:" + schema.Name + ":" + name
				}
			}
		}
		switch m.Type {
		case "boolean":
			c.kind = "boolean"
		case "integer":
			c.kind = "integer"
		case "datetime":
			c.kind = "dateTime"
		case "string":
			c.kind = "string"
		}
		cols = append(cols, c)
	}
	one := oneSpelling(cols)
	for i := range cols {
		cols[i].oneSpelling = one
		if one {
			cols[i].mapped = resource.NewMappedPath(cols[i].Path)
		}
	}
	return cols
}

// oneSpelling reports whether the mappings spell every attribute and
// sub-attribute name one way: the names of their paths, taken apart at dots,
// brackets and the like, never differ in letter case alone.
func oneSpelling(cols []column) bool {
	seen := map[string]string{"id": "id"}
	for _, c := range cols {
		for _, name := range strings.FieldsFunc(c.Path, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
		}) {
			if prev, ok := seen[strings.ToLower(name)]; ok && prev != name {
				return false
			}
			seen[strings.ToLower(name)] = name
		}
	}
	return true
}

// toSCIM converts a column value into the attribute's JSON value; ok is false for
// NULL and for values that cannot be read as the attribute's type.
func (c *column) toSCIM(v any) (any, bool) {
	if v == nil {
		return nil, false
	}
	if c.Coded() {
		return c.decode(v)
	}
	switch c.kind {
	case "boolean":
		return parseBool(v)
	case "integer":
		switch x := v.(type) {
		case int64:
			return x, true
		case float64:
			return int64(x), true
		}
		n, err := strconv.ParseInt(strings.TrimSpace(text(v)), 10, 64)
		return n, err == nil
	case "decimal":
		f, err := strconv.ParseFloat(strings.TrimSpace(text(v)), 64)
		return f, err == nil
	case "dateTime":
		// As stored: the column's fractional seconds are kept (RFC 3339 with a
		// fraction when there is one), so that incremental imports comparing
		// meta.lastModified do not drift.
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format(time.RFC3339Nano), true
		}
		s := text(v)
		for _, layout := range storedTimeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC().Format(time.RFC3339Nano), true
			}
		}
		return s, true
	}
	if _, ok := v.(string); ok {
		return v, true // as it is: boxing its text again would cost every row an allocation
	}
	return text(v), true
}

// storedTimeLayouts are the forms times are kept in as text (SQLite's
// CURRENT_TIMESTAMP and strftime, ISO 8601 with or without a zone), read as UTC
// when they carry no zone.
var storedTimeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999"}

// toDB converts an attribute's JSON value into the value bound for its column.
func (c *column) toDB(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.(type) {
	case map[string]any, []any:
		return nil, fault.New(fault.Invalid, "%s must be a single value", c.Path)
	}
	if c.Coded() {
		return c.encode(v)
	}
	switch c.kind {
	case "boolean":
		b, ok := parseBool(v)
		if !ok {
			return nil, fault.New(fault.Invalid, "%s must be a boolean", c.Path)
		}
		return b, nil
	case "integer":
		switch x := v.(type) {
		case float64:
			return int64(x), nil
		case int64, int:
			return x, nil
		}
		n, err := strconv.ParseInt(text(v), 10, 64)
		if err != nil {
			return nil, fault.New(fault.Invalid, "%s must be an integer", c.Path)
		}
		return n, nil
	case "dateTime":
		s, ok := v.(string)
		if !ok {
			return nil, fault.New(fault.Invalid, "%s must be a dateTime string", c.Path)
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fault.New(fault.Invalid, "%s must be an RFC 3339 dateTime", c.Path)
		}
		return t.UTC(), nil
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	return text(v), nil
}

// toResource maps a record to a SCIM resource.
func toResource(idColumn string, cols []column, rec run.Record) (resource.Resource, error) {
	res := resource.Resource{}
	if v, ok := rec.Get(idColumn); ok && v != nil {
		if _, isText := v.(string); !isText {
			v = text(v)
		}
		res["id"] = v
	}
	for i := range cols {
		c := &cols[i]
		v, ok := rec.Get(c.Column)
		if !ok {
			continue
		}
		sv, ok := c.toSCIM(v)
		if !ok {
			continue
		}
		var err error
		if c.mapped != nil {
			err = c.mapped.Set(res, sv)
		} else {
			err = resource.SetValue(res, c.Path, sv)
		}
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// toRecord maps a SCIM resource to the record its write operations bind. Attributes
// the resource does not carry become NULL, as a full replace requires.
func toRecord(cols []column, res resource.Resource) (run.Record, error) {
	rec := run.Record{}
	for i := range cols {
		c := &cols[i]
		v, _ := resource.GetValue(res, c.Path)
		dv, err := c.toDB(v)
		if err != nil {
			return nil, err
		}
		if prev, ok := rec.Get(c.Column); ok && prev != nil && dv == nil {
			continue // a column mapped from two paths keeps the one that is set
		}
		rec.Set(c.Column, dv)
	}
	return rec, nil
}

// decode reads a stored code through the value map. A value the map does not list
// is not guessed: the attribute is left out, and the log says which value of which
// column, so that the DBA can add it to the map.
func (c *column) decode(v any) (any, bool) {
	s := strings.TrimRight(text(v), " ")
	for _, cv := range c.Values {
		for _, stored := range cv.Stored {
			if text(stored) == s {
				return cv.Value, true
			}
		}
	}
	if c.log != nil {
		c.log.Warn("stored value outside the value map: attribute left out", "attribute", c.Path, "column", c.Column, "value", s)
	}
	return nil, false
}

// encode turns a SCIM value into the stored form the value map writes for it.
func (c *column) encode(v any) (any, error) {
	if c.kind == "boolean" {
		b, ok := parseBool(v)
		if !ok {
			return nil, fault.New(fault.Invalid, "%s must be a boolean", c.Path)
		}
		for _, cv := range c.Values {
			if cv.Value == b {
				return cv.Write, nil
			}
		}
		return nil, fault.New(fault.Invalid, "%s cannot be %v here", c.Path, b)
	}
	s, ok := v.(string)
	if !ok {
		return nil, fault.New(fault.Invalid, "%s must be a string", c.Path)
	}
	for _, cv := range c.Values {
		w := text(cv.Value)
		if w == s || c.caseFold && strings.EqualFold(w, s) {
			return cv.Write, nil
		}
	}
	return nil, fault.New(fault.Invalid, "%s: %q is not one of %s", c.Path, s, c.valueNames())
}

// valueNames lists the SCIM values of a value map, for messages.
func (c *column) valueNames() string {
	names := make([]string, len(c.Values))
	for i, cv := range c.Values {
		names[i] = fmt.Sprintf("%q", text(cv.Value))
	}
	return strings.Join(names, ", ")
}

// codes describes the value map to SQL generation.
func (c *column) codes() []sqlgen.Code {
	out := make([]sqlgen.Code, len(c.Values))
	for i, cv := range c.Values {
		out[i] = sqlgen.Code{Value: cv.Value, Stored: cv.Stored}
	}
	return out
}

// logTo gives the columns the pool's logger.
func logTo(pool *run.Pool, cols []column) []column {
	if pool != nil {
		for i := range cols {
			cols[i].log = pool.Log()
		}
	}
	return cols
}

// attributeNames are the names of attrs, as the schema spells them.
func attributeNames(attrs []*resource.Attribute) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		out[i] = a.Name
	}
	return out
}
