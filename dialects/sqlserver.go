package dialects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/msdsn"
)

// SQLServer is Microsoft SQL Server and Azure SQL, through github.com/microsoft/go-mssqldb.
type SQLServer struct{}

var sqlserverSyntax = &syntax{
	spans: []spanRule{
		quoted('\'', '\'', false, true, "string literal"),
		quoted('"', '"', false, true, `"quoted identifier"`),
		quoted('[', ']', false, true, "[quoted identifier]"),
		lineComment("--", false),
		blockComment(true),
	},
	identQuotes: []spanRule{
		quoted('"', '"', false, true, `"quoted identifier"`),
		quoted('[', ']', false, true, "[quoted identifier]"),
	},
	// T-SQL identifiers may contain @, # and $; a word never starts a placeholder.
	identChar: func(c byte) bool { return isWordStart(c) || c == '$' || c == '#' || c == '@' },
	// @p1 is go-mssqldb's name for the first positional argument; any other @name
	// is a T-SQL variable and stays text. 2100 is SQL Server's parameter limit.
	native: numbered("@p", sqlserverSpec.MaxParams),
}

// sqlserverSpec are SQL Server's facts.
var sqlserverSpec = Spec{
	Name:      "sqlserver",
	Aliases:   []string{"mssql"},
	Driver:    "sqlserver", // the name go-mssqldb registers for URL DSNs
	Networked: true,
	// Not applied to a named instance: the SQL Browser service answers with its port.
	DefaultPort:    1433,
	Required:       []Requirement{{Key: "host"}, {Key: "user"}},
	Forbidden:      []string{"service", "sid"},
	Placeholder:    Placeholders{Sigil: "@p", Numbered: true},
	MaxParams:      2100,
	Routines:       true,
	OutParams:      true, // OUTPUT
	MultiRowInsert: true,
	MaxInsertRows:  1000, // rows per VALUES list
	UserErrors:     "`THROW 50000, '…', 1` or `RAISERROR` with a number from 50000",
	UserMessage:    sqlserverUserMessage,
	ColumnsQuery: `SELECT c.COLUMN_NAME, c.DATA_TYPE, c.IS_NULLABLE,
		COALESCE((SELECT TOP 1 CASE tc.CONSTRAINT_TYPE WHEN 'PRIMARY KEY' THEN 'P' ELSE 'U' END
		          FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc
		          JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k
		            ON k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND k.TABLE_SCHEMA = tc.TABLE_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME
		          WHERE tc.TABLE_SCHEMA = c.TABLE_SCHEMA AND tc.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME
		            AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE')
		            AND (SELECT COUNT(*) FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE k2
		                 WHERE k2.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND k2.TABLE_SCHEMA = tc.TABLE_SCHEMA) = 1
		          ORDER BY tc.CONSTRAINT_TYPE), '')
		FROM INFORMATION_SCHEMA.COLUMNS c
		WHERE c.TABLE_SCHEMA = COALESCE(NULLIF(@p1, ''), SCHEMA_NAME()) AND c.TABLE_NAME = @p2
		ORDER BY c.ORDINAL_POSITION`,
	ColumnsArgs: "st",
	RoutineQuery: `SELECT CASE o.type WHEN 'P' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
		(SELECT COUNT(*) FROM sys.parameters p WHERE p.object_id = o.object_id AND p.parameter_id > 0),
		COALESCE(STUFF((SELECT ', ' + SUBSTRING(p.name, 2, 128) FROM sys.parameters p
		  WHERE p.object_id = o.object_id AND p.parameter_id > 0 ORDER BY p.parameter_id FOR XML PATH('')), 1, 2, ''), ''),
		COALESCE(STUFF((SELECT ', ' + TYPE_NAME(p.user_type_id) FROM sys.parameters p
		  WHERE p.object_id = o.object_id AND p.parameter_id > 0 ORDER BY p.parameter_id FOR XML PATH('')), 1, 2, ''), '')
		FROM sys.objects o
		WHERE o.type IN ('P', 'FN', 'IF', 'TF') AND o.name = @p2 AND o.schema_id = SCHEMA_ID(COALESCE(NULLIF(@p1, ''), SCHEMA_NAME()))`,
	RoutineNamesQuery: `SELECT o.name FROM sys.objects o
		WHERE o.type IN ('P', 'FN', 'IF', 'TF') AND o.schema_id = SCHEMA_ID(COALESCE(NULLIF(@p1, ''), SCHEMA_NAME()))`,
	TablesQuery: `SELECT TABLE_NAME, CASE TABLE_TYPE WHEN 'VIEW' THEN 'V' ELSE 'T' END
		FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = COALESCE(NULLIF(@p1, ''), SCHEMA_NAME())`,
	// Msg 208: Invalid object name 'userz'.
	MissingTable: regexp.MustCompile(`Invalid object name '(?:[^'.]*\.)?([^']+)'`),
	// A _CI_ collation, or a column without collation (no text), is case-blind.
	IndexesQuery: `SELECT i.name, c.name, COALESCE(cc.definition, ''),
		CASE WHEN c.collation_name IS NULL OR c.collation_name LIKE '%[_]CI[_]%' THEN 'Y' ELSE 'N' END,
		CASE WHEN i.is_primary_key = 1 THEN 'Y' ELSE 'N' END
		FROM sys.indexes i
		JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0
		JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
		LEFT JOIN sys.computed_columns cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id
		WHERE i.is_unique = 1 AND i.object_id = OBJECT_ID(QUOTENAME(COALESCE(NULLIF(@p1, ''), SCHEMA_NAME())) + '.' + QUOTENAME(@p2))
		ORDER BY i.name, ic.key_ordinal`,
	IndexesArgs:    "st",
	CaseBlindIndex: "ALTER TABLE %[1]s ALTER COLUMN %[2]s <its type> COLLATE SQL_Latin1_General_CP1_CI_AS; CREATE UNIQUE INDEX %[3]s ON %[1]s (%[2]s)",
	ForeignKeysQuery: `SELECT fk.name, pc.name, rt.name, rc.name
		FROM sys.foreign_keys fk
		JOIN sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id
		JOIN sys.tables t ON t.object_id = fk.parent_object_id
		JOIN sys.columns pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
		JOIN sys.tables rt ON rt.object_id = fkc.referenced_object_id
		JOIN sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
		WHERE SCHEMA_NAME(t.schema_id) = COALESCE(NULLIF(@p1, ''), SCHEMA_NAME()) AND t.name = @p2
		ORDER BY fk.name, fkc.constraint_column_id`,
	ForeignKeysArgs: "st",
}

