package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// initServed is a configuration dbscim init wrote, validated and served.
type initServed struct {
	t      *testing.T
	d      dialects.Dialect
	db     *sql.DB
	yaml   string
	served *enginetest.Served
	base   string
	token  string
}

// initAndServe runs dbscim init against a live database for the named tables,
// then loads the file it wrote, runs validate's checks against the database
// (any problem fails the test) and serves it.
func initAndServe(t *testing.T, d dialects.Dialect, db *sql.DB, conn dialects.Connection, target string, tables ...string) *initServed {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dbscim.yaml")
	args := []string{"init", "--dialect", d.Name(), "--name", conn.Name, "--out", file, "--password-env", "INIT_DB_PASSWORD", "--target", target}
	if d.Spec().Networked {
		args = append(args, "--host", conn.Host, "--port", strconv.Itoa(conn.Port), "--user", conn.User)
	}
	t.Setenv("INIT_DB_PASSWORD", conn.Password)
	var out, errOut bytes.Buffer
	if code := run(append(args, tables...), &out, &errOut); code != 0 {
		t.Fatalf("init: exit %d: %s", code, errOut.String())
	}
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tokenVar := strings.ToUpper(strings.ReplaceAll(target, "-", "_")) + "_TOKEN"
	env := map[string]string{tokenVar: "0123456789abcdef0123456789", "INIT_DB_PASSWORD": conn.Password}
	s := &initServed{t: t, d: d, db: db, yaml: string(text), token: env[tokenVar]}
	s.served = enginetest.ServeFile(t, file, enginetest.Options{Env: env, Validate: true})
	s.base = s.served.URL(target)
	return s
}

// contains fails the test unless the written configuration holds each line,
// in any letter case (PostgreSQL's catalog folds unquoted names to lower case).
func (s *initServed) contains(lines ...string) {
	s.t.Helper()
	for _, l := range lines {
		if !strings.Contains(strings.ToLower(s.yaml), strings.ToLower(l)) {
			s.t.Errorf("the configuration has no %q:\n%s", l, s.yaml)
		}
	}
}

