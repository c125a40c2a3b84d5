package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
)

// The corpus: one good configuration of a legacy HR schema (accounts with a
// coded status, teams and their members, applications granted by procedures)
// and, below, the realistic mistakes a DBA makes writing it, each one edit away
// from the good one. validate must report each at its place with its fix, on
// every engine the mistake applies to, and find nothing wrong with the good one.

var corpusDDL = map[string][]string{
	"mysql": {
		`CREATE TABLE accounts (account_id VARCHAR(36) PRIMARY KEY, login VARCHAR(100) NOT NULL, first_name VARCHAR(50), last_name VARCHAR(50),
			email VARCHAR(100), status CHAR(1) NOT NULL DEFAULT 'A', hired DATE NULL, is_admin BOOLEAN NOT NULL DEFAULT FALSE,
			UNIQUE KEY accounts_login (login)) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci`,
		`INSERT INTO accounts (account_id, login, first_name, last_name, email, status, hired) VALUES ('u1', 'ann', 'Ann', 'Lee', 'ann@example.com', 'A', '2020-01-06'), ('u2', 'bob', 'Bob', 'Ray', NULL, 'T', NULL)`,
		`CREATE TABLE teams (team_id VARCHAR(36) PRIMARY KEY, team_name VARCHAR(100) NOT NULL, UNIQUE KEY teams_name (team_name)) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci`,
		`CREATE TABLE team_members (team_id VARCHAR(36) NOT NULL, account_id VARCHAR(36) NOT NULL, PRIMARY KEY (team_id, account_id),
			FOREIGN KEY (team_id) REFERENCES teams (team_id), FOREIGN KEY (account_id) REFERENCES accounts (account_id)) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci`,
		`CREATE TABLE apps (app_id INT PRIMARY KEY, app_name VARCHAR(100) NOT NULL)`,
		`CREATE TABLE app_grants (account_id VARCHAR(36) NOT NULL, app_id INT NOT NULL, PRIMARY KEY (account_id, app_id)) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_unicode_ci`,
		`CREATE PROCEDURE create_account(IN p_id VARCHAR(36), IN p_login VARCHAR(100), IN p_first VARCHAR(50), IN p_last VARCHAR(50), IN p_email VARCHAR(100))
			INSERT INTO accounts (account_id, login, first_name, last_name, email) VALUES (p_id, p_login, p_first, p_last, p_email)`,
		`CREATE PROCEDURE grant_app(IN p_account_id VARCHAR(36), IN p_app_id INT) INSERT INTO app_grants VALUES (p_account_id, p_app_id)`,
		`CREATE PROCEDURE revoke_app(IN p_account_id VARCHAR(36), IN p_app_id INT) DELETE FROM app_grants WHERE account_id = p_account_id AND app_id = p_app_id`,
		`CREATE VIEW people AS SELECT * FROM accounts`,
	},
	"postgres": {
		`CREATE TABLE accounts (account_id VARCHAR(36) PRIMARY KEY, login VARCHAR(100) NOT NULL, first_name VARCHAR(50), last_name VARCHAR(50),
			email VARCHAR(100), status CHAR(1) NOT NULL DEFAULT 'A', hired DATE, is_admin BOOLEAN NOT NULL DEFAULT FALSE)`,
		`CREATE UNIQUE INDEX accounts_login ON accounts (lower(login))`,
		`INSERT INTO accounts (account_id, login, first_name, last_name, email, status, hired) VALUES ('u1', 'ann', 'Ann', 'Lee', 'ann@example.com', 'A', '2020-01-06'), ('u2', 'bob', 'Bob', 'Ray', NULL, 'T', NULL)`,
		`CREATE TABLE teams (team_id VARCHAR(36) PRIMARY KEY, team_name VARCHAR(100) NOT NULL)`,
		`CREATE UNIQUE INDEX teams_name ON teams (lower(team_name))`,
		`CREATE TABLE team_members (team_id VARCHAR(36) NOT NULL REFERENCES teams, account_id VARCHAR(36) NOT NULL REFERENCES accounts, PRIMARY KEY (team_id, account_id))`,
		`CREATE TABLE apps (app_id INT PRIMARY KEY, app_name VARCHAR(100) NOT NULL)`,
		`CREATE TABLE app_grants (account_id VARCHAR(36) NOT NULL, app_id INT NOT NULL, PRIMARY KEY (account_id, app_id))`,
		`CREATE PROCEDURE create_account(p_id VARCHAR, p_login VARCHAR, p_first VARCHAR, p_last VARCHAR, p_email VARCHAR) LANGUAGE sql AS $$
			INSERT INTO accounts (account_id, login, first_name, last_name, email) VALUES (p_id, p_login, p_first, p_last, p_email) $$`,
		`CREATE PROCEDURE grant_app(p_account_id VARCHAR, p_app_id INT) LANGUAGE sql AS $$ INSERT INTO app_grants VALUES (p_account_id, p_app_id) $$`,
		`CREATE PROCEDURE revoke_app(p_account_id VARCHAR, p_app_id INT) LANGUAGE sql AS $$ DELETE FROM app_grants WHERE account_id = p_account_id AND app_id = p_app_id $$`,
		`CREATE FUNCTION list_accounts() RETURNS SETOF accounts LANGUAGE sql AS $$ SELECT * FROM accounts $$`,
		`CREATE VIEW people AS SELECT * FROM accounts`,
	},
	"sqlite": {
		`CREATE TABLE accounts (account_id VARCHAR(36) PRIMARY KEY, login VARCHAR(100) NOT NULL, first_name VARCHAR(50), last_name VARCHAR(50),
			email VARCHAR(100), status CHAR(1) NOT NULL DEFAULT 'A', hired DATE, is_admin BOOLEAN NOT NULL DEFAULT 0)`,
		`CREATE UNIQUE INDEX accounts_login ON accounts (login COLLATE NOCASE)`,
		`INSERT INTO accounts (account_id, login, first_name, last_name, email, status, hired) VALUES ('u1', 'ann', 'Ann', 'Lee', 'ann@example.com', 'A', '2020-01-06'), ('u2', 'bob', 'Bob', 'Ray', NULL, 'T', NULL)`,
		`CREATE TABLE teams (team_id VARCHAR(36) PRIMARY KEY, team_name VARCHAR(100) NOT NULL)`,
		`CREATE UNIQUE INDEX teams_name ON teams (team_name COLLATE NOCASE)`,
		`CREATE TABLE team_members (team_id VARCHAR(36) NOT NULL REFERENCES teams, account_id VARCHAR(36) NOT NULL REFERENCES accounts, PRIMARY KEY (team_id, account_id))`,
		`CREATE TABLE apps (app_id INT PRIMARY KEY, app_name VARCHAR(100) NOT NULL)`,
		`CREATE TABLE app_grants (account_id VARCHAR(36) NOT NULL, app_id INT NOT NULL, PRIMARY KEY (account_id, app_id))`,
		`CREATE VIEW people AS SELECT * FROM accounts`,
	},
}

