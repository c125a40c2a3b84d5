package fault

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	cause := context.DeadlineExceeded
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"plain error", errors.New("boom"), Internal},
		{"engine error", New(NotFound, "User %q not found", "7"), NotFound},
		{"wrapped engine error", fmt.Errorf("target a: %w", New(Uniqueness, "taken")), Uniqueness},
		{"with cause", Wrap(Timeout, cause, "get: the database did not answer in time"), Timeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf = %v, want %v", got, tt.want)
			}
			if tt.want != Internal && !Is(tt.err, tt.want) {
				t.Errorf("Is(%v) = false", tt.want)
			}
		})
	}
}

func TestCauseStaysBehindDetail(t *testing.T) {
	cause := errors.New("Duplicate entry 'alice' for key 'users.username'")
	e := Wrap(Uniqueness, cause, "create: a resource with the same unique value already exists")
	if e.Detail != "create: a resource with the same unique value already exists" {
		t.Errorf("Detail = %q", e.Detail)
	}
	if !errors.Is(e, cause) {
		t.Error("the cause is not reachable with errors.Is")
	}
	if !errors.Is(Wrap(Timeout, context.DeadlineExceeded, "x"), context.DeadlineExceeded) {
		t.Error("context.DeadlineExceeded is not reachable through an *Error")
	}
}

func TestKindNames(t *testing.T) {
	for k := Internal; k <= Misconfigured; k++ {
		if s := k.String(); s == "" || s[0] == 'k' {
			t.Errorf("kind %d has no name: %q", int(k), s)
		}
	}
}

func TestInterrupted(t *testing.T) {
	if err := Interrupted(context.Background()); err != nil {
		t.Fatalf("a live context: %v", err)
	}
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-expired.Done()
	if err := Interrupted(expired); !Is(err, Timeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("an expired context: %v, want Timeout wrapping DeadlineExceeded", err)
	}
	canceled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := Interrupted(canceled); !Is(err, Canceled) {
		t.Errorf("a canceled context: %v, want Canceled", err)
	}
}
