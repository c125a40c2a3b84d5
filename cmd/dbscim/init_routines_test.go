package main

import (
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects"
)

// TestClassifyRoutine reads the operation a routine's name suggests, in the
// spellings legacy databases use, and none for routines that are not one.
func TestClassifyRoutine(t *testing.T) {
	for _, tt := range []struct{ name, resource, op string }{
		{"CREATE_USER", "users", "create"},
		{"create_user", "users", "create"},
		{"add_user", "users", "create"},
		{"sp_CreateUser", "users", "create"},
		{"hire", "users", "create"},
		{"hire_employee", "users", "create"},
		{"UPDATE_USER", "users", "update"},
		{"deactivate_user", "users", "deactivate"},
		{"ACTIVATE_USER", "users", "activate"},
		{"terminate_employee", "users", "deactivate"},
		{"delete_user", "users", "delete"},
		{"GET_USER_BY_ID", "users", "get"},
		{"get_user", "users", "get"},
		{"get_users", "users", "list"},
		{"GET_ACTIVEUSERS", "users", "list"},
		{"get_staff_member", "users", "get"},
		{"GET_ALL_ENTITLEMENTS", "entitlements", "list"},
		{"GET_USER_ENTITLEMENT", "entitlements", "of_user"},
		{"ADD_ENTITLEMENT_TO_USER", "entitlements", "grant"},
		{"REMOVE_ENTITLEMENT_FROM_USER", "entitlements", "revoke"},
		{"grant_role", "entitlements", "grant"},
		{"revoke_role", "entitlements", "revoke"},
		{"ADD_USER_TO_GROUP", "groups", "add_member"},
		{"remove_user_from_group", "groups", "remove_member"},
		{"get_group_members", "groups", "members"},
		{"get_user_groups", "groups", "groups_of_user"},
		{"create_group", "groups", "create"},
		{"recalc_totals", "", ""},
		{"audit_log", "", ""},
		{"set_user_password", "", ""},
	} {
		resource, op := classifyRoutine(tt.name, "staff")
		if resource != tt.resource || op != tt.op {
			t.Errorf("classifyRoutine(%q) = %q %q, want %q %q", tt.name, resource, op, tt.resource, tt.op)
		}
	}
}

// TestBindParam binds a routine's parameters to columns by name, through the
// prefixes routines give them, and binds nothing it cannot match.
func TestBindParam(t *testing.T) {
	candidates := map[string]string{"userid": "USER_ID", "username": "USERNAME", "firstname": "FIRST_NAME", "email": "EMAIL"}
	for param, want := range map[string]string{
		"p_user_id": "USER_ID", "USER_ID": "USER_ID", "@UserName": "USERNAME", "pFirstName": "FIRST_NAME",
		"in_email": "EMAIL", "i_email": "EMAIL", "p_hiredate": "", "pemail": "", "password": "",
	} {
		if got := bindParam(param, candidates); got != want {
			t.Errorf("bindParam(%q) = %q, want %q", param, got, want)
		}
	}
}

// TestTargetName keeps a target's name off the SCIM endpoint names.
func TestTargetName(t *testing.T) {
	for _, tt := range []struct{ table, database, want string }{
		{"staff", "hr", "staff"},
		{"hr.Staff_List", "hr", "staff_list"},
		{"USERS", "oktademo", "oktademo"},
		{"users", "/data/quickstart.db", "quickstart"},
		{"Groups", "users", "directory"},
	} {
		if got := targetName(tt.table, tt.database); got != tt.want {
			t.Errorf("targetName(%q, %q) = %q, want %q", tt.table, tt.database, got, tt.want)
		}
	}
}

// TestManagerByLogin: a reference to the users table that is not to its id
// (the manager's login) is not mapped as the manager, whose value is an id,
// even when the column's name says manager; a comment says why.
func TestManagerByLogin(t *testing.T) {
	cols := []dialects.TableColumn{{Name: "id", Type: "int", Primary: true}, {Name: "login", Type: "varchar", Unique: true}, {Name: "manager_id", Type: "varchar", Nullable: true}}
	p := planUsers("staff", cols)
	if !p.hasPath(managerPath) {
		t.Fatalf("manager_id is not guessed from its name: %+v", p.attrs)
	}
	p.relate([]initTable{{name: "staff", cols: cols, fks: []dialects.ForeignKey{{Name: "fk_mgr", Columns: []string{"manager_id"}, RefTable: "staff", RefColumns: []string{"login"}}}}})
	if p.hasPath(managerPath) {
		t.Errorf("manager_id refers to login but is mapped as the manager's id")
	}
	if len(p.notes) != 1 || !strings.Contains(p.notes[0], "manager_id refers to staff.login (foreign key fk_mgr on manager_id), not to the id") {
		t.Errorf("notes: %q", p.notes)
	}
}
