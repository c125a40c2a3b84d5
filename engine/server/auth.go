package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"

	"github.com/dbscim/dbscim/engine/scim"
	"github.com/dbscim/dbscim/operations"
)

// authenticator checks a request's credentials against one target's auth block.
// Secrets are compared as SHA-256 digests in constant time, so neither their content
// nor their length leaks through timing.
type authenticator struct {
	kind   string // "bearer", "basic", "header", "none", "deny"
	tokens [][32]byte
	user   [32]byte
	pass   [32]byte
	// basicUser is the configured Basic user name: the caller's identity in audit
	// events. A user name is not a secret; the password is never kept in clear.
	basicUser string
	header    string
	value     [32]byte
}

func newAuthenticator(a operations.Auth) authenticator {
	switch {
	case len(a.Bearer) > 0:
		au := authenticator{kind: "bearer"}
		for _, t := range a.Bearer {
			au.tokens = append(au.tokens, sha256.Sum256([]byte(t)))
		}
		return au
	case a.BasicUser != "":
		return authenticator{kind: "basic", user: sha256.Sum256([]byte(a.BasicUser)), basicUser: a.BasicUser,
			pass: sha256.Sum256([]byte(a.BasicPassword))}
	case a.HeaderName != "":
		return authenticator{kind: "header", header: a.HeaderName, value: sha256.Sum256([]byte(a.HeaderValue))}
	case a.None:
		return authenticator{kind: "none"}
	}
	// A target without credentials refuses everything rather than serving openly.
	return authenticator{kind: "deny"}
}

func equal(a [32]byte, b string) bool {
	d := sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(a[:], d[:]) == 1
}

// identify reports whether the request carries this target's credentials, and who
// the caller is, for audit events: "bearer#1" or "bearer#2" (which configured token,
// so that a rotation can be followed), "basic:<user>", "header:<name>" or
// "anonymous". The identity never contains a secret.
func (a authenticator) identify(r *http.Request) (string, bool) {
	switch a.kind {
	case "none":
		return "anonymous", true
	case "bearer":
		h := r.Header.Get("Authorization")
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", false
		}
		tok = strings.TrimSpace(tok)
		// Every token is compared, matched or not, so that timing does not tell
		// which one matched.
		match := 0
		for i, t := range a.tokens {
			if equal(t, tok) {
				match = i + 1
			}
		}
		if match == 0 {
			return "", false
		}
		return "bearer#" + strconv.Itoa(match), true
	case "basic":
		u, p, ok := r.BasicAuth()
		if ok && equal(a.user, u) && equal(a.pass, p) {
			return "basic:" + a.basicUser, true
		}
		return "", false
	case "header":
		v := r.Header.Get(a.header)
		if v != "" && equal(a.value, v) {
			return "header:" + a.header, true
		}
		return "", false
	}
	return "", false
}

func (a authenticator) challenge() string {
	switch a.kind {
	case "basic":
		return `Basic realm="dbscim"`
	case "header":
		return a.header
	}
	return `Bearer realm="dbscim"`
}

// schemes describes the target's authentication for /ServiceProviderConfig.
func (a authenticator) schemes() []scim.AuthScheme {
	switch a.kind {
	case "bearer":
		return []scim.AuthScheme{{Type: "oauthbearertoken", Name: "OAuth Bearer Token", Description: "Authentication with a bearer token in the Authorization header", Primary: true}}
	case "basic":
		return []scim.AuthScheme{{Type: "httpbasic", Name: "HTTP Basic", Description: "Authentication with HTTP Basic", Primary: true}}
	case "header":
		return []scim.AuthScheme{{Type: "apikey", Name: "API key header", Description: "Authentication with the " + a.header + " header", Primary: true}}
	}
	return nil
}