// corpusYAML is the good configuration; $-words are filled in per database.
// SQLite has no procedures: its create, grant and revoke are statements.
const corpusYAML = `version: 1
targets:
  hr:
    auth: {bearer: 0123456789abcdef0123456789abcdef}
    database: {dialect: $DIALECT, host: $HOST, port: $PORT, name: $NAME, user: $USER, password: "$PASSWORD"}
    users:
      id: account_id
      attributes:
        userName: login
        name.givenName: first_name
        name.familyName: last_name
        emails[type eq "work"].value: email
        active: {column: status, type: boolean, true: "A", false: "T"}
        urn:example:params:scim:schemas:extension:hr:2.0:User:hired: {column: hired, type: datetime}
        urn:example:params:scim:schemas:extension:hr:2.0:User:admin: {column: is_admin, type: boolean}
      operations:
        list: {sql: "SELECT account_id, login, first_name, last_name, email, status, hired, is_admin FROM accounts"}
        get: {sql: "SELECT account_id, login, first_name, last_name, email, status, hired, is_admin FROM accounts WHERE account_id = ?", params: [account_id]}
        create: {call: "create_account(?, ?, ?, ?, ?)", params: [account_id, login, first_name, last_name, email]}
        update: {sql: "UPDATE accounts SET login = ?, first_name = ?, last_name = ?, email = ?, hired = ?, is_admin = ? WHERE account_id = ?", params: [login, first_name, last_name, email, hired, is_admin, account_id]}
        activate: {sql: "UPDATE accounts SET status = 'A' WHERE account_id = ?", params: [account_id]}
        deactivate: {sql: "UPDATE accounts SET status = 'T' WHERE account_id = ?", params: [account_id]}
    groups:
      id: team_id
      attributes: {displayName: team_name}
      member_id: account_id
      operations:
        list: {sql: "SELECT team_id, team_name FROM teams"}
        get: {sql: "SELECT team_id, team_name FROM teams WHERE team_id = ?", params: [team_id]}
        members: {sql: "SELECT account_id FROM team_members WHERE team_id = ?", params: [team_id]}
        add_member: {sql: "INSERT INTO team_members (team_id, account_id) VALUES (?, ?)", params: [team_id, member]}
        remove_member: {sql: "DELETE FROM team_members WHERE team_id = ? AND account_id = ?", params: [team_id, member]}
    entitlements:
      App:
        id: app_id
        display: app_name
        operations:
          list: {sql: "SELECT app_id, app_name FROM apps"}
          of_user: {sql: "SELECT a.app_id, a.app_name FROM apps a JOIN app_grants g ON g.app_id = a.app_id WHERE g.account_id = ?", params: [account_id]}
          grant: {call: "grant_app(?, ?)", params: [account_id, app_id]}
          revoke: {call: "revoke_app(?, ?)", params: [account_id, app_id]}
`

// sqliteStatements replace the calls for SQLite.
var sqliteStatements = []edit{
	{`create: {call: "create_account(?, ?, ?, ?, ?)"`, `create: {sql: "INSERT INTO accounts (account_id, login, first_name, last_name, email) VALUES (?, ?, ?, ?, ?)"`},
	{`grant: {call: "grant_app(?, ?)"`, `grant: {sql: "INSERT INTO app_grants (account_id, app_id) VALUES (?, ?)"`},
	{`revoke: {call: "revoke_app(?, ?)"`, `revoke: {sql: "DELETE FROM app_grants WHERE account_id = ? AND app_id = ?"`},
}

// edit replaces old (which must be in the file) with new, everywhere.
type edit struct{ old, new string }

// report is one line validate must print: msg (pieces that must appear in this
// order, joined by " … ") at the position of at: the first occurrence of at's
// text after "|", searched from its text before "|" when it has one.
type report struct {
	at, msg string
	warning bool
}

