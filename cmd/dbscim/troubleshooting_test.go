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
	doc, err := os.ReadFile("../../docs/troubleshooting.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(doc)
	start := strings.Index(section, "## From `dbscim validate` against the database")
	if start < 0 {
		t.Fatal("docs/troubleshooting.md has no validate section")
	}
	section = section[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
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
