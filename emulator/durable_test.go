package emulator

import (
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/internal/pgtest"
)

// TestTimerLeases: a due timer is claimed by one replica only; while its
// lease runs another replica cannot claim it; once the lease ran out (the
// replica died mid-fire) another takes it over; a fired timer is gone.
func TestTimerLeases(t *testing.T) {
	for name, spec := range map[string]func() string{
		"sqlite":   func() string { return "sqlite:" + filepath.Join(t.TempDir(), "alma.db") },
		"postgres": func() string { return pgtest.Database(t) },
	} {
		t.Run(name, func(t *testing.T) {
			url := spec()
			lookup := func(string) replay.Lookup { return scenarioView{&Server{}, nil} }
			open := func() *db {
				d, err := openDB(url, 10, 10, lookup, slog.New(slog.DiscardHandler))
				require.NoError(t, err)
				t.Cleanup(func() { _ = d.close() })
				return d
			}
			one, two := open(), open()
			now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
			one.arm(now, timerSpec{Kind: timerDecision, PID: "payment_11a", State: "scored_yes"})
			one.arm(now.Add(time.Hour), timerSpec{Kind: timerDecision, PID: "payment_11b", State: "scored_yes"})

			got, err := one.claim(now)
			require.NoError(t, err)
			require.Len(t, got, 1, "only what is due")
			assert.Equal(t, "payment_11a", got[0].spec.PID)
			again, err := two.claim(now)
			require.NoError(t, err)
			assert.Empty(t, again, "leased by the first replica")

			_, err = one.sql.Exec(one.q(`UPDATE alma_timers SET lease_until_ns = ? WHERE id = ?`), time.Now().Add(-time.Second).UnixNano(), got[0].id)
			require.NoError(t, err) // the first replica died: its lease runs out
			taken, err := two.claim(now)
			require.NoError(t, err)
			require.Len(t, taken, 1, "taken over")
			one.done(got[0])
			assert.Equal(t, 2, two.pending(nil), "the dead replica's done does not delete a timer it lost")
			two.done(taken[0])
			assert.Equal(t, 1, two.pending(nil))
		})
	}
}
