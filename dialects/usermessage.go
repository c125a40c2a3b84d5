package dialects

import (
	"errors"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	mssql "github.com/microsoft/go-mssqldb"
	"github.com/sijms/go-ora/v2/network"
)

// UserMessage returns the message of an error a stored routine raised on purpose
// to refuse a request: MySQL/MariaDB SIGNAL SQLSTATE '45000', PostgreSQL RAISE
// EXCEPTION (P0001), SQL Server THROW/RAISERROR with a number from 50000, Oracle
// RAISE_APPLICATION_ERROR (ORA-20000 to ORA-20999). The DBA wrote that text for the
// caller ("CREATE_USER: FIRSTNAME is required"), so unlike other driver errors it
// may be shown to the client. ok is false for any other error.
func UserMessage(err error) (msg string, ok bool) {
	var my *mysql.MySQLError
	if errors.As(err, &my) && (my.Number == 1644 || string(my.SQLState[:]) == "45000") {
		return my.Message, true
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "P0001" {
		return pg.Message, true
	}
	var me mssql.Error
	if errors.As(err, &me) && me.Number >= 50000 {
		return me.Message, true
	}
	var mp *mssql.Error
	if errors.As(err, &mp) && mp != nil && mp.Number >= 50000 {
		return mp.Message, true
	}
	var oe *network.OracleError
	if errors.As(err, &oe) && oe != nil && oe.ErrCode >= 20000 && oe.ErrCode <= 20999 {
		m := oe.ErrMsg
		// go-ora keeps the "ORA-20001: " prefix and the PL/SQL stack lines.
		if i := strings.Index(m, ": "); strings.HasPrefix(m, "ORA-") && i > 0 {
			m = m[i+2:]
		}
		if i := strings.IndexByte(m, '\n'); i >= 0 {
			m = m[:i]
		}
		return strings.TrimSpace(m), true
	}
	return "", false
}
