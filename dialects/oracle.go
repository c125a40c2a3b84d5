package dialects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	go_ora "github.com/sijms/go-ora/v2"
	"github.com/sijms/go-ora/v2/network"
)

// Oracle is Oracle Database 12c and later, through github.com/sijms/go-ora/v2 (pure
// Go, no Instant Client).
type Oracle struct{}

var oracleSyntax = &syntax{
	spans: []spanRule{
		quoted('\'', '\'', false, true, "string literal"),
		quoted('"', '"', false, true, `"quoted identifier"`),
		lineComment("--", false),
		blockComment(false),
	},
	prefixes: map[string]spanRule{
		"q":  oracleQuoted, // q'[...]', q'{...}', q'!...!'
		"nq": oracleQuoted,
	},
	identQuotes: []spanRule{quoted('"', '"', false, true, `"quoted identifier"`)},
	identChar:   func(c byte) bool { return isWordStart(c) || c == '$' || c == '#' },
	// :1 is bound by position; :name binds would be bound by position too, in an
	// order that is easy to get wrong, so they are refused. ":=" is not a bind.
	native: anyNative(numbered(":", oracleSpec.MaxParams), namedUnsupported(":")),
}

// oracleQuoted is the alternative quoting q'X...X' at src[i] == '\”, where X is any
// character and [ ( { < close with ] ) } >.
func oracleQuoted(src string, i int) (int, bool, string) {
	if src[i] != '\'' || i+1 >= len(src) {
		return 0, false, ""
	}
	closing := src[i+1]
	switch closing {
	case '[':
		closing = ']'
	case '(':
		closing = ')'
	case '{':
		closing = '}'
	case '<':
		closing = '>'
	}
	if k := strings.Index(src[i+2:], string(closing)+"'"); k >= 0 {
		return i + 2 + k + 2, true, ""
	}
	return 0, false, "unterminated q'' string literal"
}

