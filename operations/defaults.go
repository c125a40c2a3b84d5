package operations

import "time"

// The defaults Load applies when the file leaves a key out, each in one place and
// applied once, so that a loaded Config holds final values. A database's own
// defaults (its port) are in its dialect's Spec.
const (
	// Server section.
	DefaultListen         = "127.0.0.1:8443"
	DefaultDataDir        = "data" // relative to the config file's folder
	DefaultMaxBodyBytes   = 1 << 20
	DefaultRequestTimeout = 30 * time.Second // also each target's, unless it sets its own
	DefaultMaxResults     = 1000
	DefaultBodyTimeout    = 5 * time.Second
	// DefaultMaxPatchOperations is far above what Okta and Entra send: they put a
	// group's member changes in the value array of one or a few operations.
	DefaultMaxPatchOperations = 1000

	// Pool of each target's database. MaxIdle defaults to MaxOpen so that a steady
	// load does not churn connections.
	DefaultMaxOpen         = 10
	DefaultConnMaxLifetime = 30 * time.Minute
	// DefaultQueueFactor times max_open is the default max_queue.
	DefaultQueueFactor = 4
)
