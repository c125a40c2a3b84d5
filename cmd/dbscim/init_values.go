package main

import (
	"strconv"
	"strings"
)

// Status codes that read as an active or an inactive account. A code in
// neither list (L for "on leave" or "locked", P for "pending") is not guessed:
// init lists it for the DBA and leaves it out of the value map.
var (
	activeCodes = map[string]bool{"A": true, "ACT": true, "ACTIVE": true, "Y": true, "YES": true, "1": true,
		"E": true, "EN": true, "ENABLED": true, "TRUE": true, "ON": true, "OPEN": true, "VALID": true, "CURRENT": true}
	inactiveCodes = map[string]bool{"T": true, "TERM": true, "TERMINATED": true, "I": true, "INACT": true, "INACTIVE": true,
		"N": true, "NO": true, "0": true, "D": true, "DIS": true, "DISABLED": true, "DEL": true, "DELETED": true,
		"S": true, "SUSP": true, "SUSPENDED": true, "X": true, "FALSE": true, "OFF": true, "CLOSED": true, "EXPIRED": true,
		"LOCKED": true}
)

// statusProposal is init's reading of a status column's sampled values.
type statusProposal struct {
	yes, no, unknown []string
}

// proposeStatus sorts sampled status values into those read as active, those
// read as inactive and those it cannot tell. T is "terminated" unless the
// column holds only T and F, where it is "true".
func proposeStatus(values []string) statusProposal {
	var p statusProposal
	onlyTF := len(values) > 0
	for _, v := range values {
		u := strings.ToUpper(strings.TrimSpace(v))
		onlyTF = onlyTF && (u == "T" || u == "F")
	}
	for _, v := range values {
		u := strings.ToUpper(strings.TrimSpace(v))
		switch {
		case onlyTF && u == "T":
			p.yes = append(p.yes, v)
		case onlyTF && u == "F":
			p.no = append(p.no, v)
		case activeCodes[u]:
			p.yes = append(p.yes, v)
		case inactiveCodes[u]:
			p.no = append(p.no, v)
		default:
			p.unknown = append(p.unknown, v)
		}
	}
	return p
}

// ok says whether the proposal can be written: a value map needs both sides.
func (s statusProposal) ok() bool { return len(s.yes) > 0 && len(s.no) > 0 }

// yamlList writes values as a YAML flow list: quoted strings, so that codes
// such as Y, N, 1 or on stay strings, or for an integer column numbers, so that
// the driver binds an integer.
func yamlList(values []string, numeric bool) string {
	q := make([]string, len(values))
	for i, v := range values {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil && numeric {
			q[i] = v
		} else {
			q[i] = yamlString(v)
		}
	}
	return "[" + strings.Join(q, ", ") + "]"
}
