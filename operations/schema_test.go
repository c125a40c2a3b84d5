package operations

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// TestJSONSchema: the editor schema shipped in docs/ is the one built from the
// loader's key lists, and every key has its description.
func TestJSONSchema(t *testing.T) {
	got, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	file := filepath.Join("..", "docs", "dbscim.schema.json")
	if *update {
		if err := os.WriteFile(file, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test ./operations -update writes it)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("%s is not the schema the loader's keys give: run go test ./operations -update", file)
	}
}

// TestJSONSchemaCoversEveryKey removes a key's description and expects the
// schema to refuse to build: no key the loader accepts goes undescribed.
func TestJSONSchemaCoversEveryKey(t *testing.T) {
	saved := serverKeys
	defer func() { serverKeys = saved }()
	serverKeys = append(append([]string{}, saved...), "not_described")
	if _, err := JSONSchema(); err == nil {
		t.Error("a key without a description did not fail the schema")
	}
}

// TestExamplesMatchTheSchema validates every example configuration against the
// editor schema, as an editor would while the DBA types, and a configuration with
// a typo in a key against it too.
func TestExamplesMatchTheSchema(t *testing.T) {
	raw, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("dbscim.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("dbscim.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("..", "examples", "*", "*.yaml"))
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("# yaml-language-server: $schema=../../docs/dbscim.schema.json\n")) {
			t.Errorf("%s does not start with the yaml-language-server line that names the editor schema", f)
		}
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := schema.Validate(jsonValue(v)); err != nil {
			t.Errorf("%s does not match the editor schema: %v", f, err)
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("only %d example configurations found", checked)
	}
	var typo any
	yaml.Unmarshal([]byte("version: 1\ntargets:\n  t:\n    databse: {dialect: sqlite, name: x.db}\n"), &typo)
	if err := schema.Validate(jsonValue(typo)); err == nil {
		t.Error("a misspelt key (databse) passed the schema")
	}
}

// jsonValue turns a decoded YAML value into the JSON types a validator expects.
func jsonValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	case map[any]any: // keys such as true: and false: decode as booleans
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case int:
		return json.Number(strconv.Itoa(x))
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	}
	return v
}
