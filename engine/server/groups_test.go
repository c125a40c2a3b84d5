package server_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// groupSchemas are seed 001's users, groups and link tables.
var groupSchemas = map[string][]string{
	"sqlite": {
		`CREATE TABLE users (id TEXT PRIMARY KEY, user_name TEXT NOT NULL COLLATE NOCASE UNIQUE, active INTEGER NOT NULL DEFAULT 1)`,
		`CREATE TABLE groups (id TEXT PRIMARY KEY, display_name TEXT NOT NULL COLLATE NOCASE UNIQUE, external_id TEXT)`,
		`CREATE TABLE link (group_id TEXT NOT NULL REFERENCES groups(id), user_id TEXT NOT NULL REFERENCES users(id), PRIMARY KEY (group_id, user_id))`,
	},
	"mysql": {
		`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255) NOT NULL UNIQUE, active TINYINT(1) NOT NULL DEFAULT 1)`,
		`CREATE TABLE groups (id VARCHAR(64) PRIMARY KEY, display_name VARCHAR(255) NOT NULL UNIQUE, external_id VARCHAR(255))`,
		`CREATE TABLE link (group_id VARCHAR(64) NOT NULL, user_id VARCHAR(64) NOT NULL, PRIMARY KEY (group_id, user_id),
			FOREIGN KEY (group_id) REFERENCES groups(id), FOREIGN KEY (user_id) REFERENCES users(id))`,
	},
	"postgres": {
		`CREATE TABLE users (id VARCHAR(64) PRIMARY KEY, user_name TEXT NOT NULL UNIQUE, active BOOLEAN NOT NULL DEFAULT TRUE)`,
		`CREATE TABLE groups (id VARCHAR(64) PRIMARY KEY, display_name TEXT NOT NULL, external_id TEXT)`,
		`CREATE UNIQUE INDEX groups_display_name ON groups (lower(display_name))`,
		`CREATE TABLE link (group_id VARCHAR(64) NOT NULL REFERENCES groups(id), user_id VARCHAR(64) NOT NULL REFERENCES users(id), PRIMARY KEY (group_id, user_id))`,
	},
}

