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
	"time"

	"github.com/go-sql-driver/mysql"
)

// MySQL is MySQL and MariaDB, through github.com/go-sql-driver/mysql.
type MySQL struct{}

var mysqlSyntax = &syntax{
	spans: []spanRule{
		quoted('\'', '\'', true, true, "string literal"),
		quoted('"', '"', true, true, `"string literal"`),
		quoted('`', '`', false, true, "`quoted identifier`"),
		lineComment("--", true),
		lineComment("#", false),
		// /*! ... */ executable comments are skipped like any comment: a
		// placeholder inside one is not counted.
		blockComment(false),
	},
	identQuotes: []spanRule{quoted('`', '`', false, true, "`quoted identifier`")},
	identChar:   identCharDollar,
}

// mysqlSpec are MySQL's and MariaDB's facts.
var mysqlSpec = Spec{
	Name:        "mysql",
	Aliases:     []string{"mariadb"},
	Driver:      "mysql", // the name go-sql-driver/mysql registers
	Networked:   true,
	DefaultPort: 3306,
	Required:    []Requirement{{Key: "name"}, {Key: "host"}, {Key: "user"}},
	Forbidden:   []string{"instance", "service", "sid"},
	Placeholder: Placeholders{Sigil: "?"},
	// The most placeholders a prepared statement may hold.
	MaxParams:      65535,
	Routines:       true,
	LastInsertID:   true,
	MultiRowInsert: true,
	// A routine's name compares as the server's lower_case_table_names setting says.
	RoutineQuery: `SELECT r.ROUTINE_TYPE, (SELECT COUNT(*) FROM information_schema.PARAMETERS p
		WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME AND p.ORDINAL_POSITION > 0),
		COALESCE((SELECT GROUP_CONCAT(p.PARAMETER_NAME ORDER BY p.ORDINAL_POSITION SEPARATOR ', ') FROM information_schema.PARAMETERS p
		WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME AND p.ORDINAL_POSITION > 0), ''),
		COALESCE((SELECT GROUP_CONCAT(p.DATA_TYPE ORDER BY p.ORDINAL_POSITION SEPARATOR ', ') FROM information_schema.PARAMETERS p
		WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME AND p.ORDINAL_POSITION > 0), '')
		FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND r.ROUTINE_NAME = ?`,
	RoutineNamesQuery: `SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE())`,
	UserErrors:        "`SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '…'`",
	UserMessage:       mysqlUserMessage,
	ColumnsQuery: `SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, CASE COLUMN_KEY WHEN 'PRI' THEN 'P' WHEN 'UNI' THEN 'U' ELSE '' END
		FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ?
		ORDER BY ORDINAL_POSITION`,
	ColumnsArgs: "st",
	TablesQuery: `SELECT TABLE_NAME, CASE TABLE_TYPE WHEN 'VIEW' THEN 'V' ELSE 'T' END
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE())`,
	// Error 1146: Table 'db.userz' doesn't exist.
	MissingTable: regexp.MustCompile(`Table '(?:[^'.]*\.)?([^']+)' doesn't exist`),
	// A binary column (no collation, or a *_bin or *_cs one) compares letter
	// case; the usual *_ci collations do not. MariaDB has no indexes on
	// expressions, so every key part is a column.
	IndexesQuery: `SELECT s.INDEX_NAME, s.COLUMN_NAME, '',
		CASE WHEN c.DATA_TYPE IN ('binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob') THEN 'N'
		     WHEN c.COLLATION_NAME IS NULL THEN 'Y'
		     WHEN c.COLLATION_NAME LIKE '%\_bin' OR c.COLLATION_NAME LIKE '%\_cs' THEN 'N'
		     ELSE 'Y' END,
		CASE s.INDEX_NAME WHEN 'PRIMARY' THEN 'Y' ELSE 'N' END
		FROM information_schema.STATISTICS s
		JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME
		WHERE s.NON_UNIQUE = 0 AND s.TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND s.TABLE_NAME = ?
		ORDER BY s.INDEX_NAME, s.SEQ_IN_INDEX`,
	IndexesArgs:    "st",
	CaseBlindIndex: "ALTER TABLE %[1]s MODIFY %[2]s <its type> COLLATE utf8mb4_unicode_ci, ADD UNIQUE INDEX %[3]s (%[2]s)",
	ForeignKeysQuery: `SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
		FROM information_schema.KEY_COLUMN_USAGE
		WHERE TABLE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL
		ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION`,
	ForeignKeysArgs: "st",
}

