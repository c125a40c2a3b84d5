package conformance_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/conformance"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// TestSQL runs the suite on every engine reachable here, each with the reference
// schema below: SQLite with statements; MariaDB and PostgreSQL with statements
// and with procedures (PostgreSQL reads through set-returning functions).
// MariaDB and PostgreSQL need DBSCIM_TEST_MYSQL_DSN and DBSCIM_TEST_POSTGRES_DSN
// (skipped when unset, failing under CI=true).
func TestSQL(t *testing.T) {
	for _, c := range []struct {
		dialect    string
		procedures bool
	}{
		{"sqlite", false},
		{"mysql", false},
		{"mysql", true},
		{"postgres", false},
		{"postgres", true},
	} {
		name := c.dialect + "/statements"
		if c.procedures {
			name = c.dialect + "/procedures"
		}
		t.Run(name, func(t *testing.T) {
			conformance.RunTests(t, func(t *testing.T) conformance.Target {
				return newSQLTarget(t, c.dialect, c.procedures, false)
			})
		})
	}
}

// TestSQLCodedStatus runs the suite on each engine with active kept as a status
// code (A active, L on leave, T terminated) read through a value map: every
// lookup, filter, activation and deactivation goes through the codes.
func TestSQLCodedStatus(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			conformance.RunTests(t, func(t *testing.T) conformance.Target {
				return newSQLTarget(t, dialect, false, true)
			})
		})
	}
}

// codedActive turns the reference schema's boolean active column into a status
// code column, and its mapping and literals into a value map and codes.
var codedActive = strings.NewReplacer(
	"active INTEGER NOT NULL DEFAULT 1", "active CHAR(1) NOT NULL DEFAULT 'A'",
	"active TINYINT(1) NOT NULL DEFAULT 1", "active CHAR(1) NOT NULL DEFAULT 'A'",
	"active BOOLEAN NOT NULL DEFAULT TRUE", "active CHAR(1) NOT NULL DEFAULT 'A'",
	"        active: active\n", "        active: {column: active, true: [A, L], false: [T]}\n",
	"{literal: true}", "{literal: A}",
	"{literal: false}", "{literal: T}",
)

const token = "conformance-token-0123456789abcdef"

// newSQLTarget creates a database with the reference schema (and its routines) and
// serves it with the statement or the procedure configuration.
func newSQLTarget(t *testing.T, dialect string, procedures, coded bool) conformance.Target {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	schema := ddl[dialect]
	if coded {
		schema = nil
		for _, st := range ddl[dialect] {
			schema = append(schema, codedActive.Replace(st))
		}
	}
	dialecttest.MustExec(t, db, schema...)
	userOps, groupOps := statementUserOps, statementGroupOps
	if procedures {
		dialecttest.MustExec(t, db, routines[dialect]...)
		read := "call"
		if dialect == "postgres" {
			read = "function"
		}
		userOps, groupOps = fmt.Sprintf(procedureUserOps, read), fmt.Sprintf(procedureGroupOps, read)
	}
	serve := func(t testing.TB, maxResults int, mappings string) *enginetest.Served {
		yaml := fmt.Sprintf(config, maxResults, enginetest.DatabaseYAML(d, conn), mappings, userOps, groupOps)
		if coded {
			yaml = codedActive.Replace(yaml)
		}
		return enginetest.ServeYAML(t, yaml, enginetest.Options{})
	}
	target := func(s *enginetest.Served) conformance.Target {
		return conformance.Target{URL: s.URL("conf"), Client: s.Client(), Authorization: "Bearer " + token}
	}
	s := serve(t, defaultMaxResults, "")
	tg := target(s)
	tg.Declares = conformance.Declared(s.ResourceTypes(t, "conf"), s.Mapped("conf"),
		conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile, conformance.MemberIntegrity,
		conformance.UniqueGroupNames, conformance.StableModify, conformance.ContentETags)
	backend := referenceBackend(d, db)
	if coded {
		backend.Users.True, backend.Users.False = "A", "T"
	}
	tg.Backend = backend
	tg.WithMaxResults = func(t testing.TB, n int) conformance.Target { return target(serve(t, n, "")) }
	tg.WithVersion = func(t testing.TB) conformance.Target { return target(serve(t, defaultMaxResults, versionMapping)) }
	return tg
}

