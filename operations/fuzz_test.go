package operations

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that no input makes Parse panic or return a Config together with
// errors: a configuration file is input from people, and editors save half-written
// ones that a reload will read.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimal))
	f.Add([]byte("~"))
	f.Add([]byte("version: 1\n"))
	f.Add([]byte("version: 1\nserver: {tls: }\ntargets: {a: {auth: {bearer: &x [*x]}}}\n"))
	env := mapEnv(map[string]string{"TOKEN": testToken})
	f.Fuzz(func(t *testing.T, data []byte) {
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(3 * time.Second):
				panic(fmt.Sprintf("hang on %q", data))
			}
		}()
		defer close(done)
		cfg, err := Parse("testdata/fuzz.yaml", data, env)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v", cfg != nil, err)
		}
		if list, ok := err.(ErrorList); ok && len(list) == 0 {
			t.Fatal("empty ErrorList")
		}
	})
}

// TestParseMutations is a deterministic, fast stand-in for fuzzing: it parses
// thousands of damaged versions of the test files (lines dropped, swapped,
// re-indented or cut short, characters replaced) and checks Parse's contract on each.
func TestParseMutations(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	var seeds [][]string
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, strings.Split(string(data), "\n"))
	}
	env := mapEnv(map[string]string{"TOKEN": testToken, "QUICKSTART_TOKEN": testToken})
	rng := rand.New(rand.NewPCG(1, 2))
	n := 5000
	if testing.Short() {
		n = 500
	}
	for i := 0; i < n; i++ {
		lines := slices.Clone(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(3) {
			j := rng.IntN(len(lines))
			switch rng.IntN(6) {
			case 0:
				lines = slices.Delete(lines, j, j+1)
			case 1:
				k := rng.IntN(len(lines))
				lines[j], lines[k] = lines[k], lines[j]
			case 2:
				lines[j] = "  " + lines[j]
			case 3:
				lines[j] = strings.TrimLeft(lines[j], " ")
			case 4:
				if l := lines[j]; l != "" {
					lines[j] = l[:rng.IntN(len(l))]
				}
			case 5:
				if l := []byte(lines[j]); len(l) > 0 {
					l[rng.IntN(len(l))] = "{}[]?:,-$\"'#&*!|>% \t0a"[rng.IntN(22)]
					lines[j] = string(l)
				}
			}
		}
		data := []byte(strings.Join(lines, "\n"))
		cfg, err := Parse("testdata/mutated.yaml", data, env)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse(%q) returned config %v and error %v", data, cfg != nil, err)
		}
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("Parse(%q) returned %T %v", data, err, err)
			}
		}
	}
}
