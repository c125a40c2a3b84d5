//go:build !windows

package main

import (
	"os"
	"syscall"
	"testing"
)

// sendSignal delivers sig to this process, as a service manager would.
func sendSignal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), sig); err != nil {
		t.Fatal(err)
	}
}
