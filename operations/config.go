// Package operations is the model of dbscim's configuration file: the targets, their
// databases, the attribute mappings and the declared operations (a SQL statement or a
// stored-procedure call with ordered parameter bindings), with loading, environment
// interpolation, defaults and validation. Every error it reports carries the file,
// line and column it is about. It runs no database or HTTP code.
package operations

import (
	"fmt"
	"time"

	"github.com/dbscim/dbscim/dialects"
)

// MaxTargets is how many targets one configuration may declare.
const MaxTargets = 8

// Position is a place in a configuration file.
type Position struct {
	File   string
	Line   int
	Column int
}

// String formats the position as "file:line:col", the form editors and CI annotators
// link to.
func (p Position) String() string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Config is a loaded, validated configuration.
type Config struct {
	Version int
	Server  Server
	// Targets in the order the file declares them.
	Targets []*Target
}

// Target returns the target with the given name, or nil.
func (c *Config) Target(name string) *Target {
	for _, t := range c.Targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Server is the transport configuration.
type Server struct {
	Listen string // host:port; default 127.0.0.1:8443
	// TLS is "auto" (self-signed, generated into DataDir), "off", or files.
	TLS     TLS
	DataDir string // where generated certificates live; default "data" next to the config file
	// Hostnames are extra names for the generated certificate and printed URLs.
	Hostnames []string
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// RequestTimeout bounds every request's database work (default 30s).
	RequestTimeout time.Duration
	// BodyTimeout is the longest a client may pause while sending a request body
	// (default 5s). A body is read whole before the request takes one of its
	// target's slots.
	BodyTimeout time.Duration
	// MaxPatchOperations bounds a PATCH's operations (default 1000). The values of
	// one operation's value array count as one operation.
	MaxPatchOperations int
	// MaxResults is the largest page a list answers (default 1000).
	MaxResults int
	// AuditFile, when set, receives one JSON line per change besides the log.
	AuditFile string
	Pos       Position
}

// TLS is the server's TLS mode.
type TLS struct {
	Mode string // "auto", "off" or "files"
	Cert string // for "files"
	Key  string
	Pos  Position
}

// Target is one database served under /scim/v2/<Name>.
type Target struct {
	Name     string
	Auth     Auth
	Database Database
	Users    *Users
	// Groups is nil when the target serves no /Groups.
	Groups *Groups
	// Entitlements are the target's entitlement types, in file order.
	Entitlements []*EntitlementType
	// RequestTimeout bounds each request's database work on this target. Load fills
	// in the server's RequestTimeout when the target gives none; zero only appears
	// in a Target built by hand and means the server's.
	RequestTimeout time.Duration
	Pos            Position
}

// AuthKind is how a SCIM client proves itself to a target.
type AuthKind string

// The kinds of auth a target may declare.
const (
	// AuthBearer is a bearer token in the Authorization header (bearer or bearer_file).
	AuthBearer AuthKind = "bearer"
	// AuthBasic is HTTP Basic authentication.
	AuthBasic AuthKind = "basic"
	// AuthHeader is a secret in a named header.
	AuthHeader AuthKind = "header"
	// AuthNone serves without authentication; only an explicit none: true gives it.
	AuthNone AuthKind = "none"
)

// Auth says how a SCIM client proves itself to a target. Kind says which; only the
// fields of that kind are set.
type Auth struct {
	// Kind is the kind the file declares; Load always sets it.
	Kind AuthKind
	// Bearer tokens; two may be active at once while a token is rotated.
	Bearer []string
	// Basic credentials.
	BasicUser     string
	BasicPassword string
	// A named header and its expected value.
	HeaderName  string
	HeaderValue string
	// None is true only when the file says auth: none explicitly.
	None bool
	Pos  Position
}

// Method returns Kind. For an Auth built by hand without a Kind it returns the kind
// its credentials imply (bearer tokens, a Basic user, a header name, None, in that
// order), or "" when none is set: such an Auth admits nobody.
func (a Auth) Method() AuthKind {
	switch {
	case a.Kind != "":
		return a.Kind
	case len(a.Bearer) > 0:
		return AuthBearer
	case a.BasicUser != "":
		return AuthBasic
	case a.HeaderName != "":
		return AuthHeader
	case a.None:
		return AuthNone
	}
	return ""
}

// Database is a target's connection and pool.
type Database struct {
	Dialect    dialects.Dialect
	Connection dialects.Connection
	// Pool limits. Load fills the defaults (10 connections, MaxIdle = MaxOpen, 30m), so
	// after Load they are final; zero only appears in a Database built by hand and
	// means the default.
	MaxOpen         int
	MaxIdle         int
	ConnMaxLifetime time.Duration
	// MaxQueue is how many requests beyond MaxOpen may wait for a connection; more
	// are refused at once with 429 and Retry-After. Load fills the default
	// (4 × MaxOpen); in a Database built by hand zero means no queue.
	MaxQueue int
	// Init is an SQL script (path resolved against the config file's folder) that is
	// run when a SQLite database file is created, to give it its schema and seed rows.
	Init string
	Pos  Position
}

// Users is the declaration of the SCIM User resource over a target's tables.
type Users struct {
	// ID is the column that holds the SCIM id.
	ID string
	// Attributes maps SCIM attribute paths to columns, in file order.
	Attributes []Mapping
	Operations Operations
	// NoCreateCompletion is set by create_completion: false. By default a create
	// carrying attributes the create operation does not bind writes them with
	// update in the same transaction; with it, such a create is refused instead.
	NoCreateCompletion bool
	Pos                Position
}

// Mapping binds one SCIM attribute path to one column.
type Mapping struct {
	// Path is the SCIM path as written: "userName", "name.givenName",
	// `emails[type eq "work"].value`, "urn:...:enterprise:2.0:User:department".
	Path   string
	Column string
	// Type is the column's value kind when it is not what the SCIM attribute implies:
	// "" (infer), "string", "boolean", "integer", "datetime".
	Type string
	// Values map stored codes to SCIM values, many to one: the long form's
	// true/false (a boolean over a column of codes) or values (a string attribute
	// with coded values). Empty means the column holds the SCIM value itself (for
	// a boolean, the driver's own boolean or a common form such as 1/0 or Y/N).
	// A stored value outside a non-empty map is not read as any value.
	Values []CodedValue
	// Mutability, when the file gives one, narrows what the operations imply:
	// "readOnly", "immutable" (set by create, never changed) or "writeOnly" (never
	// returned, as a password). "" means what the operations that bind the column
	// imply.
	Mutability string
	// Table, when set, keeps the attribute's values in a child table, with its
	// own operations; Column is then empty.
	Table *ChildTable
	Pos   Position
	// table is the file's table: block, read once the dialect is known.
	table *entry
}

// ChildTable is a multi-valued attribute whose values are rows of another
// table: phone numbers by type, say. Read returns every value of one user; Add
// stores one value; Remove deletes one value. Their params name the users' id
// column and the child's columns.
type ChildTable struct {
	// Columns maps each sub-attribute ("value", "type", "primary") to the
	// child's column that holds it, in file order.
	Columns []SubColumn
	Read    *Operation
	Add     *Operation
	Remove  *Operation
	Pos     Position
}

// SubColumn is one sub-attribute of a child-table attribute and its column.
type SubColumn struct {
	Sub, Column string
}

// CodedValue is one SCIM value of an attribute whose column holds codes.
type CodedValue struct {
	// Value is the SCIM value: a bool for a boolean attribute, else a string.
	Value any
	// Stored are the stored forms read as Value, in file order; never empty.
	Stored []any
	// Write is the stored form written for Value: the first of Stored unless the
	// file's write: names another of them.
	Write any
}

// Coded reports whether the mapping reads its column through a value map.
func (m *Mapping) Coded() bool { return len(m.Values) > 0 }

// StatementKind says whether an operation is a statement or a routine call.
type StatementKind int

const (
	// SQL is a statement written in the database's language.
	SQL StatementKind = iota
	// Call is a stored procedure or function call.
	Call
)

// Operation is one declared operation.
type Operation struct {
	Name string // "list", "get", "create", ...
	Kind StatementKind
	// Source is the text as written in the file (`sql:`, `call:` or `function:`), after
	// ${VAR} interpolation and before placeholder rewriting: what `dbscim explain` shows
	// next to Text.
	Source string
	// Routine is the called routine's name, for Call.
	Routine string
	// RoutineKind is dialects.Function when the file says `function:` (PostgreSQL
	// set-returning functions), else dialects.Procedure.
	RoutineKind dialects.Routine
	// Text is the statement to run, in the dialect's native placeholder form.
	Text   string
	Params []Param
	Pos    Position
}

// ParamKind says where a parameter's value comes from.
type ParamKind int

const (
	// Field is a column of the record being read or written (Okta's DATABASE_FIELD).
	Field ParamKind = iota
	// Literal is a constant from the file.
	Literal
	// Generated is a value made when the operation runs: "uuid" or "now".
	Generated
	// OutParam is a scalar OUT parameter whose value is read back into Name.
	OutParam
	// CursorParam is an OUT parameter holding the result set (Oracle SYS_REFCURSOR).
	CursorParam
)

// Param is one ordered parameter binding.
type Param struct {
	Kind      ParamKind
	Name      string // the column, for Field and OutParam, spelled as users declares it
	Value     any    // for Literal
	Generator string // for Generated: "uuid" or "now"
	Pos       Position
}

// Modes returns the dialect bind modes of the parameters, in order.
func (o *Operation) Modes() []dialects.ParamMode {
	modes := make([]dialects.ParamMode, len(o.Params))
	for i, p := range o.Params {
		switch p.Kind {
		case OutParam:
			modes[i] = dialects.Out
		case CursorParam:
			modes[i] = dialects.Cursor
		default:
			modes[i] = dialects.In
		}
	}
	return modes
}
