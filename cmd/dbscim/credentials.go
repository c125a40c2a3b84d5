package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/dbscim/dbscim/engine/server"
	"github.com/dbscim/dbscim/operations"
)

// credentials prints what an identity provider's admin pastes into its SCIM app:
// each target's base URL, how it authenticates (the token itself for bearer tokens,
// which is what Okta and Entra ask for), and the server's certificate, generating
// it first for tls: auto so that it can be pinned before the first start.
func credentials(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("credentials", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "dbscim.yaml", "the configuration file")
	only := fs.String("target", "", "print only this target")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, ok := load(*path, stderr)
	if !ok {
		return 1
	}
	targets := cfg.Targets
	if *only != "" {
		t := cfg.Target(*only)
		if t == nil {
			names := make([]string, len(cfg.Targets))
			for i, t := range cfg.Targets {
				names[i] = t.Name
			}
			fmt.Fprintf(stderr, "%s: no target named %q (the targets are: %s)\n", *path, *only, strings.Join(names, ", "))
			return 1
		}
		targets = []*operations.Target{t}
	}
	base := publicBase(cfg.Server)
	fmt.Fprintf(stdout, "# dbscim credentials for %s\n", *path)
	fmt.Fprintln(stdout, "# Tokens below are secrets: paste them into the identity provider only, and do not keep this output.")
	for _, t := range targets {
		fmt.Fprintf(stdout, "\ntarget %s\n", t.Name)
		fmt.Fprintf(stdout, "  SCIM base URL:   %s%s/%s\n", base, server.BasePath, t.Name)
		if len(cfg.Targets) == 1 {
			fmt.Fprintf(stdout, "                   (also %s%s, as the lone target)\n", base, server.BasePath)
		}
		printAuth(stdout, t.Auth)
	}
	fmt.Fprintln(stdout)
	return printCertificate(cfg.Server, stdout, stderr)
}

// publicBase is the scheme, host and port a client uses: the first configured host
// name, else the listen address, else (listening on every interface) this host's
// name, which the generated certificate covers too.
func publicBase(s operations.Server) string {
	scheme := "https"
	if s.TLS.Mode == "off" {
		scheme = "http"
	}
	host, port, _ := net.SplitHostPort(s.Listen)
	switch {
	case len(s.Hostnames) > 0:
		host = s.Hostnames[0]
	case host == "" || net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified():
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		} else {
			host = "127.0.0.1"
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

func printAuth(w io.Writer, a operations.Auth) {
	switch a.Method() {
	case operations.AuthBearer:
		fmt.Fprintln(w, "  authentication:  bearer token (HTTP header Authorization: Bearer <token>)")
		if len(a.Bearer) == 1 {
			fmt.Fprintf(w, "  token (secret):  %s\n", a.Bearer[0])
			return
		}
		// While rotating, the first token is the one in use and the second the
		// one to switch to; both are accepted.
		fmt.Fprintf(w, "  token 1 (secret, current): %s\n", a.Bearer[0])
		fmt.Fprintf(w, "  token 2 (secret, next):    %s\n", a.Bearer[1])
	case operations.AuthBasic:
		fmt.Fprintf(w, "  authentication:  HTTP Basic, user %q; the password is in the configuration (not printed)\n", a.BasicUser)
	case operations.AuthHeader:
		fmt.Fprintf(w, "  authentication:  header %s; its value is in the configuration (not printed)\n", a.HeaderName)
	case operations.AuthNone:
		fmt.Fprintln(w, "  authentication:  none (auth: {none: true}); anyone who reaches the port can provision")
	}
}

// printCertificate prints the server's certificate chain in PEM with the leaf's
// SHA-256 fingerprint and expiry, generating it first for tls: auto.
func printCertificate(s operations.Server, stdout, stderr io.Writer) int {
	var file, kind string
	switch s.TLS.Mode {
	case "off":
		fmt.Fprintln(stdout, "TLS is off (tls: off): no certificate. Serve HTTPS in front of dbscim, or only on the loopback.")
		return 0
	case "files":
		file, kind = s.TLS.Cert, "from tls.cert"
	default:
		cert, _, err := server.EnsureAutoCert(s)
		if err != nil {
			fmt.Fprintf(stderr, "cannot generate the certificate for tls: auto: %v\n", err)
			return 1
		}
		file, kind = cert, "self-signed, generated for tls: auto"
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "cannot read the certificate: %v\n", err)
		return 1
	}
	// Only the CERTIFICATE blocks are printed: a combined PEM file may hold the
	// private key too, which must never be shown.
	var chain []*pem.Block
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			chain = append(chain, b)
		}
	}
	if len(chain) == 0 {
		fmt.Fprintf(stderr, "%s: no PEM certificate in it\n", file)
		return 1
	}
	leaf, err := x509.ParseCertificate(chain[0].Bytes)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", file, err)
		return 1
	}
	sum := sha256.Sum256(leaf.Raw)
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02X", b)
	}
	names := append([]string{}, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	fmt.Fprintf(stdout, "certificate (%s): %s\n", kind, file)
	fmt.Fprintf(stdout, "  names:       %s\n", strings.Join(names, ", "))
	fmt.Fprintf(stdout, "  valid until: %s\n", leaf.NotAfter.UTC().Format(time.RFC3339))
	fmt.Fprintf(stdout, "  SHA-256:     %s\n", strings.Join(hexes, ":"))
	for _, b := range chain {
		pem.Encode(stdout, &pem.Block{Type: b.Type, Bytes: b.Bytes})
	}
	return 0
}