// Spec returns SQL Server's facts.
func (SQLServer) Spec() Spec { return sqlserverSpec }

// Name returns "sqlserver"; "mssql" is an alias (see Lookup).
func (SQLServer) Name() string { return sqlserverSpec.Name }

// Driver returns "sqlserver", the name go-mssqldb registers for URL DSNs.
func (SQLServer) Driver() string { return sqlserverSpec.Driver }

// sqlserverProperties maps Microsoft JDBC driver property names onto go-mssqldb's.
var sqlserverProperties = map[string]string{
	"databaseName":           "database",
	"trustServerCertificate": "TrustServerCertificate",
	"applicationName":        "app name",
	"loginTimeout":           "dial timeout", // seconds in both
	"hostNameInCertificate":  "hostnameincertificate",
}

// DSN builds a sqlserver:// URL with net/url (so special characters in the user
// name and password are escaped): sqlserver://user:password@host:port/instance?database=name.
// Properties are URL parameters in go-mssqldb's names (encrypt, TrustServerCertificate,
// "app name", "connection timeout", ...); the Microsoft JDBC names databaseName,
// trustServerCertificate, applicationName, loginTimeout and hostNameInCertificate
// are mapped. SQL Server has no session time zone to pin: bound times are converted
// to UTC, so datetime2 columns hold UTC. A full Connection.DSN is used as given.
func (SQLServer) DSN(c Connection) (string, error) {
	if c.DSN != "" {
		return c.DSN, nil
	}
	q := url.Values{}
	for k, v := range c.Properties {
		if m, ok := sqlserverProperties[k]; ok {
			k = m
		}
		q.Set(k, v)
	}
	if c.Name != "" {
		q.Set("database", c.Name)
	}
	host := c.Host
	if host == "" {
		host = "127.0.0.1"
	}
	u := url.URL{Scheme: "sqlserver", Host: host, RawQuery: q.Encode()}
	if c.Port != 0 {
		u.Host = net.JoinHostPort(host, strconv.Itoa(c.Port))
	}
	if c.Instance != "" {
		u.Path = "/" + c.Instance
	}
	if c.User != "" {
		u.User = url.User(c.User)
	}
	// Let the driver check the parameters, without the password in the text.
	if _, err := msdsn.Parse(u.String()); err != nil {
		return "", fmt.Errorf("sqlserver: invalid connection properties: %v", err)
	}
	if c.Password != "" {
		u.User = url.UserPassword(c.User, c.Password)
	}
	return u.String(), nil
}

