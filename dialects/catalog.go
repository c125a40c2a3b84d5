package dialects

import (
	"context"
	"strings"
)

// Routine facts a catalog reports, for checking a configuration before traffic.
type RoutineInfo struct {
	// Params is the number of parameters of each routine of that name (several
	// for PostgreSQL overloads).
	Params []int
	// Kinds says, per entry of Params, whether it is a Procedure or a Function.
	Kinds []Routine
}

// Catalog is implemented by the dialects whose catalogs dbscim can read to check
// declared routine calls: that the routine exists, takes the declared number of
// parameters, and is a procedure or a function as the call form says.
type Catalog interface {
	// Routine reports what the catalog holds under a routine name as written in the
	// configuration (optionally schema-qualified). A routine that does not exist
	// gives an empty RoutineInfo and no error.
	Routine(ctx context.Context, q Querier, name string) (RoutineInfo, error)
}

// splitName splits "schema.routine" into its parts; schema is "" when absent.
func splitName(name string) (schema, routine string) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

// Routine reads information_schema, where a routine's name compares as the
// server's lower_case_table_names setting says.
func (MySQL) Routine(ctx context.Context, q Querier, name string) (RoutineInfo, error) {
	schema, routine := splitName(name)
	query := `SELECT r.ROUTINE_TYPE, (SELECT COUNT(*) FROM information_schema.PARAMETERS p
		WHERE p.SPECIFIC_SCHEMA = r.ROUTINE_SCHEMA AND p.SPECIFIC_NAME = r.SPECIFIC_NAME AND p.ORDINAL_POSITION > 0)
		FROM information_schema.ROUTINES r WHERE r.ROUTINE_SCHEMA = COALESCE(NULLIF(?, ''), DATABASE()) AND r.ROUTINE_NAME = ?`
	return readRoutines(ctx, q, query, schema, routine)
}

// Routine reads pg_proc. An unquoted name in a call folds to lower case, so the
// name is compared as PostgreSQL would resolve it; a schema-qualified name must
// match its schema, an unqualified one any schema on the search path.
func (Postgres) Routine(ctx context.Context, q Querier, name string) (RoutineInfo, error) {
	schema, routine := splitName(name)
	query := `SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, p.pronargs
		FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE p.proname = lower($2) AND (($1 = '' AND n.nspname = ANY (current_schemas(false))) OR n.nspname = lower($1))`
	return readRoutines(ctx, q, query, schema, routine)
}

func readRoutines(ctx context.Context, q Querier, query string, args ...any) (RoutineInfo, error) {
	var info RoutineInfo
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return info, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int
		if err := rows.Scan(&kind, &n); err != nil {
			return info, err
		}
		info.Params = append(info.Params, n)
		if strings.EqualFold(kind, "FUNCTION") {
			info.Kinds = append(info.Kinds, Function)
		} else {
			info.Kinds = append(info.Kinds, Procedure)
		}
	}
	return info, rows.Err()
}