// do sends one SCIM request and decodes the answer.
func (s *initServed) do(method, path, body string) (int, map[string]any) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := s.served.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	if resp.StatusCode >= 300 {
		s.t.Logf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

// row reads one row by SQL (? placeholders, rewritten for the dialect).
func (s *initServed) row(query string, args []any, dest ...any) error {
	s.t.Helper()
	text, _, err := s.d.Rewrite(query)
	if err != nil {
		s.t.Fatal(err)
	}
	return s.db.QueryRow(text, args...).Scan(dest...)
}

// oktaSequence runs what Okta sends when a user is assigned to the app and then
// unassigned: a lookup by userName (none found), the create, a get by id, a
// deactivation by PATCH; each answer is checked, and the id returned.
func (s *initServed) oktaSequence(userName, createBody string) string {
	s.t.Helper()
	filter := "/Users?filter=" + strings.ReplaceAll(fmt.Sprintf("userName eq %q", userName), " ", "%20")
	if status, m := s.do("GET", filter, ""); status != 200 || m["totalResults"] != float64(0) {
		s.t.Fatalf("lookup before create: %d %v", status, m)
	}
	status, m := s.do("POST", "/Users", createBody)
	if status != 201 {
		s.t.Fatalf("create: %d %v", status, m)
	}
	id := fmt.Sprint(m["id"])
	if status, m := s.do("GET", "/Users/"+id, ""); status != 200 || !strings.EqualFold(fmt.Sprint(m["userName"]), userName) || m["active"] != true {
		s.t.Fatalf("get: %d %v", status, m)
	}
	if status, m := s.do("GET", filter, ""); status != 200 || m["totalResults"] != float64(1) {
		s.t.Fatalf("lookup after create: %d %v", status, m)
	}
	if status, _ := s.do("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"replace","value":{"active":false}}]}`); status != 200 && status != 204 {
		s.t.Fatalf("deactivate: %d", status)
	}
	if status, m := s.do("GET", "/Users/"+id, ""); status != 200 || m["active"] != false {
		s.t.Fatalf("get after deactivate: %d %v", status, m)
	}
	return id
}

const userSchema = `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]`

// quickstartTables are the quickstart's users table (examples/quickstart/schema.sql)
// on each live engine, with two of its seed users.
var quickstartTables = map[string][]string{
	"sqlite": {`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE, external_id TEXT,
		given_name TEXT, family_name TEXT, display_name TEXT, email TEXT, title TEXT, department TEXT,
		active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
		created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
		updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))`},
	"mysql": {`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE, external_id VARCHAR(255),
		given_name VARCHAR(100), family_name VARCHAR(100), display_name VARCHAR(200), email VARCHAR(255), title VARCHAR(100),
		department VARCHAR(100), active TINYINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
		created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))`},
	"postgres": {`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, external_id TEXT,
		given_name TEXT, family_name TEXT, display_name TEXT, email TEXT, title TEXT, department TEXT,
		active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
		created_at TIMESTAMPTZ NOT NULL DEFAULT now(), updated_at TIMESTAMPTZ NOT NULL DEFAULT now())`},
}

const quickstartSeed = `INSERT INTO users (id, user_name, given_name, family_name, display_name, email, title, department) VALUES
  ('2819c223-7f76-453a-919d-413861904646', 'bjensen@example.com', 'Barbara', 'Jensen', 'Babs Jensen', 'bjensen@example.com', 'Tour Guide', 'Tours'),
  ('6e3b5c5a-1f0e-4a3e-9a57-0f0e4a2b7c11', 'jsmith@example.com', 'John', 'Smith', 'John Smith', 'jsmith@example.com', 'Engineer', 'Engineering')`

// TestInitQuickstart: init over the quickstart's users table validates as
// written and serves Okta's sequence on each live engine, checked by SQL.
func TestInitQuickstart(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, append(quickstartTables[dialect], quickstartSeed)...)
			s := initAndServe(t, d, db, conn, "quickstart", "users")
			s.contains("id: id   # the primary key", "userName: user_name", "externalId: external_id", "name.givenName: given_name",
				"meta.created: created_at", "meta.lastModified: updated_at",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: department")
			if dialect == "sqlite" { // COLLATE NOCASE
				s.contains("userName: user_name   # guessed from the column's name; unique in any letter case")
			}
			if dialect == "mysql" {
				s.contains("active: active") // TINYINT: MariaDB's boolean
			} else {
				s.contains("active: {column: active, true: [1], false: [0]}")
			}
			id := s.oktaSequence("carol@example.com", `{`+userSchema+`,"userName":"carol@example.com","externalId":"00u1",
				"name":{"givenName":"Carol","familyName":"Diaz"},"emails":[{"type":"work","value":"carol@example.com","primary":true}],
				"title":"Pilot","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Air"},"active":true}`)
			var name, ext, given, dept string
			var active int
			if err := s.row(`SELECT user_name, external_id, given_name, department, active FROM users WHERE id = ?`, []any{id}, &name, &ext, &given, &dept, &active); err != nil {
				t.Fatal(err)
			}
			if name != "carol@example.com" || ext != "00u1" || given != "Carol" || dept != "Air" || active != 0 {
				t.Errorf("row after create and deactivate: %s %s %s %s %d", name, ext, given, dept, active)
			}
			if status, m := s.do("GET", "/Users?startIndex=1&count=10", ""); status != 200 || m["totalResults"] != float64(3) {
				t.Errorf("import: %d %v", status, m)
			}
		})
	}
}