type mistake struct {
	name     string
	dialects string // m: MariaDB, p: PostgreSQL, s: SQLite
	ddl      map[string][]string
	edits    []edit
	want     []report
}

var corpus = []mistake{
	// What a read returns against the mapping.
	{name: "get-fewer-columns-than-list", dialects: "mps",
		edits: []edit{{`SELECT account_id, login, first_name, last_name, email, status, hired, is_admin FROM accounts WHERE`, `SELECT account_id, login, first_name, last_name, status, hired, is_admin FROM accounts WHERE`}},
		want:  []report{{at: `emails[type eq "work"].value:`, msg: `column email is not among the columns users.get returns`}}},
	{name: "list-misses-a-mapped-column", dialects: "mps",
		edits: []edit{{`SELECT account_id, login, first_name, last_name, email, status, hired, is_admin FROM accounts"`, `SELECT account_id, login, first_name, email, status, hired, is_admin FROM accounts"`}},
		want:  []report{{at: `name.familyName:`, msg: `column last_name is not among the columns users.list returns`}}},
	{name: "get-misses-the-id", dialects: "mps",
		edits: []edit{{`SELECT account_id, login, first_name, last_name, email, status, hired, is_admin FROM accounts WHERE`, `SELECT login, first_name, last_name, email, status, hired, is_admin FROM accounts WHERE`}},
		want:  []report{{at: `        get:`, msg: `users.get does not return the id column account_id`}}},
	{name: "group-get-misses-displayName", dialects: "mps",
		edits: []edit{{`SELECT team_id, team_name FROM teams WHERE`, `SELECT team_id FROM teams WHERE`}},
		want:  []report{{at: `displayName:`, msg: `displayName: column team_name is not among the columns groups.get returns`}}},

	// Parameters against the routine's and the columns' types.
	{name: "grant-params-swapped", dialects: "mp",
		edits: []edit{{`grant: {call: "grant_app(?, ?)", params: [account_id, app_id]}`, `grant: {call: "grant_app(?, ?)", params: [app_id, account_id]}`}},
		want:  []report{{at: `grant: {call: "grant_app(?, ?)", params: [app_id, |account_id`, msg: `grant: grant_app's parameter p_app_id (int … is bound to account_id, a text column (varchar): put the params in the routine's order (p_account_id, p_app_id)`}}},
	{name: "revoke-params-swapped", dialects: "mp",
		edits: []edit{{`revoke: {call: "revoke_app(?, ?)", params: [account_id, app_id]}`, `revoke: {call: "revoke_app(?, ?)", params: [app_id, account_id]}`}},
		want:  []report{{at: `revoke: {call: "revoke_app(?, ?)", params: [app_id, |account_id`, msg: `revoke: revoke_app's parameter p_app_id (`}}},
	{name: "grant-statement-params-swapped", dialects: "mps",
		edits: []edit{{`grant: {call: "grant_app(?, ?)", params: [account_id, app_id]}`, `grant: {sql: "INSERT INTO app_grants (account_id, app_id) VALUES (?, ?)", params: [app_id, account_id]}`},
			{`grant: {sql: "INSERT INTO app_grants (account_id, app_id) VALUES (?, ?)", params: [account_id, app_id]}`, `grant: {sql: "INSERT INTO app_grants (account_id, app_id) VALUES (?, ?)", params: [app_id, account_id]}`}},
		want: []report{{at: `VALUES (?, ?)", params: [app_id, |account_id`, msg: `grant: column app_id (int … is bound to account_id, a text column (`}}},
	{name: "boolean-bound-to-a-date", dialects: "mps",
		edits: []edit{{`params: [login, first_name, last_name, email, hired, is_admin, account_id]`, `params: [login, first_name, last_name, email, is_admin, hired, account_id]`}},
		want:  []report{{at: `params: [login, first_name, last_name, email, |is_admin`, msg: `update: column hired (date) is bound to is_admin, a `}}},
	{name: "date-bound-to-text", dialects: "mps",
		edits: []edit{{`params: [login, first_name, last_name, email, hired, is_admin, account_id]`, `params: [login, first_name, last_name, hired, email, is_admin, account_id]`}},
		want:  []report{{at: `params: [login, first_name, last_name, |hired`, msg: `update: column email ( … is bound to hired, a date column`}}},
	{name: "grant-binds-a-param-too-many", dialects: "mp",
		edits: []edit{{`grant: {call: "grant_app(?, ?)", params: [account_id, app_id]}`, `grant: {call: "grant_app(?, ?, ?)", params: [account_id, app_id, {literal: "scim"}]}`}},
		want:  []report{{at: `          grant:`, msg: `grant: grant_app takes 2 parameters (p_account_id, p_app_id), but the call binds 3`}}},
	{name: "create-binds-fewer-than-the-procedure-takes", dialects: "mp",
		edits: []edit{{`create: {call: "create_account(?, ?, ?, ?, ?)", params: [account_id, login, first_name, last_name, email]}`, `create: {call: "create_account(?, ?, ?, ?)", params: [account_id, login, first_name, last_name]}`}},
		want:  []report{{at: `        create:`, msg: `create: create_account takes 5 parameters (p_id, p_login, p_first, p_last, p_email), but the call binds 4`}}},

	// Routines and tables that do not exist.
	{name: "misnamed-procedure", dialects: "mp",
		edits: []edit{{`create_account(?, ?, ?, ?, ?)`, `create_acount(?, ?, ?, ?, ?)`}},
		want:  []report{{at: `        create:`, msg: `create: no routine create_acount exists in the database (or this account cannot see it): did you mean create_account?`}}},
	{name: "misnamed-grant-procedure", dialects: "mp",
		edits: []edit{{`grant_app(?, ?)`, `grant_apps(?, ?)`}},
		want:  []report{{at: `          grant:`, msg: `grant: no routine grant_apps exists … did you mean grant_app?`}}},
	{name: "function-declared-with-call", dialects: "p",
		edits: []edit{{`list: {sql: "SELECT account_id, login, first_name, last_name, email, status, hired, is_admin FROM accounts"}`, `list: {call: "list_accounts()"}`}},
		want:  []report{{at: `        list:`, msg: `list: list_accounts is a function, which call: cannot run`}}},
	{name: "procedure-declared-with-function", dialects: "p",
		edits: []edit{{`create: {call: "create_account(`, `create: {function: "create_account(`}},
		want:  []report{{at: `        create:`, msg: `create: create_account is a procedure: declare it with call:, not function:`}}},
	{name: "misspelt-table-in-update", dialects: "mps",
		edits: []edit{{`UPDATE accounts SET login = ?`, `UPDATE acounts SET login = ?`}},
		want:  []report{{at: `        update:`, msg: `update: no table acounts exists in the database (or this account cannot see it): did you mean accounts?`}}},
	{name: "misspelt-table-in-list", dialects: "mps",
		edits: []edit{{`is_admin FROM accounts"}`, `is_admin FROM account"}`}},
		want:  []report{{at: `        list:`, msg: `list: no table account exists … did you mean accounts?`}}},
	{name: "misspelt-table-in-members", dialects: "mps",
		edits: []edit{{`FROM team_members WHERE team_id = ?"`, `FROM team_member WHERE team_id = ?"`}},
		want:  []report{{at: `        members:`, msg: `members: no table team_member exists … did you mean team_members?`}}},
	{name: "misspelt-table-in-grant-statement", dialects: "s",
		edits: []edit{{`INSERT INTO app_grants (account_id`, `INSERT INTO app_grant (account_id`}},
		want:  []report{{at: `          grant:`, msg: `grant: no table app_grant exists … did you mean app_grants?`}}},
	{name: "misspelt-column-in-get", dialects: "mps",
		edits: []edit{{`email, status, hired, is_admin FROM accounts WHERE`, `emial, status, hired, is_admin FROM accounts WHERE`}},
		want:  []report{{at: `        get:`, msg: `get: the database refuses the statement`}}},
	{name: "misspelt-column-in-remove-member", dialects: "mps",
		edits: []edit{{`DELETE FROM team_members WHERE team_id = ? AND account_id = ?`, `DELETE FROM team_members WHERE team_id = ? AND acount_id = ?`}},
		want:  []report{{at: `        remove_member:`, msg: `remove_member: the database refuses the statement`}}},

	// The id, the mapping's values and the writes.
	{name: "members-read-without-the-member-id", dialects: "mps",
		edits: []edit{{`members: {sql: "SELECT account_id FROM team_members`, `members: {sql: "SELECT team_id FROM team_members`}},
		want:  []report{{at: `        members:`, msg: `groups.members does not return column account_id, which dbscim reads from each row (it returns team_id): every row would read as nothing`}}},
	{name: "grants-read-without-the-entitlement-id", dialects: "mps",
		edits: []edit{{`of_user: {sql: "SELECT a.app_id, a.app_name FROM apps a`, `of_user: {sql: "SELECT a.app_name FROM apps a`}},
		want:  []report{{at: `          of_user:`, msg: `entitlements.App.of_user does not return column app_id, which dbscim reads from each row (it returns app_name)`}}},
	{name: "grants-read-without-the-display", dialects: "mps",
		edits: []edit{{`of_user: {sql: "SELECT a.app_id, a.app_name FROM apps a`, `of_user: {sql: "SELECT a.app_id FROM apps a`}},
		want:  []report{{at: `          of_user:`, msg: `entitlements.App.of_user does not return column app_name (it returns app_id): its values are served without a display name`, warning: true}}},
	{name: "misspelt-attribute", dialects: "mps",
		edits: []edit{{`name.givenName: first_name`, `name.givneName: first_name`}},
		want:  []report{{at: `name.givneName:`, msg: `name.givneName: name has no sub-attribute givneName (it has formatted, familyName, givenName, middleName, honorificPrefix, honorificSuffix): did you mean name.givenName?`}}},
	{name: "multi-valued-type-as-a-sub-attribute", dialects: "mps",
		edits: []edit{{`emails[type eq "work"].value: email`, `emails.work: email`}},
		want:  []report{{at: `emails.work:`, msg: `emails.work: emails has no sub-attribute work (it has value, display, type, primary): for the emails value of type work, write emails[type eq "work"].value`}}},
	{name: "custom-attribute-without-an-extension", dialects: "mps",
		edits: []edit{{`        urn:example:params:scim:schemas:extension:hr:2.0:User:admin:`, `        isAdmin:`}},
		want:  []report{{at: `isAdmin:`, msg: `isAdmin: the User schema (urn:ietf:params:scim:schemas:core:2.0:User) has no attribute isAdmin; an attribute of your own goes in an extension of your own`}}},
	{name: "id-is-the-userName", dialects: "mps",
		edits: []edit{{`id: account_id`, `id: login`}, {`member_id: login`, `member_id: account_id`}, {`account_id]`, `login]`}, {`[account_id,`, `[login,`}},
		want:  []report{{at: `userName:`, msg: `userName: column login is also the id: renaming a login changes the user's id`, warning: true}}},
	{name: "lower-of-the-login-on-update", dialects: "mps",
		edits: []edit{{`UPDATE accounts SET login = ?,`, `UPDATE accounts SET login = LOWER(?),`}},
		want:  []report{{at: `params: [|login, first_name, last_name, email, hired`, msg: `update: LOWER(?) stores userName (column login) in another letter case than the client sent`, warning: true}}},
	{name: "active-over-a-status-column-without-a-value-map", dialects: "mps",
		edits: []edit{{`active: {column: status, type: boolean, true: "A", false: "T"}`, `active: status`}},
		want:  []report{{at: `active:`, msg: `active: column status holds values that do not read as true or false ("A")`}}},
	{name: "status-code-missing-from-the-value-map", dialects: "mps",
		ddl:  map[string][]string{"*": {`INSERT INTO accounts (account_id, login, status) VALUES ('u3', 'cy', 'L')`}},
		want: []report{{at: `active:`, msg: `active: column status holds values its value map does not list ("L")`, warning: true}}},
	{name: "coded-attribute-code-missing-from-the-value-map", dialects: "mps",
		edits: []edit{{`        urn:example:params:scim:schemas:extension:hr:2.0:User:hired:`, `        userType: {column: status, values: {Employee: A}}
        urn:example:params:scim:schemas:extension:hr:2.0:User:hired:`}},
		want: []report{{at: `userType:`, msg: `userType: column status holds values its value map does not list ("T"): they are read as no value at all; add each under values:`, warning: true}}},
	{name: "member-insert-ignore", dialects: "m",
		edits: []edit{{`INSERT INTO team_members`, `INSERT IGNORE INTO team_members`}},
		want:  []report{{at: `        add_member:`, msg: `add_member: INSERT IGNORE hides the database's refusal`}}},
	{name: "member-insert-or-ignore", dialects: "s",
		edits: []edit{{`INSERT INTO team_members`, `INSERT OR IGNORE INTO team_members`}},
		want:  []report{{at: `        add_member:`, msg: `add_member: INSERT OR IGNORE hides the database's refusal`}}},
	{name: "member-insert-on-conflict-do-nothing", dialects: "ps",
		edits: []edit{{`VALUES (?, ?)", params: [team_id, member]}`, `VALUES (?, ?) ON CONFLICT DO NOTHING", params: [team_id, member]}`}},
		want:  []report{{at: `        add_member:`, msg: `add_member: ON CONFLICT DO NOTHING hides the database's refusal`}}},
	{name: "grant-insert-ignore", dialects: "m",
		edits: []edit{{`grant: {call: "grant_app(?, ?)"`, `grant: {sql: "INSERT IGNORE INTO app_grants (account_id, app_id) VALUES (?, ?)"`}},
		want:  []report{{at: `          grant:`, msg: `grant: INSERT IGNORE hides the database's refusal`}}},
	{name: "grant-on-conflict-do-nothing", dialects: "p",
		edits: []edit{{`grant: {call: "grant_app(?, ?)"`, `grant: {sql: "INSERT INTO app_grants (account_id, app_id) VALUES (?, ?) ON CONFLICT (account_id, app_id) DO NOTHING"`}},
		want:  []report{{at: `          grant:`, msg: `grant: ON CONFLICT (account_id, app_id) DO NOTHING hides the database's refusal`}}},
	{name: "mapped-attribute-no-operation-writes", dialects: "mps",
		edits: []edit{{`create: {call: "create_account(?, ?, ?, ?, ?)", params: [account_id, login, first_name, last_name, email]}`, `create: {sql: "INSERT INTO accounts (account_id, login, first_name, last_name) VALUES (?, ?, ?, ?)", params: [account_id, login, first_name, last_name]}`},
			{`create: {sql: "INSERT INTO accounts (account_id, login, first_name, last_name, email) VALUES (?, ?, ?, ?, ?)", params: [account_id, login, first_name, last_name, email]}`, `create: {sql: "INSERT INTO accounts (account_id, login, first_name, last_name) VALUES (?, ?, ?, ?)", params: [account_id, login, first_name, last_name]}`},
			{`last_name = ?, email = ?, hired`, `last_name = ?, hired`}, {`last_name, email, hired, is_admin, account_id]`, `last_name, hired, is_admin, account_id]`}},
		want: []report{{at: `emails[type eq "work"].value:`, msg: `emails[type eq "work"].value: no operation writes column email (neither create nor update binds it)`, warning: true}}},

	// Unique indexes under userName and displayName.
	{name: "userName-index-case-sensitive", dialects: "m",
		ddl:  map[string][]string{"mysql": {`ALTER TABLE accounts MODIFY login VARCHAR(100) COLLATE utf8mb4_bin NOT NULL`}},
		want: []report{{at: `userName:`, msg: `userName: the unique index accounts_login on accounts.login compares letter case … ALTER TABLE accounts MODIFY login <its type> COLLATE utf8mb4_unicode_ci`, warning: true}}},
	{name: "userName-index-case-sensitive", dialects: "p",
		ddl:  map[string][]string{"postgres": {`DROP INDEX accounts_login`, `CREATE UNIQUE INDEX accounts_login_cs ON accounts (login)`}},
		want: []report{{at: `userName:`, msg: `userName: the unique index accounts_login_cs on accounts.login compares letter case … CREATE UNIQUE INDEX accounts_login_ci ON accounts (lower(login))`, warning: true}}},
	{name: "userName-index-case-sensitive", dialects: "s",
		ddl:  map[string][]string{"sqlite": {`DROP INDEX accounts_login`, `CREATE UNIQUE INDEX accounts_login_cs ON accounts (login)`}},
		want: []report{{at: `userName:`, msg: `userName: the unique index accounts_login_cs on accounts.login compares letter case … (login COLLATE NOCASE)`, warning: true}}},
	{name: "userName-without-unique-index", dialects: "mps",
		ddl:  map[string][]string{"mysql": {`ALTER TABLE accounts DROP INDEX accounts_login`}, "postgres": {`DROP INDEX accounts_login`}, "sqlite": {`DROP INDEX accounts_login`}},
		want: []report{{at: `userName:`, msg: `userName: no unique index on accounts.login: two replicas creating one userName at once can both store it … (see docs/operations.md#replicas-behind-a-load-balancer)`, warning: true}}},
	{name: "displayName-without-unique-index", dialects: "mps",
		ddl:  map[string][]string{"mysql": {`ALTER TABLE teams DROP INDEX teams_name`}, "postgres": {`DROP INDEX teams_name`}, "sqlite": {`DROP INDEX teams_name`}},
		want: []report{{at: `displayName:`, msg: `displayName: no unique index on teams.team_name`, warning: true}}},

	// The connection.
	{name: "wrong-password", dialects: "m",
		edits: []edit{{`password: "$PASSWORD"`, `password: "not-the-password"`}},
		want:  []report{{at: `  hr:`, msg: `target hr: database unreachable: login refused for user`}}},
	{name: "wrong-user", dialects: "mp",
		edits: []edit{{`user: $USER`, `user: nobody_here`}},
		want:  []report{{at: `  hr:`, msg: `target hr: database unreachable: login refused for user "nobody_here"`}}},
	{name: "wrong-port", dialects: "mp",
		edits: []edit{{`port: $PORT`, `port: $CLOSED`}},
		want:  []report{{at: `  hr:`, msg: `target hr: database unreachable: cannot reach 127.0.0.1:$CLOSED: connection refused`}}},
	{name: "wrong-database", dialects: "mp",
		edits: []edit{{`name: $NAME`, `name: no_such_database`}},
		want:  []report{{at: `  hr:`, msg: `target hr: database unreachable: unknown database "no_such_database"`}}},

	// The file, and the database checks that still run beside its problems.
	{name: "dollar-placeholder-on-mariadb", dialects: "m",
		edits: []edit{{`FROM accounts WHERE account_id = ?"`, `FROM accounts WHERE account_id = $1"`}},
		want:  []report{{at: `        get:`, msg: `get: the statement has 0 placeholders but 1 param; $1 is not a placeholder for mysql: write ? for each value`}}},
	{name: "named-placeholder-on-mariadb", dialects: "m",
		edits: []edit{{`FROM accounts WHERE account_id = ?"`, `FROM accounts WHERE account_id = :id"`}},
		want:  []report{{at: `        get:`, msg: `get: the statement has 0 placeholders but 1 param; :id is not a placeholder for mysql`}}},
	{name: "param-names-an-unmapped-column", dialects: "mps",
		edits: []edit{{`params: [account_id, login, first_name, last_name, email]}`, `params: [account_id, lgin, first_name, last_name, email]}`}},
		want:  []report{{at: `params: [account_id, |lgin`, msg: `create: unknown column "lgin" in params (did you mean login?)`}}},
	{name: "update-params-miss-a-placeholder", dialects: "mps",
		edits: []edit{{`last_name, email, hired, is_admin, account_id]`, `last_name, hired, is_admin, account_id]`}},
		want:  []report{{at: `        update:`, msg: `update: the statement has 7 placeholders but 6 params`}}},
	{name: "list-placeholder-without-param", dialects: "mps",
		edits: []edit{{`is_admin FROM accounts"}`, `is_admin FROM accounts WHERE status = ?"}`}},
		want:  []report{{at: `        list:`, msg: `list: the statement has 1 placeholder but 0 params`}}},
	{name: "misspelt-key", dialects: "mps",
		edits: []edit{{`remove_member: {sql: "DELETE FROM team_members WHERE team_id = ? AND account_id = ?", params:`, `remove_member: {sql: "DELETE FROM team_members WHERE team_id = ? AND account_id = ?", parms:`}},
		want:  []report{{at: `|parms:`, msg: `unknown key "parms" in remove_member`}}},
	{name: "unset-environment-variable", dialects: "m",
		edits: []edit{{`password: "$PASSWORD"`, `password: "${HR_DB_PASSWORD}"`}},
		want: []report{{at: `"${HR_DB_PASSWORD}"`, msg: `environment variable HR_DB_PASSWORD is not set`},
			{at: `  hr:`, msg: `target hr: database not checked: fix its database section first`}}},
	{name: "unknown-dialect", dialects: "m",
		edits: []edit{{`dialect: $DIALECT`, `dialect: mariadb10`}},
		want: []report{{at: `mariadb10`, msg: `unknown dialect "mariadb10"`},
			{at: `  hr:`, msg: `target hr: database not checked`}}},
	{name: "file-problem-and-misnamed-procedure-in-one-run", dialects: "mp",
		edits: []edit{{`create_account(?, ?, ?, ?, ?)`, `create_acount(?, ?, ?, ?, ?)`}, {`is_admin FROM accounts"}`, `is_admin FROM accounts WHERE status = ?"}`}},
		want: []report{{at: `        list:`, msg: `list: the statement has 1 placeholder but 0 params`},
			{at: `        create:`, msg: `create: no routine create_acount exists … did you mean create_account?`}}},
	{name: "file-problem-and-misspelt-table-in-one-run", dialects: "mps",
		edits: []edit{{`params: [login, first_name, last_name, email, hired, is_admin, account_id]`, `params: [login, first_name, last_name, email, hired, is_admin]`},
			{`FROM team_members WHERE team_id = ?"`, `FROM team_member WHERE team_id = ?"`}},
		want: []report{{at: `        update:`, msg: `update: the statement has 7 placeholders but 6 params`},
			{at: `        members:`, msg: `members: no table team_member exists … did you mean team_members?`}}},
}

