package dialects

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

const (
	docPath = "../docs/dialects.md"
	// The generated table sits between these lines of docPath.
	specBegin = "<!-- spec table: generated from each dialect's Spec by go test ./dialects -update -->"
	specEnd   = "<!-- end of spec table -->"
)

// specTable renders the Specs as the Markdown table of docs/dialects.md.
func specTable(specs []Spec) string {
	code := func(s string) string { return "`" + s + "`" }
	list := func(keys []string) string {
		if len(keys) == 0 {
			return "—"
		}
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = code(k)
		}
		return strings.Join(out, ", ")
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	rows := []struct {
		label string
		cell  func(Spec) string
	}{
		{"`dialect:` names", func(s Spec) string { return list(append([]string{s.Name}, s.Aliases...)) }},
		{"`database/sql` driver", func(s Spec) string { return code(s.Driver) }},
		{"default port", func(s Spec) string {
			if s.DefaultPort == 0 {
				return "— (a file)"
			}
			return strconv.Itoa(s.DefaultPort)
		}},
		{"required keys", func(s Spec) string {
			out := make([]string, len(s.Required))
			for i, r := range s.Required {
				out[i] = code(r.Key)
				if len(r.Or) > 0 {
					out[i] += " (or " + strings.ReplaceAll(list(r.Or), ", ", " or ") + ")"
				}
			}
			return strings.Join(out, ", ")
		}},
		{"at most one of", func(s Spec) string { return list(s.Exclusive) }},
		{"keys not used", func(s Spec) string { return list(s.Forbidden) }},
		{"native placeholders", func(s Spec) string { return code(s.Placeholder.String()) }},
		{"parameters per statement", func(s Spec) string { return strconv.Itoa(s.MaxParams) }},
		{"stored routines (`call:`)", func(s Spec) string { return yes(s.Routines) }},
		{"`function:`", func(s Spec) string { return yes(s.Functions) }},
		{"OUT parameters", func(s Spec) string { return yes(s.OutParams) }},
		{"cursor parameters", func(s Spec) string { return yes(s.CursorParams) }},
		{"`init:` script", func(s Spec) string { return yes(s.Init) }},
		{"`LastInsertId`", func(s Spec) string { return yes(s.LastInsertID) }},
		{"child-table filters in SQL", func(s Spec) string { return yes(s.CorrelatedDerived) }},
		{"multi-row `INSERT`", func(s Spec) string {
			if s.MultiRowInsert && s.MaxInsertRows > 0 {
				return fmt.Sprintf("yes, at most %d rows", s.MaxInsertRows)
			}
			return yes(s.MultiRowInsert)
		}},
		{"routines checked against the catalog", func(s Spec) string { return yes(s.RoutineQuery != "") }},
		{"a routine refuses a request with", func(s Spec) string {
			if s.UserErrors == "" {
				return "—"
			}
			return s.UserErrors
		}},
	}
	var b strings.Builder
	b.WriteString("|")
	for _, s := range specs {
		b.WriteString(" | " + s.Name)
	}
	b.WriteString(" |\n| ---" + strings.Repeat(" | ---", len(specs)) + " |\n")
	for _, r := range rows {
		b.WriteString("| " + r.label)
		for _, s := range specs {
			b.WriteString(" | " + strings.ReplaceAll(r.cell(s), "|", `\|`))
		}
		b.WriteString(" |\n")
	}
	return b.String()
}

// TestDocSpecTable checks the table of facts in docs/dialects.md against the Specs,
// so that the documentation cannot drift from the code; -update rewrites it.
func TestDocSpecTable(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	begin, end := strings.Index(doc, specBegin+"\n"), strings.Index(doc, specEnd)
	if begin < 0 || end < begin {
		t.Fatalf("%s has no %q ... %q section", docPath, specBegin, specEnd)
	}
	begin += len(specBegin) + 1
	want := specTable(Specs())
	if doc[begin:end] == want {
		return
	}
	if *update {
		if err := os.WriteFile(docPath, []byte(doc[:begin]+want+doc[end:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the table in %s differs from the Specs (run go test ./dialects -update, then review the diff); want:\n%s", docPath, want)
}

// TestDocGlance checks the rows of the hand-written "At a glance" table of
// docs/dialects.md that say what a database cannot do: each cell starts with "no"
// or "none" exactly where the Spec says the database lacks it.
func TestDocGlance(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	// The table above the generated one.
	glance, _, _ := strings.Cut(string(data), specBegin)
	rows := map[string][]string{}
	for _, line := range strings.Split(glance, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) == len(all)+1 {
			rows[cells[0]] = cells[1:]
		}
	}
	tests := []struct {
		row string
		has func(Spec) bool
	}{
		{"procedure call (`Call`)", func(s Spec) bool { return s.Routines }},
		{"OUT parameters", func(s Spec) bool { return s.OutParams }},
		{"cursor parameters", func(s Spec) bool { return s.CursorParams }},
	}
	for _, tt := range tests {
		cells, ok := rows[tt.row]
		if !ok {
			t.Errorf("%s has no row %q", docPath, tt.row)
			continue
		}
		for i, s := range Specs() {
			cell := cells[i]
			if lacks := strings.HasPrefix(cell, "no") || strings.HasPrefix(cell, "none"); lacks == tt.has(s) {
				t.Errorf("%s: %s: %s says %q, the Spec says %v", docPath, tt.row, s.Name, cell, tt.has(s))
			}
		}
	}
}
