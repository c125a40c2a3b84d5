//go:build !race

package run

// raceEnabled is set when the tests run under the race detector.
const raceEnabled = false