// Spec returns MySQL's and MariaDB's facts.
func (MySQL) Spec() Spec { return mysqlSpec }

// Name returns "mysql"; "mariadb" is an alias (see Lookup).
func (MySQL) Name() string { return mysqlSpec.Name }

// Driver returns "mysql", the name go-sql-driver/mysql registers.
func (MySQL) Driver() string { return mysqlSpec.Driver }

// mysqlIgnored are Connector/J properties with no go-sql-driver counterpart that an
// admin copying a JDBC URL may bring along. They are dropped: the time-zone ones are
// settled by the pinned settings below, the others only tune Connector/J itself.
// Passing them on would make the driver send "SET useUnicode=true" and fail.
var mysqlIgnored = map[string]bool{
	"serverTimezone": true, "useLegacyDatetimeCode": true, "useTimezone": true,
	"useJDBCCompliantTimezoneShift": true, "useUnicode": true, "zeroDateTimeBehavior": true,
	"autoReconnect": true, "useServerPrepStmts": true, "cachePrepStmts": true,
	"prepStmtCacheSize": true, "prepStmtCacheSqlLimit": true, "rewriteBatchedStatements": true,
	"useInformationSchema": true, "nullCatalogMeansCurrent": true,
	"allowPublicKeyRetrieval": true, "noAccessToProcedureBodies": true,
}

// mysqlMapped are the Connector/J properties that mysqlParams translates.
var mysqlMapped = map[string]bool{
	"allowMultiQueries": true, "useSSL": true, "requireSSL": true, "verifyServerCertificate": true,
	"sslMode": true, "connectTimeout": true, "socketTimeout": true, "characterEncoding": true,
}

// mysqlPinned are the driver settings dbscim controls; properties naming them are
// overridden.
var mysqlPinned = map[string]bool{"parseTime": true, "loc": true, "time_zone": true}

