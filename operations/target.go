package operations

import (
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/dbscim/dbscim/dialects"
	"gopkg.in/yaml.v3"
)

// targetName is what a target may be called: it is a URL path segment and a metric
// label, so it is kept to lower-case letters, digits, _ and -.
var targetName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// reservedNames are the SCIM endpoints served at /scim/v2/<name>: a lone target is also
// served at /scim/v2, where a target with one of these names would be ambiguous.
var reservedNames = []string{"users", "groups", "serviceproviderconfig", "resourcetypes", "schemas", "bulk", "me", ".search"}

func (p *parser) targets(e entry) []*Target {
	n := deref(e.val)
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "targets: expected a mapping of target name to target, got %s", describe(n))
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(e.key, "targets: expected at least one target")
		return nil
	}
	o := p.object(e.key, n, "targets", "a mapping of target name to target")
	var out []*Target
	for i, name := range o.order {
		te := o.keys[name]
		if i == MaxTargets {
			p.errorf(te.key, "too many targets: at most %d per configuration (run another dbscim for more)", MaxTargets)
		}
		if t := p.target(te); t != nil && i < MaxTargets {
			out = append(out, t)
		}
	}
	return out
}

var targetKeys = []string{"auth", "database", "users", "groups", "entitlements", "request_timeout"}

func (p *parser) target(e entry) *Target {
	name := e.key.Value
	t := &Target{Name: name, Pos: p.pos(e.key)}
	switch {
	case contains(reservedNames, strings.ToLower(name)):
		p.errorf(e.key, "target name %q is a SCIM endpoint name (%s are reserved)", name, strings.Join(reservedNames, ", "))
	case !targetName.MatchString(name):
		p.errorf(e.key, "target name %q: expected 1 to 63 lower-case letters, digits, _ or -, starting with a letter or digit (it is part of the URL)", name)
	}
	what := fmt.Sprintf("target %q", name)
	o := p.object(e.key, e.val, what, "a mapping with keys "+strings.Join(targetKeys, ", "), targetKeys...)
	if o == nil {
		return nil
	}
	if a, ok := o.get("auth"); ok {
		p.auth(a, &t.Auth)
	} else {
		p.missing(o, "auth", "one of bearer, basic, header, or none: true to serve without authentication")
	}
	if d, ok := o.get("database"); ok {
		p.database(d, &t.Database)
	} else {
		p.missing(o, "database", "the connection to serve")
	}
	if u, ok := o.get("users"); ok {
		t.Users = p.users(u, t.Database.Dialect)
	} else {
		p.missing(o, "users", "the User resource's id column, attributes and operations")
	}
	if g, ok := o.get("groups"); ok {
		t.Groups = p.groups(g, t.Database.Dialect, t.Users)
	}
	if en, ok := o.get("entitlements"); ok {
		t.Entitlements = p.entitlements(en, t.Database.Dialect, t.Users)
	}
	if v, ok := o.get("request_timeout"); ok {
		if d, ok := p.duration(v.val, "request_timeout"); ok {
			t.RequestTimeout = d
		}
	}
	return t
}

// minTokenLen is the shortest accepted bearer token: a short token can be guessed by
// anyone who can reach the port.
const minTokenLen = 16

var (
	authKinds  = []string{"bearer", "bearer_file", "basic", "header", "none"}
	basicKeys  = []string{"user", "password", "password_file"}
	headerKeys = []string{"name", "value", "value_file"}
)

