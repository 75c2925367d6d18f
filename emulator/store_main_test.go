package emulator

import (
	"os"
	"testing"

	"github.com/alma-sandbox/alma-sandbox/internal/pgtest"
)

// TestMain stops the PostgreSQL cluster the store tests started, if any.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}