// oktaLabTables are the Okta lab's three tables (examples/okta-lab/sql/schema.sql,
// MariaDB only) made faithfully for SQLite and PostgreSQL, with two entitlements
// and a user; on MariaDB the lab's own SQL files are loaded, procedures and all.
var oktaLabTables = map[string][]string{
	"sqlite": {`CREATE TABLE USERS (USER_ID VARCHAR(100) NOT NULL PRIMARY KEY, USERNAME VARCHAR(100) NOT NULL UNIQUE,
		EMAIL VARCHAR(100) NOT NULL, FIRSTNAME VARCHAR(100) NOT NULL, LASTNAME VARCHAR(100) NOT NULL, MIDDLENAME VARCHAR(100),
		DISPLAYNAME VARCHAR(200), NICKNAME VARCHAR(100), MOBILEPHONE VARCHAR(50), STREETADDRESS VARCHAR(255), CITY VARCHAR(100),
		STATE VARCHAR(100), ZIPCODE VARCHAR(20), COUNTRYCODE VARCHAR(10), TIMEZONE VARCHAR(64), ORGANIZATION VARCHAR(100),
		DEPARTMENT VARCHAR(100), MANAGERID VARCHAR(100), MANAGER VARCHAR(200), TITLE VARCHAR(100), EMPLOYEENUMBER VARCHAR(50),
		HIREDATE DATE, TERMINATIONDATE DATE, PASSWORD_HASH VARCHAR(255), IS_ACTIVE BOOLEAN NOT NULL DEFAULT 1)`,
		`CREATE TABLE ENTITLEMENTS (ENT_ID INT NOT NULL PRIMARY KEY, ENT_NAME VARCHAR(100) NOT NULL UNIQUE, ENT_DESCRIPTION VARCHAR(255))`,
		`CREATE TABLE USERENTITLEMENTS (USERENTITLEMENT_ID INTEGER PRIMARY KEY AUTOINCREMENT,
		USER_ID VARCHAR(100) NOT NULL REFERENCES USERS (USER_ID) ON DELETE CASCADE ON UPDATE CASCADE,
		ENT_ID INT NOT NULL REFERENCES ENTITLEMENTS (ENT_ID), ASSIGNEDDATE DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
		UNIQUE (USER_ID, ENT_ID))`},
	"postgres": {`CREATE TABLE USERS (USER_ID VARCHAR(100) NOT NULL PRIMARY KEY, USERNAME VARCHAR(100) NOT NULL UNIQUE,
		EMAIL VARCHAR(100) NOT NULL, FIRSTNAME VARCHAR(100) NOT NULL, LASTNAME VARCHAR(100) NOT NULL, MIDDLENAME VARCHAR(100),
		DISPLAYNAME VARCHAR(200), NICKNAME VARCHAR(100), MOBILEPHONE VARCHAR(50), STREETADDRESS VARCHAR(255), CITY VARCHAR(100),
		STATE VARCHAR(100), ZIPCODE VARCHAR(20), COUNTRYCODE VARCHAR(10), TIMEZONE VARCHAR(64), ORGANIZATION VARCHAR(100),
		DEPARTMENT VARCHAR(100), MANAGERID VARCHAR(100), MANAGER VARCHAR(200), TITLE VARCHAR(100), EMPLOYEENUMBER VARCHAR(50),
		HIREDATE DATE, TERMINATIONDATE DATE, PASSWORD_HASH VARCHAR(255), IS_ACTIVE BOOLEAN NOT NULL DEFAULT TRUE)`,
		`CREATE TABLE ENTITLEMENTS (ENT_ID INT NOT NULL PRIMARY KEY, ENT_NAME VARCHAR(100) NOT NULL UNIQUE, ENT_DESCRIPTION VARCHAR(255))`,
		`CREATE TABLE USERENTITLEMENTS (USERENTITLEMENT_ID SERIAL PRIMARY KEY,
		USER_ID VARCHAR(100) NOT NULL, ENT_ID INT NOT NULL, ASSIGNEDDATE TIMESTAMP NOT NULL DEFAULT now(),
		CONSTRAINT UQ_USERENTITLEMENTS_USER_ENT UNIQUE (USER_ID, ENT_ID),
		CONSTRAINT FK_USERENTITLEMENTS_USER FOREIGN KEY (USER_ID) REFERENCES USERS (USER_ID) ON DELETE CASCADE ON UPDATE CASCADE,
		CONSTRAINT FK_USERENTITLEMENTS_ENT FOREIGN KEY (ENT_ID) REFERENCES ENTITLEMENTS (ENT_ID))`},
}

