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
	"math/big"
	"net/http"
	"net"
	"os"
	"path/filepath"
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
// stable certificate to pin.
func TLSConfig(s operations.Server) (*tls.Config, error) {
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
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{pair}}, nil
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
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      s.RequestTimeout + 30*time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
