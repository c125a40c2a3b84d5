package replicas_test

import (
	"testing"

	"github.com/dbscim/dbscim/engine/conformance"
	"github.com/dbscim/dbscim/engine/enginetest"
)

// TestReplicasConformance runs the whole conformance suite (RFC 7644, Okta's and
// Entra's sequences) through the round-robin balancer in front of three dbscim
// processes that share one database: consecutive requests of every sequence are
// answered by different processes, and the answers must be those of one server.
func TestReplicasConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dbscim and starts processes for every subtest; skipped with -short")
	}
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			// What the target declares comes from the configuration alone; a
			// server in this process reads it without reaching a database.
			decl := enginetest.ServeFile(t, "dbscim.yaml", enginetest.Options{Env: map[string]string{
				"DBSCIM_TOKEN": token, "DBSCIM_DB_DIALECT": dialect, "DBSCIM_DB_PORT": "1", "DBSCIM_DB_NAME": "declared",
				"DBSCIM_DB_USER": "nobody", "DBSCIM_LISTEN": "127.0.0.1:0",
			}})
			declares := conformance.Declared(decl.ResourceTypes(t, "hr"), decl.Mapped("hr"),
				conformance.Sort, conformance.ListsInactiveUsers, conformance.OptionalProfile, conformance.StableModify, conformance.ContentETags)
			conformance.RunTests(t, func(t *testing.T) conformance.Target {
				c := newCluster(t, dialect, "schema."+dialect+".sql")
				return conformance.Target{
					URL: c.url, Client: c.client, Authorization: "Bearer " + token,
					Declares: declares,
					Backend: &conformance.SQLBackend{DB: c.db, Dialect: c.d,
						Users: conformance.UserTable{Table: "users", ID: "id", Active: "active", Columns: map[string]string{
							"userName": "userName", "externalId": "externalId", "givenName": "givenName", "familyName": "familyName",
							"email": "email"}}},
				}
			})
		})
	}
}
