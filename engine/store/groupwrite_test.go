package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
)

// teamConfig serves groups whose create binds only the name, as a legacy
// "new team" routine does: externalId is written by update, members by
// add_member. %[2]s is extra keys of the groups block; %[3]s extra operations.
const teamConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%[1]s
    users:
      id: id
      attributes: {userName: login}
      operations:
        list: {sql: "SELECT id, login FROM accounts"}
        get:  {sql: "SELECT id, login FROM accounts WHERE id = ?", params: [id]}
    groups:
      id: id
%[2]s      attributes: {displayName: name, externalId: ext}
      member_id: account_id
      operations:
        list:    {sql: "SELECT id, name, ext FROM teams"}
        get:     {sql: "SELECT id, name, ext FROM teams WHERE id = ?", params: [id]}
        create:  {sql: "INSERT INTO teams (id, name) VALUES (?, ?)", params: [id, name]}
        update:  {sql: "UPDATE teams SET ext = ? WHERE id = ?", params: [ext, id]}
        members: {sql: "SELECT account_id FROM team_members WHERE team_id = ?", params: [id]}
        add_member: {sql: "INSERT INTO team_members (team_id, account_id) VALUES (?, ?)", params: [id, member]}
%[3]s`

const teamRemove = `        remove_member: {sql: "DELETE FROM team_members WHERE team_id = ? AND account_id = ?", params: [id, member]}
`

// teamTarget makes the teams tables (members must be accounts: a foreign key)
// with two accounts, and returns the stores and a reader of a team's row and
// members as the database holds them.
func teamTarget(t *testing.T, dialect, groupKeys, ops string) (*Stores, func(id string) string) {
	d, db, conn := dialecttest.NewDatabase(t, dialect)
	dialecttest.MustExec(t, db,
		`CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL)`,
		`CREATE TABLE teams (id VARCHAR(64) PRIMARY KEY, name VARCHAR(100) NOT NULL, ext VARCHAR(100))`,
		`CREATE TABLE team_members (team_id VARCHAR(64) NOT NULL REFERENCES teams (id), account_id VARCHAR(64) NOT NULL REFERENCES accounts (id), PRIMARY KEY (team_id, account_id))`,
		`INSERT INTO accounts VALUES ('a1', 'ann'), ('a2', 'ben')`)
	if dialect == "mysql" {
		// MariaDB ignores a column-level REFERENCES: declare the keys as constraints.
		dialecttest.MustExec(t, db,
			`ALTER TABLE team_members ADD FOREIGN KEY (team_id) REFERENCES teams (id)`,
			`ALTER TABLE team_members ADD FOREIGN KEY (account_id) REFERENCES accounts (id)`)
	}
	cfg := loadTarget(t, strings.Replace(strings.Replace(teamConfig, "%[2]s", groupKeys, 1), "%[3]s", ops, 1), d, conn)
	return openStores(t, cfg), func(id string) string { return teamRow(t, d, db, id) }
}

func teamRow(t *testing.T, d dialects.Dialect, db *sql.DB, id string) string {
	t.Helper()
	var name, ext any
	if err := db.QueryRow("SELECT name, ext FROM teams WHERE id = "+d.Placeholder(1), id).Scan(&name, &ext); err != nil {
		return err.Error()
	}
	rows, err := db.Query("SELECT account_id FROM team_members WHERE team_id = "+d.Placeholder(1), id)
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
	sort.Strings(members)
	str := func(v any) string {
		if b, ok := v.([]byte); ok {
			return string(b)
		}
		return fmt.Sprint(v)
	}
	return str(name) + " " + str(ext) + " [" + strings.Join(members, " ") + "]"
}

// countTeams is how many teams and memberships the database holds.
func countTeams(t *testing.T, s *Stores) string {
	t.Helper()
	var teams, members int
	db := s.Groups.pool.DB
	if err := db.QueryRow("SELECT COUNT(*) FROM teams").Scan(&teams); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT COUNT(*) FROM team_members").Scan(&members); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d teams, %d members", teams, members)
}

// TestGroupCreateCompletion: a group created with an externalId and members
// that create does not bind gets them from update and add_member in the same
// transaction, checked by SQL on every engine; a member that does not exist
// undoes the whole create; with create_completion: false such a create is
// refused and nothing is stored.
func TestGroupCreateCompletion(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s, row := teamTarget(t, dialect, "", teamRemove)
			ctx := context.Background()
			out, err := s.Groups.Create(ctx, resource.Change{Resource: resource.Resource{"displayName": "Ops", "externalId": "x-1"},
				Members: &resource.MemberChange{Replace: true, Add: []string{"a1", "a2"}}})
			if err != nil {
				t.Fatal(err)
			}
			id := out["id"].(string)
			if got := row(id); got != "Ops x-1 [a1 a2]" {
				t.Errorf("row %q, want Ops x-1 [a1 a2]", got)
			}
			if out["externalId"] != "x-1" || len(out["members"].([]any)) != 2 {
				t.Errorf("answer %v", out)
			}
			// Only what create binds: no update runs (ext stays NULL).
			out, err = s.Groups.Create(ctx, resource.Change{Resource: resource.Resource{"displayName": "Dev"}})
			if err != nil || row(out["id"].(string)) != "Dev <nil> []" {
				t.Errorf("plain create: %v %v", out, err)
			}

			// A member that does not exist: the foreign key refuses it, and the
			// group, its externalId and its first member are undone with it.
			before := countTeams(t, s)
			_, err = s.Groups.Create(ctx, resource.Change{Resource: resource.Resource{"displayName": "QA", "externalId": "x-3"},
				Members: &resource.MemberChange{Replace: true, Add: []string{"a1", "nobody"}}})
			if !fault.Is(err, fault.Invalid) {
				t.Errorf("create with a missing member: %v, want invalid value (400)", err)
			}
			if got := countTeams(t, s); got != before {
				t.Errorf("after a refused create: %s, before %s", got, before)
			}

			off, _ := teamTarget(t, dialect, "      create_completion: false\n", teamRemove)
			_, err = off.Groups.Create(ctx, resource.Change{Resource: resource.Resource{"displayName": "QA", "externalId": "x-3"}})
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "externalId") {
				t.Errorf("externalId with completion off: %v", err)
			}
			_, err = off.Groups.Create(ctx, resource.Change{Resource: resource.Resource{"displayName": "QA"},
				Members: &resource.MemberChange{Replace: true, Add: []string{"a1"}}})
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), "members") {
				t.Errorf("members with completion off: %v", err)
			}
			if got := countTeams(t, off); got != "0 teams, 0 members" {
				t.Errorf("refused creates stored %s", got)
			}
			if _, err := off.Groups.Create(ctx, resource.Change{Resource: resource.Resource{"displayName": "QA"}}); err != nil {
				t.Errorf("a create of what create binds, completion off: %v", err)
			}
		})
	}
}

// TestGroupMutability: displayName, bound by create only, is immutable and
// externalId, bound by update, readWrite; members are readWrite with add_member
// and remove_member, readOnly without remove_member (or clear_members). A PATCH
// renaming the group is refused (400 mutability) and changes nothing; a PUT
// carrying the same name writes the rest.
func TestGroupMutability(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			s, row := teamTarget(t, dialect, "", teamRemove)
			ctx := context.Background()
			attrs := map[string]*resource.Attribute{}
			for _, a := range s.Groups.Type().Schemas[0].Attributes {
				attrs[a.Name] = a
			}
			if attrs["displayName"].Mutability != resource.MutabilityImmutable || attrs["members"].Mutability != resource.MutabilityReadWrite {
				t.Errorf("displayName %s, members %s", attrs["displayName"].Mutability, attrs["members"].Mutability)
			}
			var subs []string
			for _, sa := range attrs["members"].SubAttributes {
				subs = append(subs, sa.Name)
			}
			if fmt.Sprint(subs) != "[value type]" {
				t.Errorf("members sub-attributes %v: only value and type are served", subs)
			}
			out, err := s.Groups.Create(ctx, resource.Change{Resource: resource.Resource{"displayName": "Ops"}})
			if err != nil {
				t.Fatal(err)
			}
			id := out["id"].(string)
			_, err = s.Groups.Patch(ctx, id, resource.Change{Op: resource.OpPatch, Patch: []resource.PatchOp{{Op: "replace", Value: map[string]any{"displayName": "Ops2"}}}})
			if !fault.Is(err, fault.ReadOnly) {
				t.Errorf("PATCH displayName: %v, want a mutability error", err)
			}
			_, err = s.Groups.Patch(ctx, id, resource.Change{Op: resource.OpPatch, Patch: []resource.PatchOp{{Op: "replace", Value: map[string]any{"externalId": "x-9"}}}})
			if err != nil || row(id) != "Ops x-9 []" {
				t.Errorf("PATCH externalId: %v, row %s", err, row(id))
			}
			_, err = s.Groups.Replace(ctx, id, resource.Change{Resource: resource.Resource{"displayName": "Other", "externalId": "x-8"}})
			if !fault.Is(err, fault.ReadOnly) || row(id) != "Ops x-9 []" {
				t.Errorf("PUT changing the immutable displayName: %v, row %s", err, row(id))
			}
			if _, err := s.Groups.Replace(ctx, id, resource.Change{Resource: resource.Resource{"displayName": "Ops", "externalId": "x-8"}}); err != nil || row(id) != "Ops x-8 []" {
				t.Errorf("PUT: %v, row %s", err, row(id))
			}

			// Without remove_member, clear_members empties the group and the
			// members that stay are added back.
			cl, clRow := teamTarget(t, dialect, "", `        clear_members: {sql: "DELETE FROM team_members WHERE team_id = ?", params: [id]}