const oktaLabSeed = `INSERT INTO ENTITLEMENTS (ENT_ID, ENT_NAME, ENT_DESCRIPTION) VALUES
  (1, 'VPN Access', 'Remote access to the corporate network through the VPN'), (2, 'GitHub Admin', 'Administrator of the GitHub organization')`

// loadOktaLab loads the lab's own SQL files into a MariaDB database, each as one
// multi-statement query, as its load.sh does.
func loadOktaLab(t *testing.T, d dialects.Dialect, conn dialects.Connection) {
	t.Helper()
	var paths []string
	for _, f := range oktaLabScripts {
		paths = append(paths, filepath.Join("..", "..", "examples", "okta-lab", f))
	}
	dialecttest.LoadScripts(t, d, conn, paths...)
}

// TestInitOktaLab: init over the Okta lab's USERS, ENTITLEMENTS and
// USERENTITLEMENTS proposes an entitlement type over the link table, maps the
// manager, and (on MariaDB, where the lab's procedures exist) proposes each
// procedure for its operation with its parameters bound by name. The file
// validates as written and serves Okta's sequence with an entitlement granted
// at create, checked by SQL, on each live engine.
func TestInitOktaLab(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			tables := []string{"USERS", "ENTITLEMENTS", "USERENTITLEMENTS"}
			if dialect == "mysql" {
				loadOktaLab(t, d, conn)
			} else {
				dialecttest.MustExec(t, db, append(oktaLabTables[dialect], oktaLabSeed)...)
			}
			if dialect == "postgres" {
				tables = []string{"users", "entitlements", "userentitlements"}
			}
			s := initAndServe(t, d, db, conn, "oktademo", tables...)
			s.contains("userName: USERNAME", "active: IS_ACTIVE", "Entitlement:   # guessed: ",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value: MANAGERID",
				"display: ENT_NAME", "description: ENT_DESCRIPTION", "params: [user, ENT_ID]")
			if dialect == "mysql" {
				s.contains(
					`# activate: {call: "ACTIVATE_USER(?)", params: [USER_ID]}`,
					`# deactivate: {call: "DEACTIVATE_USER(?)", params: [USER_ID]}`,
					`# grant: {call: "ADD_ENTITLEMENT_TO_USER(?, ?)", params: [user, ENT_ID]}`,
					`# revoke: {call: "REMOVE_ENTITLEMENT_FROM_USER(?, ?)", params: [user, ENT_ID]}`,
					`# of_user: {call: "GET_USER_ENTITLEMENT(?)", params: [user]}`,
					`binds NULL to p_manager, p_hiredate, p_terminationdate, p_password_hash`)
			}
			id := s.oktaSequence("carol@galaxy.local", `{`+userSchema+`,"userName":"carol@galaxy.local",
				"name":{"givenName":"Carol","familyName":"Danvers"},"emails":[{"primary":true,"value":"carol@galaxy.local","type":"work"}],
				"displayName":"Carol Danvers","title":"Pilot","active":true,"password":"t1meMa$heen","groups":[],
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Air","organization":"Okta Lab"},
				"entitlements":[{"value":"1","type":"Entitlement"}]}`)
			var name, first, email, dept string
			var active bool
			if err := s.row(`SELECT USERNAME, FIRSTNAME, EMAIL, DEPARTMENT, IS_ACTIVE FROM USERS WHERE USER_ID = ?`, []any{id}, &name, &first, &email, &dept, &active); err != nil {
				t.Fatal(err)
			}
			if name != "carol@galaxy.local" || first != "Carol" || email != "carol@galaxy.local" || dept != "Air" || active {
				t.Errorf("USERS row after create and deactivate: %s %s %s %s %v", name, first, email, dept, active)
			}
			var grants int
			if err := s.row(`SELECT COUNT(*) FROM USERENTITLEMENTS WHERE USER_ID = ? AND ENT_ID = 1`, []any{id}, &grants); err != nil || grants != 1 {
				t.Errorf("USERENTITLEMENTS after create: %d %v", grants, err)
			}
			if status, m := s.do("GET", "/Entitlements", ""); status != 200 || m["totalResults"] == float64(0) {
				t.Errorf("entitlements: %d %v", status, m)
			}
		})
	}
}