// goodVariants are other correct ways to write the good configuration: each
// validates with no problem and no warning.
var goodVariants = []mistake{
	{name: "list-and-get-over-a-view", dialects: "mps", // the index check cannot tell the table: it says nothing
		edits: []edit{{`is_admin FROM accounts"}`, `is_admin FROM people"}`}, {`is_admin FROM accounts WHERE`, `is_admin FROM people WHERE`}}},
	{name: "list-over-a-join", dialects: "mps",
		edits: []edit{{`list: {sql: "SELECT account_id, login, first_name, last_name, email, status, hired, is_admin FROM accounts"}`,
			`list: {sql: "SELECT a.account_id, a.login, a.first_name, a.last_name, a.email, a.status, a.hired, a.is_admin FROM accounts a LEFT JOIN team_members m ON m.account_id = a.account_id AND 1 = 0"}`}}},
	{name: "list-from-a-set-returning-function", dialects: "p",
		edits: []edit{{`list: {sql: "SELECT account_id, login, first_name, last_name, email, status, hired, is_admin FROM accounts"}`, `list: {function: "list_accounts()"}`}}},
	{name: "grant-as-a-statement", dialects: "mp",
		edits: []edit{{`grant: {call: "grant_app(?, ?)"`, `grant: {sql: "INSERT INTO app_grants (account_id, app_id) VALUES (?, ?)"`}}},
	{name: "generated-id-and-literals", dialects: "mps",
		edits: []edit{{`create: {call: "create_account(?, ?, ?, ?, ?)", params: [account_id, login, first_name, last_name, email]}`,
			`create: {sql: "INSERT INTO accounts (account_id, login, first_name, last_name, email, status, is_admin) VALUES (?, ?, ?, ?, ?, ?, ?)", params: [{generate: uuid}, login, first_name, last_name, email, {literal: "A"}, is_admin]}`},
			{`create: {sql: "INSERT INTO accounts (account_id, login, first_name, last_name, email) VALUES (?, ?, ?, ?, ?)", params: [account_id, login, first_name, last_name, email]}`,
				`create: {sql: "INSERT INTO accounts (account_id, login, first_name, last_name, email, status, is_admin) VALUES (?, ?, ?, ?, ?, ?, ?)", params: [{generate: uuid}, login, first_name, last_name, email, {literal: "A"}, is_admin]}`}}},
	{name: "login-as-an-immutable-id", dialects: "mps",
		edits: []edit{{`id: account_id`, `id: login`}, {`member_id: login`, `member_id: account_id`}, {`userName: login`, `userName: {column: login, mutability: immutable}`}, {`account_id]`, `login]`}, {`[account_id,`, `[login,`},
			{`UPDATE accounts SET login = ?, first_name = ?`, `UPDATE accounts SET first_name = ?`}, {`params: [login, first_name, last_name, email, hired`, `params: [first_name, last_name, email, hired`}}},
	{name: "reads-ending-in-a-line-comment", dialects: "mps",
		edits: []edit{{`is_admin FROM accounts"}`, `is_admin FROM accounts -- every account"}`},
			{`WHERE g.account_id = ?", params`, `WHERE g.account_id = ? -- the user's grants", params`}}},
}