// ddl is the schema in each engine's own dialect: users with an enterprise
// department and manager and a last-modified column, groups, and the link table
// (deleting a user removes its memberships).
var ddl = map[string][]string{
	"sqlite": {
		`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE, external_id TEXT,
			given_name TEXT, family_name TEXT, email TEXT, title TEXT, department TEXT, manager_id TEXT,
			active INTEGER NOT NULL DEFAULT 1, modified_at TIMESTAMP, row_version INTEGER NOT NULL DEFAULT 1)`,
		`CREATE TABLE groups (id TEXT PRIMARY KEY, display_name TEXT NOT NULL COLLATE NOCASE UNIQUE, external_id TEXT)`,
		`CREATE TABLE link (group_id TEXT NOT NULL REFERENCES groups(id), user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			PRIMARY KEY (group_id, user_id))`,
	},
	"mysql": {
		`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE, external_id VARCHAR(255),
			given_name VARCHAR(255), family_name VARCHAR(255), email VARCHAR(255), title VARCHAR(255), department VARCHAR(255),
			manager_id VARCHAR(64), active TINYINT(1) NOT NULL DEFAULT 1, modified_at DATETIME(6), row_version INT NOT NULL DEFAULT 1)`,
		`CREATE TABLE groups (id VARCHAR(64) PRIMARY KEY, display_name VARCHAR(255) NOT NULL UNIQUE, external_id VARCHAR(255))`,
		`CREATE TABLE link (group_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL, PRIMARY KEY (group_id, user_id),
			FOREIGN KEY (group_id) REFERENCES groups(id), FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE)`,
	},
	"postgres": {
		// A linguistic collation, as most production databases have (this server's
		// default is C): SCIM's case rules must not depend on it.
		`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name TEXT COLLATE "en-US-x-icu" NOT NULL, external_id TEXT COLLATE "en-US-x-icu",
			given_name TEXT, family_name TEXT COLLATE "en-US-x-icu", email TEXT, title TEXT, department TEXT, manager_id VARCHAR(64),
			active BOOLEAN NOT NULL DEFAULT TRUE, modified_at TIMESTAMPTZ, row_version INTEGER NOT NULL DEFAULT 1)`,
		`CREATE UNIQUE INDEX users_user_name ON users (lower(user_name))`,
		`CREATE TABLE groups (id VARCHAR(64) PRIMARY KEY, display_name TEXT NOT NULL, external_id TEXT)`,
		`CREATE UNIQUE INDEX groups_display_name ON groups (lower(display_name))`,
		`CREATE TABLE link (group_id VARCHAR(64) NOT NULL REFERENCES groups(id), user_id VARCHAR(64) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
			PRIMARY KEY (group_id, user_id))`,
	},
}

// userColumns are the users table's columns in the order the statements use.
const userColumns = "id, user_name, external_id, given_name, family_name, email, title, department, manager_id, active, modified_at"

// selectColumns are the columns the list and get statements read: a row version
// too, which a versioned target maps to meta.version.
const selectColumns = userColumns + ", row_version"

// config declares the target with every attribute mapped, the enterprise manager
// included; the verbs are max_results, the database block, extra user attribute
// mappings, the user operations and the group operations (statementUserOps and
// statementGroupOps, or their procedure forms).
const config = `version: 1
server:
  listen: 127.0.0.1:0
  tls: "off"
  max_results: %d
targets:
  conf:
    auth:
      bearer: ` + token + `
    database:
%s
    users:
      id: id
      attributes:
        userName: user_name
        externalId: external_id
        name.givenName: given_name
        name.familyName: family_name
        emails[type eq "work"].value: email
        title: title
        active: active
        meta.lastModified: modified_at
        urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: department
        urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value: manager_id
%s      operations:
%s    groups:
      id: id
      attributes: {displayName: display_name, externalId: external_id}
      member_id: user_id
      member_display: user_name
      operations:
%s`

// statementUserOps and statementGroupOps declare every operation as a SQL statement.
const statementUserOps = `        list: {sql: "SELECT ` + selectColumns + ` FROM users"}
        get:  {sql: "SELECT ` + selectColumns + ` FROM users WHERE id = ?", params: [id]}
        create:
          sql: "INSERT INTO users (id, user_name, external_id, given_name, family_name, email, title, department, manager_id, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          params: [id, user_name, external_id, given_name, family_name, email, title, department, manager_id, {generate: now}]
        update:
          sql: "UPDATE users SET user_name = ?, external_id = ?, given_name = ?, family_name = ?, email = ?, title = ?, department = ?, manager_id = ?, modified_at = ?, row_version = row_version + 1 WHERE id = ?"
          params: [user_name, external_id, given_name, family_name, email, title, department, manager_id, {generate: now}, id]
        activate:   {sql: "UPDATE users SET active = ?, modified_at = ?, row_version = row_version + 1 WHERE id = ?", params: [{literal: true}, {generate: now}, id]}
        deactivate: {sql: "UPDATE users SET active = ?, modified_at = ?, row_version = row_version + 1 WHERE id = ?", params: [{literal: false}, {generate: now}, id]}
        delete:     {sql: "DELETE FROM users WHERE id = ?", params: [id]}
`

