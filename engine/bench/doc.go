// Package bench holds dbscim's benchmarks and nothing else: its code is all in test
// files. Each benchmark serves a table through dbscim over loopback HTTP, as an
// identity provider reaches it, and measures in the same run the raw driver and the
// floor (a minimal net/http handler that checks the bearer token, runs the same
// prepared statement on a pooled connection and writes the same SCIM JSON with
// encoding/json), then reports dbscim's ratio to both. Run them with make bench;
// docs/benchmarks.md has the figures.
package bench
