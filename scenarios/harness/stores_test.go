package harness_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/emulator/emulatortest"
	"github.com/alma-sandbox/alma-sandbox/internal/pgtest"
	"github.com/alma-sandbox/alma-sandbox/scenarios/harness"
)

// TestMain stops the PostgreSQL cluster TestStatusPathsOnEachStore started.
func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.Stop()
	os.Exit(code)
}

// TestStatusPathsOnEachStore runs the whole status-path suite against an
// emulator on SQLite and on PostgreSQL (TestStatusPaths runs it on
// memory): every row is produced the same way on every store.
func TestStatusPathsOnEachStore(t *testing.T) {
	for name, store := range map[string]func() string{
		"sqlite":   func() string { return "sqlite:" + filepath.Join(t.TempDir(), "alma.db") },
		"postgres": func() string { return pgtest.Database(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			emu := emulatortest.MustOpen(t, func(s *emulator.Server) { s.Store = store() })
			rep := harness.Run(context.Background(), harness.Config{URL: emu.URL()})
			var failed []string
			for _, r := range rep.Results {
				if !r.Passed {
					failed = append(failed, harness.ProgressLine(r))
				}
			}
			require.True(t, rep.OK(), "status paths failed on %s:\n%v", name, failed)
			require.Len(t, rep.Rows, len(connector.Statuses()))
			for _, rr := range rep.Rows {
				assert.True(t, rr.Passed, "row %d %s", rr.Row.N, rr.Row.PSPStatus)
			}
		})
	}
}
