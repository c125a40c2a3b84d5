package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/dbscim/dbscim/engine/scim/filter"

	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/run"
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
}

// resolve works out the SCIM type and filterability of each mapping from the schemas.
func resolve(maps []operations.Mapping, core *resource.Schema, exts ...*resource.Schema) []column {
	cols := make([]column, 0, len(maps))
	for _, m := range maps {
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
				if target != nil {
					c.kind = target.Type
					c.caseFold = !target.CaseExact
					c.readOnly = target.Mutability == "readOnly" || a.Mutability == "readOnly"
				}
				c.simple = !a.MultiValued && p.ValueExpression == nil
				if eq, ok := p.ValueExpression.(*filter.AttributeExpression); ok && eq.Operator == filter.EQ {
					if v, ok := eq.CompareValue.(string); ok && eq.AttributePath.SubAttribute == nil {
						c.elemAttr, c.elemValue = eq.AttributePath.AttributeName, v
					}
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
	return cols
}

// toSCIM converts a column value into the attribute's JSON value; ok is false for
// NULL and for values that cannot be read as the attribute's type.
func (c *column) toSCIM(v any) (any, bool) {
	if v == nil {
		return nil, false
	}
	switch c.kind {
	case "boolean":
		if c.True != nil && text(v) == text(c.True) {
			return true, true
		}
		if c.False != nil && text(v) == text(c.False) {
			return false, true
		}
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
		if t, ok := v.(time.Time); ok {
			return t.UTC().Format(time.RFC3339), true
		}
		return text(v), true
	}
	return text(v), true
}

// toDB converts an attribute's JSON value into the value bound for its column.
func (c *column) toDB(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.(type) {
	case map[string]any, []any:
		return nil, fault.New(fault.Invalid, "%s must be a single value", c.Path)
	}
	switch c.kind {
	case "boolean":
		b, ok := parseBool(v)
		if !ok {
			return nil, fault.New(fault.Invalid, "%s must be a boolean", c.Path)
		}
		if b && c.True != nil {
			return c.True, nil
		}
		if !b && c.False != nil {
			return c.False, nil
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
		t, err := time.Parse(time.RFC3339, s)
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
		res["id"] = text(v)
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
		if err := resource.SetValue(res, c.Path, sv); err != nil {
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
