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
	kind   operations.AuthKind // "" refuses everything
	tokens [][32]byte
	// callers are the bearer tokens' identities, "bearer#1" and on, made once.
	callers []string
	user    [32]byte
	pass    [32]byte
	// basicUser is the configured Basic user name: the caller's identity in audit
	// events. A user name is not a secret; the password is never kept in clear.
	basicUser string
	header    string
	value     [32]byte
}

// newAuthenticator reads the kind the configuration declares. A target whose
// credentials are incomplete refuses everything rather than serving openly.
func newAuthenticator(a operations.Auth) authenticator {
	switch kind := a.Method(); {
	case kind == operations.AuthBearer && len(a.Bearer) > 0:
		au := authenticator{kind: kind}
		for _, t := range a.Bearer {
			au.tokens = append(au.tokens, sha256.Sum256([]byte(t)))
			au.callers = append(au.callers, "bearer#"+strconv.Itoa(len(au.tokens)))
		}
		return au
	case kind == operations.AuthBasic && a.BasicUser != "":
		return authenticator{kind: kind, user: sha256.Sum256([]byte(a.BasicUser)), basicUser: a.BasicUser,
			pass: sha256.Sum256([]byte(a.BasicPassword))}
	case kind == operations.AuthHeader && a.HeaderName != "":
		return authenticator{kind: kind, header: a.HeaderName, value: sha256.Sum256([]byte(a.HeaderValue))}
	case kind == operations.AuthNone && a.None:
		return authenticator{kind: kind}
	}
	return authenticator{}
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
	case operations.AuthNone:
		return "anonymous", true
	case operations.AuthBearer:
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
		return a.callers[match-1], true
	case operations.AuthBasic:
		u, p, ok := r.BasicAuth()
		if ok && equal(a.user, u) && equal(a.pass, p) {
			return "basic:" + a.basicUser, true
		}
		return "", false
	case operations.AuthHeader:
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
	case operations.AuthBasic:
		return `Basic realm="dbscim"`
	case operations.AuthHeader:
		return a.header
	}
	return `Bearer realm="dbscim"`
}

// schemes describes the target's authentication for /ServiceProviderConfig.
func (a authenticator) schemes() []scim.AuthScheme {
	switch a.kind {
	case operations.AuthBearer:
		return []scim.AuthScheme{{Type: "oauthbearertoken", Name: "OAuth Bearer Token", Description: "Authentication with a bearer token in the Authorization header", Primary: true}}
	case operations.AuthBasic:
		return []scim.AuthScheme{{Type: "httpbasic", Name: "HTTP Basic", Description: "Authentication with HTTP Basic", Primary: true}}
	case operations.AuthHeader:
		return []scim.AuthScheme{{Type: "apikey", Name: "API key header", Description: "Authentication with the " + a.header + " header", Primary: true}}
	}
	return nil
}
