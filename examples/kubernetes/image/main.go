// Command image writes dbscim's container image without Docker: the static dbscim
// binary (CGO_ENABLED=0) on an empty base, with CA certificates, a non-root user
// (nonroot, 65532) and the state directory, as an OCI image archive (an OCI image
// layout in a tar file) that also carries Docker's manifest.json. `make image` runs
// it; load the result with `docker load -i`, `podman load -i`, or push it with
// `skopeo copy oci-archive:bin/dbscim-image.tar docker://REGISTRY/dbscim:TAG`.
//
// The image is the Dockerfile's, built from the same binary: the same user, entry
// point, command, port, volume and stop signal. It is reproducible: every time in
// it is -created (make image passes the last commit's time), so the same binary
// gives the same digest.
//
//	go run ./image -binary ../../bin/linux-amd64/dbscim -version v1.2.3 -output ../../bin/dbscim-image.tar
package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The image's user, as in distroless' nonroot images and the Dockerfile.
const (
	uid, gid = 65532, 65532
	binPath  = "/usr/local/bin/dbscim"
	caPath   = "/etc/ssl/certs/ca-certificates.crt"
	stateDir = "/var/lib/dbscim"
)

// options say what to put in the image.
type options struct {
	Binary  string    // the static linux dbscim binary
	CACerts string    // a PEM bundle of CA certificates
	Version string    // the image's version label and tag
	Arch    string    // GOARCH of the binary
	Created time.Time // every time stamp of the image
	Repo    string    // the name the image is tagged with in the archive
}

func main() {
	var o options
	var output string
	flag.StringVar(&o.Binary, "binary", "bin/dbscim", "the static linux dbscim binary (CGO_ENABLED=0)")
	flag.StringVar(&o.CACerts, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "the PEM bundle of CA certificates to put in the image")
	flag.StringVar(&o.Version, "version", "dev", "the image's version (its tag and org.opencontainers.image.version)")
	flag.StringVar(&o.Arch, "arch", "amd64", "the binary's GOARCH")
	flag.StringVar(&o.Repo, "repository", "dbscim", "the repository the image is tagged with in the archive")
	flag.StringVar(&output, "output", "bin/dbscim-image.tar", "the OCI image archive to write")
	created := flag.Int64("created", 0, "every time stamp of the image, in seconds since 1970 (default: $SOURCE_DATE_EPOCH, else 0)")
	flag.Parse()
	if *created == 0 {
		if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
			sec, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				fmt.Fprintln(os.Stderr, "image: SOURCE_DATE_EPOCH:", err)
				os.Exit(2)
			}
			*created = sec
		}
	}
	o.Created = time.Unix(*created, 0).UTC()
	digest, err := writeArchive(o, output)
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %s:%s %s\n", output, o.Repo, o.Version, digest)
}

// entry is one file or directory of the image's layer.
type entry struct {
	name     string
	mode     int64
	uid, gid int
	data     []byte // nil for a directory
}

