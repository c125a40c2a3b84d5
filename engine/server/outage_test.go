package server_test

import (
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dbscim/dbscim/dialects"
)

// proxy is a TCP proxy in front of a database server that a test can cut and
// restore, to play a database outage without stopping the real server.
type proxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, addr: ln.Addr().String(), target: target, ln: ln}
	go p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// cut closes the listener and every open connection: new connections are refused.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *proxy) restore() {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy cannot listen again: %v", err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go p.serve(ln)
}

// TestOutage cuts the database away under a running server: requests answer 503
// with Retry-After (never 500), readiness flips, nothing is half-written, and service
// comes back by itself when the database returns.
func TestOutage(t *testing.T) {
	for _, dialect := range []string{"mysql", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			var px *proxy
			e := newEnvVia(t, dialect, false, func(c *dialects.Connection) {
				px = newProxy(t, net.JoinHostPort(c.Host, strconv.Itoa(c.Port)))
				host, port, _ := net.SplitHostPort(px.addr)
				c.Host = host
				c.Port, _ = strconv.Atoi(port)
			})
			e.expect(e.do("GET", "/Users", ""), 200, "before the outage")
			r := e.do("POST", "/Users", oktaUser("before@example.com", "Be", "Fore"))
			e.expect(r, 201, "create before the outage")

			px.cut()
			for _, req := range []struct{ method, path, body string }{
				{"GET", "/Users", ""},
				{"GET", "/Users/" + r.body["id"].(string), ""},
				{"POST", "/Users", oktaUser("during@example.com", "Dur", "Ing")},
			} {
				r := e.do(req.method, req.path, req.body)
				e.expectError(r, 503, "", req.method+" "+req.path+" during the outage")
				if r.header.Get("Retry-After") == "" {
					t.Fatalf("%s %s: 503 without Retry-After", req.method, req.path)
				}
			}
			ready := e.do("GET", e.url[:len(e.url)-len("/scim/v2/scenario")]+"/readyz", "")
			if ready.status != 503 || ready.body["ready"] != false {
				t.Fatalf("readyz during the outage: %d %s", ready.status, ready.raw)
			}

			px.restore()
			var after response
			for i := 0; i < 3; i++ { // the pool may hand out one dead connection first
				if after = e.do("GET", "/Users", ""); after.status == 200 {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			e.expect(after, 200, "after the outage")
			if after.body["totalResults"] != float64(1) {
				t.Fatalf("after the outage: %s", after.raw)
			}
			e.expect(e.do("POST", "/Users", oktaUser("after@example.com", "Af", "Ter")), 201, "create after the outage")
			if n := e.count(""); n != 2 {
				t.Fatalf("rows after the outage: %d, want 2 (the create during the outage must not land)", n)
			}
		})
	}
}