func (p *parser) auth(e entry, a *Auth) {
	a.Pos = p.pos(e.key)
	o := p.object(e.key, e.val, "auth", "a mapping with one of bearer, basic, header, none", authKinds...)
	if o == nil {
		return
	}
	if len(o.order) == 0 {
		p.errorf(e.key, "auth: expected one of bearer, basic, header, or none: true to serve without authentication")
		return
	}
	if len(o.order) > 1 {
		p.errorf(o.keys[o.order[1]].key, "auth: expected exactly one of bearer, basic, header, none; got %s", strings.Join(o.order, " and "))
	}
	for _, kind := range o.order {
		v := o.keys[kind]
		switch kind {
		case "bearer":
			a.Kind, a.Bearer = AuthBearer, p.bearer(v.val)
		case "bearer_file":
			a.Kind, a.Bearer = AuthBearer, p.bearerFile(v.val)
		case "basic":
			a.Kind = AuthBasic
			bo := p.object(v.key, v.val, "auth.basic", "a mapping with user and password", basicKeys...)
			if bo == nil {
				continue
			}
			if u, ok := bo.get("user"); ok {
				a.BasicUser, _ = p.str(u.val, "user")
				if strings.Contains(a.BasicUser, ":") {
					p.errorf(deref(u.val), "user: must not contain ':' (HTTP Basic puts one between user and password)")
				}
			} else {
				p.missing(bo, "user", "")
			}
			var ok bool
			if a.BasicPassword, ok = p.secret(bo, "password", true); !ok {
				p.missing(bo, "password", "or password_file")
			}
		case "header":
			a.Kind = AuthHeader
			ho := p.object(v.key, v.val, "auth.header", "a mapping with name and value", headerKeys...)
			if ho == nil {
				continue
			}
			if h, ok := ho.get("name"); ok {
				if s, ok := p.str(h.val, "name"); ok {
					if !isToken(s) {
						p.errorf(deref(h.val), "name: %q is not an HTTP header name", s)
					}
					a.HeaderName = s
				}
			} else {
				p.missing(ho, "name", "the HTTP header that carries the secret, such as X-Api-Key")
			}
			var ok bool
			if a.HeaderValue, ok = p.secret(ho, "value", true); !ok {
				p.missing(ho, "value", "or value_file: the secret the header must carry")
			}
		case "none":
			if b, ok := p.boolean(v.val, "none"); ok && !b {
				p.errorf(deref(v.val), "none: only none: true is meaningful; choose bearer, basic or header to authenticate")
			} else if ok {
				a.Kind, a.None = AuthNone, true
			}
		}
	}
}

func (p *parser) bearer(n *yaml.Node) []string {
	n = deref(n)
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		switch {
		case len(items) == 0:
			p.errorf(n, "bearer: expected a token or a list of one or two tokens, got an empty list")
		case len(items) > 2:
			p.errorf(items[2], "bearer: at most two tokens (the current one and the next, while rotating)")
		}
	}
	var out []string
	for _, item := range items {
		if tok, ok := p.str(item, "bearer"); ok && p.checkToken(item, "bearer", tok) {
			out = append(out, tok)
		}
	}
	return out
}

// bearerFile reads one or two tokens, one per line, so that a token can be rotated by
// rewriting a mounted secret.
func (p *parser) bearerFile(n *yaml.Node) []string {
	data, ok := p.secretFile(n, "bearer_file")
	if !ok {
		return nil
	}
	var out []string
	for _, line := range strings.Split(data, "\n") {
		if tok := strings.TrimSpace(line); tok != "" {
			out = append(out, tok)
		}
	}
	if len(out) > 2 {
		p.errorf(deref(n), "bearer_file: at most two tokens, one per line (the current one and the next, while rotating)")
		return nil
	}
	for _, tok := range out {
		if !p.checkToken(n, "bearer_file", tok) {
			return nil
		}
	}
	return out
}

// checkToken never quotes the token.
func (p *parser) checkToken(n *yaml.Node, name, tok string) bool {
	if len(tok) < minTokenLen {
		p.errorf(deref(n), "%s: a token must be at least %d characters (generate one with: openssl rand -hex 32)", name, minTokenLen)
		return false
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		p.errorf(deref(n), "%s: a token must not contain spaces or line breaks", name)
		return false
	}
	return true
}

// secret reads key or key_file from o: the secret itself, or a file holding it. It
// reports whether either was given; an absent required secret is the caller's to
// report. nonEmpty refuses an empty inline value (a *_file may never be empty).
func (p *parser) secret(o *object, key string, nonEmpty bool) (string, bool) {
	v, inline := o.get(key)
	f, file := o.get(key + "_file")
	switch {
	case inline && file:
		p.errorf(f.key, "%s: give %s or %s_file, not both", o.name, key, key)
		return "", true
	case inline:
		s, ok := p.scalar(v.val, key)
		if ok && nonEmpty && s == "" {
			p.errorf(deref(v.val), "%s: must not be empty", key)
		}
		return s, true
	case file:
		s, _ := p.secretFile(f.val, key+"_file")
		return s, true
	}
	return "", false
}

