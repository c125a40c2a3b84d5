package scim11_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// tombstoneDDL is the tombstone table and, for MariaDB and PostgreSQL, the
// triggers docs/operations.md shows: a deleted user leaves its id, userName and
// the time of the deletion; a user created again with the same id is no longer
// deleted.
var tombstoneDDL = map[string][]string{
	"sqlite": {`CREATE TABLE users_deleted (id TEXT PRIMARY KEY, user_name TEXT, deleted_at TIMESTAMP NOT NULL)`},
	"mysql": {
		`CREATE TABLE users_deleted (id VARCHAR(64) PRIMARY KEY, user_name VARCHAR(255), deleted_at DATETIME(6) NOT NULL)`,
		`CREATE TRIGGER users_tombstone AFTER DELETE ON users FOR EACH ROW
			INSERT INTO users_deleted (id, user_name, deleted_at) VALUES (OLD.id, OLD.user_name, UTC_TIMESTAMP(6))
			ON DUPLICATE KEY UPDATE user_name = OLD.user_name, deleted_at = UTC_TIMESTAMP(6)`,
		`CREATE TRIGGER users_revived AFTER INSERT ON users FOR EACH ROW DELETE FROM users_deleted WHERE id = NEW.id`,
	},
	"postgres": {
		`CREATE TABLE users_deleted (id VARCHAR(64) PRIMARY KEY, user_name TEXT, deleted_at TIMESTAMPTZ NOT NULL)`,
		`CREATE FUNCTION users_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN
				IF TG_OP = 'DELETE' THEN
					INSERT INTO users_deleted (id, user_name, deleted_at) VALUES (OLD.id, OLD.user_name, now())
					ON CONFLICT (id) DO UPDATE SET user_name = EXCLUDED.user_name, deleted_at = EXCLUDED.deleted_at;
					RETURN OLD;
				END IF;
				DELETE FROM users_deleted WHERE id = NEW.id;
				RETURN NEW;
			END $$`,
		`CREATE TRIGGER users_tombstone AFTER INSERT OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION users_tombstone()`,
	},
}

const deletedOp = `        deleted: {sql: "SELECT id, user_name, deleted_at AS modified_at FROM users_deleted WHERE deleted_at > ?", params: [modified_at]}
`

