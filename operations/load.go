package operations

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads and parses the configuration file at path. A file that cannot be read is
// reported as the *fs.PathError of the read; everything else that is wrong is an
// ErrorList.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, os.LookupEnv)
}

// LoadPartial is Load for a tool that reports more than the file's problems:
// besides every problem (an ErrorList), it returns what could be loaded despite
// them, so that `dbscim validate` can check against the database the operations
// the problems do not concern. A target, operation or mapping that a problem
// concerns may be incomplete in it; serve nothing from it. err is the read
// error of a file that cannot be read; the Config is nil when the file is not a
// configuration at all (invalid YAML, an unknown version).
func LoadPartial(path string) (cfg *Config, problems ErrorList, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	cfg, problems = parseAll(path, data, os.LookupEnv)
	return cfg, problems, nil
}

// Parse parses and validates a configuration. file names the configuration in
// positions and locates it: relative paths inside it (data_dir, sqlite files, init
// scripts, TLS and *_file secrets) resolve against file's folder. env looks up
// environment variables for ${VAR} interpolation; nil means os.LookupEnv.
//
// On any problem Parse returns a nil Config and an ErrorList of every problem found,
// sorted by position.
func Parse(file string, data []byte, env func(string) (string, bool)) (*Config, error) {
	cfg, problems := parseAll(file, data, env)
	if len(problems) > 0 {
		return nil, problems
	}
	return cfg, nil
}

// parseAll returns what it could load and every problem, sorted.
func parseAll(file string, data []byte, env func(string) (string, bool)) (*Config, ErrorList) {
	if env == nil {
		env = os.LookupEnv
	}
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		dir = filepath.Dir(file)
	}
	p := &parser{file: file, dir: dir, env: env}
	cfg := p.parse(data)
	if len(p.errs) > 0 {
		return cfg, p.errs.sort()
	}
	return cfg, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse decodes the YAML document into nodes, not structs, so that every problem
// carries a line and column and unknown keys can be reported rather than dropped.
func (p *parser) parse(data []byte) *Config {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorAt(Position{File: p.file, Line: 1, Column: 1}, "the file is empty (expected a configuration starting with version: 1)")
		} else {
			p.yamlError(err, data)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		p.errorf(&next, "expected one YAML document, found a second one (remove the ---)")
	case !errors.Is(err, io.EOF):
		p.yamlError(err, data)
	}
	root := deref(doc.Content[0])
	top := p.object(root, root, "the configuration", "a mapping with version, server and targets", rootKeys...)
	if top == nil {
		return nil
	}
	cfg := &Config{}
	if !p.version(top, root, cfg) {
		return nil
	}
	if e, ok := top.get("server"); ok {
		p.server(e.key, e.val, &cfg.Server)
	} else {
		p.server(root, nil, &cfg.Server)
	}
	if e, ok := top.get("targets"); ok {
		cfg.Targets = p.targets(e)
	} else {
		p.missing(top, "targets", "a mapping of target name to target")
	}
	for _, t := range cfg.Targets {
		if t.RequestTimeout == 0 {
			t.RequestTimeout = cfg.Server.RequestTimeout
		}
	}
	return cfg
}

// yamlError turns a YAML syntax error into positioned Errors. yaml.v3 gives a line for
// most problems but no column.
func (p *parser) yamlError(err error, data []byte) {
	var lines []string
	if te, ok := errors.AsType[*yaml.TypeError](err); ok {
		lines = te.Errors
	} else {
		lines = []string{err.Error()}
	}
	for _, l := range lines {
		pos := Position{File: p.file}
		msg := strings.TrimPrefix(l, "yaml: ")
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			pos.Line, _ = strconv.Atoi(m[1])
			pos.Column = 1
			msg = m[2]
		}
		// yaml.v3 reads a ? inside { } or [ ] as a key indicator and a { as the start
		// of a mapping, so the forms Okta admins paste, {call: GET_USER_BY_ID(?)}, and
		// {bearer: ${TOKEN}} fail with a message that does not say why. Point at the
		// culprit and say what to do. (The line yaml.v3 gives can be the one before.)
		if strings.HasPrefix(msg, "did not find expected ',' or") {
			if line, col, what := flowCulprit(data); line > 0 && (pos.Line == 0 || line <= pos.Line+1) {
				pos.Line, pos.Column = line, col
				msg += fmt.Sprintf(` (inside { } or [ ], quote a value that contains %s: write {call: "GET_USER_BY_ID(?)"} or {bearer: "${TOKEN}"})`, what)
			}
		}
		p.errorAt(pos, "invalid YAML: %s", msg)
	}
}

// flowCulprit returns the line and column of the first unquoted ? or ${ inside a flow
// collection ({ } or [ ] on one line), and which it is; or 0, 0, "".
func flowCulprit(data []byte) (int, int, string) {
	for i, line := range strings.Split(string(data), "\n") {
		depth, quote := 0, byte(0)
	scan:
		for j := 0; j < len(line); j++ {
			c := line[j]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"':
				quote = c
			case c == '#' && (j == 0 || line[j-1] == ' '):
				break scan
			case depth > 0 && c == '?':
				return i + 1, j + 1, "?"
			case depth > 0 && c == '$' && strings.HasPrefix(line[j+1:], "{"):
				return i + 1, j + 1, "${"
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
			}
		}
	}
	return 0, 0, ""
}

