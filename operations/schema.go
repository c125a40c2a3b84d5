package operations

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/dbscim/dbscim/dialects"
)

// JSONSchema returns the JSON Schema (draft 2020-12) of dbscim.yaml, for editors
// that complete keys and flag typos while a DBA types (the YAML language server
// reads it from a `# yaml-language-server: $schema=...` line). It is built from the
// loader's own lists of keys, so a key the loader accepts is in the schema; every
// key must also have a description below, or JSONSchema fails (and with it a test).
func JSONSchema() ([]byte, error) {
	b := &schemaBuilder{}
	root := b.object("the configuration", rootKeys)
	out := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://dbscim.dev/schema/dbscim.schema.json",
		"title":       "dbscim.yaml",
		"description": "The configuration of dbscim: SCIM targets served from SQL databases.",
	}
	for k, v := range root {
		out[k] = v
	}
	out["required"] = []string{"version"}
	if len(b.missing) > 0 {
		sort.Strings(b.missing)
		return nil, fmt.Errorf("operations: keys without a schema description: %v", b.missing)
	}
	return json.MarshalIndent(out, "", "  ")
}

// schemaBuilder builds the schema of each object from its key list and the
// descriptions below, noting keys it has no description for.
type schemaBuilder struct {
	missing []string
}

