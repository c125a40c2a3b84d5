package operations

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
)

// fieldNames are the Name of each param, "" for those that are not Field params.
func fieldNames(op *Operation) []string {
	var out []string
	for _, p := range op.Params {
		if p.Kind == Field {
			out = append(out, p.Name)
		} else {
			out = append(out, "")
		}
	}
	return out
}

// checkText checks that an operation's text is what its dialect writes for it.
func checkText(t *testing.T, d dialects.Dialect, op *Operation) {
	t.Helper()
	var want string
	var err error
	if op.Kind == SQL {
		want, _, err = d.Rewrite(op.Source)
	} else {
		want, err = d.Call(op.Routine, op.Modes(), op.RoutineKind)
	}
	if err != nil || op.Text != want {
		t.Errorf("%s: Text = %q, want %q (%v)", op.Name, op.Text, want, err)
	}
}

// checkBindable checks every Field param of every operation against what it may
// bind, as stored: the reserved names and the columns as declared.
func checkBindable(t *testing.T, tg *Target) {
	t.Helper()
	for _, et := range tg.Entitlements {
		ok := map[string]bool{et.ID: true, et.Display: true, UserParam: true}
		if et.Description != "" {
			ok[et.Description] = true
		}
		for _, op := range et.Operations.In(EntitlementKinds) {
			if op == nil {
				continue
			}
			checkText(t, tg.Database.Dialect, op)
			for _, n := range fieldNames(op) {
				if n != "" && !ok[n] {
					t.Errorf("%s %s binds %q", et.Name, op.Name, n)
				}
			}
		}
	}
	if g := tg.Groups; g != nil {
		ok := map[string]bool{g.ID: true}
		for _, m := range g.Attributes {
			ok[m.Column] = true
		}
		for _, op := range g.Operations.In(GroupKinds) {
			if op == nil {
				continue
			}
			checkText(t, tg.Database.Dialect, op)
			for _, n := range fieldNames(op) {
				if n != "" && !ok[n] && !(n == MemberParam && contains(memberOps, op.Name)) {
					t.Errorf("groups %s binds %q", op.Name, n)
				}
			}
		}
	}
}