// DSN builds a go-sql-driver DSN with mysql.Config and FormatDSN, so that the
// password and the database name are escaped by the driver's own rules. It pins:
//   - parseTime=true: DATETIME and TIMESTAMP scan into time.Time;
//   - loc=UTC and the session's time_zone='+00:00': the driver and the server agree
//     on UTC, so a TIMESTAMP is never shifted, whatever the server's or the
//     process's zone.
//
// Properties use Connector/J names where an Okta admin would type them:
// allowMultiQueries=true becomes multiStatements=true; useSSL/requireSSL (with
// verifyServerCertificate) and sslMode (DISABLED, PREFERRED, REQUIRED, VERIFY_CA,
// VERIFY_IDENTITY) become tls=false|preferred|skip-verify|true (VERIFY_CA verifies
// the host name too: Go's TLS has no CA-only mode); connectTimeout and socketTimeout
// (milliseconds) become timeout and readTimeout/writeTimeout; characterEncoding=UTF-8
// becomes charset=utf8mb4. Connector/J-only tuning properties (useUnicode,
// serverTimezone, cachePrepStmts, ...) are dropped. Any other property is passed to
// the driver as a DSN parameter: go-sql-driver options (charset, collation, tls,
// timeout, ...) take effect, and an unknown name is set as a session variable when
// the driver connects.
//
// A full Connection.DSN is parsed and used with the same pinned settings.
func (MySQL) DSN(c Connection) (string, error) {
	var cfg *mysql.Config
	if c.DSN != "" {
		var err error
		if cfg, err = mysql.ParseDSN(c.DSN); err != nil {
			// The driver's message can quote a piece of the DSN, and so of the password.
			return "", errors.New("mysql: the DSN cannot be parsed; expected user:password@tcp(host:port)/dbname?param=value")
		}
	} else {
		params, err := mysqlParams(c.Properties)
		if err != nil {
			return "", err
		}
		// Parsing only the parameters lets the driver validate them (bad booleans,
		// durations, tls names) without the password in the text.
		if cfg, err = mysql.ParseDSN("/?" + params.Encode()); err != nil {
			return "", fmt.Errorf("mysql: invalid connection properties: %v", err)
		}
		cfg.User, cfg.Passwd, cfg.DBName = c.User, c.Password, c.Name
		host := c.Host
		if host == "" {
			host = "127.0.0.1"
		}
		if strings.HasPrefix(host, "/") {
			cfg.Net, cfg.Addr = "unix", host
		} else {
			port := c.Port
			if port == 0 {
				port = mysqlSpec.DefaultPort
			}
			cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(host, strconv.Itoa(port))
		}
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	for k := range cfg.Params {
		if strings.EqualFold(k, "time_zone") {
			delete(cfg.Params, k)
		}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	return cfg.FormatDSN(), nil
}

// mysqlParams maps Connection.Properties onto go-sql-driver DSN parameters.
func mysqlParams(props map[string]string) (url.Values, error) {
	v := url.Values{}
	for k, val := range props {
		if !mysqlIgnored[k] && !mysqlMapped[k] && !mysqlPinned[k] && !strings.EqualFold(k, "time_zone") {
			v.Set(k, val)
		}
	}
	get := func(k string) (string, bool) { s, ok := props[k]; return s, ok }
	if s, ok := get("allowMultiQueries"); ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("mysql: property allowMultiQueries: %q is not true or false", s)
		}
		v.Set("multiStatements", strconv.FormatBool(b))
	}
	verify := true
	if s, ok := get("verifyServerCertificate"); ok {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("mysql: property verifyServerCertificate: %q is not true or false", s)
		}
		verify = b
	}
	for _, k := range []string{"useSSL", "requireSSL"} {
		s, ok := get(k)
		if !ok {
			continue
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("mysql: property %s: %q is not true or false", k, s)
		}
		switch {
		case !b && k == "useSSL":
			v.Set("tls", "false")
		case b && verify:
			v.Set("tls", "true")
		case b:
			v.Set("tls", "skip-verify")
		}
	}
	if s, ok := get("sslMode"); ok {
		switch strings.ToUpper(s) {
		case "DISABLED":
			v.Set("tls", "false")
		case "PREFERRED":
			v.Set("tls", "preferred")
		case "REQUIRED":
			v.Set("tls", "skip-verify")
		case "VERIFY_CA", "VERIFY_IDENTITY":
			v.Set("tls", "true")
		default:
			return nil, fmt.Errorf("mysql: property sslMode: %q is not DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY", s)
		}
	}
	ms := func(k string, to ...string) error {
		s, ok := get(k)
		if !ok {
			return nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return fmt.Errorf("mysql: property %s: %q is not a number of milliseconds", k, s)
		}
		for _, t := range to {
			v.Set(t, (time.Duration(n) * time.Millisecond).String())
		}
		return nil
	}
	if err := ms("connectTimeout", "timeout"); err != nil {
		return nil, err
	}
	if err := ms("socketTimeout", "readTimeout", "writeTimeout"); err != nil {
		return nil, err
	}
	if s, ok := get("characterEncoding"); ok {
		switch strings.ToLower(strings.ReplaceAll(s, "-", "")) {
		case "utf8", "utf8mb4":
			v.Set("charset", "utf8mb4")
		case "iso88591", "latin1", "cp1252":
			v.Set("charset", "latin1")
		default:
			v.Set("charset", s)
		}
	}
	return v, nil
}

