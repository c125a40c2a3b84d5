package store

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects/dialecttest"
	"github.com/dbscim/dbscim/engine/fault"
	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/operations"
)

// What a commitCutter does to the next COMMIT it sees.
const (
	passCommits = iota
	// deliverThenCut lets the COMMIT reach the database, then cuts the connection
	// before the answer comes back: the change is stored, the client cannot know.
	deliverThenCut
	// dropAndCut cuts the connection instead of sending the COMMIT: the database
	// rolls back, the client cannot know.
	dropAndCut
	// cutAndRefuse is dropAndCut that also refuses every connection afterwards,
	// so that nothing can be checked.
	cutAndRefuse
)

// commitCutter is a TCP proxy to a database server that, when armed, breaks the
// connection that carries the next COMMIT, so that the client sees the commit's
// outcome as unknown.
type commitCutter struct {
	t      *testing.T
	ln     net.Listener
	target string
	mu     sync.Mutex
	mode   int
	refuse bool
	conns  []net.Conn
}

func newCommitCutter(t *testing.T, target string) *commitCutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &commitCutter{t: t, ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); c.closeAll() })
	go c.accept()
	return c
}

func (c *commitCutter) arm(mode int) {
	c.mu.Lock()
	c.mode = mode
	c.mu.Unlock()
}

func (c *commitCutter) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