// TestValidateCorpus runs validate on the good configuration and on every
// mistake, on each engine the mistake applies to.
func TestValidateCorpus(t *testing.T) {
	engines := map[byte]string{'m': "mysql", 'p': "postgres", 's': "sqlite"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	engineCases := 0
	for _, code := range []byte("mps") {
		dialect := engines[code]
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, corpusDDL[dialect]...)
			fill := func(yaml string, c connInfo) string {
				if dialect == "sqlite" {
					for _, e := range sqliteStatements {
						yaml = strings.ReplaceAll(yaml, e.old, e.new)
					}
					yaml = strings.Replace(yaml, `, host: $HOST, port: $PORT, name: $NAME, user: $USER, password: "$PASSWORD"}`, `, name: $NAME}`, 1)
				}
				return strings.NewReplacer("$DIALECT", d.Name(), "$HOST", c.host, "$PORT", strconv.Itoa(c.port), "$NAME", strconv.Quote(c.name),
					"$USER", c.user, "$PASSWORD", c.password, "$CLOSED", closed).Replace(yaml)
			}
			shared := connInfo{conn.Host, conn.Port, conn.Name, conn.User, conn.Password}

			t.Run("good", func(t *testing.T) {
				out, errOut, code := runValidate(t, fill(corpusYAML, shared))
				if code != 0 || strings.Contains(errOut, ": warning: ") {
					t.Fatalf("the good configuration: exit %d\n%s%s", code, out, errOut)
				}
				if !strings.Contains(out, "target hr: 15 operations checked against the database") {
					t.Errorf("output: %s", out)
				}
			})
			for _, g := range goodVariants {
				if !strings.Contains(g.dialects, string(code)) {
					continue
				}
				t.Run("good/"+g.name, func(t *testing.T) {
					out, errOut, code := runValidate(t, fill(edited(t, dialect, g.edits), shared))
					if code != 0 || errOut != "" {
						t.Errorf("exit %d\n%s%s", code, out, errOut)
					}
				})
			}
			for _, m := range corpus {
				if !strings.Contains(m.dialects, string(code)) {
					continue
				}
				engineCases++
				t.Run(m.name, func(t *testing.T) {
					c := shared
					if ddl := append(m.ddl["*"], m.ddl[dialect]...); len(ddl) > 0 {
						_, db, own := dialecttest.NewDatabase(t, dialect)
						dialecttest.MustExec(t, db, corpusDDL[dialect]...)
						dialecttest.MustExec(t, db, ddl...)
						c = connInfo{own.Host, own.Port, own.Name, own.User, own.Password}
					}
					yaml := fill(edited(t, dialect, m.edits), c)
					_, errOut, code := runValidate(t, yaml)
					if code != 1 && !onlyWarnings(m.want) {
						t.Errorf("exit %d, want 1", code)
					}
					if onlyWarnings(m.want) && code != 0 {
						t.Errorf("exit %d for warnings only, want 0:\n%s", code, errOut)
					}
					for _, w := range m.want {
						line, col := locate(t, yaml, fill(w.at, c))
						prefix := fmt.Sprintf("dbscim.yaml:%d:%d: ", line, col)
						if !reported(errOut, prefix, fill(w.msg, c), w.warning) {
							t.Errorf("validate did not report at %s%q (warning %v); it said:\n%s", prefix, w.msg, w.warning, errOut)
						}
					}
				})
			}
		})
	}
	names := map[string]bool{}
	for _, m := range corpus {
		names[m.name] = true
	}
	if len(names) < 43 {
		t.Errorf("the corpus has %d mistakes; it must hold at least the 43 of the DBA's study", len(names))
	}
	t.Logf("%d mistakes, %d runs across the engines", len(names), engineCases)
}