// oracleSpec are Oracle's facts.
var oracleSpec = Spec{
	Name:        "oracle",
	Driver:      "oracle", // the name go-ora registers
	Networked:   true,
	DefaultPort: 1521,
	Required: []Requirement{
		{Key: "service", Or: []string{"sid", "name"}, Hint: "or sid: the Oracle service name or SID to connect to"},
		{Key: "host"}, {Key: "user"},
	},
	Exclusive:    []string{"service", "sid"},
	Forbidden:    []string{"instance"},
	Placeholder:  Placeholders{Sigil: ":", Numbered: true},
	MaxParams:    65535,
	Routines:     true,
	OutParams:    true,
	CursorParams: true, // one SYS_REFCURSOR
	// No multi-row VALUES: INSERT ALL would be needed.
	MultiRowInsert: false,
	UserErrors:     "`RAISE_APPLICATION_ERROR(-20001, '…')` (ORA-20000 to ORA-20999)",
	UserMessage:    oracleUserMessage,
	ColumnsQuery: `SELECT c.COLUMN_NAME, c.DATA_TYPE, CASE c.NULLABLE WHEN 'Y' THEN 'YES' ELSE 'NO' END,
		NVL((SELECT MIN(CASE k.CONSTRAINT_TYPE WHEN 'P' THEN 'P' ELSE 'U' END)
		     FROM ALL_CONSTRAINTS k JOIN ALL_CONS_COLUMNS cc ON cc.OWNER = k.OWNER AND cc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
		     WHERE k.OWNER = c.OWNER AND k.TABLE_NAME = c.TABLE_NAME AND cc.COLUMN_NAME = c.COLUMN_NAME
		       AND k.CONSTRAINT_TYPE IN ('P', 'U')
		       AND (SELECT COUNT(*) FROM ALL_CONS_COLUMNS c2 WHERE c2.OWNER = k.OWNER AND c2.CONSTRAINT_NAME = k.CONSTRAINT_NAME) = 1), ' ')
		FROM ALL_TAB_COLUMNS c
		WHERE c.OWNER = NVL(UPPER(:1), USER) AND c.TABLE_NAME = UPPER(:2)
		ORDER BY c.COLUMN_ID`,
	ColumnsArgs: "st",
	RoutineQuery: `SELECT o.OBJECT_TYPE,
		(SELECT COUNT(*) FROM ALL_ARGUMENTS a WHERE a.OWNER = o.OWNER AND a.OBJECT_NAME = o.OBJECT_NAME AND a.PACKAGE_NAME IS NULL
		   AND a.DATA_LEVEL = 0 AND a.POSITION > 0),
		NVL((SELECT LISTAGG(a.ARGUMENT_NAME, ', ') WITHIN GROUP (ORDER BY a.POSITION) FROM ALL_ARGUMENTS a
		   WHERE a.OWNER = o.OWNER AND a.OBJECT_NAME = o.OBJECT_NAME AND a.PACKAGE_NAME IS NULL AND a.DATA_LEVEL = 0 AND a.POSITION > 0), ' '),
		NVL((SELECT LISTAGG(a.DATA_TYPE, ', ') WITHIN GROUP (ORDER BY a.POSITION) FROM ALL_ARGUMENTS a
		   WHERE a.OWNER = o.OWNER AND a.OBJECT_NAME = o.OBJECT_NAME AND a.PACKAGE_NAME IS NULL AND a.DATA_LEVEL = 0 AND a.POSITION > 0), ' ')
		FROM ALL_OBJECTS o
		WHERE o.OBJECT_TYPE IN ('PROCEDURE', 'FUNCTION') AND o.OWNER = NVL(UPPER(:1), USER) AND o.OBJECT_NAME = UPPER(:2)`,
	RoutineNamesQuery: `SELECT OBJECT_NAME FROM ALL_OBJECTS WHERE OBJECT_TYPE IN ('PROCEDURE', 'FUNCTION') AND OWNER = NVL(UPPER(:1), USER)`,
	TablesQuery: `SELECT OBJECT_NAME, CASE OBJECT_TYPE WHEN 'VIEW' THEN 'V' ELSE 'T' END
		FROM ALL_OBJECTS WHERE OBJECT_TYPE IN ('TABLE', 'VIEW') AND OWNER = NVL(UPPER(:1), USER)`,
	// Text columns compare letter case (unless the session's NLS_COMP is
	// linguistic, which dbscim does not assume); a function-based index over
	// LOWER() or UPPER() is recognised from its expression.
	IndexesQuery: `SELECT ic.INDEX_NAME, ic.COLUMN_NAME, e.COLUMN_EXPRESSION,
		CASE WHEN tc.DATA_TYPE IS NULL OR tc.DATA_TYPE IN ('CHAR', 'NCHAR', 'VARCHAR2', 'NVARCHAR2', 'CLOB', 'NCLOB') THEN 'N' ELSE 'Y' END,
		CASE WHEN EXISTS (SELECT 1 FROM ALL_CONSTRAINTS k WHERE k.OWNER = i.TABLE_OWNER AND k.TABLE_NAME = i.TABLE_NAME
		                  AND k.INDEX_NAME = i.INDEX_NAME AND k.CONSTRAINT_TYPE = 'P') THEN 'Y' ELSE 'N' END
		FROM ALL_INDEXES i
		JOIN ALL_IND_COLUMNS ic ON ic.INDEX_OWNER = i.OWNER AND ic.INDEX_NAME = i.INDEX_NAME
		LEFT JOIN ALL_IND_EXPRESSIONS e ON e.INDEX_OWNER = ic.INDEX_OWNER AND e.INDEX_NAME = ic.INDEX_NAME AND e.COLUMN_POSITION = ic.COLUMN_POSITION
		LEFT JOIN ALL_TAB_COLUMNS tc ON tc.OWNER = i.TABLE_OWNER AND tc.TABLE_NAME = i.TABLE_NAME AND tc.COLUMN_NAME = ic.COLUMN_NAME
		WHERE i.UNIQUENESS = 'UNIQUE' AND i.TABLE_OWNER = NVL(UPPER(:1), USER) AND i.TABLE_NAME = UPPER(:2)
		ORDER BY ic.INDEX_NAME, ic.COLUMN_POSITION`,
	IndexesArgs:    "st",
	CaseBlindIndex: "CREATE UNIQUE INDEX %[3]s ON %[1]s (LOWER(%[2]s))",
	// R_CONSTRAINT_NAME is the referenced key; its columns pair by POSITION.
	ForeignKeysQuery: `SELECT c.CONSTRAINT_NAME, cc.COLUMN_NAME, rc.TABLE_NAME, rcc.COLUMN_NAME
		FROM ALL_CONSTRAINTS c
		JOIN ALL_CONS_COLUMNS cc ON cc.OWNER = c.OWNER AND cc.CONSTRAINT_NAME = c.CONSTRAINT_NAME
		JOIN ALL_CONSTRAINTS rc ON rc.OWNER = c.R_OWNER AND rc.CONSTRAINT_NAME = c.R_CONSTRAINT_NAME
		JOIN ALL_CONS_COLUMNS rcc ON rcc.OWNER = rc.OWNER AND rcc.CONSTRAINT_NAME = rc.CONSTRAINT_NAME AND rcc.POSITION = cc.POSITION
		WHERE c.CONSTRAINT_TYPE = 'R' AND c.OWNER = NVL(UPPER(:1), USER) AND c.TABLE_NAME = UPPER(:2)
		ORDER BY c.CONSTRAINT_NAME, cc.POSITION`,
	ForeignKeysArgs: "st",
}