// version checks the first key. It is first so that a future format can be told apart
// before anything else is read; an unknown version stops the checks, since the rest of
// the file is in a format this build does not know.
func (p *parser) version(top *object, root *yaml.Node, cfg *Config) bool {
	e, ok := top.get("version")
	if !ok {
		p.errorf(root, "missing version: the file must start with version: 1")
		return true
	}
	if first := root.Content[0]; first != e.key {
		p.errorf(e.key, "version must be the first key of the file")
	}
	s, ok := p.scalar(e.val, "version")
	if !ok {
		return true
	}
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		p.errorf(deref(e.val), "version: expected 1, got %q", s)
		return true
	}
	if v != 1 {
		p.errorf(deref(e.val), "unsupported version %d: this dbscim reads version 1", v)
		return false
	}
	cfg.Version = v
	return true
}

// rootKeys are the top-level keys of a configuration.
var rootKeys = []string{"version", "server", "targets"}

var tlsKeys = []string{"cert", "key"}

var serverKeys = []string{"listen", "tls", "data_dir", "hostnames", "max_body_bytes", "request_timeout", "body_timeout", "max_patch_operations", "max_results", "audit_file"}

// server fills s with the file's values and the defaults. val is nil when the file
// has no server section.
func (p *parser) server(at, val *yaml.Node, s *Server) {
	*s = Server{
		Listen:             DefaultListen,
		TLS:                TLS{Mode: "auto", Pos: p.pos(at)},
		DataDir:            filepath.Join(p.dir, DefaultDataDir),
		MaxBodyBytes:       DefaultMaxBodyBytes,
		RequestTimeout:     DefaultRequestTimeout,
		BodyTimeout:        DefaultBodyTimeout,
		MaxPatchOperations: DefaultMaxPatchOperations,
		MaxResults:         DefaultMaxResults,
		Pos:                p.pos(at),
	}
	if val == nil {
		return
	}
	o := p.object(at, val, "server", "a mapping with keys "+strings.Join(serverKeys, ", "), serverKeys...)
	if o == nil {
		return
	}
	if e, ok := o.get("listen"); ok {
		if v, ok := p.str(e.val, "listen"); ok && p.checkListen(e.val, v) {
			s.Listen = v
		}
	}
	if e, ok := o.get("tls"); ok {
		p.tls(e, &s.TLS)
	}
	if e, ok := o.get("data_dir"); ok {
		if v, ok := p.str(e.val, "data_dir"); ok {
			s.DataDir = p.path(v)
		}
	}
	if e, ok := o.get("hostnames"); ok {
		s.Hostnames = p.hostnames(e.val)
	}
	if e, ok := o.get("max_body_bytes"); ok {
		if v, ok := p.integer(e.val, "max_body_bytes", 1, maxInt); ok {
			s.MaxBodyBytes = v
		}
	}
	if e, ok := o.get("request_timeout"); ok {
		if v, ok := p.duration(e.val, "request_timeout"); ok {
			s.RequestTimeout = v
		}
	}
	if e, ok := o.get("body_timeout"); ok {
		if v, ok := p.duration(e.val, "body_timeout"); ok {
			s.BodyTimeout = v
		}
	}
	if e, ok := o.get("max_patch_operations"); ok {
		if v, ok := p.integer(e.val, "max_patch_operations", 1, 1<<31-1); ok {
			s.MaxPatchOperations = int(v)
		}
	}
	if e, ok := o.get("max_results"); ok {
		if v, ok := p.integer(e.val, "max_results", 1, 1<<31-1); ok {
			s.MaxResults = int(v)
		}
	}
	if e, ok := o.get("audit_file"); ok {
		if v, ok := p.str(e.val, "audit_file"); ok {
			s.AuditFile = p.path(v)
		}
	}
}

func (p *parser) checkListen(n *yaml.Node, v string) bool {
	_, port, err := net.SplitHostPort(v)
	if err == nil {
		var n int
		n, err = strconv.Atoi(port)
		if err == nil && (n < 0 || n > 65535) {
			err = errors.New("bad port")
		}
	}
	if err != nil {
		p.errorf(deref(n), "listen: expected host:port such as 127.0.0.1:8443 or :8443, got %q", v)
		return false
	}
	return true
}

func (p *parser) tls(e entry, t *TLS) {
	t.Pos = p.pos(deref(e.val))
	n := deref(e.val)
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		v, ok := p.scalar(n, "tls")
		if !ok {
			return
		}
		switch v {
		case "auto", "off":
			t.Mode = v
		default:
			p.errorf(n, "tls: expected auto, off or {cert: FILE, key: FILE}, got %q", v)
		}
		return
	}
	o := p.object(e.key, n, "tls", "auto, off or {cert: FILE, key: FILE}", tlsKeys...)
	if o == nil {
		return
	}
	t.Mode = "files"
	for _, k := range []string{"cert", "key"} {
		f, ok := o.get(k)
		if !ok {
			p.missing(o, k, "the PEM file of the server's "+map[string]string{"cert": "certificate chain", "key": "private key"}[k])
			continue
		}
		if v, ok := p.existingFile(f.val, "tls."+k); ok {
			if k == "cert" {
				t.Cert = v
			} else {
				t.Key = v
			}
		}
	}
}

var hostnameRE = regexp.MustCompile(`^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$`)

// hostnames accepts a list, or a single name as a list of one.
func (p *parser) hostnames(n *yaml.Node) []string {
	n = deref(n)
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []string
	for _, item := range items {
		v, ok := p.str(item, "hostnames")
		if !ok {
			continue
		}
		if net.ParseIP(v) == nil && !hostnameRE.MatchString(v) {
			p.errorf(deref(item), "hostnames: %q is not a host name or IP address (write the name only: no scheme, port or path)", v)
			continue
		}
		out = append(out, v)
	}
	return out
}
