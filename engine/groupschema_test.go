package engine_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// teamsConfig: groups created with their name only (externalId is update's),
// members without remove_member, a role type with grant and revoke and an
// entitlement type without them.
const teamsConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes: {userName: login}
      operations:
        list:   {sql: "SELECT id, login FROM accounts"}
        get:    {sql: "SELECT id, login FROM accounts WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO accounts (id, login) VALUES (?, ?)", params: [id, login]}
    groups:
      id: gid
      attributes: {displayName: name, externalId: ext}
      member_id: account_id
      operations:
        list:    {sql: "SELECT gid, name, ext FROM teams"}
        get:     {sql: "SELECT gid, name, ext FROM teams WHERE gid = ?", params: [gid]}
        create:  {sql: "INSERT INTO teams (gid, name) VALUES (?, ?)", params: [gid, name]}
        update:  {sql: "UPDATE teams SET ext = ? WHERE gid = ?", params: [ext, gid]}
        members: {sql: "SELECT account_id FROM team_members WHERE team_id = ?", params: [gid]}
        add_member: {sql: "INSERT INTO team_members (team_id, account_id) VALUES (?, ?)", params: [gid, member]}
        groups_of_user: {sql: "SELECT t.gid, t.name FROM teams t JOIN team_members m ON m.team_id = t.gid WHERE m.account_id = ?", params: [member]}
    entitlements:
      Role:
        kind: role
        endpoint: Roles
        id: code
        display: label
        operations:
          list:    {sql: "SELECT code, label FROM perms"}
          of_user: {sql: "SELECT p.code, p.label FROM perms p JOIN grants g ON g.code = p.code WHERE g.account_id = ?", params: [id]}
          grant:   {sql: "INSERT INTO grants (account_id, code) VALUES (?, ?)", params: [id, code]}
          revoke:  {sql: "DELETE FROM grants WHERE account_id = ? AND code = ?", params: [id, code]}
      License:
        kind: entitlement
        endpoint: Licenses
        id: code
        display: label
        description: note
        operations:
          list:    {sql: "SELECT code, label, note FROM licenses"}
          of_user: {sql: "SELECT code, label, note FROM licenses WHERE code = ?", params: [id]}
