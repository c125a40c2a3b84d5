package dialects

import (
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	mssql "github.com/microsoft/go-mssqldb"
	"github.com/sijms/go-ora/v2/network"
)

func TestUserMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
		ok   bool
	}{
		{&mysql.MySQLError{Number: 1644, SQLState: [5]byte{'4', '5', '0', '0', '0'}, Message: "CREATE_USER: FIRSTNAME is required"}, "CREATE_USER: FIRSTNAME is required", true},
		{fmt.Errorf("create: %w", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry 'x' for key 'USERNAME'"}), "", false},
		{&pgconn.PgError{Code: "P0001", Message: "user is locked"}, "user is locked", true},
		{&pgconn.PgError{Code: "23505", Message: "duplicate key value violates unique constraint"}, "", false},
		{mssql.Error{Number: 50001, Message: "no such department"}, "no such department", true},
		{mssql.Error{Number: 2627, Message: "Violation of PRIMARY KEY constraint"}, "", false},
		{&network.OracleError{ErrCode: 20001, ErrMsg: "ORA-20001: manager must exist\nORA-06512: at line 3"}, "manager must exist", true},
		{&network.OracleError{ErrCode: 1, ErrMsg: "ORA-00001: unique constraint violated"}, "", false},
		{errors.New("plain"), "", false},
	}
	for _, tt := range tests {
		got, ok := UserMessage(tt.err)
		if got != tt.want || ok != tt.ok {
			t.Errorf("UserMessage(%v) = %q, %v; want %q, %v", tt.err, got, ok, tt.want, tt.ok)
		}
	}
}