// edited is the corpus configuration as written for dialect (SQLite's statements
// in place of calls) with edits made. An edit whose text is not in that dialect's
// configuration is passed over; none applying fails the test, since the run would
// check the unedited configuration.
func edited(t *testing.T, dialect string, edits []edit) string {
	t.Helper()
	yaml := corpusYAML
	if dialect == "sqlite" {
		for _, e := range sqliteStatements {
			yaml = strings.ReplaceAll(yaml, e.old, e.new)
		}
	}
	applied := 0
	for _, e := range edits {
		if strings.Contains(yaml, e.old) {
			yaml = strings.ReplaceAll(yaml, e.old, e.new)
			applied++
		}
	}
	if applied == 0 && len(edits) > 0 {
		t.Fatalf("no edit applies to the %s configuration", dialect)
	}
	return yaml
}

type connInfo struct {
	host                 string
	port                 int
	name, user, password string
}

func onlyWarnings(rs []report) bool {
	for _, r := range rs {
		if !r.warning {
			return false
		}
	}
	return true
}

// runValidate writes yaml as dbscim.yaml in a folder of its own and validates it.
func runValidate(t *testing.T, yaml string) (string, string, int) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dbscim.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"validate", "--config", file}, &out, &errOut)
	return out.String(), strings.ReplaceAll(errOut.String(), filepath.Dir(file)+string(filepath.Separator), ""), code
}

// locate returns the line and column of at in yaml (see report).
func locate(t *testing.T, yaml, at string) (int, int) {
	t.Helper()
	from := 0
	if i := strings.IndexByte(at, '|'); i >= 0 {
		j := strings.Index(yaml, at[:i])
		if j < 0 {
			t.Fatalf("%q is not in the configuration", at[:i])
		}
		from, at = j+i, at[i+1:]
	}
	i := strings.Index(yaml[from:], at)
	if i < 0 {
		t.Fatalf("%q is not in the configuration", at)
	}
	i += from
	for i < len(yaml) && yaml[i] == ' ' {
		i++ // the position is the key's, after the indentation
	}
	line := strings.Count(yaml[:i], "\n") + 1
	col := i - strings.LastIndexByte(yaml[:i], '\n')
	return line, col
}

// reported reports whether out has a line at prefix whose message holds msg's
// pieces in order.
func reported(out, prefix, msg string, warning bool) bool {
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, prefix) || strings.Contains(l, ": warning: ") != warning {
			continue
		}
		rest, ok := l[len(prefix):], true
		for _, piece := range strings.Split(msg, " … ") {
			i := strings.Index(rest, piece)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(piece):]
		}
		if ok {
			return true
		}
	}
	return false
}