// files lists the image's file system.
func files(o options) ([]entry, error) {
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(o.CACerts)
	if err != nil {
		return nil, err
	}
	dir := func(name string, mode int64) entry { return entry{name: name, mode: mode} }
	return []entry{
		dir("etc", 0o755),
		dir("etc/dbscim", 0o755), // where the configuration is mounted
		{name: "etc/group", mode: 0o644, data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		{name: "etc/nsswitch.conf", mode: 0o644, data: []byte("hosts: files dns\n")},
		{name: "etc/passwd", mode: 0o644, data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		dir("etc/ssl", 0o755),
		dir("etc/ssl/certs", 0o755),
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: ca},
		dir("home", 0o755),
		{name: "home/nonroot", mode: 0o700, uid: uid, gid: gid},
		{name: "tmp", mode: 0o1777},
		dir("usr", 0o755),
		dir("usr/local", 0o755),
		dir("usr/local/bin", 0o755),
		{name: "usr/local/bin/dbscim", mode: 0o755, data: bin},
		dir("var", 0o755),
		dir("var/lib", 0o755),
		// The state volume (tls: auto certificate, SQLite files), owned by the user so
		// that a fresh volume is writable.
		{name: "var/lib/dbscim", mode: 0o700, uid: uid, gid: gid},
	}, nil
}

// layerTar is the layer's tar stream, in order, every time stamp o.Created.
func layerTar(o options, entries []entry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Gid: e.gid, ModTime: o.Created, Format: tar.FormatPAX}
		if e.data == nil {
			h.Typeflag, h.Name = tar.TypeDir, e.name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if e.uid == 0 {
			h.Uname, h.Gname = "root", "root"
		} else {
			h.Uname, h.Gname = "nonroot", "nonroot"
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// build assembles the image.
func build(o options) (v1.Image, error) {
	entries, err := files(o)
	if err != nil {
		return nil, err
	}
	data, err := layerTar(o, entries)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: o.Created}, CreatedBy: "dbscim examples/kubernetes/image", Comment: "static dbscim, CA certificates, user nonroot"},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = o.Arch, "linux"
	cf.Created = v1.Time{Time: o.Created}
	cf.Config = v1.Config{
		User:         strconv.Itoa(uid) + ":" + strconv.Itoa(gid),
		Entrypoint:   []string{binPath},
		Cmd:          []string{"serve", "--config", "/etc/dbscim/dbscim.yaml"},
		Env:          []string{"PATH=/usr/local/bin", "SSL_CERT_FILE=" + caPath},
		WorkingDir:   "/",
		ExposedPorts: map[string]struct{}{"8443/tcp": {}},
		Volumes:      map[string]struct{}{stateDir: {}},
		StopSignal:   "SIGTERM",
		Labels: map[string]string{
			"org.opencontainers.image.title":       "dbscim",
			"org.opencontainers.image.description": "SQL databases as SCIM 2.0 provisioning targets",
			"org.opencontainers.image.version":     o.Version,
			"org.opencontainers.image.source":      "https://github.com/dbscim/dbscim",
			"org.opencontainers.image.licenses":    "Apache-2.0",
		},
	}
	return mutate.ConfigFile(img, cf)
}

// writeArchive writes the image as an OCI image layout in a tar file at output,
// with Docker's manifest.json beside index.json so that `docker load` reads it too,
// and returns the image's digest.
func writeArchive(o options, output string) (v1.Hash, error) {
	img, err := build(o)
	if err != nil {
		return v1.Hash{}, err
	}
	digest, err := img.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	dir, err := os.MkdirTemp("", "dbscim-image-")
	if err != nil {
		return v1.Hash{}, err
	}
	defer os.RemoveAll(dir)
	ref := o.Repo + ":" + o.Version
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := lp.AppendImage(img,
		layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": o.Version, "io.containerd.image.name": ref}),
		layout.WithPlatform(v1.Platform{OS: "linux", Architecture: o.Arch})); err != nil {
		return v1.Hash{}, err
	}
	// Docker's manifest.json names the same blobs.
	cfgName, err := img.ConfigName()
	if err != nil {
		return v1.Hash{}, err
	}
	layers, err := img.Layers()
	if err != nil {
		return v1.Hash{}, err
	}
	var layerFiles []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return v1.Hash{}, err
		}
		layerFiles = append(layerFiles, path.Join("blobs", d.Algorithm, d.Hex))
	}
	manifest, err := json.Marshal([]map[string]any{{
		"Config":   path.Join("blobs", cfgName.Algorithm, cfgName.Hex),
		"RepoTags": []string{ref},
		"Layers":   layerFiles,
	}})
	if err != nil {
		return v1.Hash{}, err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), manifest, 0o644); err != nil {
		return v1.Hash{}, err
	}
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return v1.Hash{}, err
	}
	return digest, tarDir(dir, output, o.Created)
}

// tarDir writes the files under dir to a tar file, sorted, with fixed times and
// owners, so that the archive is as reproducible as the image.
func tarDir(dir, output string, mtime time.Time) error {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(names)
	f, err := os.Create(output)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	for _, p := range names {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: mtime, Mode: 0o644, Format: tar.FormatPAX}
		if fi.IsDir() {
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
		} else {
			h.Typeflag, h.Size = tar.TypeReg, fi.Size()
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if !fi.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if _, err := tw.Write(data); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
