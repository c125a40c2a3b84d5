package conformance

import (
	"database/sql"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
)

// SQLBackend is a Backend over tables, for targets whose users are rows of one
// table with a column per attribute, and whose groups are rows of another with
// their members in a link table. It writes and reads with plain SQL through the
// test's own connection, as another application sharing the database would.
type SQLBackend struct {
	DB      *sql.DB
	Dialect dialects.Dialect
	Users   UserTable
	// Groups is nil when the target has no groups.
	Groups *GroupTable
}

// UserTable says where a target keeps its users. Identifiers are written into
// the SQL as given.
type UserTable struct {
	// Table is the users table and ID its id column.
	Table, ID string
	// Columns maps the keys of Backend.User (userName, externalId, givenName,
	// familyName, email, title, department, manager, lastModified) to columns. A
	// key without a column is read as Null and not seeded.
	Columns map[string]string
	// Active is the column holding active. True and False are its values; nil
	// means the SQL booleans.
	Active      string
	True, False any
	// Defaults give values to NOT NULL columns, by column: used when the suite
	// seeds no value for them (nil, or a column it does not map).
	Defaults map[string]any
}

// GroupTable says where a target keeps its groups and their members.
type GroupTable struct {
	// Table is the groups table, ID and DisplayName its columns.
	Table, ID, DisplayName string
	// Links is the membership table, LinkGroup and LinkUser its columns.
	Links, LinkGroup, LinkUser string
}

// userKeys are the keys of Backend.User other than active, in a fixed order.
var userKeys = []string{"userName", "externalId", "givenName", "familyName", "email", "title", "department", "manager", "lastModified"}

func (b *SQLBackend) ph(n int) string { return b.Dialect.Placeholder(n) }

func (b *SQLBackend) activeValues() (any, any) {
	t, f := b.Users.True, b.Users.False
	if t == nil {
		t = true
	}
	if f == nil {
		f = false
	}
	return t, f
}

// SeedUser inserts a users row.
func (b *SQLBackend) SeedUser(t testing.TB, u User) {
	t.Helper()
	u2 := b.Users
	values := map[string]any{"userName": u.UserName, "externalId": u.ExternalID, "givenName": u.GivenName,
		"familyName": u.FamilyName, "email": u.Email, "title": u.Title, "department": u.Department, "manager": u.Manager,
		"lastModified": u.LastModified.UTC()}
	cols := []string{u2.ID}
	args := []any{u.ID}
	seeded := map[string]bool{}
	for _, k := range userKeys {
		if c, ok := u2.Columns[k]; ok {
			v := values[k]
			if d, ok := u2.Defaults[c]; ok && v == nil {
				v = d
			}
			cols = append(cols, c)
			args = append(args, v)
			seeded[c] = true
		}
	}
	if u2.Active != "" {
		yes, no := b.activeValues()
		cols = append(cols, u2.Active)
		if u.Inactive {
			args = append(args, no)
		} else {
			args = append(args, yes)
		}
	}
	defaults := make([]string, 0, len(u2.Defaults))
	for c := range u2.Defaults {
		defaults = append(defaults, c)
	}
	sort.Strings(defaults)
	for _, c := range defaults {
		if seeded[c] {
			continue
		}
		cols = append(cols, c)
		args = append(args, u2.Defaults[c])
	}
	ph := make([]string, len(cols))
	for i := range ph {
		ph[i] = b.ph(i + 1)
	}
	stmt := "INSERT INTO " + u2.Table + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")"
	if _, err := b.DB.Exec(stmt, args...); err != nil {
		t.Fatalf("seed user %s: %v", u.ID, err)
	}
}

// SeedGroup inserts a groups row and its links.
func (b *SQLBackend) SeedGroup(t testing.TB, id, name string, members ...string) {
	t.Helper()
	g := b.groups(t)
	if _, err := b.DB.Exec("INSERT INTO "+g.Table+" ("+g.ID+", "+g.DisplayName+") VALUES ("+b.ph(1)+", "+b.ph(2)+")", id, name); err != nil {
		t.Fatalf("seed group %s: %v", id, err)
	}
	for _, m := range members {
		if _, err := b.DB.Exec("INSERT INTO "+g.Links+" ("+g.LinkGroup+", "+g.LinkUser+") VALUES ("+b.ph(1)+", "+b.ph(2)+")", id, m); err != nil {
			t.Fatalf("seed member %s of %s: %v", m, id, err)
		}
	}
}

