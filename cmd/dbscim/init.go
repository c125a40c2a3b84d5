package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/sqlgen"
)

// initCommand reads a users table (or view), and any related tables named after
// it, from a live database's catalog and writes a commented dbscim.yaml that
// serves them: the id from the primary key, attributes guessed from column names
// and types, a status column's sampled values proposed as a value map, a manager,
// child tables, groups or entitlements found through foreign keys, list, get,
// create, update and delete as statements, and the catalog's lifecycle routines
// as alternatives. Every guess is marked in a comment for the DBA to review.
func initCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dialect := fs.String("dialect", "sqlite", "the database: sqlite, mysql (MariaDB too), postgres, sqlserver or oracle")
	host := fs.String("host", "127.0.0.1", "the database server's host")
	port := fs.Int("port", 0, "the database server's port (default: the dialect's)")
	name := fs.String("name", "", "the database name (SQLite: the file)")
	user := fs.String("user", "", "the database user")
	passwordEnv := fs.String("password-env", "DBSCIM_DB_PASSWORD", "the environment variable holding the database password (read here, written as ${VAR} in the file)")
	target := fs.String("target", "", "the target's name (default: the users table's)")
	out := fs.String("out", "", "write the configuration to this file instead of standard output")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: dbscim init --dialect D [--host H --port P] --name DB [--user U --password-env VAR] [--target NAME] [--out FILE] USERS [TABLE...]\n"+
			"  USERS is the users table or view; the other tables are related to it by foreign keys:\n"+
			"  a group or entitlement table with the link table between it and USERS, or a child table (phones).\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() < 1 || *name == "" {
		fs.Usage()
		return 2
	}
	d, ok := dialects.Lookup(*dialect)
	if !ok {
		fmt.Fprintf(stderr, "init: unknown dialect %q (one of %s)\n", *dialect, strings.Join(dialects.Names(), ", "))
		return 2
	}
	conn := dialects.Connection{Name: *name, User: *user, Password: os.Getenv(*passwordEnv)}
	if d.Spec().Networked {
		conn.Host, conn.Port = *host, *port
		if conn.Port == 0 {
			conn.Port = d.Spec().DefaultPort
		}
	} else if _, err := os.Stat(*name); err != nil {
		fmt.Fprintf(stderr, "init: %v\n", err)
		return 1
	}
	dsn, err := d.DSN(conn)
	if err != nil {
		fmt.Fprintf(stderr, "init: %v\n", err)
		return 1
	}
	db, err := sql.Open(d.Driver(), dsn)
	if err != nil {
		fmt.Fprintf(stderr, "init: %v\n", err)
		return 1
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var tables []initTable
	for _, name := range fs.Args() {
		cols, err := dialects.ReadColumns(ctx, d, db, name)
		if err != nil {
			fmt.Fprintf(stderr, "init: table %s: %s\n", name, describeInitError(d, err))
			return 1
		}
		t := initTable{name: name, cols: cols}
		// A catalog that keeps its foreign keys from this account still gives a
		// users block: the relations are then left to the DBA.
		if t.fks, err = dialects.ReadForeignKeys(ctx, d, db, name); err != nil {
			t.fkError = describeInitError(d, err)
		}
		tables = append(tables, t)
	}
	plan := planUsers(tables[0].name, tables[0].cols)
	plan.relate(tables)
	plan.view = isView(ctx, d, db, plan.table)
	if plan.status != nil {
		plan.statusValues = sampleValues(ctx, d, db, plan.table, plan.status.Name)
	}
	plan.readRoutines(ctx, d, db)
	plan.readUserNameIndex(ctx, d, db)
	if *target == "" {
		*target = targetName(plan.table, conn.Name)
	}
	text := plan.yaml(d, conn, *target, *passwordEnv)
	if *out == "" {
		io.WriteString(stdout, text)
		return 0
	}
	if err := os.WriteFile(*out, []byte(text), 0o600); err != nil {
		fmt.Fprintf(stderr, "init: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s; review the lines marked \"guessed\", then run: dbscim validate --config %s\n", *out, *out)
	return 0
}

// initTable is one table named on the command line, as the catalog describes it.
type initTable struct {
	name    string
	cols    []dialects.TableColumn
	fks     []dialects.ForeignKey
	fkError string
}

// describeInitError names a catalog failure without the driver's text, which can
// carry the connection string.
func describeInitError(d dialects.Dialect, err error) string {
	if err == dialects.ErrNoTable {
		return "no such table or view (check its name and schema: schema.table)"
	}
	return "cannot read the catalog: " + d.Classify(err).String()
}

// mapped is one column and the SCIM attribute init maps it to.
type mapped struct {
	col   dialects.TableColumn
	path  string
	note  string
	write bool // written by create and update
}

// usersPlan is what init makes of a users table and the tables related to it.
type usersPlan struct {
	table        string
	cols         []dialects.TableColumn
	id           dialects.TableColumn
	idGenerated  bool // an integer key the database generates
	attrs        []mapped
	status       *dialects.TableColumn
	statusValues []string
	unmapped     []string
	notes        []string

	children     []childPlan
	groups       *relationPlan
	entitlements []*relationPlan
	// routines are the catalog's routines that look like lifecycle operations,
	// by the operation they would serve ("users.create", "entitlements.grant").
	routines map[string][]routineProposal
	// routineNotes say what init could not do with the catalog's routines.
	routineNotes []string
	// userNameIndex is the comment over userName when no unique index makes
	// it unique in any letter case: why, then the DDL for one.
	userNameIndex []string
	// view is true when the users table is a view, which the database may
	// not write through.
	view bool
	// unused are the tables named on the command line that no foreign key
	// ties to the users as a link or child table.
	unused []initTable
}

const (
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:"
	managerPath   = enterpriseURN + "manager.value"
)

// guesses map column names (lower case, without _ and -) to attributes.
var guesses = []struct {
	names []string
	path  string
}{
	{[]string{"username", "login", "loginname", "userlogin", "uid", "samaccountname", "upn", "userprincipalname"}, "userName"},
	{[]string{"externalid", "extid", "employeeuid"}, "externalId"},
	{[]string{"firstname", "givenname", "forename", "fname"}, "name.givenName"},
	{[]string{"middlename", "middlenames", "mname"}, "name.middleName"},
	{[]string{"lastname", "familyname", "surname", "lname"}, "name.familyName"},
	{[]string{"displayname", "fullname", "name"}, "displayName"},
	{[]string{"nickname", "preferredname"}, "nickName"},
	{[]string{"email", "mail", "emailaddress", "workemail"}, `emails[type eq "work"].value`},
	{[]string{"phone", "phonenumber", "workphone", "telephone"}, `phoneNumbers[type eq "work"].value`},
	{[]string{"mobile", "mobilephone", "cellphone"}, `phoneNumbers[type eq "mobile"].value`},
	{[]string{"streetaddress", "street", "address", "address1"}, `addresses[type eq "work"].streetAddress`},
	{[]string{"city", "locality", "town"}, `addresses[type eq "work"].locality`},
	{[]string{"region", "province"}, `addresses[type eq "work"].region`},
	{[]string{"zipcode", "zip", "postalcode", "postcode"}, `addresses[type eq "work"].postalCode`},
	{[]string{"country", "countrycode"}, `addresses[type eq "work"].country`},
	{[]string{"title", "jobtitle", "position"}, "title"},
	{[]string{"department", "dept", "deptname"}, enterpriseURN + "department"},
	{[]string{"organization", "organisation", "org", "company"}, enterpriseURN + "organization"},
	{[]string{"division"}, enterpriseURN + "division"},
	{[]string{"employeenumber", "employeeno", "employeeid", "empno", "personnelnumber"}, enterpriseURN + "employeeNumber"},
	{[]string{"costcenter"}, enterpriseURN + "costCenter"},
	{[]string{"managerid", "managerno", "mgrid", "supervisorid", "reportsto", "manageruserid"}, managerPath},
	{[]string{"usertype", "employeetype"}, "userType"},
	{[]string{"locale"}, "locale"},
	{[]string{"timezone"}, "timezone"},
	{[]string{"active", "isactive", "enabled", "isenabled"}, "active"},
	{[]string{"updated", "updatedat", "modified", "modifiedat", "lastmodified", "lastupdated", "changedat"}, "meta.lastModified"},
	{[]string{"created", "createdat", "creationdate"}, "meta.created"},
}

var statusNames = map[string]bool{"status": true, "state": true, "userstatus": true, "accountstatus": true, "statuscode": true}

// addressNames are columns whose presence makes a "state" column an address's
// region rather than an account's status.
var addressNames = map[string]bool{"city": true, "locality": true, "streetaddress": true, "street": true, "zipcode": true, "zip": true, "postalcode": true}

func squash(name string) string {
	return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(name))
}