// Rewrite turns each "?" into @p1, @p2, ... in order, and accepts native @pN. It skips
// '..' strings (doubled quotes; N'..' alike), ".." and [..] identifiers, -- comments
// and nested /* */ comments. Other @names are T-SQL variables, left alone.
func (SQLServer) Rewrite(sqlText string) (string, int, error) {
	return sqlserverSyntax.rewrite(sqlText, SQLServer{}.Placeholder)
}

func (SQLServer) syntax() *syntax { return sqlserverSyntax }

// Placeholder returns "@pn".
func (SQLServer) Placeholder(n int) string { return sqlserverSpec.Placeholder.Nth(n) }

// Quote returns [ident], with embedded closing brackets doubled. Brackets work
// whatever QUOTED_IDENTIFIER says.
func (SQLServer) Quote(ident string) string {
	return "[" + strings.ReplaceAll(ident, "]", "]]") + "]"
}

// Call returns "EXEC name @p1, @p2 OUTPUT" for a Procedure, with OUTPUT after each
// Out parameter, and "SELECT * FROM name(@p1, ...)" for a (table-valued) Function.
// SQL Server has no cursor parameters: a procedure returns its result sets directly.
func (SQLServer) Call(name string, modes []ParamMode, routine Routine) (string, error) {
	if err := sqlserverSyntax.checkName(name); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, m := range modes {
		switch {
		case m == Cursor:
			return "", unsupported(fmt.Sprintf("parameter %d: cursor parameters are not supported for sqlserver; return a result set (SELECT) from the procedure instead", i+1))
		case m == Out && routine == Function:
			return "", unsupported(fmt.Sprintf("parameter %d: a sqlserver function has no OUTPUT parameters", i+1))
		case m != In && m != Out:
			return "", fmt.Errorf("parameter %d: unknown parameter mode %d", i+1, m)
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(SQLServer{}.Placeholder(i + 1))
		if m == Out {
			b.WriteString(" OUTPUT")
		}
	}
	if routine == Function {
		return "SELECT * FROM " + name + "(" + b.String() + ")", nil
	}
	if len(modes) == 0 {
		return "EXEC " + name, nil
	}
	return "EXEC " + name + " " + b.String(), nil
}

// sqlserverArgs binds In values and sql.Out{Dest} for Out parameters.
func sqlserverArgs(args []Arg) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		switch a.Mode {
		case In:
			out[i] = inValue(a.Value)
		case Out:
			if a.Dest == nil {
				return nil, fmt.Errorf("parameter %d: an OUTPUT parameter needs a Dest", i+1)
			}
			out[i] = sql.Out{Dest: a.Dest}
		case Cursor:
			return nil, unsupported(fmt.Sprintf("parameter %d: cursor parameters are not supported for sqlserver; return a result set (SELECT) from the procedure instead", i+1))
		default:
			return nil, fmt.Errorf("parameter %d: unknown parameter mode %d", i+1, a.Mode)
		}
	}
	return out, nil
}

// Query runs a statement and returns its first result set. OUTPUT parameters are
// written to their Dest only once the rows have been read to the end and closed (the
// server sends them after the result sets).
func (SQLServer) Query(ctx context.Context, q Querier, text string, args []Arg) (*sql.Rows, error) {
	a, err := sqlserverArgs(args)
	if err != nil {
		return nil, err
	}
	return q.QueryContext(ctx, text, a...)
}

// Exec runs a statement and writes OUTPUT parameters to their Dest.
func (SQLServer) Exec(ctx context.Context, q Querier, text string, args []Arg) (sql.Result, error) {
	a, err := sqlserverArgs(args)
	if err != nil {
		return nil, err
	}
	return q.ExecContext(ctx, text, a...)
}

// LastInsertID returns false: go-mssqldb has no LastInsertId; use OUTPUT INSERTED.id
// or SELECT SCOPE_IDENTITY().
func (SQLServer) LastInsertID() bool { return sqlserverSpec.LastInsertID }