// object is the schema of a mapping with exactly these keys.
func (b *schemaBuilder) object(where string, keys []string) map[string]any {
	props := map[string]any{}
	for _, k := range keys {
		s, ok := b.property(where, k)
		if !ok {
			b.missing = append(b.missing, where+"."+k)
			s = map[string]any{}
		}
		props[k] = s
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func str(desc string) map[string]any { return map[string]any{"type": "string", "description": desc} }

// fromEnv is a value written as ${VAR}: the loader reads it from the environment
// before it checks the value, so any key may hold one.
var fromEnv = map[string]any{"type": "string", "pattern": `\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}`}

func integer(desc string) map[string]any {
	return map[string]any{"anyOf": []any{map[string]any{"type": "integer"}, fromEnv}, "description": desc}
}

// enum is one of values, or a value from the environment.
func enum(desc string, values ...string) map[string]any {
	return map[string]any{"anyOf": []any{map[string]any{"enum": values}, fromEnv}, "description": desc}
}
func duration(desc string) map[string]any {
	return map[string]any{"type": "string", "pattern": `^[0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h)([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))*$`, "description": desc}
}
func described(desc string, s map[string]any) map[string]any {
	s["description"] = desc
	return s
}

// operation is the schema of one declared operation.
func (b *schemaBuilder) operation(where string) map[string]any {
	return described("a statement ({sql: ...}) or a routine call ({call: ...}, {function: ...}), with its ordered params", b.object(where, opKeys))
}

// operations is the schema of a resource's operations, one per kind.
func (b *schemaBuilder) operations(where string, kinds []string) map[string]any {
	props := map[string]any{}
	for _, k := range kinds {
		props[k] = b.operation(where + "." + k)
	}
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false,
		"description": "the declared operations, by name"}
}

// mapping is the schema of an attribute mapping: a column, or the long form.
func (b *schemaBuilder) mapping() map[string]any {
	return map[string]any{
		"description": "the column that holds the attribute, or its long form",
		"oneOf": []any{
			str("the column"),
			b.object("attribute", mappingKeys),
		},
	}
}

// property describes one key of the object at where.
func (b *schemaBuilder) property(where, key string) (map[string]any, bool) {
	switch where + "." + key {
	case "the configuration.version":
		return map[string]any{"const": 1, "description": "the configuration format: 1"}, true
	case "the configuration.server":
		return described("how the server listens and limits requests", b.object("server", serverKeys)), true
	case "the configuration.targets":
		return map[string]any{"type": "object", "description": "the databases served, by target name (at /scim/v2/<name>)",
			"additionalProperties": b.object("target", targetKeys)}, true

	case "server.listen":
		return str("host:port to listen on"), true
	case "server.tls":
		return map[string]any{"description": "auto (a self-signed certificate), off, or {cert, key}",
			"anyOf": []any{map[string]any{"enum": []string{"auto", "off"}}, fromEnv, b.object("tls", tlsKeys)}}, true
	case "server.data_dir":
		return str("where tls: auto keeps its certificate"), true
	case "server.hostnames":
		return map[string]any{"anyOf": []any{map[string]any{"type": "array", "items": map[string]any{"type": "string"}}, map[string]any{"type": "string"}},
			"description": "names the auto certificate is valid for (a list, or names separated by commas)"}, true
	case "server.max_body_bytes":
		return integer("the largest request body accepted"), true
	case "server.request_timeout", "target.request_timeout":
		return duration("how long a request may take (30s, 1m)"), true
	case "server.body_timeout":
		return duration("the longest a client may pause while sending a request body (5s)"), true
	case "server.max_patch_operations":
		return integer("the most operations a PATCH may carry (1000)"), true
	case "server.max_results":
		return integer("the largest page a list returns"), true
	case "server.audit_file":
		return str("a file that receives one JSON audit event per change"), true
	case "tls.cert":
		return str("the certificate file (PEM)"), true
	case "tls.key":
		return str("the private key file (PEM)"), true

	case "target.auth":
		return described("how clients authenticate: one of bearer, basic, header, none", b.object("auth", authKinds)), true
	case "target.database":
		return described("the database and how to reach it", b.object("database", databaseKeys)), true
	case "target.users":
		return described("the SCIM User resource over the database", b.object("users", usersKeys)), true
	case "target.groups":
		return described("the SCIM Group resource over the database", b.object("groups", groupsKeys)), true
	case "target.entitlements":
		return map[string]any{"type": "object", "description": "entitlement types (and roles), by type name",
			"additionalProperties": b.object("entitlement type", entitlementKeys)}, true

	case "auth.bearer":
		return str("the bearer token (write ${VAR} to read it from the environment)"), true
	case "auth.bearer_file":
		return str("a file holding the bearer token"), true
	case "auth.basic":
		return b.object("basic", basicKeys), true
	case "auth.header":
		return b.object("header", headerKeys), true
	case "auth.none":
		return map[string]any{"anyOf": []any{map[string]any{"const": true}, fromEnv}, "description": "no authentication (for a private network only)"}, true
	case "basic.user":
		return str("the user name"), true
	case "basic.password", "header.value":
		return str("the secret (write ${VAR})"), true
	case "basic.password_file", "header.value_file":
		return str("a file holding the secret"), true
	case "header.name":
		return str("the header's name"), true

	case "database.dialect":
		return enum("the database", dialectNames()...), true
	case "database.host":
		return str("the server's host"), true
	case "database.port":
		return integer("the server's port (default: the database's standard port)"), true
	case "database.instance":
		return str("SQL Server: the named instance"), true
	case "database.name":
		return str("the database (SQLite: the file)"), true
	case "database.service":
		return str("Oracle: the service name"), true
	case "database.sid":
		return str("Oracle: the SID"), true
	case "database.user":
		return str("the database user"), true
	case "database.password":
		return str("the database password (write ${VAR})"), true
	case "database.password_file":
		return str("a file holding the database password"), true
	case "database.dsn":
		return str("a driver DSN instead of the keys above (write ${VAR})"), true
	case "database.dsn_file":
		return str("a file holding the DSN"), true
	case "database.properties":
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": []string{"string", "number", "boolean"}}, "description": "driver options"}, true
	case "database.max_open":
		return integer("the pool's most open connections"), true
	case "database.max_idle":
		return integer("the pool's most idle connections"), true
	case "database.conn_max_lifetime":
		return duration("how long a connection is reused"), true
	case "database.max_queue":
		return integer("how many requests may wait for a connection"), true
	case "database.init":
		return str("SQLite: a script that creates a new database"), true

	case "users.id", "groups.id":
		return str("the column that holds the SCIM id"), true
	case "users.attributes":
		return map[string]any{"type": "object", "description": "SCIM attribute path: column", "additionalProperties": b.mapping()}, true
	case "users.operations":
		return b.operations("user operations", operationKeys), true
	case "groups.attributes":
		return map[string]any{"type": "object", "description": "Group attribute path: column", "additionalProperties": str("the column")}, true
	case "groups.member_id":
		return str("the column of the members rows that holds a member's user id"), true
	case "groups.member_display":
		return str("the column of the members rows that holds a member's display name"), true
	case "groups.operations":
		return b.operations("group operations", groupOpKeys), true

	case "attribute.column":
		return str("the column"), true
	case "attribute.type":
		return enum("how the column's values read", columnTypes...), true
	case "attribute.true", "attribute.false":
		return map[string]any{"description": "the stored value, or list of values, read as " + key}, true
	case "attribute.values":
		return map[string]any{"type": "object", "description": "a value map: SCIM value: its stored value or list of stored values"}, true
	case "attribute.write":
		return map[string]any{"type": "object", "description": "the stored value written for a SCIM value, when not the first listed"}, true
	case "attribute.mutability":
		return enum("narrows what the operations imply", mutabilities...), true
	case "attribute.table":
		t := b.object("child table", tableKeys)
		t["description"] = "a multi-valued attribute kept in a child table, with its own operations"
		return t, true
	case "child table.columns":
		return map[string]any{"type": "object", "description": "sub-attribute: the child's column", "additionalProperties": str("the column")}, true
	case "child table.read", "child table.add", "child table.remove":
		return b.object("operation", opKeys), true
	case "users.create_completion":
		return map[string]any{"type": "boolean", "description": "write what create does not bind with update, in the same transaction (default true)"}, true
	case "groups.create_completion":
		return map[string]any{"type": "boolean", "description": "write the members and attributes create does not bind with add_member and update, in the same transaction (default true)"}, true

	case "entitlement type.kind":
		return enum("entitlement or role", entitlementKinds...), true
	case "entitlement type.endpoint":
		return str("the endpoint it is listed at"), true
	case "entitlement type.id":
		return str("the column that holds the entitlement's id"), true
	case "entitlement type.display":
		return str("the column that holds its display name"), true
	case "entitlement type.description":
		return str("the column that holds its description"), true
	case "entitlement type.operations":
		return b.operations("entitlement operations", entitlementOpKeys), true
	}
	// The keys of an operation and of a param mean the same wherever they are.
	switch key {
	case "sql":
		return str("a statement; ? placeholders are bound to params in order"), true
	case "call":
		return str("a stored procedure call: NAME(?, ...)"), true
	case "function":
		return str("PostgreSQL: a set-returning function: NAME(?, ...)"), true
	case "params":
		return map[string]any{"type": "array", "description": "what each ? is bound to, in order",
			"items": map[string]any{"oneOf": []any{str("a column of the record"), b.object("param", paramKeys)}}}, true
	case "literal":
		return map[string]any{"description": "a constant value"}, true
	case "generate":
		return enum("a generated value", generators...), true
	case "out":
		return str("an OUT parameter, read into this column"), true
	case "cursor":
		return map[string]any{"const": true, "description": "an OUT cursor holding the result set"}, true
	}
	return nil, false
}

// dialectNames are the names the loader accepts for a database, aliases included.
func dialectNames() []string {
	var out []string
	for _, n := range dialects.Names() {
		d, _ := dialects.Lookup(n)
		out = append(out, n)
		out = append(out, d.Spec().Aliases...)
	}
	return out
}