func isIntegerType(t string) bool {
	t = strings.ToLower(t)
	return strings.Contains(t, "int") || t == "serial" || t == "bigserial" || t == "number"
}

func isBooleanType(t string) bool {
	t = strings.ToLower(t)
	return t == "boolean" || t == "bool" || t == "bit" || strings.HasPrefix(t, "tinyint")
}

func isTimeType(t string) bool {
	t = strings.ToLower(t)
	return strings.Contains(t, "time") || strings.Contains(t, "date")
}

// planUsers maps a table's columns to user attributes.
func planUsers(table string, cols []dialects.TableColumn) *usersPlan {
	p := &usersPlan{table: table, cols: cols, routines: map[string][]routineProposal{}}
	taken := map[string]bool{}
	found := false
	for _, c := range cols {
		if c.Primary {
			p.id, found = c, true
			p.idGenerated = isIntegerType(c.Type)
			break
		}
	}
	if !found {
		for _, c := range cols {
			if c.Unique && !c.Nullable {
				p.id, found = c, true
				p.notes = append(p.notes, fmt.Sprintf("the table has no primary key: the id is %s, a unique column (guessed)", c.Name))
				break
			}
		}
	}
	if !found {
		p.id = cols[0]
		p.notes = append(p.notes, fmt.Sprintf("the table has neither a primary key nor a unique column: the id is %s (guessed; it must be unique and never change)", cols[0].Name))
	}
	hasAddress := false
	for _, c := range cols {
		hasAddress = hasAddress || addressNames[squash(c.Name)]
	}
	for _, c := range cols {
		if c.Name == p.id.Name {
			continue
		}
		key := squash(c.Name)
		path := ""
		for _, g := range guesses {
			for _, n := range g.names {
				if key == n && !taken[g.path] {
					path = g.path
				}
			}
		}
		if key == "state" && hasAddress && !taken[`addresses[type eq "work"].region`] {
			path = `addresses[type eq "work"].region`
		}
		switch {
		case path == "active" && !isBooleanType(c.Type):
			// Codes or an integer: a value map says which values are active (an
			// integer column is not written a boolean by every driver).
			cc := c
			p.status, path = &cc, ""
		case path == "" && statusNames[key] && p.status == nil && !taken["active"]:
			cc := c
			p.status = &cc
			continue
		case path == "":
			p.unmapped = append(p.unmapped, c.Name)
			continue
		}
		if path == "" {
			continue
		}
		taken[path] = true
		m := mapped{col: c, path: path, write: !strings.HasPrefix(path, "meta."), note: "guessed from the column's name"}
		switch {
		case path == "userName" && c.Unique:
			m.note += "; unique"
		case path == managerPath:
			m.note = "guessed from the column's name: the manager's id (no foreign key says so)"
		}
		p.attrs = append(p.attrs, m)
	}
	if !taken["userName"] {
		// A user name is required: take the first unique text column, else the
		// first text column.
		pick := -1
		for i, c := range cols {
			if c.Name != p.id.Name && !isIntegerType(c.Type) && !isTimeType(c.Type) && (pick < 0 || c.Unique && !cols[pick].Unique) {
				pick = i
			}
		}
		if pick < 0 {
			pick = 0
		}
		c := cols[pick]
		p.attrs = append([]mapped{{col: c, path: "userName", write: c.Name != p.id.Name, note: "guessed: no column is named like a user name"}}, p.attrs...)
		p.unmapped = remove(p.unmapped, c.Name)
	}
	return p
}

