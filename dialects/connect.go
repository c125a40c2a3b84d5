package dialects

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// ConnectProblem says why connecting to a database failed, in words a DBA can act
// on: the server cannot be reached (and how), the login was refused, the database
// does not exist, TLS is required or refused. It never repeats the driver's text,
// which can carry the password of a DSN. "" when the error is none of these.
func ConnectProblem(err error, c Connection) string {
	where := c.Host
	if c.Port != 0 {
		where = net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	}
	var my *mysql.MySQLError
	if errors.As(err, &my) {
		switch my.Number {
		case 1045, 1698: // 1698: a user without a password that the server does not know
			return "login refused for user " + quoteName(c.User) + " (access denied: check the user and its password)"
		case 1044:
			return "user " + quoteName(c.User) + " may not use database " + quoteName(c.Name) + " (access denied)"
		case 1049:
			return "unknown database " + quoteName(c.Name)
		case 3159:
			return "the server requires TLS: set properties: {tls: \"true\"}"
		}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "28P01", "28000":
			return "login refused for user " + quoteName(c.User) + " (check the user, its password and pg_hba.conf)"
		case "3D000":
			return "unknown database " + quoteName(c.Name)
		case "42501":
			return "user " + quoteName(c.User) + " may not connect to database " + quoteName(c.Name)
		}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "cannot reach " + where + ": unknown host " + quoteName(dns.Name)
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return "cannot reach " + where + ": connection refused (is the server running, and on this port?)"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return "cannot reach " + where + ": no answer in time (a firewall, or the wrong host)"
	}
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "server does not support ssl") || strings.Contains(msg, "ssl is not enabled"):
		return "the server does not offer TLS: set sslmode (or tls) to what the server supports"
	case strings.Contains(msg, "x509:") || strings.Contains(msg, "tls:"):
		return "TLS failed: the server's certificate is not trusted or does not match the host"
	}
	return ""
}

func quoteName(s string) string { return `"` + s + `"` }
