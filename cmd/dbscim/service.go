package main

import "context"

// stopContext is the context serve stops on besides SIGINT and SIGTERM: the
// Windows service control manager's stop request (service_windows.go), and never
// elsewhere.
var stopContext = context.Background()