// hasPath says whether an attribute, or a sub-attribute of it, is mapped.
func (p *usersPlan) hasPath(attr string) bool {
	for _, m := range p.attrs {
		if strings.EqualFold(m.path, attr) || strings.HasPrefix(strings.ToLower(m.path), strings.ToLower(attr)+"[") ||
			strings.HasPrefix(strings.ToLower(m.path), strings.ToLower(attr)+".") {
			return true
		}
	}
	return false
}

func remove(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

// sampleValues reads up to 20 distinct values of a column, for a value map
// proposal.
func sampleValues(ctx context.Context, d dialects.Dialect, db *sql.DB, table, column string) []string {
	text := "SELECT DISTINCT " + sqlgen.Ident(d, column) + " FROM " + table
	rows, err := db.QueryContext(ctx, text)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() && len(out) < 20 {
		var v sql.NullString
		if rows.Scan(&v) == nil && v.Valid {
			out = append(out, strings.TrimRight(v.String, " "))
		}
	}
	sort.Strings(out)
	return out
}

var plainTarget = regexp.MustCompile(`[^a-z0-9_-]+`)

// targetName is the table's name as a target name, or the database's when the
// table is named like a SCIM endpoint (USERS, GROUPS), which a target may not be
// (the loader says so when --target names one).
func targetName(table, database string) string {
	for _, name := range []string{table, filepath.Base(database)} {
		if i := strings.LastIndexByte(name, '.'); i >= 0 && name == table {
			name = name[i+1:]
		}
		name = strings.TrimSuffix(name, filepath.Ext(name))
		n := strings.Trim(plainTarget.ReplaceAllString(strings.ToLower(name), "-"), "-")
		switch n {
		case "", "users", "groups", "me", "schemas", "bulk", "resourcetypes", "serviceproviderconfig":
			continue
		}
		return n
	}
	return "directory"
}

func yamlString(s string) string { return strconv.Quote(s) }

// yamlKey writes an attribute path as a YAML key, quoted where YAML needs it.
func yamlKey(path string) string {
	if strings.ContainsAny(path, `[]" `) {
		return "'" + path + "'"
	}
	return path
}

func valueList(values []string) string {
	if len(values) == 0 {
		return "no values yet"
	}
	return strings.Join(values, ", ")
}

// isView says whether the catalog lists a table as a view; false when it
// cannot tell.
func isView(ctx context.Context, d dialects.Dialect, db *sql.DB, table string) bool {
	schema := ""
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		schema = table[:i]
	}
	tables, err := dialects.Tables(ctx, d, db, schema)
	if err != nil {
		return false
	}
	for _, t := range tables {
		if strings.EqualFold(t.Name, bare(table)) {
			return t.View
		}
	}
	return false
}
