package resource

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// naiveMembers is the meaning of MemberChange spelt out: the member list after
// each operation, in order.
type naiveMembers struct{ list []string }

func (n *naiveMembers) add(ids []string) {
	for _, id := range ids {
		if !slices.Contains(n.list, id) {
			n.list = append(n.list, id)
		}
	}
}

func (n *naiveMembers) remove(ids []string) {
	n.list = slices.DeleteFunc(n.list, func(x string) bool { return slices.Contains(ids, x) })
}

func (n *naiveMembers) replace(ids []string) { n.list = nil; n.add(ids) }

// TestMemberChangeReduces checks the reduced change against the operations applied
// one by one, for lists on both sides of the size where the Record methods switch
// from scans to sets.
func TestMemberChangeReduces(t *testing.T) {
	rnd := rand.New(rand.NewSource(14))
	ids := func(n, space int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("u%d", rnd.Intn(space))
		}
		return out
	}
	for round := 0; round < 300; round++ {
		space := []int{4, 20, 200}[round%3]
		current := ids(rnd.Intn(space), space)
		slices.Sort(current)
		current = slices.Compact(current)
		model := &naiveMembers{list: slices.Clone(current)}
		var m MemberChange
		var log []string
		for op := 0; op < 1+rnd.Intn(6); op++ {
			given := ids(rnd.Intn(2*smallSet+2), space)
			switch rnd.Intn(3) {
			case 0:
				m.RecordAdd(given)
				model.add(given)
				log = append(log, fmt.Sprintf("add %v", given))
			case 1:
				m.RecordRemove(given)
				model.remove(given)
				log = append(log, fmt.Sprintf("remove %v", given))
			default:
				m.RecordReplace(given)
				model.replace(given)
				log = append(log, fmt.Sprintf("replace %v", given))
			}
		}
		got := m.Result(current)
		want := model.list
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("from %v after %v: %v, want %v", current, log, got, want)
		}
		for _, a := range m.Add {
			if slices.Contains(m.Remove, a) {
				t.Fatalf("after %v: %s both added and removed", log, a)
			}
		}
		if len(slices.Compact(slices.Sorted(slices.Values(m.Add)))) != len(m.Add) {
			t.Fatalf("after %v: Add holds duplicates: %v", log, m.Add)
		}
	}
}

// TestMemberChangeLarge reduces a group push of 100,000 members, then the removal of
// every other one: done in linear time (a scan per id would take minutes), with
// the members in the order they were sent.
func TestMemberChangeLarge(t *testing.T) {
	const n = 100_000
	add := make([]string, n)
	for i := range add {
		add[i] = fmt.Sprintf("member-%06d", i)
	}
	var m MemberChange
	m.RecordAdd(add)
	m.RecordAdd(add[:n/2]) // sent twice: no duplicates
	var odd []string
	for i := 1; i < n; i += 2 {
		odd = append(odd, add[i])
	}
	m.RecordRemove(odd)
	got := m.Result([]string{"member-000001", "kept"})
	if len(got) != n/2+1 || got[0] != "kept" || got[1] != "member-000000" || got[len(got)-1] != add[n-2] {
		t.Fatalf("%d members, starting %v, ending %s", len(got), got[:2], got[len(got)-1])
	}
}