// directoryTables are a users table whose manager_id refers to its own id, a
// teams table with a link table (two foreign keys) and a phones child table
// (a foreign key to the users and a type column), on each live engine.
var directoryTables = map[string][]string{
	"sqlite": {`CREATE TABLE people (id INTEGER PRIMARY KEY, login TEXT NOT NULL UNIQUE, first_name TEXT, last_name TEXT,
		manager_id INTEGER REFERENCES people (id))`,
		`CREATE TABLE teams (team_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`,
		`CREATE TABLE team_members (team_id INTEGER NOT NULL REFERENCES teams, person_id INTEGER NOT NULL REFERENCES people (id),
		PRIMARY KEY (team_id, person_id))`,
		`CREATE TABLE phones (phone_id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL REFERENCES people (id), kind TEXT, phone_number TEXT NOT NULL)`},
	"mysql": {`CREATE TABLE people (id INT AUTO_INCREMENT PRIMARY KEY, login VARCHAR(100) NOT NULL UNIQUE, first_name VARCHAR(50),
		last_name VARCHAR(50), manager_id INT NULL, CONSTRAINT fk_people_manager FOREIGN KEY (manager_id) REFERENCES people (id))`,
		`CREATE TABLE teams (team_id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE)`,
		`CREATE TABLE team_members (team_id INT NOT NULL, person_id INT NOT NULL, PRIMARY KEY (team_id, person_id),
		CONSTRAINT fk_tm_team FOREIGN KEY (team_id) REFERENCES teams (team_id), CONSTRAINT fk_tm_person FOREIGN KEY (person_id) REFERENCES people (id))`,
		`CREATE TABLE phones (phone_id INT AUTO_INCREMENT PRIMARY KEY, person_id INT NOT NULL, kind VARCHAR(20), phone_number VARCHAR(40) NOT NULL,
		CONSTRAINT fk_phones_person FOREIGN KEY (person_id) REFERENCES people (id))`},
	"postgres": {`CREATE TABLE people (id SERIAL PRIMARY KEY, login VARCHAR(100) NOT NULL UNIQUE, first_name VARCHAR(50),
		last_name VARCHAR(50), manager_id INT REFERENCES people (id))`,
		`CREATE TABLE teams (team_id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE)`,
		`CREATE TABLE team_members (team_id INT NOT NULL REFERENCES teams, person_id INT NOT NULL REFERENCES people (id),
		PRIMARY KEY (team_id, person_id))`,
		`CREATE TABLE phones (phone_id SERIAL PRIMARY KEY, person_id INT NOT NULL REFERENCES people (id), kind VARCHAR(20), phone_number VARCHAR(40) NOT NULL)`},
}

