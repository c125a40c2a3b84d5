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

// staffDDL is a legacy staff table, the same in every engine.
const staffDDL = `CREATE TABLE staff (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL, given VARCHAR(100), title VARCHAR(100),
	email VARCHAR(100), status CHAR(1), kind VARCHAR(2), nick VARCHAR(100), dept VARCHAR(100), cost VARCHAR(20), badges INTEGER, emp VARCHAR(20))`

const acme = "urn:example:params:scim:schemas:extension:acme:2.0:User"

// oktaCustom is the namespace of the Okta on-premises agent's custom attributes:
// its underscore is legal in a URN (RFC 8141) though SCIM's grammar has none.
const oktaCustom = "urn:okta:onprem_app:1.0:user:custom"

// staffConfig maps the staff table: title is read but written by nothing
// (readOnly), nickName only by create (immutable), and a custom extension holds
// costCode and badges.
const staffConfig = `version: 1
targets:
  t:
    auth: {none: true}
    database:
%s
    users:
      id: id
      attributes:
        userName: login
        name.givenName: given
        title: title
        emails[type eq "work"].value: email
        active: {column: status, true: [A, L], false: [T]}
        userType: {column: kind, values: {Employee: E, Contractor: C}}
        nickName: nick
        urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department: dept
        ` + acme + `:costCode: cost
        ` + acme + `:badges: {column: badges, type: integer}
        ` + oktaCustom + `:employeeNumber: emp
      operations:
        list:   {sql: "SELECT id, login, given, title, email, status, kind, nick, dept, cost, badges, emp FROM staff"}
        get:    {sql: "SELECT id, login, given, title, email, status, kind, nick, dept, cost, badges, emp FROM staff WHERE id = ?", params: [id]}
        create:
          sql: "INSERT INTO staff (id, login, given, email, status, kind, nick, dept, cost, badges, emp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          params: [id, login, given, email, status, kind, nick, dept, cost, badges, emp]
        update:
          sql: "UPDATE staff SET login = ?, given = ?, email = ?, status = ?, kind = ?, dept = ?, cost = ?, badges = ?, emp = ? WHERE id = ?"
          params: [login, given, email, status, kind, dept, cost, badges, emp, id]
`

type attrDoc struct {
	Name            string    `json:"name"`
	Type            string    `json:"type"`
	Mutability      string    `json:"mutability"`
	Returned        string    `json:"returned"`
	CanonicalValues []string  `json:"canonicalValues"`
	SubAttributes   []attrDoc `json:"subAttributes"`
}