// Spec returns Oracle's facts.
func (Oracle) Spec() Spec { return oracleSpec }

// Name returns "oracle".
func (Oracle) Name() string { return oracleSpec.Name }

// Driver returns "oracle", the name go-ora registers.
func (Oracle) Driver() string { return oracleSpec.Driver }

// DSN builds an oracle:// URL with net/url: oracle://user:password@host:port/service,
// with Service (or Name when Service is empty) as the service name, or SID=... when
// SID is set. Properties are go-ora URL options (SSL, "SSL VERIFY", TIMEOUT, PREFETCH_ROWS,
// ...). There is no session time zone to pin through go-ora's URL: bound times are
// converted to UTC, so DATE and TIMESTAMP columns hold UTC. A full Connection.DSN is
// used as given.
func (Oracle) DSN(c Connection) (string, error) {
	if c.DSN != "" {
		return c.DSN, nil
	}
	host := c.Host
	if host == "" {
		host = "127.0.0.1"
	}
	port := c.Port
	if port == 0 {
		port = oracleSpec.DefaultPort
	}
	q := url.Values{}
	for k, v := range c.Properties {
		q.Set(k, v)
	}
	service := c.Service
	if service == "" {
		service = c.Name
	}
	if c.SID != "" {
		q.Set("SID", c.SID)
		service = ""
	}
	if service == "" && c.SID == "" {
		return "", errors.New("oracle: a service name (service, or name) or a SID is required")
	}
	u := url.URL{Scheme: "oracle", Host: net.JoinHostPort(host, strconv.Itoa(port)),
		Path: "/" + service, RawQuery: q.Encode()}
	if c.User != "" || c.Password != "" {
		u.User = url.UserPassword(c.User, c.Password)
	}
	return u.String(), nil
}

// Rewrite turns each "?" into :1, :2, ... in order, and accepts native :n. It skips
// '..' strings (doubled quotes), q'[..]' strings, ".." identifiers, -- and /* */
// comments. Named binds (:name) are refused.
func (Oracle) Rewrite(sqlText string) (string, int, error) {
	return oracleSyntax.rewrite(sqlText, Oracle{}.Placeholder)
}

func (Oracle) syntax() *syntax { return oracleSyntax }

// Placeholder returns ":n".
func (Oracle) Placeholder(n int) string { return oracleSpec.Placeholder.Nth(n) }

// Quote returns "ident", with embedded double quotes doubled. A quoted identifier is
// case-sensitive: unquoted names are stored in upper case.
func (Oracle) Quote(ident string) string { return quoteWith(ident, '"') }

