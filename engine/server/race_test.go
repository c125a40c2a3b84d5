//go:build race

package server_test

// raceDetector: the race detector multiplies a process's memory, so that bounds
// on RSS do not apply under it.
const raceDetector = true
