package main

import (
	"archive/tar"
	"crypto/x509"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestImage builds dbscim as `make image` does, writes its image archive, opens the
// archive as an OCI image layout and checks what a container runtime would run:
// every blob's digest and size, the user, entry point, command, port, volume, and
// the files, their owners and modes, and that the binary is static and runs.
func TestImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dbscim; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "dbscim")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=v0.0.0-test", "-o", bin, "./cmd/dbscim")
	build.Dir = filepath.Join("..", "..", "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, []byte(testCA), 0o644); err != nil {
		t.Fatal(err)
	}
	o := options{Binary: bin, CACerts: ca, Version: "v0.0.0-test", Arch: "amd64", Repo: "dbscim", Created: time.Unix(1700000000, 0).UTC()}
	archive := filepath.Join(dir, "image.tar")
	digest, err := writeArchive(o, archive)
	if err != nil {
		t.Fatal(err)
	}

	// The same inputs give the same image, byte for byte.
	again, err := writeArchive(o, filepath.Join(dir, "again.tar"))
	if err != nil {
		t.Fatal(err)
	}
	if again != digest {
		t.Errorf("the image is not reproducible: %s, then %s", digest, again)
	}

	// Unpack the archive and open it as an OCI layout.
	oci := filepath.Join(dir, "oci")
	untar(t, archive, oci)
	for _, f := range []string{"oci-layout", "index.json", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(oci, f)); err != nil {
			t.Errorf("the archive has no %s", f)
		}
	}
	idx, err := layout.ImageIndexFromPath(oci)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Manifests) != 1 || im.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != "v0.0.0-test" ||
		im.Manifests[0].Platform == nil || im.Manifests[0].Platform.Architecture != "amd64" {
		t.Fatalf("index.json: %+v", im.Manifests)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("the image does not validate (digests, sizes, diff ids): %v", err)
	}
	if d, _ := img.Digest(); d != digest {
		t.Errorf("the archive holds %s, want %s", d, digest)
	}
	mf, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if mf.MediaType != "application/vnd.oci.image.manifest.v1+json" || mf.Config.MediaType != "application/vnd.oci.image.config.v1+json" {
		t.Errorf("media types %s, %s: want OCI's", mf.MediaType, mf.Config.MediaType)
	}

	// Docker's manifest.json names the same config and layers.
	var docker []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	data, err := os.ReadFile(filepath.Join(oci, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &docker); err != nil || len(docker) != 1 {
		t.Fatalf("manifest.json: %v %s", err, data)
	}
	if docker[0].Config != "blobs/sha256/"+mf.Config.Digest.Hex || !slices.Equal(docker[0].RepoTags, []string{"dbscim:v0.0.0-test"}) ||
		len(docker[0].Layers) != 1 || docker[0].Layers[0] != "blobs/sha256/"+mf.Layers[0].Digest.Hex {
		t.Errorf("manifest.json %+v does not match the OCI manifest", docker[0])
	}

	// The configuration: who runs what.
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	checks := []struct {
		what      string
		got, want any
	}{
		{"os/arch", cf.OS + "/" + cf.Architecture, "linux/amd64"},
		{"user", c.User, "65532:65532"},
		{"entrypoint", c.Entrypoint, []string{"/usr/local/bin/dbscim"}},
		{"cmd", c.Cmd, []string{"serve", "--config", "/etc/dbscim/dbscim.yaml"}},
		{"exposed ports", c.ExposedPorts, map[string]struct{}{"8443/tcp": {}}},
		{"volumes", c.Volumes, map[string]struct{}{"/var/lib/dbscim": {}}},
		{"stop signal", c.StopSignal, "SIGTERM"},
		{"version label", c.Labels["org.opencontainers.image.version"], "v0.0.0-test"},
		{"created", cf.Created.Time.UTC(), o.Created},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s: %v, want %v", ck.what, ck.got, ck.want)
		}
	}

	// The files.
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers (%v), want 1", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	type file struct {
		mode     int64
		uid, gid int
		dir      bool
		data     []byte
	}
	got := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(o.Created) {
			t.Errorf("%s: time %s, want %s", h.Name, h.ModTime, o.Created)
		}
		got["/"+strings.TrimSuffix(h.Name, "/")] = file{mode: h.Mode, uid: h.Uid, gid: h.Gid, dir: h.Typeflag == tar.TypeDir, data: b}
	}
	want := map[string]file{
		"/usr/local/bin/dbscim":              {mode: 0o755},
		"/etc/ssl/certs/ca-certificates.crt": {mode: 0o644},
		"/etc/passwd":                        {mode: 0o644},
		"/etc/group":                         {mode: 0o644},
		"/etc/dbscim":                        {mode: 0o755, dir: true},
		"/var/lib/dbscim":                    {mode: 0o700, uid: 65532, gid: 65532, dir: true},
		"/home/nonroot":                      {mode: 0o700, uid: 65532, gid: 65532, dir: true},
		"/tmp":                               {mode: 0o1777, dir: true},
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: not in the image", name)
			continue
		}
		if g.mode != w.mode || g.uid != w.uid || g.gid != w.gid || g.dir != w.dir {
			t.Errorf("%s: mode %o uid %d gid %d dir %t; want %o %d %d %t", name, g.mode, g.uid, g.gid, g.dir, w.mode, w.uid, w.gid, w.dir)
		}
	}
	var names []string
	for name, f := range got {
		if !f.dir {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	t.Logf("image %s: %d files %v, config user %s, entrypoint %v, cmd %v", digest, len(names), names, c.User, c.Entrypoint, c.Cmd)
	if !slices.Contains(strings.Split(string(got["/etc/passwd"].data), "\n"), "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin") {
		t.Errorf("/etc/passwd has no nonroot user:\n%s", got["/etc/passwd"].data)
	}
	if string(got["/etc/ssl/certs/ca-certificates.crt"].data) != testCA {
		t.Error("the CA bundle is not the one given")
	} else if pool := x509.NewCertPool(); !pool.AppendCertsFromPEM(got["/etc/ssl/certs/ca-certificates.crt"].data) {
		t.Error("the CA bundle holds no certificate")
	}

	// The binary is static (no interpreter, no shared library) and runs.
	exe := filepath.Join(dir, "from-image")
	if err := os.WriteFile(exe, got["/usr/local/bin/dbscim"].data, 0o755); err != nil {
		t.Fatal(err)
	}
	ef, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer ef.Close()
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: it needs CGO_ENABLED=0")
		}
	}
	if libs, _ := ef.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	out, err := exec.Command(exe, "version").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "dbscim v0.0.0-test" {
		t.Errorf("dbscim version from the image: %q %v", out, err)
	}
}

