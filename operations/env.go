package operations

import (
	"fmt"
	"strings"
)

// interpolate expands ${VAR} and ${VAR:-default} in a scalar value; $${ stands for a
// literal ${. Like a shell, the default applies when the variable is unset or empty.
//
// A variable that is unset and has no default is a problem rather than an empty
// string: an empty password or token silently loaded is worse than a refused start.
// The messages name the variable but never quote s, because s is often a secret.
func interpolate(s string, env func(string) (string, bool)) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var (
		b    strings.Builder
		errs []string
	)
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), errs
		}
		if i > 0 && s[i-1] == '$' {
			// "$${" is the escape: it stands for a literal "${".
			b.WriteString(s[:i-1])
			b.WriteString("${")
			s = s[i+2:]
			continue
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			errs = append(errs, "unterminated ${ (close it with }, or write $${ for a literal ${)")
			return b.String(), errs
		}
		expr := s[i+2 : i+end]
		s = s[i+end+1:]
		name, def, hasDef := strings.Cut(expr, ":-")
		if !isEnvName(name) {
			errs = append(errs, "invalid variable reference: expected ${NAME} or ${NAME:-default}, where NAME is letters, digits and _")
			continue
		}
		v, ok := env(name)
		switch {
		case hasDef && v == "":
			v = def
		case !ok:
			errs = append(errs, fmt.Sprintf("environment variable %s is not set (set it, or write ${%s:-default})", name, name))
		}
		b.WriteString(v)
	}
}

// isEnvName reports whether s is a portable environment variable name.
func isEnvName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