// describe renders attributes as "name:type:mutability[canonical]{subs}", sorted
// as served.
func describe(attrs []attrDoc) string {
	var parts []string
	for _, a := range attrs {
		s := a.Name + ":" + a.Type + ":" + a.Mutability
		if len(a.CanonicalValues) > 0 {
			s += "[" + strings.Join(a.CanonicalValues, ",") + "]"
		}
		if len(a.SubAttributes) > 0 {
			s += "{" + describe(a.SubAttributes) + "}"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// TestSchemasDescribeWhatIsServed: /Schemas lists only mapped attributes, with
// the mutability the declared operations imply and the codes of value maps as
// canonical values; a custom extension declared by its mappings is in /Schemas
// and in the resource type's schemaExtensions; and what /Schemas says is what a
// write does, on every engine.
func TestSchemasDescribeWhatIsServed(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, staffDDL)
			s := enginetest.ServeYAML(t, fmt.Sprintf(staffConfig, enginetest.DatabaseYAML(d, conn)), enginetest.Options{Validate: true})
			base := s.URL("t")
			call := func(method, path string, body any) (int, map[string]any) {
				t.Helper()
				var r io.Reader
				if body != nil {
					b, _ := json.Marshal(body)
					r = bytes.NewReader(b)
				}
				req, _ := http.NewRequest(method, base+path, r)
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
			schemas := map[string]string{}
			var list struct {
				Resources []struct {
					ID         string    `json:"id"`
					Attributes []attrDoc `json:"attributes"`
				} `json:"Resources"`
			}
			_, raw := call("GET", "/Schemas", nil)
			b, _ := json.Marshal(raw)
			if err := json.Unmarshal(b, &list); err != nil {
				t.Fatal(err)
			}
			for _, r := range list.Resources {
				schemas[r.ID] = describe(r.Attributes)
			}
			want := map[string]string{
				"urn:ietf:params:scim:schemas:core:2.0:User": "userName:string:readWrite name:complex:readWrite{givenName:string:readWrite} " +
					"nickName:string:immutable title:string:readOnly userType:string:readWrite[Employee,Contractor] active:boolean:readWrite " +
					"emails:complex:readWrite{value:string:readWrite type:string:readWrite[work]}",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": "department:string:readWrite",
				acme:       "costCode:string:readWrite badges:integer:readWrite",
				oktaCustom: "employeeNumber:string:readWrite",
			}
			if len(schemas) != len(want) {
				t.Errorf("/Schemas lists %d schemas, want %d: %v", len(schemas), len(want), schemas)
			}
			for id, w := range want {
				if schemas[id] != w {
					t.Errorf("/Schemas %s:\n got %s\nwant %s", id, schemas[id], w)
				}
			}
			_, rt := call("GET", "/ResourceTypes/User", nil)
			if b, _ := json.Marshal(rt["schemaExtensions"]); !strings.Contains(string(b), acme) {
				t.Errorf("schemaExtensions = %s, want %s among them", b, acme)
			}

			// Every writable attribute posted reads back; the custom extension too.
			status, created := call("POST", "/Users", map[string]any{
				"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User", acme, oktaCustom},
				"userName": "ann", "name": map[string]any{"givenName": "Ann"}, "nickName": "annie", "userType": "Contractor",
				"active": true, "emails": []any{map[string]any{"type": "work", "value": "ann@example.com"}},
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "R&D"},
				acme:       map[string]any{"costCode": "CC-7", "badges": 3},
				oktaCustom: map[string]any{"employeeNumber": "E-42"},
			})
			if status != http.StatusCreated {
				t.Fatalf("POST: %d %v", status, created)
			}
			id := created["id"].(string)
			_, got := call("GET", "/Users/"+id, nil)
			ext, _ := got[acme].(map[string]any)
			okta, _ := got[oktaCustom].(map[string]any)
			if got["nickName"] != "annie" || got["userType"] != "Contractor" || ext["costCode"] != "CC-7" || ext["badges"] != float64(3) || okta["employeeNumber"] != "E-42" {
				t.Errorf("read back %v", got)
			}
			var cost, kind string
			if err := db.QueryRow("SELECT cost, kind FROM staff WHERE id = "+d.Placeholder(1), id).Scan(&cost, &kind); err != nil || cost != "CC-7" || kind != "C" {
				t.Errorf("row: cost %q kind %q %v", cost, kind, err)
			}

			// title is read-only: PATCH is 400 mutability, PUT ignores it.
			status, body := call("PATCH", "/Users/"+id, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
				"Operations": []any{map[string]any{"op": "replace", "path": "title", "value": "Boss"}}})
			if status != 400 || body["scimType"] != "mutability" {
				t.Errorf("PATCH title: %d %v", status, body)
			}
			// nickName is immutable: changing it is 400 mutability, sending it back is fine.
			status, body = call("PATCH", "/Users/"+id, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
				"Operations": []any{map[string]any{"op": "replace", "path": "nickName", "value": "nan"}}})
			if status != 400 || body["scimType"] != "mutability" {
				t.Errorf("PATCH nickName: %d %v", status, body)
			}
			put := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ann", "title": "Boss",
				"nickName": "annie", "name": map[string]any{"givenName": "Anne"}}
			status, body = call("PUT", "/Users/"+id, put)
			if status != 200 || body["title"] != nil || body["nickName"] != "annie" {
				t.Errorf("PUT: %d %v", status, body)
			}
			put["nickName"] = "nan"
			if status, body = call("PUT", "/Users/"+id, put); status != 400 || body["scimType"] != "mutability" {
				t.Errorf("PUT changing nickName: %d %v", status, body)
			}
		})
	}
}