`)
			for _, a := range cl.Groups.Type().Schemas[0].Attributes {
				if a.Name == "members" && a.Mutability != resource.MutabilityReadWrite {
					t.Errorf("members with clear_members: %s", a.Mutability)
				}
			}
			g, err := cl.Groups.Create(ctx, resource.Change{Resource: resource.Resource{"displayName": "Ops"},
				Members: &resource.MemberChange{Replace: true, Add: []string{"a1", "a2"}}})
			if err != nil {
				t.Fatal(err)
			}
			gid := g["id"].(string)
			if _, err := cl.Groups.Patch(ctx, gid, resource.Change{Op: resource.OpPatch, Members: &resource.MemberChange{Remove: []string{"a1"}}}); err != nil || clRow(gid) != "Ops <nil> [a2]" {
				t.Errorf("removing a member with clear_members: %v, row %s", err, clRow(gid))
			}

			ro, _ := teamTarget(t, dialect, "", "")
			for _, a := range ro.Groups.Type().Schemas[0].Attributes {
				if a.Name == "members" && (a.Mutability != resource.MutabilityReadOnly || a.SubAttributes[0].Mutability != resource.MutabilityReadOnly) {
					t.Errorf("members without remove_member: %s", a.Mutability)
				}
			}
		})
	}
}
