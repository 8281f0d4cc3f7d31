//go:build race

package clients

// raceEnabled: go test -race builds the gateway with the race detector too.
const raceEnabled = true
