package dialects

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// SetDriverLogger sends what the database drivers log on their own to log, as
// warnings with the driver's name: today the MySQL driver's lines (a connection
// that broke mid-packet, a bad idle connection closed), which it otherwise writes
// as plain text to stderr, in the middle of a JSON log. The drivers read it when a
// pool is opened: call it before opening targets. The lines carry no secret: the
// driver does not print DSNs or passwords.
func SetDriverLogger(log *slog.Logger) {
	mysql.SetLogger(driverLogger{log: log, driver: "mysql"})
}

// driverLogger is the Print-style logger the MySQL driver takes.
type driverLogger struct {
	log    *slog.Logger
	driver string
}

// Print implements mysql.Logger.
func (l driverLogger) Print(v ...any) {
	l.log.Warn("database driver", "driver", l.driver, "message", strings.TrimSpace(fmt.Sprint(v...)))
}