func TestResourceFiles(t *testing.T) {
	env := map[string]string{"TOKEN": testToken}
	type want struct {
		op    *Operation
		names []string
	}
	tests := []struct {
		file  string
		check func(t *testing.T, tg *Target) []want
	}{
		{"resources_mysql.yaml", func(t *testing.T, tg *Target) []want {
			ent, role := tg.Entitlements[0], tg.Entitlements[1]
			if ent.Name != "Entitlement" || ent.Kind != EntitlementKind || ent.Endpoint != "Entitlements" ||
				ent.ID != "ENT_ID" || ent.Display != "ENT_NAME" || ent.Description != "ENT_DESCRIPTION" ||
				ent.Pos != (Position{"testdata/resources_mysql.yaml", 17, 7}) {
				t.Errorf("Entitlement = %+v", ent)
			}
			// The endpoint's slash is dropped; no description.
			if role.Name != "Role" || role.Kind != RoleKind || role.Endpoint != "Roles" || role.ID != "ROLE_ID" || role.Description != "" {
				t.Errorf("Role = %+v", role)
			}
			if op := ent.Operations[Revoke]; op.Kind != Call || op.Routine != "REMOVE_ENTITLEMENT_FROM_USER" || op.Pos != (Position{"testdata/resources_mysql.yaml", 26, 11}) ||
				op.Params[1].Pos != (Position{"testdata/resources_mysql.yaml", 26, 80}) {
				t.Errorf("revoke = %+v", op)
			}
			g := tg.Groups
			if g.ID != "GROUP_ID" || g.MemberID != "USER_ID" || g.MemberDisplay != "USERNAME" || len(g.Attributes) != 2 ||
				!reflect.DeepEqual(g.Attributes[1], Mapping{Path: "externalId", Column: "EXTERNAL_ID", Pos: Position{"testdata/resources_mysql.yaml", 43, 9}}) {
				t.Errorf("Groups = %+v", g)
			}
			if p := g.Operations[Create].Params[0]; p.Kind != Generated || p.Generator != "uuid" {
				t.Errorf("create param 1 = %+v", p)
			}
			if op := g.Operations[ClearMembers]; op.Kind != SQL {
				t.Errorf("clear_members = %+v", op)
			}
			return []want{
				{ent.Operations[Get], []string{"ENT_ID"}},
				// The users' id column and user, in any case, are stored as user.
				{ent.Operations[OfUser], []string{"user"}},
				{ent.Operations[Grant], []string{"user", "ENT_ID"}},
				{ent.Operations[Revoke], []string{"user", "ENT_ID"}},
				{role.Operations[OfUser], []string{"user"}},
				{role.Operations[Grant], []string{"user", "ROLE_ID"}},
				{role.Operations[Revoke], []string{"user", "ROLE_ID"}},
				{g.Operations[Get], []string{"GROUP_ID"}},
				{g.Operations[Update], []string{"GROUP_ID", "DISPLAY_NAME", "EXTERNAL_ID"}},
				{g.Operations[AddMember], []string{"GROUP_ID", "member"}},
				{g.Operations[RemoveMember], []string{"GROUP_ID", "member"}},
				{g.Operations[GroupsOfUser], []string{"member"}},
			}
		}},
		{"resources_postgres.yaml", func(t *testing.T, tg *Target) []want {
			ent, role := tg.Entitlements[0], tg.Entitlements[1]
			if ent.ID != "id" || ent.Endpoint != "Entitlements" || role.Endpoint != "Roles" || role.Kind != RoleKind {
				t.Errorf("types = %+v, %+v", ent, role)
			}
			if op := ent.Operations[OfUser]; op.RoutineKind != dialects.Function || op.Routine != "scim.licences_of" {
				t.Errorf("of_user = %+v", op)
			}
			g := tg.Groups
			if g.Attributes[0].Path != "urn:ietf:params:scim:schemas:core:2.0:Group:displayName" || g.Attributes[1].Type != "datetime" || g.MemberDisplay != "" {
				t.Errorf("Groups = %+v", g)
			}
			if p := g.Operations[Create].Params[1]; p.Kind != OutParam || p.Name != "id" {
				t.Errorf("create out param = %+v", p)
			}
			if ops := g.Operations; ops[Update] != nil || ops[Delete] != nil || ops[ClearMembers] != nil {
				t.Errorf("undeclared group operations are not nil: %+v", ops)
			}
			return []want{
				// id is a column of the type: it means the entitlement's id, and the
				// user's is written user.
				{ent.Operations[Get], []string{"id"}},
				{ent.Operations[Grant], []string{"user", "id"}},
				// Role has no id column: id is the users' id column, the user.
				{role.Operations[OfUser], []string{"user"}},
				{g.Operations[AddMember], []string{"id", "member"}},
				{g.Operations[GroupsOfUser], []string{"member"}},
			}
		}},
		{"resources_sqlite.yaml", func(t *testing.T, tg *Target) []want {
			ent, role := tg.Entitlements[0], tg.Entitlements[1]
			if ent.Endpoint != "Licences" || ent.Kind != EntitlementKind || role.Endpoint != "Roles" {
				t.Errorf("types = %+v, %+v", ent, role)
			}
			g := tg.Groups
			if len(g.Attributes) != 3 || g.Attributes[2].Path != "meta.created" || g.MemberID != "user_id" || g.MemberDisplay != "user_name" {
				t.Errorf("Groups = %+v", g)
			}
			for _, op := range g.Operations.In(GroupKinds) {
				if op == nil {
					t.Fatalf("a group operation is nil: %+v", g.Operations)
				}
			}
			return []want{
				{ent.Operations[OfUser], []string{"user"}},
				{ent.Operations[Grant], []string{"user", "ent_id"}},
				{role.Operations[OfUser], []string{"user"}},
				{g.Operations[Create], []string{"", "display_name", "external_id", ""}},
				{g.Operations[Members], []string{"id"}},
				{g.Operations[RemoveMember], []string{"id", "member"}},
				{g.Operations[ClearMembers], []string{"id"}},
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse(path, data, mapEnv(env))
			if err != nil {
				t.Fatalf("Parse:\n%v", err)
			}
			tg := cfg.Targets[0]
			if len(tg.Entitlements) != 2 || tg.Groups == nil {
				t.Fatalf("entitlements = %d, groups = %v", len(tg.Entitlements), tg.Groups)
			}
			checkBindable(t, tg)
			for _, w := range tc.check(t, tg) {
				if got := fieldNames(w.op); !reflect.DeepEqual(got, w.names) {
					t.Errorf("%s params = %q, want %q", w.op.Name, got, w.names)
				}
			}
		})
	}
}

func TestResourcesOptional(t *testing.T) {
	tg := mustParse(t, minimal, nil).Targets[0]
	if tg.Groups != nil || tg.Entitlements != nil {
		t.Errorf("groups = %+v, entitlements = %+v; want none", tg.Groups, tg.Entitlements)
	}
}

// TestResourcesGolden pins every message of a file with many problems in its groups
// and entitlement types. Regenerate with -update, and review the diff.
func TestResourcesGolden(t *testing.T) {
	const path = "testdata/resources_invalid.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(path, data, mapEnv(nil))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse = %v, want an ErrorList", err)
	}
	got := err.Error() + "\n"
	golden := "testdata/resources_invalid.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("errors differ from %s (run with -update to accept):\n%s", golden, diffLines(string(want), got))
	}
}

