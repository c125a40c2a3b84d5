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
	// Names are, per entry of Params, the parameters' names ("" where the
	// catalog does not say).
	Names []string
	// Types are, per entry of Params, the parameters' data types as the catalog
	// names them, comma-separated ("int, varchar"); "" where it does not say.
	Types []string
}

// Catalog is implemented by the dialects whose catalogs dbscim can read (those whose
// Spec has a RoutineQuery) to check declared routine calls: that the routine
// exists, takes the declared number of parameters of the types the bound
// columns hold, and is a procedure or a function as the call form says.
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

// Routine reads information_schema (Spec.RoutineQuery).
func (MySQL) Routine(ctx context.Context, q Querier, name string) (RoutineInfo, error) {
	return readRoutine(ctx, mysqlSpec, q, name)
}

// Routine reads pg_proc (Spec.RoutineQuery).
func (Postgres) Routine(ctx context.Context, q Querier, name string) (RoutineInfo, error) {
	return readRoutine(ctx, postgresSpec, q, name)
}

// Routine reads sys.objects and sys.parameters (Spec.RoutineQuery).
func (SQLServer) Routine(ctx context.Context, q Querier, name string) (RoutineInfo, error) {
	return readRoutine(ctx, sqlserverSpec, q, name)
}

// Routine reads ALL_OBJECTS and ALL_ARGUMENTS (Spec.RoutineQuery).
func (Oracle) Routine(ctx context.Context, q Querier, name string) (RoutineInfo, error) {
	return readRoutine(ctx, oracleSpec, q, name)
}

func readRoutines(ctx context.Context, q Querier, query string, args ...any) (RoutineInfo, error) {
	var info RoutineInfo
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return info, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, names, types string
		var n int
		if err := rows.Scan(&kind, &n, &names, &types); err != nil {
			return info, err
		}
		info.Params = append(info.Params, n)
		info.Names = append(info.Names, strings.TrimSpace(names))
		info.Types = append(info.Types, strings.TrimSpace(types))
		if strings.EqualFold(kind, "FUNCTION") {
			info.Kinds = append(info.Kinds, Function)
		} else {
			info.Kinds = append(info.Kinds, Procedure)
		}
	}
	return info, rows.Err()
}

// RoutineNames lists the routines of name's schema ("" for the current one), for
// suggestions; nil when the dialect cannot read them.
func RoutineNames(ctx context.Context, d Dialect, q Querier, name string) ([]string, error) {
	s := d.Spec()
	if s.RoutineNamesQuery == "" {
		return nil, nil
	}
	schema, _ := splitName(name)
	rows, err := q.QueryContext(ctx, s.RoutineNamesQuery, schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
