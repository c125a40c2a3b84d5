package kubernetes_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/server"
	"github.com/dbscim/dbscim/operations"
)

// volume writes files the way the kubelet updates a ConfigMap, Secret or projected
// volume (its AtomicWriter): the payload goes to a new hidden directory, the
// ..data symlink is swapped to it with a rename, and each file name is a symlink
// through ..data, so a reader sees the old payload or the new one, never a mix.
type volume struct {
	t   *testing.T
	dir string
	gen int
}

func (v *volume) write(files map[string]string) {
	v.t.Helper()
	v.gen++
	ts := fmt.Sprintf("..2026_01_01_00_00_00.%09d", v.gen)
	if err := os.Mkdir(filepath.Join(v.dir, ts), 0o755); err != nil {
		v.t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(v.dir, ts, name), []byte(data), 0o440); err != nil {
			v.t.Fatal(err)
		}
	}
	old, _ := os.Readlink(filepath.Join(v.dir, "..data"))
	if err := os.Symlink(ts, filepath.Join(v.dir, "..data_tmp")); err != nil {
		v.t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(v.dir, "..data_tmp"), filepath.Join(v.dir, "..data")); err != nil {
		v.t.Fatal(err)
	}
	for name := range files {
		link := filepath.Join(v.dir, name)
		if _, err := os.Lstat(link); err != nil {
			if err := os.Symlink(filepath.Join("..data", name), link); err != nil {
				v.t.Fatal(err)
			}
		}
	}
	if old != "" {
		if err := os.RemoveAll(filepath.Join(v.dir, old)); err != nil {
			v.t.Fatal(err)
		}
	}
}

// TestVolumeUpdateReloads runs dbscim's file watch on a configuration mounted as
// the chart mounts it (dbscim.yaml and the secret files in one projected volume)
// and rotates the bearer token, first as a `helm upgrade` does (the Secret's new
// value and the ConfigMap's new secrets revision in one swap of ..data), then as
// the owner of an existing Secret does (the Secret alone): each time the new token
// is accepted and the old one refused, without a restart.
func TestVolumeUpdateReloads(t *testing.T) {
	schema, err := filepath.Abs(filepath.Join("..", "quickstart", "schema.sql"))
	if err != nil {
		t.Fatal(err)
	}
	quickstart, err := os.ReadFile(filepath.Join("..", "quickstart", "dbscim.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	config := string(quickstart)
	for old, repl := range map[string]string{
		"bearer: ${DBSCIM_TOKEN}":          "bearer_file: hr-token",
		"name: data/quickstart.db":         "name: " + filepath.Join(t.TempDir(), "quickstart.db"),
		"init: schema.sql":                 "init: " + schema,
		"${DBSCIM_LISTEN:-127.0.0.1:8080}": "127.0.0.1:0",
	} {
		if !strings.Contains(config, old) {
			t.Fatalf("examples/quickstart/dbscim.yaml has no %q", old)
		}
		config = strings.Replace(config, old, repl, 1)
	}
	const tokenA, tokenB = "token-a-0123456789abcdef0123456789abcdef", "token-b-0123456789abcdef0123456789abcdef"
	v := &volume{t: t, dir: t.TempDir()}
	v.write(map[string]string{"dbscim.yaml": "# secrets revision: 1\n" + config, "hr-token": tokenA})

	path := filepath.Join(v.dir, "dbscim.yaml")
	cfg, err := operations.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.Open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	go srv.Watch(ctx, path, 20*time.Millisecond)

	status := func(token string) int {
		req, _ := http.NewRequest("GET", ts.URL+"/scim/v2/Users?count=1", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if a, b := status(tokenA), status(tokenB); a != 200 || b != 401 {
		t.Fatalf("before the update: token A %d, token B %d; want 200 and 401", a, b)
	}
	time.Sleep(50 * time.Millisecond) // the watch has taken the file's first stamp
	v.write(map[string]string{"dbscim.yaml": "# secrets revision: 2\n" + config, "hr-token": tokenB})
	deadline := time.Now().Add(10 * time.Second)
	for status(tokenB) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("the new token is still refused 10 s after the volume was updated")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if a := status(tokenA); a != 401 {
		t.Errorf("after the update the old token answers %d, want 401", a)
	}

	// A Secret that changes alone (an existingSecret rotated by its owner) reloads
	// too: the kubelet writes the whole payload anew, so dbscim.yaml is a new file
	// even with the same text.
	const tokenC = "token-c-0123456789abcdef0123456789abcdef"
	v.write(map[string]string{"dbscim.yaml": "# secrets revision: 2\n" + config, "hr-token": tokenC})
	deadline = time.Now().Add(10 * time.Second)
	for status(tokenC) != 200 {
		if time.Now().After(deadline) {
			t.Fatal("a new token in an unchanged configuration is still refused 10 s after the volume was updated")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if b := status(tokenB); b != 401 {
		t.Errorf("after the second update token B answers %d, want 401", b)
	}
}
