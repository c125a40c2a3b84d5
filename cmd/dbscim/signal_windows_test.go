package main

import (
	"syscall"
	"testing"
)

// sendSignal cannot deliver a POSIX signal on Windows, where the service
// control manager stops dbscim instead (service_windows.go).
func sendSignal(t *testing.T, _ syscall.Signal) {
	t.Skip("POSIX signals do not exist on Windows")
}
