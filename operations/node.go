package operations

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// parser walks the YAML node tree. It keeps going after a problem so that one run
// reports every problem in the file.
type parser struct {
	file string // as given to Parse, for positions
	dir  string // the config file's folder, absolute: relative paths resolve against it
	env  func(string) (string, bool)
	errs ErrorList
}

func (p *parser) pos(n *yaml.Node) Position {
	return Position{File: p.file, Line: n.Line, Column: n.Column}
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errorAt(p.pos(n), format, args...)
}

// deref follows YAML aliases (*name) to the anchored node, so that a DBA may share a
// block between targets with anchors.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node's kind for "expected X, got Y" messages. It never quotes the
// value, which may be a secret.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return "a string"
	}
	return "a YAML document"
}

// entry is one key and its value in a mapping.
type entry struct {
	key, val *yaml.Node
}

// object is a checked YAML mapping: keys are known and unique.
type object struct {
	at    *yaml.Node // where "missing key" problems are reported: the mapping's own key
	name  string     // the mapping's name in messages
	keys  map[string]entry
	order []string
}

// object checks that val is a mapping whose keys are all in allowed, each once, and
// returns it. A null value (a key with nothing after it) is an empty mapping. at is the
// key that introduced the mapping, or the mapping itself at the top level. It returns
// nil when val is not a mapping, so that callers skip checks that would only repeat
// the problem.
func (p *parser) object(at, val *yaml.Node, name, expected string, allowed ...string) *object {
	val = deref(val)
	o := &object{at: at, name: name, keys: map[string]entry{}}
	if isNull(val) {
		return o
	}
	if val.Kind != yaml.MappingNode {
		p.errorf(val, "%s: expected %s, got %s", name, expected, describe(val))
		return nil
	}
	for i := 0; i+1 < len(val.Content); i += 2 {
		k, v := val.Content[i], val.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errorf(k, "%s: expected a key, got %s", name, describe(k))
			continue
		}
		if prev, dup := o.keys[k.Value]; dup {
			p.errorf(k, "duplicate key %q in %s (first at line %d)", k.Value, name, prev.key.Line)
			continue
		}
		if allowed != nil && !contains(allowed, k.Value) {
			p.errorf(k, "unknown key %q in %s (expected one of: %s)", k.Value, name, strings.Join(allowed, ", "))
			continue
		}
		o.keys[k.Value] = entry{k, v}
		o.order = append(o.order, k.Value)
	}
	return o
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (o *object) get(key string) (entry, bool) {
	e, ok := o.keys[key]
	return e, ok
}

// missing reports a required key that is absent.
func (p *parser) missing(o *object, key, hint string) {
	msg := fmt.Sprintf("%s: missing %s", o.name, key)
	if hint != "" {
		msg += " (" + hint + ")"
	}
	p.errorAt(p.pos(o.at), "%s", msg)
}

// scalar returns the interpolated text of a scalar value. name prefixes the messages.
// A secret's value is never quoted in a message.
func (p *parser) scalar(n *yaml.Node, name string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.errorf(n, "%s: expected a string, got %s", name, describe(n))
		return "", false
	}
	s, errs := interpolate(n.Value, p.env)
	for _, e := range errs {
		p.errorf(n, "%s: %s", name, e)
	}
	return s, errs == nil
}

// str is scalar for a value that must not be empty.
func (p *parser) str(n *yaml.Node, name string) (string, bool) {
	s, ok := p.scalar(n, name)
	if ok && strings.TrimSpace(s) == "" {
		p.errorf(deref(n), "%s: must not be empty", name)
		return "", false
	}
	return s, ok
}

