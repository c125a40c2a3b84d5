package dialects

import "testing"

func TestInsertRows(t *testing.T) {
	tests := []struct {
		d      Dialect
		params int
		want   int
	}{
		{SQLite{}, 2, 1000}, {MySQL{}, 3, 666}, {Postgres{}, 2, 1000},
		{SQLServer{}, 1, 1000}, {SQLServer{}, 4, 500}, {Oracle{}, 2, 0}, {Postgres{}, 0, 0},
	}
	for _, tt := range tests {
		if got := InsertRows(tt.d, tt.params); got != tt.want {
			t.Errorf("InsertRows(%s, %d) = %d, want %d", tt.d.Name(), tt.params, got, tt.want)
		}
	}
}

func TestSQLiteQuirks(t *testing.T) {
	var d Dialect = SQLite{}
	if _, ok := d.(TextTimes); !ok {
		t.Fatal("SQLite must normalise text times")
	}
	for _, other := range []Dialect{MySQL{}, Postgres{}, SQLServer{}, Oracle{}} {
		if _, ok := other.(CaseBlindLike); ok {
			t.Errorf("%s: LIKE respects case there; no extra check wanted", other.Name())
		}
	}
	n := 0
	lit := func() string { n++; return "?" }
	got := []string{
		SQLite{}.ExactSubstring("t.x", Contains, lit),
		SQLite{}.ExactSubstring("t.x", Prefix, lit),
		SQLite{}.ExactSubstring("t.x", Suffix, lit),
	}
	want := []string{"instr(t.x, ?) > 0", "substr(t.x, 1, length(?)) = ?", "substr(t.x, -length(?)) = ?"}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("ExactSubstring %d = %q, want %q", i, got[i], want[i])
		}
	}
	if n != 5 {
		t.Errorf("%d placeholders bound, want 5", n)
	}
	if got := (SQLite{}).Time("?"); got != "strftime('%Y-%m-%d %H:%M:%f', ?)" {
		t.Errorf("Time = %q", got)
	}
}
