package server

import (
	"net/http/httptest"
	"testing"

	"github.com/dbscim/dbscim/operations"
)

// TestAuthenticators checks every way a target can authenticate its caller, and
// who the caller is said to be.
func TestAuthenticators(t *testing.T) {
	tests := []struct {
		name    string
		auth    operations.Auth
		headers map[string]string
		basic   []string
		want    string
		ok      bool
	}{
		{"bearer", operations.Auth{Bearer: []string{"tok-one-0123456789abcdef"}}, map[string]string{"Authorization": "Bearer tok-one-0123456789abcdef"}, nil, "bearer#1", true},
		{"bearer lower-case scheme", operations.Auth{Bearer: []string{"tok-one-0123456789abcdef"}}, map[string]string{"Authorization": "bearer tok-one-0123456789abcdef"}, nil, "bearer#1", true},
		{"second token", operations.Auth{Bearer: []string{"tok-one-0123456789abcdef", "tok-two-0123456789abcdef"}}, map[string]string{"Authorization": "Bearer tok-two-0123456789abcdef"}, nil, "bearer#2", true},
		{"wrong token", operations.Auth{Bearer: []string{"tok-one-0123456789abcdef"}}, map[string]string{"Authorization": "Bearer tok-one-0123456789abcdeX"}, nil, "", false},
		{"token prefix", operations.Auth{Bearer: []string{"tok-one-0123456789abcdef"}}, map[string]string{"Authorization": "Bearer tok-one"}, nil, "", false},
		{"basic sent to bearer", operations.Auth{Bearer: []string{"tok-one-0123456789abcdef"}}, nil, []string{"u", "tok-one-0123456789abcdef"}, "", false},
		{"no credentials", operations.Auth{Bearer: []string{"tok-one-0123456789abcdef"}}, nil, nil, "", false},
		{"basic", operations.Auth{BasicUser: "okta", BasicPassword: "pa:ss word"}, nil, []string{"okta", "pa:ss word"}, "basic:okta", true},
		{"basic wrong password", operations.Auth{BasicUser: "okta", BasicPassword: "pass"}, nil, []string{"okta", "pas"}, "", false},
		{"basic wrong user", operations.Auth{BasicUser: "okta", BasicPassword: "pass"}, nil, []string{"Okta", "pass"}, "", false},
		{"header", operations.Auth{HeaderName: "X-Api-Key", HeaderValue: "k-0123456789"}, map[string]string{"X-Api-Key": "k-0123456789"}, nil, "header:X-Api-Key", true},
		{"header wrong value", operations.Auth{HeaderName: "X-Api-Key", HeaderValue: "k-0123456789"}, map[string]string{"X-Api-Key": "k-012345678"}, nil, "", false},
		{"header missing", operations.Auth{HeaderName: "X-Api-Key", HeaderValue: "k-0123456789"}, map[string]string{"Authorization": "Bearer k-0123456789"}, nil, "", false},
		{"none", operations.Auth{None: true}, nil, nil, "anonymous", true},
		{"nothing configured refuses", operations.Auth{}, map[string]string{"Authorization": "Bearer x"}, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/scim/v2/t/Users", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if tt.basic != nil {
				r.SetBasicAuth(tt.basic[0], tt.basic[1])
			}
			who, ok := newAuthenticator(tt.auth).identify(r)
			if ok != tt.ok || who != tt.want {
				t.Errorf("identify = %q, %v; want %q, %v", who, ok, tt.want, tt.ok)
			}
		})
	}
}
