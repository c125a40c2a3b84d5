package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/operations"
)

// TestConcurrentCreatesOfOneName races creates of one userName, in every letter
// case, against a table with no unique index at all: exactly one is created, every
// other is refused as a duplicate, and the table holds one row.
func TestConcurrentCreatesOfOneName(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, `CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL)`)
			server := ""
			if d.Spec().Networked {
				server = fmt.Sprintf(", host: %q, port: %d, user: %q, password: %q", conn.Host, conn.Port, conn.User, conn.Password)
			}
			yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: %s, name: %q%s}
    users:
      id: id
      attributes: {userName: login}
      operations:
        list:   {sql: "SELECT id, login FROM accounts"}
        get:    {sql: "SELECT id, login FROM accounts WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO accounts (id, login) VALUES (?, ?)", params: [id, login]}
`, d.Name(), conn.Name, server)
			cfg, err := operations.Parse("race.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatal(err)
			}
			users := openStores(t, cfg.Targets[0]).Users
			const racers = 24
			cases := []string{"racer@example.com", "RACER@example.com", "Racer@Example.com", "racer@EXAMPLE.COM"}
			var wg sync.WaitGroup
			var mu sync.Mutex
			created, refused := 0, 0
			var others []error
			for i := 0; i < racers; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := resource.Change{Op: resource.OpCreate, Resource: resource.Resource{"userName": cases[i%len(cases)]}}
					_, err := users.Create(context.Background(), c)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						created++
					case fault.Is(err, fault.Uniqueness):
						refused++
					default:
						others = append(others, err)
					}
				}()
			}
			wg.Wait()
			if created != 1 || refused != racers-1 || len(others) > 0 {
				t.Errorf("%d created, %d refused as duplicates, other errors %v; want 1 and %d", created, refused, others, racers-1)
			}
			var rows int
			if err := db.QueryRow(`SELECT COUNT(*) FROM accounts WHERE LOWER(login) = 'racer@example.com'`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if rows != 1 {
				t.Errorf("%d rows for the name, want 1", rows)
			}
		})
	}
}