const statementGroupOps = `        list:   {sql: "SELECT id, display_name, external_id FROM groups"}
        get:    {sql: "SELECT id, display_name, external_id FROM groups WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO groups (id, display_name, external_id) VALUES (?, ?, ?)", params: [id, display_name, external_id]}
        update: {sql: "UPDATE groups SET display_name = ?, external_id = ? WHERE id = ?", params: [display_name, external_id, id]}
        delete: {sql: "DELETE FROM groups WHERE id = ?", params: [id]}
        members: {sql: "SELECT l.user_id, u.user_name FROM link l JOIN users u ON u.id = l.user_id WHERE l.group_id = ?", params: [id]}
        add_member:    {sql: "INSERT INTO link (group_id, user_id) VALUES (?, ?)", params: [id, member]}
        remove_member: {sql: "DELETE FROM link WHERE group_id = ? AND user_id = ?", params: [id, member]}
        clear_members: {sql: "DELETE FROM link WHERE group_id = ?", params: [id]}
        groups_of_user: {sql: "SELECT g.id, g.display_name FROM link l JOIN groups g ON g.id = l.group_id WHERE l.user_id = ?", params: [member]}
`

// defaultMaxResults is the suite's max_results; WithMaxResults serves another.
const defaultMaxResults = 200

// versionMapping maps the row version column to meta.version: the store then
// sets the resource's version and ETag.
const versionMapping = "        meta.version: row_version\n"

// procedureUserOps and procedureGroupOps declare every operation as a stored
// routine; %[1]s is "call" or, for PostgreSQL's set-returning functions,
// "function".
const procedureUserOps = `        list: {%[1]s: list_users()}
        get:  {%[1]s: "get_user(?)", params: [id]}
        create:
          call: "create_user(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          params: [id, user_name, external_id, given_name, family_name, email, title, department, manager_id, {generate: now}]
        update:
          call: "update_user(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          params: [id, user_name, external_id, given_name, family_name, email, title, department, manager_id, {generate: now}]
        activate:   {call: "set_active(?, ?, ?)", params: [id, {literal: true}, {generate: now}]}
        deactivate: {call: "set_active(?, ?, ?)", params: [id, {literal: false}, {generate: now}]}
        delete:     {call: "delete_user(?)", params: [id]}
`

const procedureGroupOps = `        list:   {%[1]s: list_groups()}
        get:    {%[1]s: "get_group(?)", params: [id]}
        create: {call: "create_group(?, ?, ?)", params: [id, display_name, external_id]}
        update: {call: "update_group(?, ?, ?)", params: [id, display_name, external_id]}
        delete: {call: "delete_group(?)", params: [id]}
        members: {%[1]s: "group_members(?)", params: [id]}
        add_member:    {call: "add_member(?, ?)", params: [id, member]}
        remove_member: {call: "remove_member(?, ?)", params: [id, member]}
        clear_members: {call: "clear_members(?)", params: [id]}
        groups_of_user: {%[1]s: "groups_of_user(?)", params: [member]}
`

