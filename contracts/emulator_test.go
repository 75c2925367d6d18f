//go:build pact

package contracts

import (
	"testing"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// openEmulator starts a real emulator on 127.0.0.1:0 with the catalogue cat
// and returns its URL; it is closed when the test ends.
func openEmulator(t *testing.T, cat *scenarios.Catalog) string {
	s := emulatortest.MustOpen(t, func(s *emulator.Server) { s.Scenarios = cat })
	return s.URL()
}