// Call returns the anonymous block "BEGIN name(:1, :2); END;" for a Procedure, and
// "BEGIN :1 := name(:2, ...); END;" for a Function, whose first parameter is then the
// return value (Out, or Cursor for a SYS_REFCURSOR). Out and Cursor parameters may be
// anywhere in a procedure's list.
func (Oracle) Call(name string, modes []ParamMode, routine Routine) (string, error) {
	if err := oracleSyntax.checkName(name); err != nil {
		return "", err
	}
	for i, m := range modes {
		if m != In && m != Out && m != Cursor {
			return "", fmt.Errorf("parameter %d: unknown parameter mode %d", i+1, m)
		}
	}
	if routine == Function {
		if len(modes) == 0 || modes[0] == In {
			return "", errors.New("an oracle function call binds its return value as the first parameter: make it Out, or Cursor for a SYS_REFCURSOR")
		}
		return "BEGIN :1 := " + name + oracleArgList(2, len(modes)) + "; END;", nil
	}
	return "BEGIN " + name + oracleArgList(1, len(modes)) + "; END;", nil
}

// oracleArgList writes "(:from, ..., :to)", or nothing for no arguments.
func oracleArgList(from, to int) string {
	if from > to {
		return ""
	}
	var b strings.Builder
	b.WriteByte('(')
	for n := from; n <= to; n++ {
		if n > from {
			b.WriteString(", ")
		}
		b.WriteString(Oracle{}.Placeholder(n))
	}
	b.WriteByte(')')
	return b.String()
}

// oracleArgs binds In values, sql.Out{Dest} for Out parameters and
// sql.Out{Dest: *go_ora.RefCursor} for Cursor parameters, whose cursors it returns.
func oracleArgs(args []Arg) ([]any, []*go_ora.RefCursor, error) {
	out := make([]any, len(args))
	var cursors []*go_ora.RefCursor
	for i, a := range args {
		switch a.Mode {
		case In:
			out[i] = inValue(a.Value)
		case Out:
			if a.Dest == nil {
				return nil, nil, fmt.Errorf("parameter %d: an OUT parameter needs a Dest", i+1)
			}
			out[i] = sql.Out{Dest: a.Dest}
		case Cursor:
			c := &go_ora.RefCursor{}
			cursors = append(cursors, c)
			out[i] = sql.Out{Dest: c}
		default:
			return nil, nil, fmt.Errorf("parameter %d: unknown parameter mode %d", i+1, a.Mode)
		}
	}
	return out, cursors, nil
}

// Query runs a statement and returns its rows. With a Cursor parameter it executes
// the block, then returns the cursor's rows through go-ora's WrapRefCursor. A cursor
// lives in the session that opened it, so q must then be a *sql.Tx or *sql.Conn,
// not a pool (*sql.DB). Only one Cursor parameter can be read; Out parameters are
// written to their Dest.
func (Oracle) Query(ctx context.Context, q Querier, text string, args []Arg) (*sql.Rows, error) {
	bound, cursors, err := oracleArgs(args)
	if err != nil {
		return nil, err
	}
	if len(cursors) == 0 {
		return q.QueryContext(ctx, text, bound...)
	}
	if len(cursors) > 1 {
		return nil, unsupported("oracle: a call can return one cursor; use one Cursor parameter")
	}
	if err := oracleCursorQuerier(q); err != nil {
		return nil, err
	}
	if _, err := q.ExecContext(ctx, text, bound...); err != nil {
		return nil, err
	}
	return go_ora.WrapRefCursor(ctx, q, cursors[0])
}

// Exec runs a statement (an anonymous block for a call) and writes Out parameters to
// their Dest. Cursors returned by Cursor parameters are closed unread; as in Query, q
// must then be a *sql.Tx or *sql.Conn.
func (Oracle) Exec(ctx context.Context, q Querier, text string, args []Arg) (sql.Result, error) {
	bound, cursors, err := oracleArgs(args)
	if err != nil {
		return nil, err
	}
	if len(cursors) > 0 {
		if err := oracleCursorQuerier(q); err != nil {
			return nil, err
		}
	}
	res, err := q.ExecContext(ctx, text, bound...)
	if err != nil {
		return nil, err
	}
	for _, c := range cursors {
		_ = c.Close()
	}
	return res, nil
}