// entitlement is a valid entitlement type under the minimal target, where the users'
// id column is id. Its first line is line 12.
const entitlement = `    entitlements:
      Entitlement:
        id: ent_id
        display: ent_name
        operations:
          list: {sql: "SELECT ent_id, ent_name FROM e"}
          of_user: {sql: "SELECT ent_id, ent_name FROM ue WHERE user_id = ?", params: [user]}
`

// group is a valid groups block under the minimal target. Its first line is line 12.
const group = `    groups:
      id: group_id
      attributes: {displayName: display_name}
      member_id: user_id
      operations:
        list: {sql: "SELECT group_id, display_name FROM g"}
        get: {sql: "SELECT group_id, display_name FROM g WHERE group_id = ?", params: [group_id]}
`

func TestResourceErrors(t *testing.T) {
	ent := func(old, new string) string {
		if !strings.Contains(entitlement, old) {
			t.Fatalf("%q is not in the entitlement block", old)
		}
		return minimal + strings.Replace(entitlement, old, new, 1)
	}
	grp := func(old, new string) string {
		if !strings.Contains(group, old) {
			t.Fatalf("%q is not in the group block", old)
		}
		return minimal + strings.Replace(group, old, new, 1)
	}
	const ofUser = `          of_user: {sql: "SELECT ent_id, ent_name FROM ue WHERE user_id = ?", params: [user]}` + "\n"
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"valid", minimal + entitlement + group, nil},
		{"empty type", ent("        id: ent_id\n        display: ent_name\n        operations:\n          list: {sql: \"SELECT ent_id, ent_name FROM e\"}\n"+ofUser, ""), []string{
			"13:7: entitlement type Entitlement: missing id (the column of the list, get and of_user rows that holds an entitlement's id)",
			"13:7: entitlement type Entitlement: missing display (the column of the list, get and of_user rows that holds an entitlement's display name)",
			"13:7: entitlement type Entitlement: missing operations (at least list and of_user)",
		}},
		{"required operations", ent("          list: {sql: \"SELECT ent_id, ent_name FROM e\"}\n"+ofUser, "          get: {sql: \"SELECT ?\", params: [ent_id]}\n"), []string{
			"16:9: operations: missing list (the entitlements of the type, for the import)",
			"16:9: operations: missing of_user (the entitlements of one user, params binding user)",
		}},
		{"null entitlements", minimal + "    entitlements:\n", []string{
			"12:5: entitlements: expected at least one entitlement type (or leave entitlements out)"}},
		{"user by the users' id column, any case", ent("params: [user]", "params: [ID]"), nil},
		{"the users' id column shadowed by the type's", strings.Replace(ent("id: ent_id", "id: id"), "params: [user]", "params: [ID]", 1), []string{
			"18:11: of_user: params must bind the user's id: write user"}},
		{"grant without the entitlement id, without revoke", ent(ofUser, ofUser+`          grant: {sql: "INSERT INTO ue VALUES (?)", params: [user]}`+"\n"), []string{
			"19:11: grant: params must bind the entitlement's id: write ent_id",
			"19:11: grant: declare revoke too (grants can only be changed when both are declared)",
		}},
		{"get by id", ent(ofUser, ofUser+`          get: {sql: "SELECT * FROM e WHERE ent_name = ?", params: [ENT_NAME]}`+"\n"), []string{
			"19:11: get: params must bind the entitlement's id: write ent_id"}},
		{"typo and SCIM-ish names", ent("params: [user]", "params: [usr]"), []string{
			`18:88: of_user: unknown column "usr" in params (did you mean user?)`}},
		{"unknown name lists what may be bound", ent("params: [user]", "params: [login_name]"), []string{
			`18:88: of_user: unknown column "login_name" in params (expected a column of entitlement type Entitlement (id, display, description) or the user's id (user or id): ent_id, ent_name, user, id)`}},
		{"type names", ent("      Entitlement:\n", "      Entitlement_2:\n"), []string{
			`13:7: entitlement type "Entitlement_2": expected a name such as Entitlement or Role (a capital letter, then letters and digits): it is a SCIM resource type's name`}},
		{"core type names", ent("      Entitlement:\n", "      GROUP:\n        endpoint: Grps\n"), []string{
			`13:7: entitlement type "GROUP": User and Group are the SCIM core resource types; choose another name`}},
		{"kind", ent("        id: ent_id\n", "        kind: Role\n        id: ent_id\n"), []string{
			`14:15: kind: expected entitlement or role, got "Role"`}},
		{"endpoint forms", ent("        id: ent_id\n", "        endpoint: /Ents/x\n        id: ent_id\n"), []string{
			`14:19: endpoint: expected a name such as Entitlements (a letter, then letters, digits, _ or -), got "/Ents/x"`}},
		{"reserved endpoint", ent("        id: ent_id\n", "        endpoint: serviceproviderconfigs\n        id: ent_id\n"), []string{
			`14:19: entitlement type Entitlement: endpoint serviceproviderconfigs is a SCIM endpoint (Users, Groups, ServiceProviderConfig, ServiceProviderConfigs, ResourceTypes, Schemas, Bulk, Me are reserved)`}},
		{"reserved default endpoint", ent("      Entitlement:\n", "      Schema:\n"), []string{
			`13:7: entitlement type Schema: endpoint Schemas (the default, Schema + s: set endpoint to choose another) is a SCIM endpoint (Users, Groups, ServiceProviderConfig, ServiceProviderConfigs, ResourceTypes, Schemas, Bulk, Me are reserved)`}},
		{"endpoints differ in any case", minimal + entitlement + strings.Replace(strings.Replace(entitlement, "    entitlements:\n", "", 1), "Entitlement:\n", "Role:\n        endpoint: entitlements\n", 1), []string{
			`20:19: entitlement type Role: endpoint entitlements is already the endpoint of Entitlement (line 13): give one of them another endpoint`}},
		{"reserved column", ent("        display: ent_name\n", "        display: ent_name\n        description: User\n"), []string{
			`16:22: description: the column name "User" is reserved: in params, user stands for the user's id (select the column under another name, with AS)`}},
		{"out user", strings.Replace(ent("params: [user]", "params: [user, {out: User}]"), `{dialect: sqlite, name: ":memory:"}`, `{dialect: sqlserver, host: db, user: u}`, 1) + "", []string{
			`18:11: of_user: the statement has 1 placeholder but 2 params`,
			`18:94: of_user: out: user is an input (the user's id), not a column to read back`,
		}},
		{"without users, only user", strings.Replace(minimal, "    users:\n", "    userz:\n", 1) + strings.Replace(entitlement, "params: [user]", "params: [id]", 1), []string{
			`3:3: target "demo": missing users (the User resource's id column, attributes and operations)`,
			`6:5: unknown key "userz" in target "demo" (expected one of: auth, database, users, groups, entitlements, request_timeout)`,
			`18:88: of_user: unknown column "id" in params (expected a column of entitlement type Entitlement (id, display, description) or the user's id (user): ent_id, ent_name, user)`,
		}},

		{"null groups", minimal + "    groups:\n", []string{
			"12:5: groups: missing id (the column that holds the group's SCIM id)",
			"12:5: groups: missing attributes (a mapping of Group attribute to column; displayName is required)",
			"12:5: groups: missing operations (at least get and list)",
		}},
		{"group attribute in params", grp("params: [group_id]", "params: [displayName]"), []string{
			`18:88: get: unknown column "displayName" in params (params name columns, not SCIM attributes: did you mean display_name?)`}},
		{"group typo", grp("params: [group_id]", "params: [grup_id]"), []string{
			`18:88: get: unknown column "grup_id" in params (did you mean group_id?)`}},
		{"member outside member operations", grp("params: [group_id]", "params: [member]"), []string{
			`18:88: get: unknown column "member" in params (member, the member's user id, is only bound by add_member, remove_member and groups_of_user)`}},
		{"user for member", grp("      operations:\n", "      operations:\n        add_member: {sql: \"INSERT INTO m VALUES (?, ?)\", params: [group_id, user]}\n        remove_member: {sql: \"DELETE FROM m WHERE g = ? AND u = ?\", params: [group_id, ID]}\n"), []string{
			`17:77: add_member: unknown column "user" in params (the member's user id is written member)`,
			`18:88: remove_member: unknown column "ID" in params (the member's user id is written member)`,
		}},
		{"member operations need member_id", grp("      member_id: user_id\n", "      member_display: user_name\n") + "        members: {sql: \"SELECT user_id FROM m WHERE g = ?\", params: [group_id]}\n", []string{
			"12:5: groups: missing member_id (the column of the members rows that holds each member's user id: members is declared at line 19)"}},
		{"groups_of_user binds member", grp("      operations:\n", "      operations:\n        groups_of_user: {sql: \"SELECT group_id FROM m WHERE u = ?\", params: [{literal: x}]}\n"), []string{
			"17:9: groups_of_user: params must bind the member's user id: write member"}},
		{"group id required", grp("      operations:\n", "      operations:\n        delete: {sql: \"DELETE FROM g\"}\n        clear_members: {sql: \"DELETE FROM m WHERE g = ?\", params: [{out: group_id}]}\n"), []string{
			"17:9: delete: params must bind the group's id: write group_id",
			"18:9: clear_members: params must bind the group's id: write group_id",
		}},
		{"out member", strings.Replace(grp("      operations:\n", "      operations:\n        add_member: {call: \"ADD(?, ?)\", params: [group_id, {out: member}]}\n"), `{dialect: sqlite, name: ":memory:"}`, `{dialect: sqlserver, host: db, user: u}`, 1), []string{
			"17:9: add_member: params must bind the member's user id: write member",
			"17:60: add_member: out: member is an input (the member's id), not a column to read back",
		}},
		{"group attributes", grp("{displayName: display_name}", "{externalId: e, meta.lastModified: m, meta.resourceType: r, \"members[type eq \\\"User\\\"].value\": v, urn:x:y:displayName: d}"), []string{
			`14:7: attributes: missing displayName (every SCIM client identifies groups by displayName: map it to a column)`,
			`14:57: attributes: meta.resourceType is not an attribute of the Group schema that a column can hold (expected one of: displayName, externalId, meta.created, meta.lastModified, meta.version)`,
			`14:79: attributes: members is not mapped: the operations members, add_member and remove_member read and write them`,
			`14:117: attributes: urn:x:y:displayName is not an attribute of the Group schema that a column can hold (expected one of: displayName, externalId, meta.created, meta.lastModified, meta.version)`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := parse(t, tc.src, nil)
			if got := messages(errs); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestResourceDocKeys checks that the reference describes every key of the groups
// and entitlements blocks.
func TestResourceDocKeys(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, list := range [][]string{{"groups", "entitlements"}, groupsKeys, groupOpKeys, groupPaths,
		entitlementKeys, entitlementKinds, entitlementOpKeys, ReservedEndpoints, {UserParam, MemberParam}} {
		keys = append(keys, list...)
	}
	for _, k := range keys {
		inCode := regexp.MustCompile("`[^`\\n]*\\b" + regexp.QuoteMeta(k) + "\\b[^`\\n]*`")
		if !inCode.Match(doc) {
			t.Errorf("docs/configuration.md does not mention `%s`", k)
		}
	}
	for _, section := range []string{"\n## groups\n", "\n## entitlements\n"} {
		if !strings.Contains(string(doc), section) {
			t.Errorf("docs/configuration.md has no section %q", strings.TrimSpace(section))
		}
	}
}
