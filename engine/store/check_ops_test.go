package store

import (
	"testing"

	"github.com/dbscim/dbscim/operations"
)

// TestTypeKind sorts the type names catalogs and drivers give into the kinds
// the parameter check compares.
func TestTypeKind(t *testing.T) {
	for name, want := range map[string]string{
		"varchar": "text", "VARCHAR(36)": "text", "character varying": "text", "BPCHAR": "text", "nvarchar": "text", "VARCHAR2": "text", "text": "text", "citext": "text", "CLOB": "text",
		"int": "number", "INT4": "number", "integer": "number", "bigint": "number", "UNSIGNED INT": "number", "tinyint": "number", "NUMBER": "number", "numeric(10,2)": "number", "decimal": "number", "double precision": "number",
		"date": "date", "DATETIME": "date", "timestamp with time zone": "date", "TIMESTAMPTZ": "date", "time": "date",
		"boolean": "boolean", "BOOL": "boolean",
		"uuid": "", "json": "", "varbinary": "", "interval": "", "": "", "bit": "",
	} {
		if got := typeKind(name); got != want {
			t.Errorf("typeKind(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestClash reports only clear mismatches: text into numbers, dates and
// booleans, dates and booleans into text, but not numbers into text (numeric
// ids in VARCHAR parameters) nor numbers and booleans for each other.
func TestClash(t *testing.T) {
	c := &opChecker{fields: map[string]string{"code": "VARCHAR", "n": "INT", "flag": "BOOL", "day": "DATE", "id": "VARCHAR"}, usersID: "id"}
	field := func(name string) operations.Param { return operations.Param{Kind: operations.Field, Name: name} }
	for _, tt := range []struct {
		p     operations.Param
		param string
		clash bool
	}{
		{field("code"), "int", true},
		{field("code"), "date", true},
		{field("code"), "boolean", true},
		{field("code"), "varchar", false},
		{field("n"), "varchar", false},
		{field("n"), "boolean", false},
		{field("flag"), "tinyint", false},
		{field("flag"), "date", true},
		{field("day"), "varchar", true},
		{field("day"), "timestamp", false},
		{field("unknown"), "int", false},
		{field(operations.UserParam), "int", true},
		{field("code"), "uuid", false},
		{operations.Param{Kind: operations.Generated, Generator: "uuid"}, "int", true},
		{operations.Param{Kind: operations.Generated, Generator: "now"}, "timestamp", false},
		{operations.Param{Kind: operations.Literal, Value: "x"}, "int", false},
	} {
		if got := c.clash(tt.p, tt.param) != ""; got != tt.clash {
			t.Errorf("%+v into %s: clash %v, want %v", tt.p, tt.param, got, tt.clash)
		}
	}
}

// TestListTable finds the table of a list statement only when it reads one.
func TestListTable(t *testing.T) {
	for src, want := range map[string]string{
		"SELECT id, login FROM accounts":                                "accounts",
		"select id, login from hr.accounts a where active = 1":          "hr.accounts",
		"SELECT a.id FROM `accounts` AS a ORDER BY a.id":                "`accounts`",
		`SELECT id FROM "Accounts" WHERE x = 'y'`:                       `"Accounts"`,
		"SELECT a.id FROM accounts a JOIN teams t ON t.id = a.team":     "",
		"SELECT id FROM accounts, teams":                                "",
		"SELECT id FROM accounts UNION SELECT id FROM old_accounts":     "",
		"SELECT id, (SELECT COUNT(*) FROM grants g) AS n FROM accounts": "",
		"SELECT id FROM (SELECT * FROM accounts) t":                     "",
	} {
		if got := listTable(src); got != want {
			t.Errorf("listTable(%q) = %q, want %q", src, got, want)
		}
	}
}