// Rewrite keeps "?" as it is (MySQL's own form). It skips '..' and ".." strings
// (backslash escapes and doubled quotes), `..` identifiers, "-- " and "#" line
// comments and /* */ comments. It assumes the default sql_mode: with ANSI_QUOTES a
// ".." is an identifier, which scans the same unless it holds a backslash, and with
// NO_BACKSLASH_ESCAPES a backslash does not escape (and Like's ESCAPE '\\' fails).
func (MySQL) Rewrite(sqlText string) (string, int, error) {
	return mysqlSyntax.rewrite(sqlText, MySQL{}.Placeholder)
}

func (MySQL) syntax() *syntax { return mysqlSyntax }

// Placeholder returns "?".
func (MySQL) Placeholder(n int) string { return mysqlSpec.Placeholder.Nth(n) }

// Quote returns `ident`, with embedded backticks doubled. Backticks work whatever
// the sql_mode, unlike double quotes.
func (MySQL) Quote(ident string) string { return quoteWith(ident, '`') }

// Call returns "CALL name(?, ...)" for procedures and functions alike (a MySQL
// function is called in a SELECT by the DBA's own statement, if ever). OUT
// parameters would need session variables and a second SELECT, and MySQL has no
// cursor parameters: both are rejected, since a procedure can return a result set
// instead.
func (MySQL) Call(name string, modes []ParamMode, _ Routine) (string, error) {
	if err := mysqlSyntax.checkName(name); err != nil {
		return "", err
	}
	if err := checkModes(mysqlSpec, modes); err != nil {
		return "", err
	}
	return "CALL " + name + "(" + placeholderList(MySQL{}, len(modes)) + ")", nil
}

// Query runs a statement and returns its rows. For a CALL they are the procedure's
// first result set; closing the rows discards any further result sets and the
// CALL's final status, so the connection is ready for the next statement.
func (MySQL) Query(ctx context.Context, q Querier, text string, args []Arg) (*sql.Rows, error) {
	a, err := inArgs(mysqlSpec, args)
	if err != nil {
		return nil, err
	}
	return q.QueryContext(ctx, text, a...)
}

// Exec runs a statement, or a CALL of a procedure, and discards any result set.
func (MySQL) Exec(ctx context.Context, q Querier, text string, args []Arg) (sql.Result, error) {
	a, err := inArgs(mysqlSpec, args)
	if err != nil {
		return nil, err
	}
	return q.ExecContext(ctx, text, a...)
}

// LastInsertID returns true: sql.Result.LastInsertId is the AUTO_INCREMENT value of
// the statement's first inserted row (not reliable after a CALL).
func (MySQL) LastInsertID() bool { return mysqlSpec.LastInsertID }

// MySQL and MariaDB error numbers that Classify knows.
var mysqlErrorKinds = map[uint16]ErrorKind{
	1062: UniqueViolation, // ER_DUP_ENTRY
	1586: UniqueViolation, // ER_DUP_ENTRY_WITH_KEY_NAME
	1022: UniqueViolation, // ER_DUP_KEY

	1451: ForeignKeyViolation, // ER_ROW_IS_REFERENCED_2
	1452: ForeignKeyViolation, // ER_NO_REFERENCED_ROW_2
	1216: ForeignKeyViolation, // ER_NO_REFERENCED_ROW
	1217: ForeignKeyViolation, // ER_ROW_IS_REFERENCED

	1048: NotNullViolation, // ER_BAD_NULL_ERROR
	1364: NotNullViolation, // ER_NO_DEFAULT_FOR_FIELD

	3819: CheckViolation, // MySQL ER_CHECK_CONSTRAINT_VIOLATED
	4025: CheckViolation, // MariaDB ER_CONSTRAINT_FAILED

	1264: InvalidValue, // ER_WARN_DATA_OUT_OF_RANGE
	1265: InvalidValue, // WARN_DATA_TRUNCATED
	1292: InvalidValue, // ER_TRUNCATED_WRONG_VALUE
	1366: InvalidValue, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
	1406: InvalidValue, // ER_DATA_TOO_LONG
	1690: InvalidValue, // ER_DATA_OUT_OF_RANGE
	1411: InvalidValue, // ER_WRONG_VALUE_FOR_TYPE (STR_TO_DATE and friends)

	1213: Conflict, // ER_LOCK_DEADLOCK
	1205: Conflict, // ER_LOCK_WAIT_TIMEOUT: the statement was rolled back; retry

	1317: Timeout, // ER_QUERY_INTERRUPTED (KILL QUERY)
	1969: Timeout, // MariaDB ER_STATEMENT_TIMEOUT (max_statement_time)
	3024: Timeout, // MySQL ER_QUERY_TIMEOUT (max_execution_time)

	1040: Unavailable, // ER_CON_COUNT_ERROR: too many connections
	1044: Unavailable, // ER_DBACCESS_DENIED_ERROR
	1045: Unavailable, // ER_ACCESS_DENIED_ERROR: wrong credentials, fix the config
	1053: Unavailable, // ER_SERVER_SHUTDOWN
	1927: Unavailable, // MariaDB ER_CONNECTION_KILLED
	2002: Unavailable, // CR_CONNECTION_ERROR
	2003: Unavailable, // CR_CONN_HOST_ERROR
	2006: Unavailable, // CR_SERVER_GONE_ERROR
	2013: Unavailable, // CR_SERVER_LOST
}