// oracleCursorQuerier refuses a pool for statements with cursor parameters: a cursor
// lives in the session that opened it, and reading or closing it after the pool has
// handed that session to another goroutine would race.
func oracleCursorQuerier(q Querier) error {
	if _, ok := q.(*sql.DB); ok {
		return errors.New("oracle: a statement with a cursor parameter needs a transaction or a single connection (*sql.Tx or *sql.Conn), not a pool")
	}
	return nil
}

// LastInsertID returns false: use RETURNING id INTO with an Out parameter.
func (Oracle) LastInsertID() bool { return oracleSpec.LastInsertID }

// Oracle error numbers (ORA-nnnnn) that Classify knows.
var oracleErrorKinds = map[int]ErrorKind{
	1:     UniqueViolation,     // ORA-00001 unique constraint violated
	2291:  ForeignKeyViolation, // parent key not found
	2292:  ForeignKeyViolation, // child record found
	1400:  NotNullViolation,    // cannot insert NULL
	1407:  NotNullViolation,    // cannot update to NULL
	2290:  CheckViolation,
	1722:  InvalidValue, // invalid number
	1438:  InvalidValue, // value larger than specified precision
	12899: InvalidValue, // value too large for column
	1861:  InvalidValue, // literal does not match format string
	1840:  InvalidValue, // input value not long enough for date format
	1841:  InvalidValue, // year out of range
	1843:  InvalidValue, // not a valid month
	1847:  InvalidValue, // day of month out of range
	1858:  InvalidValue, // non-numeric character where numeric expected
	6502:  InvalidValue, // PL/SQL numeric or value error
	60:    Conflict,     // deadlock detected
	8177:  Conflict,     // cannot serialize access
	54:    Conflict,     // resource busy (NOWAIT)
	1013:  Timeout,      // user requested cancel (call timeout)
	3113:  Unavailable,  // end-of-file on communication channel
	3114:  Unavailable,  // not connected
	3135:  Unavailable,  // connection lost contact
	12541: Unavailable,  // no listener
	12514: Unavailable,  // service not known to the listener
	12505: Unavailable,  // SID not known to the listener
	12170: Unavailable,  // connect timeout
	12537: Unavailable,  // connection closed
	12547: Unavailable,  // lost contact
	12528: Unavailable,  // instance blocking new connections
	1033:  Unavailable,  // initialization or shutdown in progress
	1034:  Unavailable,  // Oracle not available
	1089:  Unavailable,  // immediate shutdown in progress
	1017:  Unavailable,  // invalid username/password: fix the configuration
	28000: Unavailable,  // account locked
}

// Classify reads the ORA- number of a *network.OracleError.
func (Oracle) Classify(err error) ErrorKind {
	var oe *network.OracleError
	if errors.As(err, &oe) && oe != nil {
		if k, ok := oracleErrorKinds[oe.ErrCode]; ok {
			return k
		}
	}
	return classifyCommon(err)
}

// DerivedTable returns "(inner) alias": Oracle does not accept AS before a table alias.
func (Oracle) DerivedTable(inner, alias string) string { return "(" + nested(inner) + ") " + alias }

// Fold returns LOWER(expr).
func (Oracle) Fold(expr string) string { return "LOWER(" + expr + ")" }

// Text returns CAST(expr AS VARCHAR2(4000)). Oracle compares VARCHAR2 values byte
// for byte unless the session sets NLS_COMP=LINGUISTIC.
func (Oracle) Text(expr string) string { return "CAST(" + expr + " AS VARCHAR2(4000))" }

// Like returns expr LIKE pattern ESCAPE '\' (Oracle strings have no backslash escapes).
func (Oracle) Like(expr, pattern string) string {
	return expr + " LIKE " + pattern + ` ESCAPE '\'`
}

// Limit returns "OFFSET offset ROWS FETCH NEXT limit ROWS ONLY" (Oracle 12c and later).
func (Oracle) Limit(limit, offset string) string { return offsetFetch(limit, offset) }

// oracleUserMessage recognises RAISE_APPLICATION_ERROR (ORA-20000 to ORA-20999).
func oracleUserMessage(err error) (string, bool) {
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
