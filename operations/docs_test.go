package operations

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

const docPath = "../docs/configuration.md"

// TestDocExamples loads every complete example of the configuration reference, so that
// the documentation cannot drift from the loader. The examples are parsed as if they
// were in testdata/, where their relative files exist.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	env := mapEnv(map[string]string{
		"DBSCIM_TOKEN": "doc-token-0123456789", "HR_API_KEY": "hr-key", "PG_PASSWORD": "pw",
		"TOKEN": "doc-token-0123456789", "DB_PASSWORD": "pw",
	})
	complete := 0
	for _, b := range blocks {
		src := b[1]
		if !strings.HasPrefix(src, "version: 1\n") || strings.Contains(src, "{...}") {
			continue
		}
		complete++
		if _, err := Parse("testdata/doc.yaml", []byte(src), env); err != nil {
			t.Errorf("example fails to load:\n%s\n%v", src, err)
		}
	}
	if complete < 3 {
		t.Errorf("found %d complete examples, want at least 3", complete)
	}
}

// TestDocKeys checks that the reference describes every key the loader accepts.
func TestDocKeys(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, list := range [][]string{{"version", "server", "targets"}, serverKeys, targetKeys, authKinds,
		databaseKeys, usersKeys, mappingKeys, tableKeys, columnTypes, operationKeys, opKeys, paramKeys, generators,
		{"password_file", "value_file", "cert", "key"}} {
		keys = append(keys, list...)
	}
	for _, k := range keys {
		// The key inside a code span: `k`, `k: ...` or `{k: ...}`.
		inCode := regexp.MustCompile("`[^`\\n]*\\b" + regexp.QuoteMeta(k) + "\\b[^`\\n]*`")
		if !inCode.Match(doc) {
			t.Errorf("docs/configuration.md does not mention `%s`", k)
		}
	}
}
