package bench

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// sniffer is a loopback TCP proxy in front of a MariaDB/MySQL or PostgreSQL server
// that records the text of every statement its clients prepare or send, so that a
// test can see exactly what dbscim runs and hold the floor to the same statements.
// It reads the client's side of the wire protocol only; TLS must be off.
type sniffer struct {
	ln       net.Listener
	upstream string
	postgres bool

	mu    sync.Mutex
	texts []string
}

// newSniffer listens on a loopback port and forwards to upstream (host:port). It
// stops when the test ends.
func newSniffer(t testing.TB, upstream string, postgres bool) *sniffer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sniffer{ln: ln, upstream: upstream, postgres: postgres}
	t.Cleanup(func() { ln.Close() })
	go s.accept()
	return s
}

// addr is the host and port clients connect to.
func (s *sniffer) addr() (string, int) {
	a := s.ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

func (s *sniffer) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.relay(c)
	}
}

func (s *sniffer) relay(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", s.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		io.Copy(client, server)
		client.Close()
	}()
	r := bufio.NewReader(io.TeeReader(client, server))
	if s.postgres {
		s.readPostgres(r)
	} else {
		s.readMySQL(r)
	}
	io.Copy(io.Discard, r)
}

// take returns the statements recorded since the last call.
func (s *sniffer) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.texts
	s.texts = nil
	return out
}

func (s *sniffer) record(text string) {
	s.mu.Lock()
	s.texts = append(s.texts, text)
	s.mu.Unlock()
}

// readMySQL follows the client's packets: a command is a packet with sequence
// number 0, and COM_QUERY (0x03) and COM_STMT_PREPARE (0x16) carry statement text.
func (s *sniffer) readMySQL(r *bufio.Reader) {
	var head [4]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		n := int(head[0]) | int(head[1])<<8 | int(head[2])<<16
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		if head[3] == 0 && n > 0 && (body[0] == 0x03 || body[0] == 0x16) {
			s.record(string(body[1:]))
		}
	}
}

// readPostgres follows the client's messages: the untyped startup message (after
// any SSL or GSS encryption request), then typed messages, of which Parse ('P') and
// Query ('Q') carry statement text.
func (s *sniffer) readPostgres(r *bufio.Reader) {
	var head [8]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint32(head[:4]))
		if _, err := io.CopyN(io.Discard, r, int64(n-8)); err != nil {
			return
		}
		if code := binary.BigEndian.Uint32(head[4:]); code != 80877103 && code != 80877104 {
			break
		}
	}
	var typ [5]byte
	for {
		if _, err := io.ReadFull(r, typ[:]); err != nil {
			return
		}
		body := make([]byte, int(binary.BigEndian.Uint32(typ[1:]))-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return
		}
		switch typ[0] {
		case 'P': // Parse: statement name, then text, both NUL-terminated
			if _, rest, ok := strings.Cut(string(body), "\x00"); ok {
				text, _, _ := strings.Cut(rest, "\x00")
				s.record(text)
			}
		case 'Q':
			text, _, _ := strings.Cut(string(body), "\x00")
			s.record(text)
		}
	}
}
