package resource

import "fmt"

// A Layout says which attribute each value of a store's rows sets: a row is a
// resource kept flat, one value per mapped attribute path, the way a table holds
// it. Handing a page over as rows spares the maps a resource is made of, for a
// protocol layer that writes rows straight to JSON through a plan made once per
// Layout; Resource says what each row stands for, and is what such a plan must
// write.
type Layout struct {
	paths  []string
	mapped []*MappedPath
}

// NewLayout describes rows whose first value is the id and whose value i (from 1)
// sets paths[i-1]. The paths must spell each attribute and sub-attribute name one
// way (MappedPath.Set).
func NewLayout(paths ...string) *Layout {
	l := &Layout{paths: append([]string{"id"}, paths...), mapped: make([]*MappedPath, len(paths)+1)}
	for i, p := range l.paths {
		l.mapped[i] = NewMappedPath(p)
	}
	return l
}

// Len is the number of values in a row, the id included.
func (l *Layout) Len() int { return len(l.paths) }

// Path is the attribute path value i sets ("id" for the first).
func (l *Layout) Path(i int) string { return l.paths[i] }

// Resource is the resource a row stands for: the id under "id", then each value
// that is not nil set at its path, in order.
func (l *Layout) Resource(vals []any) (Resource, error) {
	if len(vals) != len(l.paths) {
		return nil, fmt.Errorf("resource: a row of %d values for a layout of %d", len(vals), len(l.paths))
	}
	res := make(Resource, len(vals))
	if vals[0] != nil {
		res["id"] = vals[0]
	}
	for i := 1; i < len(vals); i++ {
		if vals[i] == nil {
			continue
		}
		if err := l.mapped[i].Set(res, vals[i]); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// Rows is a page of resources as rows of values in a Layout.
type Rows struct {
	Layout *Layout
	// Values holds the rows one after the other: row i is
	// Values[i*Layout.Len() : (i+1)*Layout.Len()], nil where a value is absent.
	Values []any
}

// Len is the number of rows.
func (r *Rows) Len() int {
	if r == nil || r.Layout == nil || r.Layout.Len() == 0 {
		return 0
	}
	return len(r.Values) / r.Layout.Len()
}

// Row is row i's values.
func (r *Rows) Row(i int) []any {
	n := r.Layout.Len()
	return r.Values[i*n : (i+1)*n : (i+1)*n]
}

// Resources builds every row's resource, for a caller that needs them as maps.
func (r *Rows) Resources() ([]Resource, error) {
	out := make([]Resource, r.Len())
	for i := range out {
		res, err := r.Layout.Resource(r.Row(i))
		if err != nil {
			return nil, err
		}
		out[i] = res
	}
	return out, nil
}