const groupConfig = `version: 1
server: {listen: "127.0.0.1:0", tls: "off"}
targets:
  teams:
    auth: {bearer: ` + testToken + `}
    database:
%s
    users:
      id: id
      attributes: {userName: user_name, active: active}
      operations:
        list: {sql: "SELECT id, user_name, active FROM users"}
        get:  {sql: "SELECT id, user_name, active FROM users WHERE id = ?", params: [id]}
    groups:
      id: id
      attributes: {displayName: display_name, externalId: external_id}
      member_id: user_id
      member_display: user_name
      operations:
        list:   {sql: "SELECT id, display_name, external_id FROM groups"}
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

// TestGroups drives Okta's group push and Entra's group provisioning on every
// engine and checks the link table after each step.
func TestGroups(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, groupSchemas[dialect]...)
			const users = 5000
			seedLinkUsers(t, db, d.Placeholder, users)
			e := serveYAML(t, d, db, fmt.Sprintf(groupConfig, enginetest.DatabaseYAML(d, conn)), "teams")
			members := func(group string) string {
				rows, err := db.Query("SELECT user_id FROM link WHERE group_id = "+d.Placeholder(1)+" ORDER BY user_id", group)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var ids []string
				for rows.Next() {
					var id string
					rows.Scan(&id)
					ids = append(ids, id)
				}
				return strings.Join(ids, ",")
			}
			patch := func(id, ops string) {
				t.Helper()
				r := e.do("PATCH", "/Groups/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`)
				if r.status != 200 && r.status != 204 {
					t.Fatalf("PATCH %s: %d %s", ops, r.status, r.raw)
				}
			}

			// Okta group push: filter, create, add members, rename, remove a member, delete.
			r := e.do("GET", "/Groups?filter="+urlEncode(`displayName eq "Engineering"`), "")
			e.expect(r, 200, "filter before push")
			if r.body["totalResults"] != float64(0) {
				t.Fatalf("filter before push: %s", r.raw)
			}
			r = e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[]}`)
			e.expect(r, 201, "okta create group")
			okta := r.body["id"].(string)
			e.expectError(e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"engineering"}`), 409, "uniqueness", "duplicate displayName")
			patch(okta, `[{"op":"add","path":"members","value":[{"value":"u-0001","display":"user0001"},{"value":"u-0002"}]}]`)
			if got := members(okta); got != "u-0001,u-0002" {
				t.Fatalf("after add: %s", got)
			}
			patch(okta, `[{"op":"replace","value":{"id":"`+okta+`","displayName":"Engineering Team"}}]`)
			var name string
			db.QueryRow("SELECT display_name FROM groups WHERE id = "+d.Placeholder(1), okta).Scan(&name)
			if name != "Engineering Team" || members(okta) != "u-0001,u-0002" {
				t.Fatalf("after rename: %q %s", name, members(okta))
			}
			patch(okta, `[{"op":"remove","path":"members[value eq \"u-0001\"]"}]`)
			if got := members(okta); got != "u-0002" {
				t.Fatalf("after remove by filter: %s", got)
			}
			r = e.do("GET", "/Groups/"+okta, "")
			e.expect(r, 200, "get group")
			ms := asList(r.body["members"])
			if len(ms) != 1 || ms[0].(map[string]any)["value"] != "u-0002" || ms[0].(map[string]any)["display"] != "user0002" {
				t.Fatalf("members: %s", r.raw)
			}
			r = e.do("GET", "/Users/u-0002", "")
			if gs := asList(r.body["groups"]); len(gs) != 1 || gs[0].(map[string]any)["value"] != okta {
				t.Fatalf("user's groups: %s", r.raw)
			}
			e.expect(e.do("DELETE", "/Groups/"+okta, ""), 204, "delete group")
			e.expectError(e.do("GET", "/Groups/"+okta, ""), 404, "", "get after delete")
			if members(okta) != "" {
				t.Fatal("links of a deleted group remain")
			}

			// Entra: POST without members, PATCH Add, PATCH Remove with a value list,
			// PATCH Replace displayName, reads without members.
			r = e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"Group1DisplayName"}`)
			e.expect(r, 201, "entra create group")
			entra := r.body["id"].(string)
			patch(entra, `[{"op":"Add","path":"members","value":[{"value":"u-0003"},{"value":"u-0004"},{"value":"u-0005"}]}]`)
			patch(entra, `[{"op":"Remove","path":"members","value":[{"value":"u-0003"},{"value":"u-0005"}]}]`)
			if got := members(entra); got != "u-0004" {
				t.Fatalf("after Entra remove: %s", got)
			}
			patch(entra, `[{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]`)
			r = e.do("GET", "/Groups/"+entra+"?excludedAttributes=members", "")
			e.expect(r, 200, "excludedAttributes=members")
			if _, ok := r.body["members"]; ok || r.body["displayName"] != "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName" {
				t.Fatalf("excludedAttributes=members: %s", r.raw)
			}
			r = e.do("GET", "/Groups?filter="+urlEncode(`externalId eq "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"`)+"&excludedAttributes=members", "")
			if r.body["totalResults"] != float64(1) {
				t.Fatalf("externalId filter: %s", r.raw)
			}
			// PUT replaces the members as a difference; remove without filter clears.
			r = e.do("PUT", "/Groups/"+entra, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G1","members":[{"value":"u-0004"},{"value":"u-0006"}]}`)
			e.expect(r, 200, "put group")
			if got := members(entra); got != "u-0004,u-0006" {
				t.Fatalf("after PUT: %s", got)
			}
			patch(entra, `[{"op":"replace","path":"members","value":[{"value":"u-0007"}]}]`)
			if got := members(entra); got != "u-0007" {
				t.Fatalf("after replace members: %s", got)
			}
			// A failing operation leaves the membership as it was.
			r = e.do("PATCH", "/Groups/"+entra, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"add","path":"members","value":[{"value":"u-0008"}]},{"op":"add","path":"members","value":[{"value":"no-such-user"}]}]}`)
			if r.status != 400 {
				t.Fatalf("add of an unknown user: %d %s", r.status, r.raw)
			}
			if got := members(entra); got != "u-0007" {
				t.Fatalf("after failed PATCH: %s", got)
			}
			patch(entra, `[{"op":"remove","path":"members"}]`)
			if got := members(entra); got != "" {
				t.Fatalf("after remove all: %s", got)
			}

			// 5,000 members added and removed in one PATCH each.
			var add strings.Builder
			for i := 0; i < users; i++ {
				if i > 0 {
					add.WriteByte(',')
				}
				fmt.Fprintf(&add, `{"value":"u-%04d"}`, i)
			}
			start := time.Now()
			patch(entra, `[{"op":"add","path":"members","value":[`+add.String()+`]}]`)
			addTook := time.Since(start)
			var n int
			db.QueryRow("SELECT COUNT(*) FROM link WHERE group_id = "+d.Placeholder(1), entra).Scan(&n)
			if n != users {
				t.Fatalf("after adding %d members: %d links", users, n)
			}
			// Removing all but one empties the group with clear_members and adds the
			// one back; removing the last is one clear_members.
			start = time.Now()
			all := add.String()
			patch(entra, `[{"op":"remove","path":"members","value":[`+all[strings.Index(all, "},")+2:]+`]}]`)
			removeTook := time.Since(start)
			if got := members(entra); got != "u-0000" {
				t.Fatalf("after removing %d members: %.40s", users-1, got)
			}
			start = time.Now()
			patch(entra, `[{"op":"remove","path":"members","value":[{"value":"u-0000"}]}]`)
			clearTook := time.Since(start)
			db.QueryRow("SELECT COUNT(*) FROM link WHERE group_id = "+d.Placeholder(1), entra).Scan(&n)
			if n != 0 {
				t.Fatalf("after removing every member: %d links", n)
			}
			t.Logf("%s: PATCH adding %d members took %v (%d INSERT statements), removing %d of them %v (clear_members and one INSERT), removing the last %v",
				dialect, users, addTook, (users+999)/1000, users-1, removeTook, clearTook)
		})
	}
}

// seedLinkUsers inserts users u-0000 ... in multi-row batches.
func seedLinkUsers(t *testing.T, db *sql.DB, ph func(int) string, n int) {
	t.Helper()
	for start := 0; start < n; start += 500 {
		var sb strings.Builder
		var args []any
		sb.WriteString("INSERT INTO users (id, user_name) VALUES ")
		for i := start; i < start+500 && i < n; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			fmt.Fprintf(&sb, "(%s, %s)", ph(len(args)+1), ph(len(args)+2))
			args = append(args, fmt.Sprintf("u-%04d", i), fmt.Sprintf("user%04d", i))
		}
		if _, err := db.Exec(sb.String(), args...); err != nil {
			t.Fatal(err)
		}
	}
}
