package scim

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// TestQueryParamsAgreesWithURLValues pins the direct reading of the query string to
// url.Values' with the names lower-cased: the same pairs kept, the same dropped.
func TestQueryParamsAgreesWithURLValues(t *testing.T) {
	for _, q := range []string{
		"",
		"filter=userName%20eq%20%22bjensen%22",
		"filter=userName+eq+%22a%26b%22&count=1",
		"Filter=x&filter=y&COUNT=2",
		"startIndex=1&count=100&attributes=userName,emails",
		"a=1&&b=2&c",
		"bad=%zz&ok=1&semi=1;2&k%3Dv=w",
		"=empty&x==y",
		strings.Repeat("count=1&", 40) + "filter=z",
	} {
		r := httptest.NewRequest("GET", "/Users?"+q, nil)
		want := map[string][]string{}
		for k, vs := range r.URL.Query() {
			lk := strings.ToLower(k)
			want[lk] = append(want[lk], vs...)
		}
		got := queryParams(r)
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		// Values of names that differ only in case may come in either order from
		// url.Values' map; compare them as sets of their order in the query.
		if !reflect.DeepEqual(normalised(got), normalised(want)) {
			t.Errorf("%q: got %v, want %v", q, got, want)
		}
	}
}

func normalised(m map[string][]string) map[string]string {
	out := map[string]string{}
	for k, vs := range m {
		s := append([]string(nil), vs...)
		for i := range s {
			for j := i + 1; j < len(s); j++ {
				if s[j] < s[i] {
					s[i], s[j] = s[j], s[i]
				}
			}
		}
		out[k] = strings.Join(s, "\x00")
	}
	return out
}

// TestProtocolEndpointFoldsCase pins the lookup of protocol endpoints to
// strings.ToLower's: any letter case of an ASCII name, and nothing that only
// Unicode case folding would equate.
func TestProtocolEndpointFoldsCase(t *testing.T) {
	for seg, want := range map[string]string{
		"Schemas": "Schemas", "SCHEMAS": "Schemas", "schemas": "Schemas", "ServiceProviderConfigs": "ServiceProviderConfig",
		".Search": ".search", "Users": "", "\u017fchemas": "", strings.Repeat("s", 70): "",
	} {
		got, ok := ProtocolEndpoint(seg)
		if got != want || ok != (want != "") {
			t.Errorf("ProtocolEndpoint(%q) = %q, %v; want %q", seg, got, ok, want)
		}
	}
}