// TestInitRelatedTables: from the foreign keys of four tables, init maps the
// manager, proposes the groups over teams and their link table and the phones
// as a child-table attribute; the file validates as written and serves a
// manager, phone numbers and group members, each checked by SQL, on each live
// engine.
func TestInitRelatedTables(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, directoryTables[dialect]...)
			s := initAndServe(t, d, db, conn, "people", "people", "teams", "team_members", "phones")
			s.contains("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value: manager_id   # guessed: the manager's id (",
				"phoneNumbers:   # guessed: phones holds one row per value, tied to the user by ",
				"columns: {value: phone_number, type: kind}",
				"groups:   # guessed: teams is the groups, team_members links it to the users",
				"displayName: name", "member_id: person_id",
				`add_member: {sql: "INSERT INTO team_members (team_id, person_id) VALUES (?, ?)", params: [team_id, member]}`)
			user := func(login, extra string) string {
				status, m := s.do("POST", "/Users", `{`+userSchema+`,"userName":"`+login+`","name":{"givenName":"A","familyName":"B"}`+extra+`}`)
				if status != 201 {
					t.Fatalf("create %s: %d %v", login, status, m)
				}
				return fmt.Sprint(m["id"])
			}
			ann := user("ann", "")
			bob := user("bob", `,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"`+ann+`"}},
				"phoneNumbers":[{"type":"work","value":"+1 555 0100"},{"type":"mobile","value":"+1 555 0199"}]`)
			var manager string
			if err := s.row(`SELECT manager_id FROM people WHERE id = ?`, []any{bob}, &manager); err != nil || manager != ann {
				t.Errorf("bob's manager_id = %q (%v), want %s", manager, err, ann)
			}
			var phones int
			if err := s.row(`SELECT COUNT(*) FROM phones WHERE person_id = ? AND ((kind = 'work' AND phone_number = '+1 555 0100') OR (kind = 'mobile' AND phone_number = '+1 555 0199'))`,
				[]any{bob}, &phones); err != nil || phones != 2 {
				t.Errorf("bob's phones: %d (%v), want 2", phones, err)
			}
			if status, m := s.do("GET", "/Users/"+bob, ""); status != 200 || !strings.Contains(fmt.Sprint(m), "+1 555 0199") || !strings.Contains(fmt.Sprint(m), "value:"+ann) {
				t.Errorf("get bob: %d %v", status, m)
			}
			status, m := s.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops","members":[{"value":"`+ann+`"}]}`)
			if status != 201 {
				t.Fatalf("create group: %d %v", status, m)
			}
			team := fmt.Sprint(m["id"])
			if status, _ := s.do("PATCH", "/Groups/"+team, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"add","path":"members","value":[{"value":"`+bob+`"}]},{"op":"remove","path":"members[value eq \"`+ann+`\"]"}]}`); status != 200 && status != 204 {
				t.Fatalf("patch group members: %d", status)
			}
			var members, bobs int
			if err := s.row(`SELECT COUNT(*), SUM(CASE WHEN person_id = ? THEN 1 ELSE 0 END) FROM team_members WHERE team_id = ?`,
				[]any{bob, team}, &members, &bobs); err != nil || members != 1 || bobs != 1 {
				t.Errorf("team_members after adding bob and removing ann: %d rows, %d of bob (%v); want bob's alone", members, bobs, err)
			}
			if status, _ := s.do("DELETE", "/Groups/"+team, ""); status != 204 {
				t.Errorf("delete group: %d", status)
			}
			var left int
			if err := s.row(`SELECT COUNT(*) FROM team_members WHERE team_id = ?`, []any{team}, &left); err != nil || left != 0 {
				t.Errorf("team_members after delete: %d %v", left, err)
			}
		})
	}
}

// TestInitOktaLabRoutines: given the Okta lab's USERS and ENTITLEMENTS but not
// the link table, no statement can read or write the grants, so init chooses
// the lab's procedures for of_user, grant and revoke, their parameters bound
// by name; the file validates and a grant at create lands in USERENTITLEMENTS.
func TestInitOktaLabRoutines(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "mysql")
	loadOktaLab(t, d, conn)
	s := initAndServe(t, d, db, conn, "oktademo", "USERS", "ENTITLEMENTS")
	s.contains(`of_user: {call: "GET_USER_ENTITLEMENT(?)", params: [user]}   # guessed: GET_USER_ENTITLEMENT from the catalog; check it returns ENT_ID, ENT_NAME, ENT_DESCRIPTION`,
		`grant:   {call: "ADD_ENTITLEMENT_TO_USER(?, ?)", params: [user, ENT_ID]}`,
		`revoke:  {call: "REMOVE_ENTITLEMENT_FROM_USER(?, ?)", params: [user, ENT_ID]}`)
	id := s.oktaSequence("dana@galaxy.local", `{`+userSchema+`,"userName":"dana@galaxy.local",
		"name":{"givenName":"Dana","familyName":"Scully"},"emails":[{"primary":true,"value":"dana@galaxy.local","type":"work"}],
		"active":true,"entitlements":[{"value":"2","type":"Entitlement"}]}`)
	var grants int
	if err := s.row(`SELECT COUNT(*) FROM USERENTITLEMENTS WHERE USER_ID = ? AND ENT_ID = 2`, []any{id}, &grants); err != nil || grants != 1 {
		t.Errorf("USERENTITLEMENTS after create: %d %v", grants, err)
	}
	if status, m := s.do("GET", "/Users/"+id, ""); status != 200 || !strings.Contains(fmt.Sprint(m["entitlements"]), "GitHub Admin") {
		t.Errorf("the user's entitlements: %d %v", status, m["entitlements"])
	}
}