// routines are the stored routines of the procedure configuration, in each
// engine's language: MariaDB procedures that return result sets, PostgreSQL
// set-returning functions for reads and procedures for writes.
var routines = map[string][]string{
	"mysql": {
		`CREATE PROCEDURE list_users() SELECT ` + selectColumns + ` FROM users`,
		`CREATE PROCEDURE get_user(IN p_id VARCHAR(64)) SELECT ` + selectColumns + ` FROM users WHERE id = p_id`,
		`CREATE PROCEDURE create_user(IN p_id VARCHAR(64), IN p_user_name VARCHAR(255), IN p_external_id VARCHAR(255), IN p_given VARCHAR(255),
			IN p_family VARCHAR(255), IN p_email VARCHAR(255), IN p_title VARCHAR(255), IN p_department VARCHAR(255), IN p_manager VARCHAR(64), IN p_modified DATETIME(6))
			INSERT INTO users (id, user_name, external_id, given_name, family_name, email, title, department, manager_id, modified_at)
			VALUES (p_id, p_user_name, p_external_id, p_given, p_family, p_email, p_title, p_department, p_manager, p_modified)`,
		`CREATE PROCEDURE update_user(IN p_id VARCHAR(64), IN p_user_name VARCHAR(255), IN p_external_id VARCHAR(255), IN p_given VARCHAR(255),
			IN p_family VARCHAR(255), IN p_email VARCHAR(255), IN p_title VARCHAR(255), IN p_department VARCHAR(255), IN p_manager VARCHAR(64), IN p_modified DATETIME(6))
			UPDATE users SET user_name = p_user_name, external_id = p_external_id, given_name = p_given, family_name = p_family, email = p_email,
			title = p_title, department = p_department, manager_id = p_manager, modified_at = p_modified, row_version = row_version + 1 WHERE id = p_id`,
		`CREATE PROCEDURE set_active(IN p_id VARCHAR(64), IN p_active BOOLEAN, IN p_modified DATETIME(6))
			UPDATE users SET active = p_active, modified_at = p_modified, row_version = row_version + 1 WHERE id = p_id`,
		`CREATE PROCEDURE delete_user(IN p_id VARCHAR(64)) DELETE FROM users WHERE id = p_id`,
		`CREATE PROCEDURE list_groups() SELECT id, display_name, external_id FROM groups`,
		`CREATE PROCEDURE get_group(IN p_id VARCHAR(64)) SELECT id, display_name, external_id FROM groups WHERE id = p_id`,
		`CREATE PROCEDURE create_group(IN p_id VARCHAR(64), IN p_name VARCHAR(255), IN p_external_id VARCHAR(255))
			INSERT INTO groups (id, display_name, external_id) VALUES (p_id, p_name, p_external_id)`,
		`CREATE PROCEDURE update_group(IN p_id VARCHAR(64), IN p_name VARCHAR(255), IN p_external_id VARCHAR(255))
			UPDATE groups SET display_name = p_name, external_id = p_external_id WHERE id = p_id`,
		`CREATE PROCEDURE delete_group(IN p_id VARCHAR(64)) DELETE FROM groups WHERE id = p_id`,
		`CREATE PROCEDURE group_members(IN p_id VARCHAR(64))
			SELECT l.user_id, u.user_name FROM link l JOIN users u ON u.id = l.user_id WHERE l.group_id = p_id`,
		`CREATE PROCEDURE add_member(IN p_group VARCHAR(64), IN p_user VARCHAR(64)) INSERT INTO link (group_id, user_id) VALUES (p_group, p_user)`,
		`CREATE PROCEDURE remove_member(IN p_group VARCHAR(64), IN p_user VARCHAR(64)) DELETE FROM link WHERE group_id = p_group AND user_id = p_user`,
		`CREATE PROCEDURE clear_members(IN p_group VARCHAR(64)) DELETE FROM link WHERE group_id = p_group`,
		`CREATE PROCEDURE groups_of_user(IN p_user VARCHAR(64))
			SELECT g.id, g.display_name FROM link l JOIN groups g ON g.id = l.group_id WHERE l.user_id = p_user`,
	},
	"postgres": {
		`CREATE FUNCTION list_users() RETURNS TABLE (id VARCHAR, user_name TEXT, external_id TEXT, given_name TEXT, family_name TEXT, email TEXT,
			title TEXT, department TEXT, manager_id VARCHAR, active BOOLEAN, modified_at TIMESTAMPTZ, row_version INTEGER)
			LANGUAGE sql STABLE AS $$ SELECT u.id, u.user_name, u.external_id, u.given_name, u.family_name, u.email, u.title, u.department,
			u.manager_id, u.active, u.modified_at, u.row_version FROM users u $$`,
		`CREATE FUNCTION get_user(p_id TEXT) RETURNS TABLE (id VARCHAR, user_name TEXT, external_id TEXT, given_name TEXT, family_name TEXT, email TEXT,
			title TEXT, department TEXT, manager_id VARCHAR, active BOOLEAN, modified_at TIMESTAMPTZ, row_version INTEGER)
			LANGUAGE sql STABLE AS $$ SELECT u.id, u.user_name, u.external_id, u.given_name, u.family_name, u.email, u.title, u.department,
			u.manager_id, u.active, u.modified_at, u.row_version FROM users u WHERE u.id = p_id $$`,
		`CREATE PROCEDURE create_user(p_id TEXT, p_user_name TEXT, p_external_id TEXT, p_given TEXT, p_family TEXT, p_email TEXT, p_title TEXT,
			p_department TEXT, p_manager TEXT, p_modified TIMESTAMPTZ) LANGUAGE sql AS $$
			INSERT INTO users (id, user_name, external_id, given_name, family_name, email, title, department, manager_id, modified_at)
			VALUES (p_id, p_user_name, p_external_id, p_given, p_family, p_email, p_title, p_department, p_manager, p_modified) $$`,
		`CREATE PROCEDURE update_user(p_id TEXT, p_user_name TEXT, p_external_id TEXT, p_given TEXT, p_family TEXT, p_email TEXT, p_title TEXT,
			p_department TEXT, p_manager TEXT, p_modified TIMESTAMPTZ) LANGUAGE sql AS $$
			UPDATE users SET user_name = p_user_name, external_id = p_external_id, given_name = p_given, family_name = p_family, email = p_email,
			title = p_title, department = p_department, manager_id = p_manager, modified_at = p_modified, row_version = row_version + 1 WHERE id = p_id $$`,
		`CREATE PROCEDURE set_active(p_id TEXT, p_active BOOLEAN, p_modified TIMESTAMPTZ) LANGUAGE sql AS $$
			UPDATE users SET active = p_active, modified_at = p_modified, row_version = row_version + 1 WHERE id = p_id $$`,
		`CREATE PROCEDURE delete_user(p_id TEXT) LANGUAGE sql AS $$ DELETE FROM users WHERE id = p_id $$`,
		`CREATE FUNCTION list_groups() RETURNS TABLE (id VARCHAR, display_name TEXT, external_id TEXT)
			LANGUAGE sql STABLE AS $$ SELECT g.id, g.display_name, g.external_id FROM groups g $$`,
		`CREATE FUNCTION get_group(p_id TEXT) RETURNS TABLE (id VARCHAR, display_name TEXT, external_id TEXT)
			LANGUAGE sql STABLE AS $$ SELECT g.id, g.display_name, g.external_id FROM groups g WHERE g.id = p_id $$`,
		`CREATE PROCEDURE create_group(p_id TEXT, p_name TEXT, p_external_id TEXT) LANGUAGE sql AS $$
			INSERT INTO groups (id, display_name, external_id) VALUES (p_id, p_name, p_external_id) $$`,
		`CREATE PROCEDURE update_group(p_id TEXT, p_name TEXT, p_external_id TEXT) LANGUAGE sql AS $$
			UPDATE groups SET display_name = p_name, external_id = p_external_id WHERE id = p_id $$`,
		`CREATE PROCEDURE delete_group(p_id TEXT) LANGUAGE sql AS $$ DELETE FROM groups WHERE id = p_id $$`,
		`CREATE FUNCTION group_members(p_id TEXT) RETURNS TABLE (user_id VARCHAR, user_name TEXT)
			LANGUAGE sql STABLE AS $$ SELECT l.user_id, u.user_name FROM link l JOIN users u ON u.id = l.user_id WHERE l.group_id = p_id $$`,
		`CREATE PROCEDURE add_member(p_group TEXT, p_user TEXT) LANGUAGE sql AS $$ INSERT INTO link (group_id, user_id) VALUES (p_group, p_user) $$`,
		`CREATE PROCEDURE remove_member(p_group TEXT, p_user TEXT) LANGUAGE sql AS $$ DELETE FROM link WHERE group_id = p_group AND user_id = p_user $$`,
		`CREATE PROCEDURE clear_members(p_group TEXT) LANGUAGE sql AS $$ DELETE FROM link WHERE group_id = p_group $$`,
		`CREATE FUNCTION groups_of_user(p_user TEXT) RETURNS TABLE (id VARCHAR, display_name TEXT)
			LANGUAGE sql STABLE AS $$ SELECT g.id, g.display_name FROM link l JOIN groups g ON g.id = l.group_id WHERE l.user_id = p_user $$`,
	},
}

// referenceBackend reads and writes the reference schema.
func referenceBackend(d dialects.Dialect, db *sql.DB) *conformance.SQLBackend {
	return &conformance.SQLBackend{DB: db, Dialect: d,
		Users: conformance.UserTable{Table: "users", ID: "id", Active: "active", Columns: map[string]string{
			"userName": "user_name", "externalId": "external_id", "givenName": "given_name", "familyName": "family_name",
			"email": "email", "title": "title", "department": "department", "manager": "manager_id", "lastModified": "modified_at"}},
		Groups: &conformance.GroupTable{Table: "groups", ID: "id", DisplayName: "display_name", Links: "link", LinkGroup: "group_id", LinkUser: "user_id"},
	}
}
