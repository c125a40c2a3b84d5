package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/engine/sqlgen"
)

// initCommand reads a users table (or view) from a live database's catalog and
// writes a commented dbscim.yaml that serves it: the id from the primary key,
// attributes guessed from column names and types, a status column's values
// sampled for a proposed mapping, and list, get, create, update and delete as
// statements. Every guess is marked in a comment for the DBA to review.
func initCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dialect := fs.String("dialect", "sqlite", "the database: sqlite, mysql (MariaDB too), postgres, sqlserver or oracle")
	host := fs.String("host", "127.0.0.1", "the database server's host")
	port := fs.Int("port", 0, "the database server's port (default: the dialect's)")
	name := fs.String("name", "", "the database name (SQLite: the file)")
	user := fs.String("user", "", "the database user")
	passwordEnv := fs.String("password-env", "DBSCIM_DB_PASSWORD", "the environment variable holding the database password (read here, written as ${VAR} in the file)")
	target := fs.String("target", "", "the target's name (default: the table's)")
	out := fs.String("out", "", "write the configuration to this file instead of standard output")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: dbscim init --dialect D [--host H --port P] --name DB [--user U --password-env VAR] [--target NAME] [--out FILE] TABLE\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 || *name == "" {
		fs.Usage()
		return 2
	}
	table := fs.Arg(0)
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
	cols, err := dialects.ReadColumns(ctx, d, db, table)
	if err != nil {
		fmt.Fprintf(stderr, "init: table %s: %s\n", table, describeInitError(d, err))
		return 1
	}
	plan := planUsers(table, cols)
	if plan.status != nil {
		plan.statusValues = sampleValues(ctx, d, db, table, plan.status.Name)
	}
	if *target == "" {
		*target = targetName(table)
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

// usersPlan is what init makes of a users table.
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
}

// guesses map column names (lower case, without _ and -) to attributes.
var guesses = []struct {
	names []string
	path  string
}{
	{[]string{"username", "login", "loginname", "userlogin", "uid", "samaccountname", "upn", "userprincipalname"}, "userName"},
	{[]string{"externalid", "extid", "employeeuid"}, "externalId"},
	{[]string{"firstname", "givenname", "forename", "fname"}, "name.givenName"},
	{[]string{"lastname", "familyname", "surname", "lname"}, "name.familyName"},
	{[]string{"displayname", "fullname", "name"}, "displayName"},
	{[]string{"email", "mail", "emailaddress", "workemail"}, `emails[type eq "work"].value`},
	{[]string{"phone", "phonenumber", "workphone", "telephone"}, `phoneNumbers[type eq "work"].value`},
	{[]string{"mobile", "mobilephone", "cellphone"}, `phoneNumbers[type eq "mobile"].value`},
	{[]string{"title", "jobtitle", "position"}, "title"},
	{[]string{"department", "dept", "deptname"}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
	{[]string{"employeenumber", "employeeno", "employeeid", "empno", "personnelnumber"}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"},
	{[]string{"costcenter"}, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter"},
	{[]string{"usertype", "employeetype"}, "userType"},
	{[]string{"locale"}, "locale"},
	{[]string{"timezone"}, "timezone"},
	{[]string{"active", "isactive", "enabled", "isenabled"}, "active"},
	{[]string{"updated", "updatedat", "modified", "modifiedat", "lastmodified", "lastupdated", "changedat"}, "meta.lastModified"},
	{[]string{"created", "createdat", "creationdate"}, "meta.created"},
}

var statusNames = map[string]bool{"status": true, "state": true, "userstatus": true, "accountstatus": true, "statuscode": true}

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
	p := &usersPlan{table: table, cols: cols}
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
		switch {
		case path == "active" && !isBooleanType(c.Type) && !isIntegerType(c.Type):
			cc := c
			p.status, path = &cc, ""
		case path == "" && statusNames[key] && !taken["active"]:
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
		if path == "userName" && c.Unique {
			m.note += "; unique"
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
		taken["userName"] = true
	}
	return p
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
			out = append(out, v.String)
		}
	}
	sort.Strings(out)
	return out
}

// activeWords and inactiveWords classify sampled status values.
var (
	activeWords   = map[string]bool{"a": true, "active": true, "y": true, "yes": true, "1": true, "e": true, "enabled": true, "t": false}
	inactiveWords = map[string]bool{"i": true, "inactive": true, "n": true, "no": true, "0": true, "d": true, "disabled": true, "t": true, "terminated": true, "s": true, "suspended": true, "x": true}
)

// statusMap proposes true and false values for two sampled status values, or
// reports that it cannot.
func statusMap(values []string) (yes, no string, ok bool) {
	if len(values) != 2 {
		return "", "", false
	}
	a, b := strings.ToLower(values[0]), strings.ToLower(values[1])
	switch {
	case activeWords[a] && inactiveWords[b]:
		return values[0], values[1], true
	case activeWords[b] && inactiveWords[a]:
		return values[1], values[0], true
	}
	return "", "", false
}

var plainTarget = regexp.MustCompile(`[^a-z0-9_-]+`)

func targetName(table string) string {
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		table = table[i+1:]
	}
	n := strings.Trim(plainTarget.ReplaceAllString(strings.ToLower(table), "-"), "-")
	if n == "" {
		return "users"
	}
	return n
}