// SQL Server error numbers that Classify knows. 547 is handled apart: it is both the
// foreign-key and the check violation.
var sqlserverErrorKinds = map[int32]ErrorKind{
	2627:  UniqueViolation, // violation of PRIMARY KEY or UNIQUE constraint
	2601:  UniqueViolation, // duplicate key row in a unique index
	515:   NotNullViolation,
	8152:  InvalidValue, // string or binary data would be truncated
	2628:  InvalidValue, // the same, with the column named (SQL Server 2019+)
	245:   InvalidValue, // conversion failed
	8114:  InvalidValue, // error converting data type
	8115:  InvalidValue, // arithmetic overflow
	220:   InvalidValue, // arithmetic overflow for a data type
	241:   InvalidValue, // conversion failed when converting date/time
	242:   InvalidValue, // out-of-range datetime value
	1205:  Conflict,     // deadlock victim
	1222:  Conflict,     // lock request time out
	3960:  Conflict,     // snapshot isolation update conflict
	4060:  Unavailable,  // cannot open database
	18456: Unavailable,  // login failed: fix the configuration
	40613: Unavailable,  // Azure SQL: database not currently available
	40197: Unavailable,  // Azure SQL: service error, retry
	40501: Unavailable,  // Azure SQL: service busy
	10928: Unavailable,  // Azure SQL: resource limit
}

// Classify reads the number of an mssql.Error (the driver returns it by value; a
// ServerError wraps one).
func (SQLServer) Classify(err error) ErrorKind {
	var me mssql.Error
	var mp *mssql.Error
	number, message, ok := int32(0), "", false
	switch {
	case errors.As(err, &me):
		number, message, ok = me.Number, me.Message, true
	case errors.As(err, &mp) && mp != nil:
		number, message, ok = mp.Number, mp.Message, true
	}
	if ok {
		if number == 547 {
			if strings.Contains(message, "CHECK constraint") {
				return CheckViolation
			}
			return ForeignKeyViolation // FOREIGN KEY on insert/update, REFERENCE on delete
		}
		if k, found := sqlserverErrorKinds[number]; found {
			return k
		}
	}
	var se mssql.StreamError
	if errors.As(err, &se) {
		return Unavailable
	}
	return classifyCommon(err)
}

// DerivedTable returns "(inner) AS alias". SQL Server refuses an ORDER BY inside a
// derived table unless it has TOP or OFFSET.
func (SQLServer) DerivedTable(inner, alias string) string {
	return "(" + nested(inner) + ") AS " + alias
}

// Fold returns LOWER(expr). Default SQL Server collations (_CI_) already compare
// case-insensitively.
func (SQLServer) Fold(expr string) string { return "LOWER(" + expr + ")" }

// Text returns CAST(expr AS NVARCHAR(4000)) COLLATE Latin1_General_BIN2: a binary
// collation compares code points exactly, where the default _CI_ collations would
// match 'abc' to 'Abc'.
func (SQLServer) Text(expr string) string {
	return "CAST(" + expr + " AS NVARCHAR(4000)) COLLATE Latin1_General_BIN2"
}

// Like returns expr LIKE REPLACE(pattern, '[', '\[') ESCAPE '\'. T-SQL strings have
// no backslash escapes, so '\' is one character; and "[" starts a character class in
// T-SQL LIKE, which EscapeLike does not escape, so the REPLACE makes every "[" of the
// pattern literal.
func (SQLServer) Like(expr, pattern string) string {
	return expr + " LIKE REPLACE(" + pattern + `, '[', '\[') ESCAPE '\'`
}

// Limit returns "OFFSET offset ROWS FETCH NEXT limit ROWS ONLY", which needs an
// ORDER BY before it. An empty offset is 0; an empty limit leaves FETCH out.
func (SQLServer) Limit(limit, offset string) string { return offsetFetch(limit, offset) }

// offsetFetch is the SQL:2008 paging clause of SQL Server and Oracle.
func offsetFetch(limit, offset string) string {
	if offset == "" {
		if limit == "" {
			return ""
		}
		offset = "0"
	}
	if limit == "" {
		return "OFFSET " + offset + " ROWS"
	}
	return "OFFSET " + offset + " ROWS FETCH NEXT " + limit + " ROWS ONLY"
}

// sqlserverUserMessage recognises THROW and RAISERROR with an error number from
// 50000, the range left to applications.
func sqlserverUserMessage(err error) (string, bool) {
	var me mssql.Error
	if errors.As(err, &me) && me.Number >= 50000 {
		return me.Message, true
	}
	var mp *mssql.Error
	if errors.As(err, &mp) && mp != nil && mp.Number >= 50000 {
		return mp.Message, true
	}
	return "", false
}