// Classify reads the number of a *mysql.MySQLError; the driver's own connection
// errors (mysql.ErrInvalidConn, a malformed packet) are Unavailable.
func (MySQL) Classify(err error) ErrorKind {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		if k, ok := mysqlErrorKinds[me.Number]; ok {
			return k
		}
	}
	if errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, mysql.ErrMalformPkt) {
		return Unavailable
	}
	return classifyCommon(err)
}

// DerivedTable returns "(inner) AS alias".
func (MySQL) DerivedTable(inner, alias string) string { return "(" + nested(inner) + ") AS " + alias }

// Fold returns expr unchanged: on MySQL and MariaDB the column's collation decides
// case sensitivity. The default _ci collations ignore case (and accents, and
// trailing spaces) in a plain "=", which keeps the column's index usable; wrapping
// the column in LOWER would turn Okta's userName lookup into a full table scan. A
// column declared with a _bin or _cs collation therefore compares exactly; declare
// userName and e-mail columns with a _ci collation (the default).
func (MySQL) Fold(expr string) string { return expr }

// Text returns CAST(CONVERT(expr USING utf8mb4) AS BINARY): the column's value as
// UTF-8 bytes, compared byte for byte with the bound string. So '010007' does not
// match the INT 10007, 'abc' does not match 'Abc' under a _ci collation, and 'abc '
// does not match 'abc' (binary strings have no PAD SPACE). CONVERT ... USING makes it
// independent of the connection's character set, which CAST(x AS CHAR) COLLATE
// utf8mb4_bin is not (error 1253 on a utf8mb3 or latin1 connection); checked on
// MariaDB 10.11.
func (MySQL) Text(expr string) string {
	return "CAST(CONVERT(" + expr + " USING utf8mb4) AS BINARY)"
}

// Like returns expr LIKE pattern ESCAPE '\\': in a MySQL string literal a backslash
// is itself escaped, so the SQL text holds two. It needs the default sql_mode
// (without NO_BACKSLASH_ESCAPES, under which MySQL reports error 1210). Whether LIKE
// ignores case follows the column's collation.
func (MySQL) Like(expr, pattern string) string {
	return expr + " LIKE " + pattern + ` ESCAPE '\\'`
}

// Limit returns "LIMIT limit OFFSET offset". An empty offset is left out; an empty
// limit becomes the largest unsigned BIGINT, which MySQL needs before OFFSET.
func (MySQL) Limit(limit, offset string) string {
	return limitOffset(limit, offset, "18446744073709551615")
}

// mysqlUserMessage recognises SIGNAL SQLSTATE '45000' (error 1644, ER_SIGNAL_EXCEPTION).
func mysqlUserMessage(err error) (string, bool) {
	var my *mysql.MySQLError
	if errors.As(err, &my) && (my.Number == 1644 || string(my.SQLState[:]) == "45000") {
		return my.Message, true
	}
	return "", false
}
