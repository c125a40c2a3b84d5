//go:build race

package run

// raceEnabled is set when the tests run under the race detector, which makes each
// request about ten times slower: tests that need many requests run fewer.
const raceEnabled = true
