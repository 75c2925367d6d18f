// Package emulatortest starts real emulators for tests: on 127.0.0.1:0,
// with a fixed seed, closed when the test ends.
package emulatortest

import (
	"testing"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// Seed is the seed of every emulator MustOpen starts unless an option
// changes it, so ids and generated data are the same from run to run.
const Seed = 42

// MustOpen starts an emulator on 127.0.0.1:0 with Seed, applies opts to it
// before Open (set fields such as Scenarios, IPNDelay, Now), and closes it
// with tb.Cleanup. Its IPNs go to loopback addresses only (LoopbackOnly).
// It fails the test if the server cannot start.
func MustOpen(tb testing.TB, opts ...func(*emulator.Server)) *emulator.Server {
	tb.Helper()
	s := emulator.NewServer()
	s.Addr = "127.0.0.1:0"
	s.Seed = Seed
	s.IPNDelay = 0
	s.IPNRetryBase = 10 * time.Millisecond
	s.HTTPClient = LoopbackOnly()
	for _, opt := range opts {
		opt(s)
	}
	if err := s.Open(); err != nil {
		tb.Fatalf("emulatortest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("emulatortest: close: %v", err)
		}
	})
	return s
}
