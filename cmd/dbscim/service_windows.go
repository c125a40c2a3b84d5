//go:build windows

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/windows/svc"
)

// runAsService runs the command line under the Windows service control manager
// when the SCM started this process (see docs/windows.md), and reports false
// otherwise: from a console dbscim runs as everywhere else.
//
// As a service, standard output and error go to %ProgramData%\dbscim\dbscim.log
// (a service has no console), and the SCM's Stop and Shutdown requests stop serve
// as SIGTERM does elsewhere: requests in flight are answered, then it exits.
func runAsService(args []string) (int, bool) {
	isService, err := svc.IsWindowsService()
	if err != nil || !isService {
		return 0, false
	}
	h := &service{args: args}
	if err := svc.Run("dbscim", h); err != nil {
		return 1, true
	}
	return h.code, true
}

type service struct {
	args []string
	code int
}

// serviceLog opens the log file a service writes to, or discards the output when
// it cannot be opened.
func serviceLog() io.Writer {
	dir := filepath.Join(os.Getenv("ProgramData"), "dbscim")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return io.Discard
	}
	f, err := os.OpenFile(filepath.Join(dir, "dbscim.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return io.Discard
	}
	return f
}

func (s *service) Execute(_ []string, requests <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	status <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopContext = ctx
	out := serviceLog()
	done := make(chan int, 1)
	go func() { done <- run(s.args, out, out) }()
	status <- svc.Status{State: svc.Running, Accepts: svc.AcceptStop | svc.AcceptShutdown}
	for {
		select {
		case s.code = <-done:
			if s.code != 0 {
				fmt.Fprintf(out, "dbscim: exit status %d\n", s.code)
				return true, uint32(s.code) // a service-specific exit code
			}
			return false, 0
		case r := <-requests:
			switch r.Cmd {
			case svc.Interrogate:
				status <- r.CurrentStatus
			case svc.Stop, svc.Shutdown:
				// The drain takes up to the longest request_timeout + 5 s.
				status <- svc.Status{State: svc.StopPending, WaitHint: uint32((40 * time.Second).Milliseconds())}
				cancel()
			}
		}
	}
}