// isToken reports whether s is an RFC 9110 token, as header names are.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

var databaseKeys = []string{"dialect", "host", "port", "instance", "name", "service", "sid", "user",
	"password", "password_file", "dsn", "dsn_file", "properties", "max_open", "max_idle", "conn_max_lifetime", "max_queue", "init"}

func (p *parser) database(e entry, db *Database) {
	db.Pos = p.pos(e.key)
	db.MaxOpen = DefaultMaxOpen
	db.ConnMaxLifetime = DefaultConnMaxLifetime
	o := p.object(e.key, e.val, "database", "a mapping with keys "+strings.Join(databaseKeys, ", "), databaseKeys...)
	if o == nil {
		return
	}
	var spec *dialects.Spec // nil when the dialect is missing or unknown
	if d, ok := o.get("dialect"); ok {
		if s, ok := p.str(d.val, "dialect"); ok {
			if dl, ok := dialects.Lookup(s); ok {
				db.Dialect = dl
				sp := dl.Spec()
				spec = &sp
			} else {
				p.errorf(deref(d.val), "unknown dialect %q (expected one of: %s)", s, strings.Join(dialects.Names(), ", "))
			}
		}
	} else {
		p.missing(o, "dialect", "one of "+strings.Join(dialects.Names(), ", "))
	}
	c := &db.Connection
	errsBefore := len(p.errs)

	// The DSN alternative: the driver's own string, used as it is.
	dsn, hasDSN := p.secret(o, "dsn", true)
	if hasDSN {
		c.DSN = dsn
		for _, k := range []string{"host", "port", "instance", "name", "service", "sid", "user", "password", "password_file", "properties"} {
			if v, ok := o.get(k); ok {
				p.errorf(v.key, "%s: not allowed with dsn (the dsn already says how to connect; put it there)", k)
			}
		}
	} else {
		p.connection(o, spec, c)
		if db.Dialect != nil && len(p.errs) == errsBefore {
			// Let the dialect refuse what it cannot connect with now rather than at the
			// first request. Its message may quote the DSN: take the password out.
			if _, err := db.Dialect.DSN(*c); err != nil {
				p.errorf(e.key, "database: %s", redact(err.Error(), c.Password))
			}
		}
	}

	if v, ok := o.get("max_open"); ok {
		if n, ok := p.integer(v.val, "max_open", 1, 10000); ok {
			db.MaxOpen = int(n)
		}
	}
	db.MaxIdle = db.MaxOpen
	if v, ok := o.get("max_idle"); ok {
		if n, ok := p.integer(v.val, "max_idle", 1, 10000); ok {
			if int(n) > db.MaxOpen {
				p.errorf(deref(v.val), "max_idle: %d is more than max_open (%d)", n, db.MaxOpen)
			}
			db.MaxIdle = int(n)
		}
	}
	if v, ok := o.get("conn_max_lifetime"); ok {
		if d, ok := p.duration(v.val, "conn_max_lifetime"); ok {
			db.ConnMaxLifetime = d
		}
	}
	db.MaxQueue = DefaultQueueFactor * db.MaxOpen
	if v, ok := o.get("max_queue"); ok {
		if n, ok := p.integer(v.val, "max_queue", 0, 100000); ok {
			db.MaxQueue = int(n)
		}
	}
	if v, ok := o.get("init"); ok {
		if spec != nil && !spec.Init {
			p.errorf(v.key, "init: only for %s (create the schema of the %s database with its own tools)", dialectsWith(func(s dialects.Spec) bool { return s.Init }), spec.Name)
		} else if f, ok := p.existingFile(v.val, "init"); ok {
			db.Init = f
		}
	}
}

// keyHints say what a connection key holds, for the message reporting it missing;
// a Spec's Requirement.Hint says it instead where these words do not fit.
var keyHints = map[string]string{
	"name": "the database to connect to",
	"host": "the database server's host name or IP address",
	"user": "the database account dbscim connects as",
}