func (b *SQLBackend) groups(t testing.TB) *GroupTable {
	t.Helper()
	if b.Groups == nil {
		t.Fatal("conformance: the SQLBackend has no GroupTable")
	}
	return b.Groups
}

// User reads a users row.
func (b *SQLBackend) User(t testing.TB, id string) map[string]string {
	t.Helper()
	u := b.Users
	var sel, keys []string
	for _, k := range userKeys {
		if c, ok := u.Columns[k]; ok && k != "lastModified" {
			sel = append(sel, c)
			keys = append(keys, k)
		}
	}
	var args []any
	if u.Active != "" {
		yes, _ := b.activeValues()
		sel = append(sel, "CASE WHEN "+u.Active+" = "+b.ph(1)+" THEN '1' ELSE '0' END")
		keys = append(keys, "active")
		args = append(args, yes)
	}
	vals := make([]sql.NullString, len(keys))
	dest := make([]any, 0, len(keys)+1)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	var modified sql.NullTime
	if c, ok := u.Columns["lastModified"]; ok {
		sel = append(sel, c)
		dest = append(dest, &modified)
	}
	if len(sel) == 0 {
		sel = append(sel, u.ID)
		var x sql.NullString
		dest = append(dest, &x)
	}
	args = append(args, id)
	err := b.DB.QueryRow("SELECT "+strings.Join(sel, ", ")+" FROM "+u.Table+" WHERE "+u.ID+" = "+b.ph(len(args)), args...).Scan(dest...)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{"active": "1"}
	for _, k := range userKeys {
		out[k] = Null
	}
	for i, k := range keys {
		out[k] = Null
		if vals[i].Valid {
			out[k] = vals[i].String
		}
	}
	if modified.Valid {
		out["lastModified"] = modified.Time.UTC().Format(time.RFC3339Nano)
	}
	return out
}

func (b *SQLBackend) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := b.DB.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// CountUsers counts users rows.
func (b *SQLBackend) CountUsers(t testing.TB, userName string) int {
	t.Helper()
	if userName == "" {
		return b.count(t, "SELECT COUNT(*) FROM "+b.Users.Table)
	}
	return b.count(t, "SELECT COUNT(*) FROM "+b.Users.Table+" WHERE lower("+b.Users.Columns["userName"]+") = lower("+b.ph(1)+")", userName)
}

// CountGroups counts groups rows with exactly this displayName.
func (b *SQLBackend) CountGroups(t testing.TB, displayName string) int {
	t.Helper()
	g := b.groups(t)
	return b.count(t, "SELECT COUNT(*) FROM "+g.Table+" WHERE "+g.DisplayName+" = "+b.ph(1), displayName)
}

// Group reads a groups row and the links to it.
func (b *SQLBackend) Group(t testing.TB, id string) (string, bool, []string) {
	t.Helper()
	g := b.groups(t)
	var name string
	ok := true
	err := b.DB.QueryRow("SELECT "+g.DisplayName+" FROM "+g.Table+" WHERE "+g.ID+" = "+b.ph(1), id).Scan(&name)
	if err == sql.ErrNoRows {
		ok = false
	} else if err != nil {
		t.Fatal(err)
	}
	rows, err := b.DB.Query("SELECT "+g.LinkUser+" FROM "+g.Links+" WHERE "+g.LinkGroup+" = "+b.ph(1)+" ORDER BY "+g.LinkUser, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var members []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			t.Fatal(err)
		}
		members = append(members, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return name, ok, members
}

// SetTitle updates the title column.
func (b *SQLBackend) SetTitle(t testing.TB, id, title string) {
	t.Helper()
	c, ok := b.Users.Columns["title"]
	if !ok {
		t.Fatal("conformance: the SQLBackend maps no title column")
	}
	if _, err := b.DB.Exec("UPDATE "+b.Users.Table+" SET "+c+" = "+b.ph(1)+" WHERE "+b.Users.ID+" = "+b.ph(2), title, id); err != nil {
		t.Fatal(err)
	}
}
