//go:build race

package gitcred

// raceEnabled makes TestT0303 build its helper with -race too.
const raceEnabled = true
