package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/dbscim/dbscim/operations"
)

// Certificate file names inside the data directory for tls: auto.
const (
	AutoCertFile = "dbscim.crt"
	AutoKeyFile  = "dbscim.key"
)

// TLSConfig returns the server's TLS configuration, or nil for tls: off. For
// tls: auto it generates a self-signed ECDSA P-256 certificate into the data
// directory on first start and reuses it afterwards, as the Okta agent needs a
// stable certificate to pin. The certificate is served through GetCertificate and
// re-read when its files change, so that a renewed certificate (cert-manager,
// certbot) is picked up without a restart.
// It logs certificate reloads and publishes the certificate's expiry as a metric.
func (s *Server) TLSConfig() (*tls.Config, error) {
	return tlsConfig(s.Config().Server, s.log, s.metrics.setCertExpiry)
}

func tlsConfig(s operations.Server, log *slog.Logger, expiry func(time.Time)) (*tls.Config, error) {
	var cert, key string
	switch s.TLS.Mode {
	case "off":
		return nil, nil
	case "files":
		cert, key = s.TLS.Cert, s.TLS.Key
	default:
		var err error
		if cert, key, err = EnsureAutoCert(s); err != nil {
			return nil, err
		}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &certificates{cert: cert, key: key, log: log, expiry: expiry, every: time.Second}
	if err := c.load(); err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: aeadSuites, GetCertificate: c.get}, nil
}

// aeadSuites are the TLS 1.2 cipher suites offered: forward-secret key exchange
// with an AEAD cipher only. Go's default list also has the ECDHE CBC-SHA1 suites,
// which scanners flag as weak and no SCIM client needs. TLS 1.3's suites are all
// AEAD and not configurable.
var aeadSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// certificates serves a certificate and key pair from files, re-reading them when
// their modification time or size changes. The files are checked at most once per
// every, on a handshake, so that a busy server does not stat them per connection. A
// pair that does not load (a renewal caught half-written, or a key that does not
// match) is logged and the previous pair goes on being served.
type certificates struct {
	cert, key string
	log       *slog.Logger
	expiry    func(time.Time)
	every     time.Duration

	mu      sync.Mutex
	pair    *tls.Certificate
	stamps  [2]stamp
	checked time.Time
}

func (c *certificates) load() error {
	cs, _ := stampOf(c.cert)
	ks, _ := stampOf(c.key)
	pair, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return fmt.Errorf("tls: %w", err)
	}
	c.pair, c.stamps = &pair, [2]stamp{cs, ks}
	if c.expiry != nil && pair.Leaf != nil {
		c.expiry(pair.Leaf.NotAfter)
	}
	return nil
}

func (c *certificates) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); now.Sub(c.checked) >= c.every {
		c.checked = now
		cs, _ := stampOf(c.cert)
		ks, _ := stampOf(c.key)
		if [2]stamp{cs, ks} != c.stamps {
			old := c.stamps
			if err := c.load(); err != nil {
				// Remember the stamps anyway: the problem is logged once per change
				// of the files, not once per handshake.
				c.stamps = [2]stamp{cs, ks}
				c.log.Error("cannot reload the TLS certificate; serving the previous one", "cert", c.cert, "key", c.key, "error", err.Error())
			} else if old != ([2]stamp{}) {
				c.log.Info("TLS certificate reloaded", "cert", c.cert, "not_after", c.pair.Leaf.NotAfter)
			}
		}
	}
	return c.pair, nil
}

// EnsureAutoCert returns the paths of the generated certificate and key, making
// them when they do not exist yet.
func EnsureAutoCert(s operations.Server) (certPath, keyPath string, err error) {
	certPath = filepath.Join(s.DataDir, AutoCertFile)
	keyPath = filepath.Join(s.DataDir, AutoKeyFile)
	if _, err := os.Stat(certPath); err == nil {
		if _, err := os.Stat(keyPath); err == nil {
			return certPath, keyPath, nil
		}
	}
	if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
		return "", "", err
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", "", err
	}
	tmpl := x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "dbscim", Organization: []string{"dbscim"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	host, _, _ := net.SplitHostPort(s.Listen)
	names := append([]string{host}, s.Hostnames...)
	if h, err := os.Hostname(); err == nil {
		names = append(names, h)
	}
	for _, n := range names {
		if n == "" || n == "localhost" {
			continue
		}
		if ip := net.ParseIP(n); ip != nil {
			if !ip.IsUnspecified() && !ip.Equal(net.ParseIP("127.0.0.1")) {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
			continue
		}
		tmpl.DNSNames = append(tmpl.DNSNames, n)
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &priv.PublicKey, priv)
	if err != nil {
		return "", "", err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", "", err
	}
	if err := writePEM(keyPath, "PRIVATE KEY", keyDER, 0o600); err != nil {
		return "", "", err
	}
	if err := writePEM(certPath, "CERTIFICATE", der, 0o644); err != nil {
		return "", "", err
	}
	return certPath, keyPath, nil
}

func writePEM(path, kind string, der []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists without its pair; remove it to regenerate", path)
		}
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: kind, Bytes: der}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// HTTPServer returns the http.Server for a handler, with the timeouts that keep a
// slow or stalled client from holding a connection.
func HTTPServer(s operations.Server, h *Server, tlsConfig *tls.Config) *http.Server {
	return &http.Server{
		Addr:              s.Listen,
		Handler:           h,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       readTimeout,
		WriteTimeout:      s.RequestTimeout + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