// value returns a scalar as the Go value YAML gives it (int, float64, bool, string or
// nil), after interpolation. An interpolated plain scalar is typed by what it expands
// to, as if the text had been written in the file; a timestamp stays a string, since
// its meaning belongs to the column it is bound to.
func (p *parser) value(n *yaml.Node, name string) (any, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s: expected a single value, got %s", name, describe(n))
		return nil, false
	}
	s, errs := interpolate(n.Value, p.env)
	for _, e := range errs {
		p.errorf(n, "%s: %s", name, e)
	}
	if errs != nil {
		return nil, false
	}
	c := &yaml.Node{Kind: yaml.ScalarNode, Style: n.Style, Value: s}
	if n.Style&yaml.TaggedStyle != 0 {
		c.Tag = n.Tag
	}
	if c.ShortTag() == "!!timestamp" {
		return s, true
	}
	var v any
	if err := c.Decode(&v); err != nil {
		p.errorf(n, "%s: %v", name, err)
		return nil, false
	}
	return v, true
}

func (p *parser) integer(n *yaml.Node, name string, lo, hi int64) (int64, bool) {
	s, ok := p.scalar(n, name)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || i < lo || i > hi {
		if hi == maxInt {
			p.errorf(deref(n), "%s: expected an integer of at least %d, got %q", name, lo, s)
		} else {
			p.errorf(deref(n), "%s: expected an integer from %d to %d, got %q", name, lo, hi, s)
		}
		return 0, false
	}
	return i, true
}

const maxInt = int64(^uint(0) >> 1)

func (p *parser) duration(n *yaml.Node, name string) (time.Duration, bool) {
	s, ok := p.scalar(n, name)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 {
		p.errorf(deref(n), "%s: expected a positive duration such as 30s, 5m or 1h30m, got %q", name, s)
		return 0, false
	}
	return d, true
}

// boolean accepts only true and false: YAML 1.1's yes/no/on/off are too easy to
// write by accident.
func (p *parser) boolean(n *yaml.Node, name string) (bool, bool) {
	s, ok := p.scalar(n, name)
	if !ok {
		return false, false
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	p.errorf(deref(n), "%s: expected true or false, got %q", name, s)
	return false, false
}

// path resolves a file path against the config file's folder, so that a config and
// its scripts, certificates and secrets move together.
func (p *parser) path(s string) string {
	if filepath.IsAbs(s) {
		return filepath.Clean(s)
	}
	return filepath.Join(p.dir, s)
}

// where describes a path as written, for messages: the resolved path depends on the
// machine, the written one is what the DBA can find in the file.
func where(s string) string {
	if filepath.IsAbs(s) {
		return strconv.Quote(s)
	}
	return strconv.Quote(s) + " (relative to the config file's folder)"
}

// secretFile reads a *_file value: the secret is the file's contents without the
// trailing newline that editors and `echo` add.
func (p *parser) secretFile(n *yaml.Node, name string) (string, bool) {
	s, ok := p.str(n, name)
	if !ok {
		return "", false
	}
	data, err := os.ReadFile(p.path(s))
	if err != nil {
		p.errorf(deref(n), "%s: cannot read %s: %s", name, where(s), ioReason(err))
		return "", false
	}
	secret := strings.TrimRight(string(data), "\r\n")
	if secret == "" {
		p.errorf(deref(n), "%s: %s is empty", name, where(s))
		return "", false
	}
	return secret, true
}

// existingFile checks that a path names a readable regular file and returns it
// resolved.
func (p *parser) existingFile(n *yaml.Node, name string) (string, bool) {
	s, ok := p.str(n, name)
	if !ok {
		return "", false
	}
	full := p.path(s)
	f, err := os.Open(full)
	if err == nil {
		var st os.FileInfo
		st, err = f.Stat()
		f.Close()
		if err == nil && st.IsDir() {
			p.errorf(deref(n), "%s: %s is a folder, expected a file", name, where(s))
			return "", false
		}
	}
	if err != nil {
		p.errorf(deref(n), "%s: cannot read %s: %s", name, where(s), ioReason(err))
		return "", false
	}
	return full, true
}

// ioReason is the cause of a file error without the path, which the message already
// gives as written.
func ioReason(err error) string {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