func untar(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(p, dir) {
			t.Fatalf("%s escapes the archive", h.Name)
		}
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testCA is a self-signed certificate standing in for the system's CA bundle, so
// that the test does not depend on the machine's.
const testCA = `-----BEGIN CERTIFICATE-----
MIIBuzCCAWGgAwIBAgIQHu4xprS6czqyAi3BhotufTAKBggqhkjOPQQDAjAiMQ8w
DQYDVQQKEwZkYnNjaW0xDzANBgNVBAMTBmRic2NpbTAeFw0yNjExMjMxOTE3NDNa
Fw0zMTExMjMyMDE3NDNaMCIxDzANBgNVBAoTBmRic2NpbTEPMA0GA1UEAxMGZGJz
Y2ltMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2A0YJFLk4SjiicjkdFYcUB3m
rll8Jv0BRyBD1Q/1DQr3d3EOdRFh+tPO+4XDZD24tICAfXjYZQ1zZaaZR4Oa6KN5
MHcwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMAwGA1UdEwEB
/wQCMAAwQgYDVR0RBDswOYIJbG9jYWxob3N0ghBzY2ltLmV4YW1wbGUuY29tggJ2
bYcEfwAAAYcQAAAAAAAAAAAAAAAAAAAAATAKBggqhkjOPQQDAgNIADBFAiAtTng/
NJ8N7lRWDhBIUZ6aNx2lissNL8w+M31kwA6FygIhANOo0Kl3sSPAE+aQ9HSREeKS
ZiDECpN177PmqlSTQuXM
-----END CERTIFICATE-----
`
