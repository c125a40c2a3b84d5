//go:build race

package engine

// raceEnabled is set when the tests run under the race detector, which makes each
// request about ten times slower: tests that need many requests run fewer.
const raceEnabled = true
