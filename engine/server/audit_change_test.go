package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/enginetest"
	"github.com/dbscim/dbscim/engine/server"
)

// TestAuditRecordsTheChangeMade: the audit event of a PATCH names the values the
// store really changed. Removing members[value eq "a" or value eq "b"] removes a
// and b, and the event says so.
func TestAuditRecordsTheChangeMade(t *testing.T) {
	d, db, conn := dialecttest.NewDatabase(t, "sqlite")
	dialecttest.MustExec(t, db, groupSchemas["sqlite"]...)
	dialecttest.MustExec(t, db, `INSERT INTO users (id, user_name) VALUES ('a', 'ann'), ('b', 'bob'), ('c', 'cy')`)
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	yaml := strings.Replace(fmt.Sprintf(groupConfig, enginetest.DatabaseYAML(d, conn)),
		`tls: "off"}`, fmt.Sprintf(`tls: "off", audit_file: %q}`, auditFile), 1)
	e := serveYAML(t, d, db, yaml, "teams")
	r := e.do("POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops",
		"members":[{"value":"a"},{"value":"b"},{"value":"c"}]}`)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id, _ := r.body["id"].(string)
	r = e.do("PATCH", "/Groups/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations":[{"op":"remove","path":"members[value eq \"a\" or value eq \"b\"]"}]}`)
	if r.status != 204 && r.status != 200 {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	var left []string
	rows, err := db.Query(`SELECT user_id FROM link WHERE group_id = ? ORDER BY user_id`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		rows.Scan(&u)
		left = append(left, u)
	}
	rows.Close()
	if !slices.Equal(left, []string{"c"}) {
		t.Fatalf("members after the patch: %v, want [c]", left)
	}
	data, err := os.ReadFile(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var last server.AuditEvent
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Operation != "remove_members" || !slices.Equal(last.Values, []string{"a", "b"}) || last.Outcome != 204 && last.Outcome != 200 {
		t.Errorf("audit event %+v, want remove_members of [a b]", last)
	}
}