// TestIncrementalImportWithDeletion: a user deleted from the table after the
// time an incremental import asks from comes back as active: false, with
// meta.lastModified at its deletion, in 1.1 and 2.0, after the users that changed
// and across pages; a GET of it is 404; a full import does not list it.
func TestIncrementalImportWithDeletion(t *testing.T) {
	for _, dialect := range engines {
		t.Run(dialect, func(t *testing.T) {
			a := newAgent(t, dialect, deletedOp, tombstoneDDL[dialect]...)
			old := a.now().Add(-2 * time.Hour)
			a.seed("u-alice", "alice@example.com", "Alice", old)
			a.seed("u-bob", "bob@example.com", "Bob", old)
			a.seed("u-carol", "carol@example.com", "Carol", a.now())
			since := a.now().Add(-time.Hour)

			a.step = "delete bob in the application"
			if _, err := a.db.Exec("DELETE FROM users WHERE id = "+a.d.Placeholder(1), "u-bob"); err != nil {
				t.Fatal(err)
			}
			if dialect == "sqlite" {
				// No trigger here: the application records the deletion itself.
				p := a.d.Placeholder
				if _, err := a.db.Exec(fmt.Sprintf("INSERT INTO users_deleted (id, user_name, deleted_at) VALUES (%s, %s, %s)", p(1), p(2), p(3)),
					"u-bob", "bob@example.com", time.Now().UTC()); err != nil {
					t.Fatal(err)
				}
			}

			filter := url.QueryEscape(`meta.lastModified gt "` + since.Format(time.RFC3339) + `"`)
			for _, base := range []string{a.v1, a.v2} {
				a.step = "incremental import at " + base
				st, body, _ := a.do("GET", base+"/Users?filter="+filter+"&startIndex=1&count=100", nil)
				a.want(st, 200, body)
				r := resources(body)
				if body["totalResults"] != float64(2) || len(r) != 2 || r[0]["id"] != "u-carol" || r[1]["id"] != "u-bob" {
					t.Fatalf("%s: %v", a.step, body)
				}
				bob := r[1]
				meta, _ := bob["meta"].(map[string]any)
				at, err := time.Parse(time.RFC3339, fmt.Sprint(meta["lastModified"]))
				if bob["active"] != false || bob["userName"] != "bob@example.com" || err != nil || !at.After(since) {
					t.Errorf("%s: the deleted user reads %v", a.step, bob)
				}

				a.step = "paged at " + base
				st, body, _ = a.do("GET", base+"/Users?filter="+filter+"&startIndex=2&count=1", nil)
				a.want(st, 200, body)
				if r := resources(body); body["totalResults"] != float64(2) || len(r) != 1 || r[0]["id"] != "u-bob" {
					t.Errorf("%s: %v", a.step, body)
				}
				st, body, _ = a.do("GET", base+"/Users?filter="+filter+"&startIndex=1&count=1", nil)
				a.want(st, 200, body)
				if r := resources(body); len(r) != 1 || r[0]["id"] != "u-carol" {
					t.Errorf("%s: %v", a.step, body)
				}

				a.step = "GET the deleted user at " + base
				st, body, _ = a.do("GET", base+"/Users/u-bob", nil)
				a.want(st, 404, body)

				a.step = "full import at " + base
				st, body, _ = a.do("GET", base+"/Users?startIndex=1&count=100", nil)
				a.want(st, 200, body)
				if body["totalResults"] != float64(2) {
					t.Errorf("%s: %v", a.step, body)
				}
			}

			a.step = "a deletion before the time is not listed"
			later := url.QueryEscape(`meta.lastModified gt "` + a.now().Add(time.Minute).Format(time.RFC3339) + `"`)
			st, body, _ := a.do("GET", a.v1+"/Users?filter="+later, nil)
			a.want(st, 200, body)
			if body["totalResults"] != float64(0) {
				t.Errorf("%s: %v", a.step, body)
			}

			a.step = "a time that is not one"
			st, body, _ = a.do("GET", a.v1+"/Users?filter="+url.QueryEscape(`meta.lastModified gt "yesterday"`), nil)
			a.want(st, 400, body)

			if dialect != "sqlite" {
				a.step = "created again, bob is no longer deleted"
				a.seed("u-bob", "bob@example.com", "Bob", a.now())
				st, body, _ := a.do("GET", a.v1+"/Users?filter="+filter, nil)
				a.want(st, 200, body)
				if r := resources(body); len(r) != 2 || r[0]["active"] != true || r[1]["active"] != true {
					t.Errorf("%s: %v", a.step, body)
				}
				var n int
				a.db.QueryRow("SELECT COUNT(*) FROM users_deleted").Scan(&n)
				if n != 0 {
					t.Errorf("%s: %d tombstones left", a.step, n)
				}
			}
		})
	}
}

// TestTombstonesWithoutID: a deleted operation whose rows lack the id column is a
// configuration mistake, answered as a server error without SQL in it.
func TestTombstonesWithoutID(t *testing.T) {
	a := newAgent(t, "sqlite", `        deleted: {sql: "SELECT deleted_at AS modified_at FROM users_deleted WHERE deleted_at > ?", params: [modified_at]}
`, tombstoneDDL["sqlite"]...)
	if _, err := a.db.Exec("INSERT INTO users_deleted (id, user_name, deleted_at) VALUES ('u-x', 'x', ?)", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	a.step = "incremental import"
	st, body, _ := a.do("GET", a.v1+"/Users?filter="+url.QueryEscape(`meta.lastModified gt "2000-01-01T00:00:00Z"`), nil)
	a.want(st, 500, body)
	if d := fmt.Sprint(body["Errors"]); strings.Contains(d, "SELECT") {
		t.Errorf("the error shows SQL: %s", d)
	}
}
