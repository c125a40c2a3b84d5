package server

import "time"

// SetRecheckFailed changes how often the checks of a target that failed them run
// again, and returns a function that restores it, so that a test need not wait
// half a minute for a fixed database to be noticed.
func SetRecheckFailed(d time.Duration) (restore func()) {
	old := recheckFailed.Swap(int64(d))
	return func() { recheckFailed.Store(old) }
}
