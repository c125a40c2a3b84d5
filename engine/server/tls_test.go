package server_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/engine/server"
	"github.com/dbscim/dbscim/operations"
)

// tlsServer is an HTTPS server on 127.0.0.1 with a TLS configuration as given
// (httptest's StartTLS would add its own certificate, which a handshake without
// SNI would get instead of ours).
type tlsServer struct {
	URL  string
	Addr string
}

func serveTLS(t *testing.T, cfg *tls.Config) *tlsServer {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}), ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &tlsServer{URL: "https://" + ln.Addr().String(), Addr: ln.Addr().String()}
}

// trusting is a client that trusts only the certificate in file and checks the
// server's name against it as a real client does (no InsecureSkipVerify).
func trusting(t *testing.T, file string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in " + file)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// TestTLSAuto generates the tls: auto certificate, serves with it and completes a
// handshake from a client that trusts it and verifies 127.0.0.1 against its SANs;
// the certificate is reused on the next start, and TLS 1.1 is refused.
func TestTLSAuto(t *testing.T) {
	s := operations.Server{Listen: "127.0.0.1:8443", TLS: operations.TLS{Mode: "auto"}, DataDir: filepath.Join(t.TempDir(), "data"),
		Hostnames: []string{"scim.example.com"}}
	cfg, err := server.TLSConfigFor(s)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want TLS 1.2", cfg.MinVersion)
	}
	ts := serveTLS(t, cfg)
	certFile := filepath.Join(s.DataDir, server.AutoCertFile)
	resp, err := trusting(t, certFile).Get(ts.URL) // https://127.0.0.1:port
	if err != nil {
		t.Fatalf("handshake with the generated certificate: %v", err)
	}
	resp.Body.Close()
	leaf := resp.TLS.PeerCertificates[0]
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("SAN 127.0.0.1: %v", err)
	}
	if err := leaf.VerifyHostname("scim.example.com"); err != nil {
		t.Errorf("SAN from hostnames: %v", err)
	}
	if resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("negotiated %x", resp.TLS.Version)
	}
	if fi, err := os.Stat(filepath.Join(s.DataDir, server.AutoKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", fi.Mode(), err)
	}

	// The next start reuses the pair: the Okta agent pinned it.
	again, err := server.TLSConfigFor(s)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = trusting(t, certFile).Get(serveTLS(t, again).URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !resp.TLS.PeerCertificates[0].Equal(leaf) {
		t.Error("a second start generated a new certificate")
	}

	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Get(ts.URL); err == nil {
		resp.Body.Close()
		t.Error("a TLS 1.1 client was served")
	}
}

// TestTLSFilesReload serves a certificate from files, replaces the files, and
// checks that new handshakes get the new certificate without a restart, and that a
// broken replacement leaves the last good one in service.
func TestTLSFilesReload(t *testing.T) {
	dir := t.TempDir()
	gen := func(name string) (string, string) {
		s := operations.Server{Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, name)}
		c, k, err := server.EnsureAutoCert(s)
		if err != nil {
			t.Fatal(err)
		}
		return c, k
	}
	certA, keyA := gen("a")
	certB, keyB := gen("b")
	cert, key := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	install := func(c, k string) {
		for _, f := range [][2]string{{c, cert}, {k, key}} {
			data, err := os.ReadFile(f[0])
			if err != nil {
				t.Fatal(err)
			}
			// Written to a temporary name and renamed, as cert-manager and certbot do.
			if err := os.WriteFile(f[1]+".tmp", data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(f[1]+".tmp", f[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	install(certA, keyA)
	cfg, err := server.TLSConfigFor(operations.Server{TLS: operations.TLS{Mode: "files", Cert: cert, Key: key}})
	if err != nil {
		t.Fatal(err)
	}
	ts := serveTLS(t, cfg)
	served := func() *x509.Certificate {
		conn, err := tls.Dial("tcp", ts.Addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0]
	}
	parse := func(file string) *x509.Certificate {
		pair, err := tls.LoadX509KeyPair(file, map[string]string{certA: keyA, certB: keyB}[file])
		if err != nil {
			t.Fatal(err)
		}
		return pair.Leaf
	}
	a, b := parse(certA), parse(certB)
	if !served().Equal(a) {
		t.Fatal("not serving the installed certificate")
	}
	install(certB, keyB)
	waitFor := func(want *x509.Certificate, what string) {
		deadline := time.Now().Add(5 * time.Second)
		for !served().Equal(want) {
			if time.Now().After(deadline) {
				t.Fatal(what)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitFor(b, "the replaced certificate was not picked up")
	// A key that does not match the certificate: the last good pair stays.
	install(certA, keyB)
	time.Sleep(1100 * time.Millisecond) // past the check interval
	if !served().Equal(b) {
		t.Fatal("a broken replacement was served")
	}
	install(certA, keyA)
	waitFor(a, "the repaired certificate was not picked up")
}

// TestHTTPServerTimeouts checks the transport limits a slow client meets.
func TestHTTPServerTimeouts(t *testing.T) {
	srv := server.HTTPServer(operations.Server{Listen: "127.0.0.1:0", RequestTimeout: 30 * time.Second}, nil, nil)
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 30*time.Second || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Fatalf("timeouts: %+v", srv)
	}
	if _, _, err := net.SplitHostPort(srv.Addr); err != nil {
		t.Fatal(err)
	}
}

// TestTLS12OnlyAEAD: over TLS 1.2 the server completes a handshake with an AEAD
// suite and refuses a client that offers only CBC suites, for generated and for
// configured certificates alike.
func TestTLS12OnlyAEAD(t *testing.T) {
	s := operations.Server{Listen: "127.0.0.1:8443", TLS: operations.TLS{Mode: "auto"}, DataDir: filepath.Join(t.TempDir(), "data")}
	cfg, err := server.TLSConfigFor(s)
	if err != nil {
		t.Fatal(err)
	}
	ts := serveTLS(t, cfg)
	dial := func(suites ...uint16) (uint16, error) {
		c, err := tls.Dial("tcp", ts.Addr, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: suites})
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.ConnectionState().CipherSuite, nil
	}
	for _, suite := range []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256} {
		if got, err := dial(suite); err == nil {
			t.Errorf("TLS 1.2 handshake with only %s succeeded (%s)", tls.CipherSuiteName(suite), tls.CipherSuiteName(got))
		}
	}
	for _, suite := range []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256} {
		if got, err := dial(suite); err != nil || got != suite {
			t.Errorf("TLS 1.2 handshake with %s: %s, %v", tls.CipherSuiteName(suite), tls.CipherSuiteName(got), err)
		}
	}
	for _, suite := range cfg.CipherSuites {
		for _, insecure := range tls.InsecureCipherSuites() {
			if suite == insecure.ID {
				t.Errorf("offers the insecure %s", insecure.Name)
			}
		}
		if name := tls.CipherSuiteName(suite); !strings.Contains(name, "GCM") && !strings.Contains(name, "CHACHA20_POLY1305") {
			t.Errorf("offers %s, which is not AEAD", name)
		}
	}
}
