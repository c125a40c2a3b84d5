package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	// messageFormat is a message's format string, as the checks write it.
	messageFormat = regexp.MustCompile(`(?:Sprintf\(|Fprintf\(stderr, |Fprintf\(stdout, )("(?:[^"\\]|\\.)*")`)
	// literal is any Go string literal, for lines that build a message by
	// concatenation (msg += ..., return "..." + ...).
	literal = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	// verb is a formatting verb, where a value goes.
	verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
)

// TestTroubleshootingListsEveryValidateMessage keeps docs/troubleshooting.md's
// validate section and the code from drifting apart: the words of every message
// the database checks (engine/store/check*.go), the connection diagnosis
// (dialects/connect.go) and validate itself print must appear in the section.
func TestTroubleshootingListsEveryValidateMessage(t *testing.T) {
	section := docSection(t, "## From `dbscim validate` against the database")
	files, err := filepath.Glob("../../engine/store/check*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "validate.go", "../../dialects/connect.go")
	messages := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(src), "\n") {
			var formats []string
			for _, m := range messageFormat.FindAllStringSubmatch(line, -1) {
				formats = append(formats, m[1])
			}
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "msg += ") || strings.HasPrefix(trimmed, `return "`) && strings.HasSuffix(f, "connect.go") {
				formats = append(formats, literal.FindAllString(line, -1)...)
			}
			for _, q := range formats {
				format, err := strconv.Unquote(q)
				if err != nil {
					t.Fatalf("%s:%d: %v", f, n+1, err)
				}
				messages++
				for _, piece := range verb.Split(format, -1) {
					piece = strings.Trim(piece, " \n:,;.()?")
					if len(piece) < 8 {
						continue // a separator, not words a reader looks up
					}
					if !strings.Contains(section, piece) {
						t.Errorf("%s:%d: %q is not in docs/troubleshooting.md's validate section (message %q)", f, n+1, piece, format)
					}
				}
			}
		}
	}
	if messages < 40 {
		t.Errorf("found %d message formats: the search no longer finds the checks' messages", messages)
	}
}

var (
	// loaderFormat is the format of a problem the loader reports at a node or a
	// position (p.errorf, p.errorAt), or builds with fmt.Sprintf (hints, "did you
	// mean" suffixes, the call and placeholder explanations).
	loaderFormat = regexp.MustCompile(`(?:\.errorf\(|\.errorAt\(|Sprintf\()[^"]*?("(?:[^"\\]|\\.)*")`)
	// loaderReport is a call that reports a problem.
	loaderReport = regexp.MustCompile(`\bp\.(?:errorf|errorAt)\(`)
	// loaderPart is a line whose literals are parts of a message: the key and hint
	// of p.missing ("NAME: missing KEY (HINT)"), the hints and expectations that
	// lookups append, environment variable problems, and the meanings of the names
	// reserved in params.
	loaderPart = regexp.MustCompile(`^\s*(?:p\.missing\(|hint :?= "|expected :?= "|errs = append\(errs, "|return "", "|\tconst \w+ = ")`)
)

// TestTroubleshootingListsEveryLoaderMessage is the same guard for the problems the
// loader reports in the configuration file (operations/*.go), which validate and
// start-up print at file:line:col: the words of every one must appear in the
// "In the configuration" section.
func TestTroubleshootingListsEveryLoaderMessage(t *testing.T) {
	// A | inside a table cell is written \|.
	section := strings.ReplaceAll(docSection(t, "## In the configuration"), `\|`, "|")
	files, err := filepath.Glob("../../operations/*.go")
	if err != nil {
		t.Fatal(err)
	}
	messages := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasSuffix(f, "schema.go") {
			continue // schema.go writes the JSON Schema, not problems
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inHints := false
		for n, line := range strings.Split(string(src), "\n") {
			var formats []string
			for _, m := range loaderFormat.FindAllStringSubmatch(line, -1) {
				formats = append(formats, m[1])
			}
			// A report whose format is not on its line (a call split over lines, a
			// format in a variable) would be skipped silently: refuse it, so that the
			// search is extended instead.
			if loaderReport.MatchString(line) && formats == nil && !strings.Contains(line, "format, args...") {
				t.Errorf("%s:%d: cannot find the message format of %q: keep it a literal on the call's line", f, n+1, strings.TrimSpace(line))
			}
			// keyHints say what a missing connection key holds.
			switch {
			case strings.HasPrefix(line, "var keyHints"):
				inHints = true
			case inHints && line == "}":
				inHints = false
			case inHints, loaderPart.MatchString(line):
				formats = append(formats, literal.FindAllString(line, -1)...)
			}
			for _, q := range formats {
				format, err := strconv.Unquote(q)
				if err != nil {
					t.Fatalf("%s:%d: %v", f, n+1, err)
				}
				messages++
				for _, piece := range verb.Split(format, -1) {
					piece = strings.Trim(piece, " \n:,;.()?")
					if len(piece) < 8 {
						continue
					}
					if !strings.Contains(section, piece) {
						t.Errorf("%s:%d: %q is not in docs/troubleshooting.md's configuration section (message %q)", f, n+1, piece, format)
					}
				}
			}
		}
	}
	if messages < 150 {
		t.Errorf("found %d message formats: the search no longer finds the loader's messages", messages)
	}
}

// docSection returns the section of docs/troubleshooting.md under heading, up to
// the next section of the same level.
func docSection(t *testing.T, heading string) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(doc)
	start := strings.Index(section, heading+"\n")
	if start < 0 {
		t.Fatalf("docs/troubleshooting.md has no %q section", heading)
	}
	section = section[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	return section
}