// TestInitPostgresRoutines: PostgreSQL's procedures are proposed as call: and
// its set-returning functions as function:, their parameters bound by name, a
// parameter matching no mapped column named; commented, so the file still
// validates as written.
func TestInitPostgresRoutines(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "postgres")
	dialecttest.MustExec(t, db, staffTables["postgres"]...)
	dialecttest.MustExec(t, db,
		`CREATE PROCEDURE hire_employee(p_login varchar, p_first_name varchar, p_badge int) LANGUAGE sql AS $$ INSERT INTO staff (login, first_name) VALUES (p_login, p_first_name) $$`,
		`CREATE PROCEDURE deactivate_staff(p_staff_id int) LANGUAGE sql AS $$ UPDATE staff SET status = 'T' WHERE staff_id = p_staff_id $$`,
		`CREATE FUNCTION get_staff_member(p_staff_id int) RETURNS SETOF staff LANGUAGE sql AS $$ SELECT * FROM staff WHERE staff_id = p_staff_id $$`,
		`INSERT INTO staff (login, status) VALUES ('ann', 'A'), ('tom', 'T')`)
	s := initAndServe(t, d, db, conn, "staff", "staff")
	s.contains(`# create: {call: "hire_employee(?, ?, ?)", params: [login, first_name, {literal: null}]}   # or hire_employee from the catalog: binds NULL to p_badge`,
		`# deactivate: {call: "deactivate_staff(?)", params: [staff_id]}   # or deactivate_staff from the catalog: its parameters bound by name`,
		`# get: {function: "get_staff_member(?)", params: [staff_id]}   # or get_staff_member from the catalog: check it returns every mapped column`)
	if status, m := s.do("GET", "/Users?filter=userName%20eq%20%22tom%22", ""); status != 200 || m["totalResults"] != float64(1) {
		t.Errorf("lookup: %d %v", status, m)
	}
}

// TestInitOktaLabView: over a view of the Okta lab's USERS, whose writes the
// database may refuse, init chooses the lab's ACTIVATE_USER and DEACTIVATE_USER
// procedures (their one parameter bound by name) and keeps CREATE_USER, which
// has parameters no mapped column matches, as a comment; Okta's sequence then
// deactivates through the procedure, checked by SQL.
func TestInitOktaLabView(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "mysql")
	loadOktaLab(t, d, conn)
	dialecttest.MustExec(t, db, `CREATE VIEW V_USERS AS SELECT * FROM USERS`)
	s := initAndServe(t, d, db, conn, "oktademo", "V_USERS")
	s.contains(`activate: {call: "ACTIVATE_USER(?)", params: [USER_ID]}   # guessed: ACTIVATE_USER from the catalog, since V_USERS is a view`,
		`deactivate: {call: "DEACTIVATE_USER(?)", params: [USER_ID]}   # guessed: DEACTIVATE_USER from the catalog, since V_USERS is a view`,
		`# create: {call: "CREATE_USER(`, "V_USERS is a view: check the database writes through it",
		"# V_USERS is a view: the unique index of its table must make USERNAME unique in any letter case")
	id := s.oktaSequence("erin@galaxy.local", `{`+userSchema+`,"userName":"erin@galaxy.local",
		"name":{"givenName":"Erin","familyName":"Gilbert"},"emails":[{"primary":true,"value":"erin@galaxy.local","type":"work"}],"active":true}`)
	var active bool
	if err := s.row(`SELECT IS_ACTIVE FROM USERS WHERE USER_ID = ?`, []any{id}, &active); err != nil || active {
		t.Errorf("IS_ACTIVE after deactivate: %v %v", active, err)
	}
}