func yamlString(s string) string { return strconv.Quote(s) }

// yaml writes the configuration.
func (p *usersPlan) yaml(d dialects.Dialect, conn dialects.Connection, target, passwordEnv string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	ident := func(c string) string { return sqlgen.Ident(d, c) }
	w("# dbscim.yaml for table %s, written by dbscim init from the %s catalog.\n", p.table, d.Name())
	w("# Review every line marked \"guessed\", then check it against the database:\n")
	w("#   dbscim validate --config dbscim.yaml\n")
	for _, n := range p.notes {
		w("# NOTE: %s.\n", n)
	}
	tokenVar := strings.ToUpper(strings.ReplaceAll(target, "-", "_")) + "_TOKEN"
	w("version: 1\nserver:\n  listen: 127.0.0.1:8443\n  tls: auto\ntargets:\n")
	w("  %s:\n    auth:\n      bearer: ${%s}   # the token the identity provider sends\n", target, tokenVar)
	w("    database:\n      dialect: %s\n", d.Name())
	if d.Spec().Networked {
		w("      host: %s\n      port: %d\n", yamlString(conn.Host), conn.Port)
	}
	w("      name: %s\n", yamlString(conn.Name))
	if conn.User != "" {
		w("      user: %s\n", yamlString(conn.User))
	}
	if d.Spec().Networked {
		w("      password: ${%s}\n", passwordEnv)
	}
	w("    users:\n")
	idNote := "the primary key"
	if !p.id.Primary {
		idNote = "guessed: not a primary key"
	}
	w("      id: %s   # %s\n", p.id.Name, idNote)
	w("      attributes:\n")
	var readCols []string
	readCols = append(readCols, ident(p.id.Name))
	for _, m := range p.attrs {
		w("        %s: %s   # %s\n", yamlKey(m.path), m.col.Name, m.note)
		readCols = append(readCols, ident(m.col.Name))
	}
	statusWrite := ""
	if p.status != nil {
		if yes, no, ok := statusMap(p.statusValues); ok {
			w("        active: {column: %s, type: boolean, true: %s, false: %s}   # guessed from its values: %s\n",
				p.status.Name, yamlString(yes), yamlString(no), strings.Join(p.statusValues, ", "))
			readCols = append(readCols, ident(p.status.Name))
			statusWrite = p.status.Name
		} else {
			w("        # active: {column: %s, ...}   # guessed: %s holds %s; map which values are active\n",
				p.status.Name, p.status.Name, valueList(p.statusValues))
		}
	}
	for _, c := range p.unmapped {
		w("        # ?: %s   # not mapped: name a SCIM attribute for it, or leave it\n", c)
	}
	list := "SELECT " + strings.Join(readCols, ", ") + " FROM " + p.table
	w("      operations:\n")
	w("        list:   {sql: %s}\n", yamlString(list))
	w("        get:    {sql: %s, params: [%s]}\n", yamlString(list+" WHERE "+ident(p.id.Name)+" = ?"), p.id.Name)
	var insCols, insParams, setCols, setParams []string
	if !p.idGenerated {
		insCols, insParams = append(insCols, ident(p.id.Name)), append(insParams, p.id.Name)
	}
	for _, m := range p.attrs {
		if !m.write {
			continue
		}
		insCols, insParams = append(insCols, ident(m.col.Name)), append(insParams, m.col.Name)
		setCols, setParams = append(setCols, ident(m.col.Name)+" = ?"), append(setParams, m.col.Name)
	}
	if statusWrite != "" {
		insCols, insParams = append(insCols, ident(statusWrite)), append(insParams, statusWrite)
		setCols, setParams = append(setCols, ident(statusWrite)+" = ?"), append(setParams, statusWrite)
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(insCols)), ", ")
	insert := "INSERT INTO " + p.table + " (" + strings.Join(insCols, ", ") + ") VALUES (" + placeholders + ")"
	if p.idGenerated && d.Name() == "postgres" {
		insert += " RETURNING " + ident(p.id.Name)
	}
	idComment := "dbscim fills the id with a new UUID"
	if p.idGenerated {
		idComment = "the database generates the id"
	}
	w("        create: {sql: %s, params: [%s]}   # %s\n", yamlString(insert), strings.Join(insParams, ", "), idComment)
	if len(setCols) > 0 {
		update := "UPDATE " + p.table + " SET " + strings.Join(setCols, ", ") + " WHERE " + ident(p.id.Name) + " = ?"
		w("        update: {sql: %s, params: [%s, %s]}\n", yamlString(update), strings.Join(setParams, ", "), p.id.Name)
	}
	w("        delete: {sql: %s, params: [%s]}   # remove it to keep deprovisioned users as inactive rows\n",
		yamlString("DELETE FROM "+p.table+" WHERE "+ident(p.id.Name)+" = ?"), p.id.Name)
	return b.String()
}

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