`

// TestDeclaredGroupSchema serves what /Schemas declares for groups, the User's
// groups, roles and entitlements, and the entitlement types, and checks that
// PATCH and PUT follow the mutability it declares (RFC 7644 §3.5.1, §3.5.2),
// with the rows read by SQL.
func TestDeclaredGroupSchema(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db,
				`CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL)`,
				`CREATE TABLE teams (gid VARCHAR(64) PRIMARY KEY, name VARCHAR(100) NOT NULL, ext VARCHAR(100))`,
				`CREATE TABLE team_members (team_id VARCHAR(64) NOT NULL, account_id VARCHAR(64) NOT NULL)`,
				`CREATE TABLE perms (code VARCHAR(20) PRIMARY KEY, label VARCHAR(100))`,
				`CREATE TABLE grants (account_id VARCHAR(64) NOT NULL, code VARCHAR(20) NOT NULL)`,
				`CREATE TABLE licenses (code VARCHAR(20) PRIMARY KEY, label VARCHAR(100), note VARCHAR(100))`,
				`INSERT INTO accounts VALUES ('a1', 'ann')`, `INSERT INTO perms VALUES ('adm', 'Admin')`)
			s := enginetest.ServeYAML(t, fmt.Sprintf(teamsConfig, enginetest.DatabaseYAML(d, conn)), enginetest.Options{Validate: true})
			call := func(method, path string, body any) (int, map[string]any) {
				t.Helper()
				var r io.Reader
				if body != nil {
					b, _ := json.Marshal(body)
					r = bytes.NewReader(b)
				}
				req, _ := http.NewRequest(method, s.URL("t")+path, r)
				req.Header.Set("Content-Type", "application/scim+json")
				resp, err := s.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&out)
				return resp.StatusCode, out
			}
			// attrs describes a schema's attributes as name:mutability[sub,...].
			attrs := func(urn string) map[string]string {
				t.Helper()
				status, sch := call("GET", "/Schemas/"+urn, nil)
				if status != 200 {
					t.Fatalf("/Schemas/%s: %d %v", urn, status, sch)
				}
				out := map[string]string{}
				for _, a := range sch["attributes"].([]any) {
					a := a.(map[string]any)
					var subs []string
					for _, sa := range asList(a["subAttributes"]) {
						sa := sa.(map[string]any)
						subs = append(subs, fmt.Sprint(sa["name"], ":", sa["mutability"]))
					}
					out[a["name"].(string)] = fmt.Sprint(a["mutability"], subs)
				}
				return out
			}
			group := attrs("urn:ietf:params:scim:schemas:core:2.0:Group")
			if group["displayName"] != "immutable[]" || group["members"] != "readOnly[value:readOnly type:readOnly]" {
				t.Errorf("Group: %v", group)
			}
			user := attrs("urn:ietf:params:scim:schemas:core:2.0:User")
			if user["groups"] != "readOnly[value:readOnly type:readOnly display:readOnly]" || user["roles"] != "readWrite[value:readWrite type:readWrite display:readWrite]" ||
				user["entitlements"] != "readOnly[value:readOnly type:readOnly display:readOnly]" {
				t.Errorf("User: groups %s, roles %s, entitlements %s", user["groups"], user["roles"], user["entitlements"])
			}
			if role := attrs("urn:okta:scim:schemas:core:1.0:Role"); len(role) != 3 || role["description"] != "" {
				t.Errorf("Role: %v (no description is mapped)", role)
			}
			if lic := attrs("urn:okta:scim:schemas:core:1.0:Entitlement"); lic["description"] != "readOnly[]" {
				t.Errorf("Entitlement: %v", lic)
			}

			row := func(gid string) string {
				var name, ext any
				if err := db.QueryRow("SELECT name, ext FROM teams WHERE gid = "+d.Placeholder(1), gid).Scan(&name, &ext); err != nil {
					return err.Error()
				}
				return fmt.Sprintf("%s %s", str(name), str(ext))
			}
			status, g := call("POST", "/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Ops", "externalId": "x-1",
				"members": []any{map[string]any{"value": "a1"}}})
			if status != 201 {
				t.Fatalf("POST: %d %v", status, g)
			}
			gid := g["id"].(string)
			// members is readOnly here: a POST's members are ignored (RFC 7644 §3.3).
			var members int
			if err := db.QueryRow("SELECT COUNT(*) FROM team_members WHERE team_id = "+d.Placeholder(1), gid).Scan(&members); err != nil || members != 0 || row(gid) != "Ops x-1" {
				t.Errorf("after POST: %s, %d members (%v)", row(gid), members, err)
			}
			if _, err := db.Exec("INSERT INTO team_members VALUES ("+d.Placeholder(1)+", 'a1')", gid); err != nil {
				t.Fatal(err)
			}
			patch := func(ops ...any) (int, map[string]any) {
				return call("PATCH", "/Groups/"+gid, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops})
			}
			if status, body := patch(map[string]any{"op": "replace", "path": "displayName", "value": "Ops2"}); status != 400 || body["scimType"] != "mutability" {
				t.Errorf("PATCH displayName: %d %v, want 400 mutability", status, body)
			}
			if status, body := patch(map[string]any{"op": "remove", "path": `members[value eq "a1"]`}); status != 400 || body["scimType"] != "mutability" {
				t.Errorf("PATCH removing a member without remove_member: %d %v, want 400 mutability", status, body)
			}
			if status, body := patch(map[string]any{"op": "replace", "path": "externalId", "value": "x-2"}); status/100 != 2 || row(gid) != "Ops x-2" {
				t.Errorf("PATCH externalId: %d %v, row %s", status, body, row(gid))
			}
			status, body := call("PUT", "/Groups/"+gid, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Renamed", "externalId": "x-3"})
			if status != 400 || body["scimType"] != "mutability" || row(gid) != "Ops x-2" {
				t.Errorf("PUT changing the immutable displayName: %d %v, row %s", status, body, row(gid))
			}
			status, body = call("PUT", "/Groups/"+gid, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Ops", "externalId": "x-3"})
			if status != 200 || row(gid) != "Ops x-3" {
				t.Errorf("PUT: %d %v, row %s", status, body, row(gid))
			}
			if !strings.Contains(fmt.Sprint(body["members"]), "a1") {
				t.Errorf("PUT without members left them: %v", body["members"])
			}

			// roles are readWrite (grant and revoke), entitlements readOnly.
			patchUser := func(op map[string]any) (int, map[string]any) {
				return call("PATCH", "/Users/a1", map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": []any{op}})
			}
			if status, body := patchUser(map[string]any{"op": "add", "path": "roles", "value": []any{map[string]any{"value": "adm", "type": "Role"}}}); status/100 != 2 {
				t.Errorf("PATCH roles: %d %v", status, body)
			}
			var grants int
			if err := db.QueryRow("SELECT COUNT(*) FROM grants WHERE account_id = 'a1' AND code = 'adm'").Scan(&grants); err != nil || grants != 1 {
				t.Errorf("grants after PATCH roles: %d %v", grants, err)
			}
			if _, err := db.Exec("INSERT INTO licenses VALUES ('pro', 'Pro', NULL)"); err != nil {
				t.Fatal(err)
			}
			if status, body := patchUser(map[string]any{"op": "add", "path": "entitlements", "value": []any{map[string]any{"value": "pro", "type": "License"}}}); status != 400 || body["scimType"] != "mutability" {
				t.Errorf("PATCH read-only entitlements: %d %v, want 400 mutability", status, body)
			}
		})
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

func str(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}