func (c *commitCutter) accept() {
	for {
		client, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.mu.Lock()
		refuse := c.refuse
		c.mu.Unlock()
		if refuse {
			client.Close()
			continue
		}
		server, err := net.Dial("tcp", c.target)
		if err != nil {
			client.Close()
			continue
		}
		c.mu.Lock()
		c.conns = append(c.conns, client, server)
		c.mu.Unlock()
		var muted atomic.Bool
		go func() {
			// The server's answers reach the client unless the connection is
			// being cut: then the client must not learn how the COMMIT ended.
			buf := make([]byte, 64<<10)
			for {
				n, err := server.Read(buf)
				if n > 0 && !muted.Load() {
					if _, werr := client.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			client.Close()
		}()
		go c.forward(client, server, &muted)
	}
}

// forward copies the client's bytes to the server, watching for COMMIT.
func (c *commitCutter) forward(client, server net.Conn, muted *atomic.Bool) {
	defer server.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			c.mu.Lock()
			mode := c.mode
			if mode != passCommits && isCommit(chunk) {
				c.mode = passCommits
				if mode == cutAndRefuse {
					c.refuse = true
				}
			} else {
				mode = passCommits
			}
			c.mu.Unlock()
			switch mode {
			case deliverThenCut:
				muted.Store(true)
				server.Write(chunk)
				time.Sleep(300 * time.Millisecond) // the database commits
				client.Close()
				return
			case dropAndCut:
				client.Close()
				return
			case cutAndRefuse:
				client.Close()
				c.closeAll()
				return
			}
			if _, err := server.Write(chunk); err != nil {
				client.Close()
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// isCommit reports whether a chunk of the client's stream carries a COMMIT:
// MySQL's COM_QUERY (0x03) with COMMIT, or PostgreSQL's simple query "commit".
func isCommit(chunk []byte) bool {
	return bytes.Contains(chunk, []byte("\x03COMMIT")) || bytes.Contains(bytes.ToLower(chunk), []byte("commit\x00"))
}

// TestCommitOutcomeKnown cuts the connection while a write's COMMIT is on its way:
// the answer says what the database holds afterwards, and says that the outcome
// is unknown only when nothing can be read to find out.
func TestCommitOutcomeKnown(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, `CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL, title VARCHAR(100))`,
				`CREATE TABLE teams (id VARCHAR(64) PRIMARY KEY, name VARCHAR(100) NOT NULL)`,
				`CREATE TABLE members (team_id VARCHAR(64) NOT NULL, account_id VARCHAR(64) NOT NULL, PRIMARY KEY (team_id, account_id))`)
			cut := newCommitCutter(t, net.JoinHostPort(conn.Host, strconv.Itoa(conn.Port)))
			// The proxy reads the protocol, so the connection must not be encrypted.
			plain := ""
			if dialect == "postgres" {
				plain = ", properties: {sslmode: disable}"
			}
			host, port, _ := net.SplitHostPort(cut.ln.Addr().String())
			yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: %s, name: %q, host: %q, port: %s, user: %q, password: %q, max_open: 4%s}
    users:
      id: id
      attributes: {userName: login, title: title}
      operations:
        list:   {sql: "SELECT id, login, title FROM accounts"}
        get:    {sql: "SELECT id, login, title FROM accounts WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO accounts (id, login, title) VALUES (?, ?, ?)", params: [id, login, title]}
        update: {sql: "UPDATE accounts SET login = ?, title = ? WHERE id = ?", params: [login, title, id]}
        delete: {sql: "DELETE FROM accounts WHERE id = ?", params: [id]}
    groups:
      id: id
      attributes: {displayName: name}
      member_id: account_id
      operations:
        list:    {sql: "SELECT id, name FROM teams"}
        get:     {sql: "SELECT id, name FROM teams WHERE id = ?", params: [id]}
        create:  {sql: "INSERT INTO teams (id, name) VALUES (?, ?)", params: [id, name]}
        update:  {sql: "UPDATE teams SET name = ? WHERE id = ?", params: [name, id]}
        members: {sql: "SELECT account_id FROM members WHERE team_id = ?", params: [id]}
        add_member:    {sql: "INSERT INTO members (team_id, account_id) VALUES (?, ?)", params: [id, member]}
        remove_member: {sql: "DELETE FROM members WHERE team_id = ? AND account_id = ?", params: [id, member]}
`, d.Name(), conn.Name, host, port, conn.User, conn.Password, plain)
			cfg, err := operations.Parse("commit.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatal(err)
			}
			stores := openStores(t, cfg.Targets[0])
			users, groups := stores.Users, stores.Groups
			ctx := context.Background()
			create := func(name string) (resource.Resource, error) {
				return users.Create(ctx, resource.Change{Op: resource.OpCreate, Resource: resource.Resource{"userName": name, "title": "Engineer"}})
			}
			rows := func(query string, args ...any) int {
				t.Helper()
				var n int
				if err := db.QueryRow(query, args...).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			ph := d.Placeholder

			// The COMMIT reached the database: the create is answered as done.
			cut.arm(deliverThenCut)
			ann, err := create("ann")
			if err != nil {
				t.Fatalf("create whose commit arrived: %v, want it answered as stored", err)
			}
			if n := rows(`SELECT COUNT(*) FROM accounts WHERE login = 'ann'`); n != 1 {
				t.Fatalf("%d rows for ann", n)
			}
			// The COMMIT never arrived: the create is answered as not stored, safe to retry.
			cut.arm(dropAndCut)
			if _, err := create("bob"); !fault.Is(err, fault.Unavailable) {
				t.Fatalf("create whose commit was lost: %v, want unavailable (not stored)", err)
			}
			if n := rows(`SELECT COUNT(*) FROM accounts WHERE login = 'bob'`); n != 0 {
				t.Fatalf("%d rows for bob, answered as not stored", n)
			}
			if _, err := create("bob"); err != nil {
				t.Fatalf("the retried create: %v", err)
			}
			id := ann["id"].(string)
			patch := func(title string) error {
				p := resource.PatchOp{Op: "replace", Value: map[string]any{"title": title}}
				_, err := users.Patch(ctx, id, resource.Change{Op: resource.OpPatch, Patch: []resource.PatchOp{p}})
				return err
			}
			cut.arm(deliverThenCut)
			if err := patch("Manager"); err != nil {
				t.Fatalf("patch whose commit arrived: %v", err)
			}
			cut.arm(dropAndCut)
			if err := patch("Director"); !fault.Is(err, fault.Unavailable) {
				t.Fatalf("patch whose commit was lost: %v, want unavailable", err)
			}
			if n := rows(`SELECT COUNT(*) FROM accounts WHERE id = `+ph(1)+` AND title = 'Manager'`, id); n != 1 {
				t.Fatal("the title is not the last one answered as stored")
			}

			// Groups: a create with members, then a member change.
			cut.arm(deliverThenCut)
			team, err := groups.Create(ctx, resource.Change{Op: resource.OpCreate, Resource: resource.Resource{"displayName": "Ops"},
				Members: &resource.MemberChange{Replace: true, Add: []string{id}}})
			if err != nil {
				t.Fatalf("group create whose commit arrived: %v", err)
			}
			tid := team["id"].(string)
			cut.arm(dropAndCut)
			bob := &resource.MemberChange{}
			bob.RecordAdd([]string{"someone-else"})
			if _, err := groups.Patch(ctx, tid, resource.Change{Op: resource.OpPatch, Members: bob}); !fault.Is(err, fault.Unavailable) {
				t.Fatalf("member change whose commit was lost: %v, want unavailable", err)
			}
			if n := rows(`SELECT COUNT(*) FROM members WHERE team_id = `+ph(1), tid); n != 1 {
				t.Fatalf("%d members, want the one stored", n)
			}

			// Nothing can be read afterwards: only then is the outcome unknown.
			cut.arm(cutAndRefuse)
			if err := users.Delete(ctx, id); !fault.Is(err, fault.Indeterminate) {
				t.Fatalf("delete with the database unreachable after the commit: %v, want an unknown outcome", err)
			}
		})
	}
}

// TestNoWriteLostUnderCuts creates and renames users from several clients while
// the connection carrying a COMMIT is cut, now and then, at random: after
// delivering the COMMIT or instead of it. Afterwards every answer is compared with
// the table: no write answered as done is missing, no write answered as not
// stored is there, and a write may be answered as of unknown outcome only if the
// database could not be read.
func TestNoWriteLostUnderCuts(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test; -short leaves it out")
	}
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			d, db, conn := dialecttest.NewDatabase(t, dialect)
			dialecttest.MustExec(t, db, `CREATE TABLE accounts (id VARCHAR(64) PRIMARY KEY, login VARCHAR(100) NOT NULL, title VARCHAR(100))`)
			cut := newCommitCutter(t, net.JoinHostPort(conn.Host, strconv.Itoa(conn.Port)))
			host, port, _ := net.SplitHostPort(cut.ln.Addr().String())
			plain := ""
			if dialect == "postgres" {
				plain = ", properties: {sslmode: disable}"
			}
			yaml := fmt.Sprintf(`version: 1
targets:
  t:
    auth: {none: true}
    database: {dialect: %s, name: %q, host: %q, port: %s, user: %q, password: %q, max_open: 8%s}
    users:
      id: id
      attributes: {userName: login, title: title}
      operations:
        list:   {sql: "SELECT id, login, title FROM accounts"}
        get:    {sql: "SELECT id, login, title FROM accounts WHERE id = ?", params: [id]}
        create: {sql: "INSERT INTO accounts (id, login, title) VALUES (?, ?, ?)", params: [id, login, title]}
        update: {sql: "UPDATE accounts SET login = ?, title = ? WHERE id = ?", params: [login, title, id]}
`, d.Name(), conn.Name, host, port, conn.User, conn.Password, plain)
			cfg, err := operations.Parse("cuts.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatal(err)
			}
			users := openStores(t, cfg.Targets[0]).Users
			ctx := context.Background()

			// Cut a COMMIT every 15 to 40 ms, one way or the other.
			stop := make(chan struct{})
			var chaos sync.WaitGroup
			chaos.Add(1)
			go func() {
				defer chaos.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						cut.arm(passCommits)
						return
					case <-time.After(time.Duration(15+i*7%25) * time.Millisecond):
					}
					if i%2 == 0 {
						cut.arm(deliverThenCut)
					} else {
						cut.arm(dropAndCut)
					}
				}
			}()

			type answer struct {
				login, title string // what the write asked for
				id           string
				kind         fault.Kind // fault.Internal with err == nil: done
				done         bool
			}
			var mu sync.Mutex
			var answers []answer
			var wg sync.WaitGroup
			for w := 0; w < 6; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 25; i++ {
						login := fmt.Sprintf("w%d-%d", w, i)
						res, err := users.Create(ctx, resource.Change{Op: resource.OpCreate, Resource: resource.Resource{"userName": login, "title": "new"}})
						a := answer{login: login, title: "new", done: err == nil, kind: fault.KindOf(err)}
						if err == nil {
							a.id = res["id"].(string)
						}
						mu.Lock()
						answers = append(answers, a)
						mu.Unlock()
						if err != nil {
							continue
						}
						p := resource.PatchOp{Op: "replace", Value: map[string]any{"title": "renamed"}}
						_, err = users.Patch(ctx, a.id, resource.Change{Op: resource.OpPatch, Patch: []resource.PatchOp{p}})
						mu.Lock()
						answers = append(answers, answer{login: login, title: "renamed", id: a.id, done: err == nil, kind: fault.KindOf(err)})
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			close(stop)
			chaos.Wait()

			stored := map[string]string{} // login → title
			rows, err := db.Query(`SELECT login, title FROM accounts`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var login, title string
				rows.Scan(&login, &title)
				stored[login] = title
			}
			rows.Close()
			counts := map[string]int{}
			for _, a := range answers {
				switch {
				case a.done:
					counts["done"]++
				case a.kind == fault.Unavailable:
					counts["not stored"]++
				case a.kind == fault.Indeterminate:
					counts["unknown"]++
				default:
					counts["other"]++
					t.Errorf("%s %s: unexpected error kind %v", a.login, a.title, a.kind)
				}
			}
			for _, a := range answers {
				title, present := stored[a.login]
				switch {
				case a.done && !present:
					t.Errorf("%s: answered as created, not in the table", a.login)
				case a.done && a.title == "renamed" && title != "renamed":
					t.Errorf("%s: rename answered as done, title is %q", a.login, title)
				case !a.done && a.kind == fault.Unavailable && a.title == "new" && present:
					t.Errorf("%s: create answered as not stored, in the table", a.login)
				case !a.done && a.kind == fault.Unavailable && a.title == "renamed" && title == "renamed":
					t.Errorf("%s: rename answered as not stored, stored", a.login)
				case a.kind == fault.Indeterminate:
					t.Errorf("%s %s: outcome unknown although the database could be read", a.login, a.title)
				}
			}
			t.Logf("%d writes: %v", len(answers), counts)
			if counts["not stored"] == 0 || counts["done"] == 0 {
				t.Errorf("the cuts did not bite: %v", counts)
			}
		})
	}
}