// connection reads the structured connection fields and checks them against what the
// dialect's Spec needs, so that a missing host is reported here rather than as a
// driver error at the first request. spec is nil for a missing or unknown dialect.
// It fills in the dialect's default port.
func (p *parser) connection(o *object, spec *dialects.Spec, c *dialects.Connection) {
	str := func(k string) (string, *yaml.Node) {
		v, ok := o.get(k)
		if !ok {
			return "", nil
		}
		s, _ := p.str(v.val, k)
		return s, v.key
	}
	var at = map[string]*yaml.Node{}
	for _, k := range []string{"host", "instance", "name", "service", "sid", "user"} {
		s, key := str(k)
		if key == nil {
			continue
		}
		at[k] = key
		switch k {
		case "host":
			// A Unix socket folder (PostgreSQL) starts with /.
			if s != "" && net.ParseIP(s) == nil && !hostnameRE.MatchString(s) && !strings.HasPrefix(s, "/") {
				p.errorf(deref(o.keys[k].val), "host: %q is not a host name or IP address (write the port under port:)", s)
			}
			c.Host = s
		case "instance":
			c.Instance = s
		case "name":
			c.Name = s
		case "service":
			c.Service = s
		case "sid":
			c.SID = s
		case "user":
			c.User = s
		}
	}
	if v, ok := o.get("port"); ok {
		at["port"] = v.key
		if n, ok := p.integer(v.val, "port", 1, 65535); ok {
			c.Port = int(n)
		}
	}
	c.Password, _ = p.secret(o, "password", false)
	if v, ok := o.get("password"); ok {
		at["password"] = v.key
	} else if v, ok := o.get("password_file"); ok {
		at["password"] = v.key
	}
	if v, ok := o.get("properties"); ok {
		c.Properties = p.properties(v)
	}
	if spec == nil {
		return // unknown dialect: already reported
	}

	for _, k := range spec.Forbidden {
		if key := at[k]; key != nil {
			p.errorf(key, "%s: not used by %s", k, spec.Name)
		}
	}
	var given []*yaml.Node
	for _, k := range spec.Exclusive {
		if at[k] != nil {
			given = append(given, at[k])
		}
	}
	if len(given) > 1 {
		p.errorf(given[len(given)-1], "%s: give %s, not both", given[len(given)-1].Value, strings.Join(spec.Exclusive, " or "))
	}
	for _, r := range spec.Required {
		found := at[r.Key] != nil
		for _, k := range r.Or {
			found = found || at[k] != nil
		}
		if !found {
			hint := r.Hint
			if hint == "" {
				hint = keyHints[r.Key]
			}
			p.missing(o, r.Key, hint)
		}
	}
	if !spec.Networked {
		// The database is a file, found relative to the config file's folder.
		if c.Name != "" && c.Name != ":memory:" && !strings.HasPrefix(c.Name, "file:") {
			c.Name = p.path(c.Name)
		}
		return
	}
	if c.Port == 0 && c.Instance == "" {
		// A SQL Server named instance is found through the SQL Browser service, which
		// answers with the port: pinning the default port would bypass it.
		c.Port = spec.DefaultPort
	}
}

// dialectsWith names the dialects whose Spec has a property, for messages such as
// "init: only for sqlite".
func dialectsWith(has func(dialects.Spec) bool) string {
	var names []string
	for _, s := range dialects.Specs() {
		if has(s) {
			names = append(names, s.Name)
		}
	}
	return strings.Join(names, ", ")
}

// properties are driver options. Values are stringified: the DSN is text.
func (p *parser) properties(e entry) map[string]string {
	o := p.object(e.key, e.val, "properties", "a mapping of driver option to value")
	if o == nil {
		return nil
	}
	props := make(map[string]string, len(o.order))
	for _, k := range o.order {
		v := o.keys[k]
		if k == "" {
			p.errorf(v.key, "properties: expected an option name, got an empty key")
			continue
		}
		if s, ok := p.scalar(v.val, "properties."+k); ok {
			props[k] = s
		}
	}
	return props
}

// redact removes a secret from a message that a library wrote.
func redact(msg, secret string) string {
	if secret == "" {
		return msg
	}
	return strings.ReplaceAll(msg, secret, "<redacted>")
}
