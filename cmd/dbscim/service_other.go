//go:build !windows

package main

// runAsService reports that the process is not a Windows service.
func runAsService([]string) (int, bool) { return 0, false }
