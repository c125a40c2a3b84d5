package dialects

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

// specChecks are what every dialect's Spec must satisfy: complete, and in agreement
// with what the dialect's methods do. A new dialect passes them or says why not.
var specChecks = []struct {
	name  string
	check func(d Dialect, s Spec) error
}{
	{"methods read the spec", func(d Dialect, s Spec) error {
		if d.Name() != s.Name || d.Driver() != s.Driver || d.LastInsertID() != s.LastInsertID {
			return fmt.Errorf("Name, Driver, LastInsertID = %q, %q, %v; Spec says %q, %q, %v",
				d.Name(), d.Driver(), d.LastInsertID(), s.Name, s.Driver, s.LastInsertID)
		}
		for n := 1; n <= 3; n++ {
			if got, want := d.Placeholder(n), s.Placeholder.Nth(n); got != want {
				return fmt.Errorf("Placeholder(%d) = %q, Spec says %q", n, got, want)
			}
		}
		return nil
	}},
	{"looked up by name and aliases", func(d Dialect, s Spec) error {
		for _, name := range append([]string{s.Name}, s.Aliases...) {
			if got, ok := Lookup(name); !ok || got.Spec().Name != s.Name {
				return fmt.Errorf("Lookup(%q) = %v, %v", name, got, ok)
			}
		}
		if s.Name == "" || s.Driver == "" {
			return errors.New("Name and Driver must be set")
		}
		return nil
	}},
	{"port", func(_ Dialect, s Spec) error {
		switch {
		case s.Networked && (s.DefaultPort < 1 || s.DefaultPort > 65535):
			return fmt.Errorf("a networked database needs a DefaultPort from 1 to 65535, got %d", s.DefaultPort)
		case !s.Networked && s.DefaultPort != 0:
			return fmt.Errorf("an embedded database has no DefaultPort, got %d", s.DefaultPort)
		}
		return nil
	}},
	{"connection keys", func(_ Dialect, s Spec) error {
		var required []string
		for _, r := range s.Required {
			required = append(required, r.Key)
			required = append(required, r.Or...)
		}
		for _, list := range [][]string{required, s.Exclusive, s.Forbidden} {
			for i, k := range list {
				if !slices.Contains(ConnectionKeys, k) {
					return fmt.Errorf("%q is not one of ConnectionKeys", k)
				}
				if slices.Contains(list[i+1:], k) {
					return fmt.Errorf("%q is listed twice", k)
				}
			}
		}
		for _, k := range append(required, s.Exclusive...) {
			if slices.Contains(s.Forbidden, k) {
				return fmt.Errorf("%q is both used and forbidden", k)
			}
		}
		// A server is reached at a host, as a user; an embedded database is a file.
		want, forbidden := []string{"host", "user"}, []string(nil)
		if !s.Networked {
			want, forbidden = []string{"name"}, []string{"host", "port", "user", "password"}
		}
		for _, k := range want {
			if !slices.Contains(required, k) {
				return fmt.Errorf("%q is not required", k)
			}
		}
		for _, k := range forbidden {
			if !slices.Contains(s.Forbidden, k) {
				return fmt.Errorf("%q is not forbidden", k)
			}
		}
		if len(s.Exclusive) == 1 {
			return errors.New("Exclusive lists keys of which at most one may be given: one key excludes nothing")
		}
		return nil
	}},
	{"placeholders", func(d Dialect, s Spec) error {
		if s.Placeholder.Sigil == "" {
			return errors.New("no placeholder style")
		}
		text, n, err := d.Rewrite("SELECT ?, ?")
		if want := "SELECT " + s.Placeholder.Nth(1) + ", " + s.Placeholder.Nth(2); err != nil || n != 2 || text != want {
			return fmt.Errorf("Rewrite = %q, %d, %v; want %q, 2", text, n, err, want)
		}
		if s.MaxParams < insertValues || s.MaxParams > 65535 {
			return fmt.Errorf("MaxParams = %d, want %d to 65535", s.MaxParams, insertValues)
		}
		return nil
	}},
	{"routines", func(d Dialect, s Spec) error {
		calls := []struct {
			what    string
			modes   []ParamMode
			routine Routine
			want    bool
		}{
			{"a procedure", []ParamMode{In}, Procedure, s.Routines},
			{"an OUT parameter", []ParamMode{In, Out}, Procedure, s.OutParams},
			{"a cursor parameter", []ParamMode{Cursor, In}, Procedure, s.CursorParams},
		}
		for _, c := range calls {
			if _, err := d.Call("r", c.modes, c.routine); (err == nil) != c.want {
				return fmt.Errorf("Call with %s: error %v; the Spec says supported = %v", c.what, err, c.want)
			}
		}
		// Call also writes some functions where the configuration has no function:
		// (SQL Server, Oracle), so only one direction is checked.
		if _, err := d.Call("r", []ParamMode{In}, Function); s.Functions && err != nil {
			return fmt.Errorf("Call of a function: %v; the Spec allows function:", err)
		}
		if !s.Routines && (s.Functions || s.OutParams || s.CursorParams || s.RoutineQuery != "") {
			return errors.New("functions, OUT and cursor parameters and a catalog need routines")
		}
		if s.Routines != (s.UserErrors != "") || s.Routines != (s.UserMessage != nil) {
			return errors.New("a database with routines says how they raise user errors (UserErrors, UserMessage), and only then")
		}
		if _, ok := d.(Catalog); ok != (s.RoutineQuery != "") {
			return fmt.Errorf("implements Catalog = %v, but RoutineQuery = %q", ok, s.RoutineQuery)
		}
		return nil
	}},
	{"init and inserts", func(_ Dialect, s Spec) error {
		if s.Init && s.Networked {
			return errors.New("an init script is run when the database file is created: only for an embedded database")
		}
		if !s.MultiRowInsert && s.MaxInsertRows != 0 {
			return errors.New("MaxInsertRows without MultiRowInsert")
		}
		return nil
	}},
}

// TestSpecs is the conformance test every dialect passes: its Spec is complete and
// agrees with its methods.
func TestSpecs(t *testing.T) {
	if len(all) != len(Names()) {
		t.Fatalf("%d dialects, %d names", len(all), len(Names()))
	}
	for _, d := range all {
		for _, c := range specChecks {
			t.Run(d.Name()+"/"+c.name, func(t *testing.T) {
				if err := c.check(d, d.Spec()); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		p          Placeholders
		nth, style string
	}{
		{Placeholders{Sigil: "?"}, "?", "?"},
		{Placeholders{Sigil: "$", Numbered: true}, "$3", "$1, $2, …"},
		{Placeholders{Sigil: "@p", Numbered: true}, "@p3", "@p1, @p2, …"},
	}
	for _, tt := range tests {
		if got := tt.p.Nth(3); got != tt.nth {
			t.Errorf("%+v.Nth(3) = %q, want %q", tt.p, got, tt.nth)
		}
		if got := tt.p.String(); got != tt.style {
			t.Errorf("%+v.String() = %q, want %q", tt.p, got, tt.style)
		}
	}
}
