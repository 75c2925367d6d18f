package emulator

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSlowBacklogBounded: with the pool busy and the backlog full, a slow
// timer is dropped (its drop callback runs) and the runner goes on: a
// decision armed after it still fires.
func TestSlowBacklogBounded(t *testing.T) {
	t.Parallel()
	tm := newTimers(newClock(time.Now, false))
	release := make(chan struct{})
	var fired, dropped atomic.Int32
	due := time.Now().Add(-time.Second)
	const extra = 10
	for range maxAsyncFires + maxSlowBacklog + extra {
		tm.atSlow(due, "p", func(time.Time) { <-release; fired.Add(1) }, func(time.Time) { dropped.Add(1) })
	}
	decided := make(chan struct{})
	tm.at(due, "q", false, func(time.Time) { close(decided) })
	select {
	case <-decided:
	case <-time.After(5 * time.Second):
		t.Fatal("the runner is blocked behind the slow fires")
	}
	assert.GreaterOrEqual(t, dropped.Load(), int32(extra), "at most the pool and the backlog are held")
	close(release)
	require.Eventually(t, func() bool {
		return fired.Load()+dropped.Load() == maxAsyncFires+maxSlowBacklog+extra
	}, 5*time.Second, time.Millisecond, "every slow timer fired or was dropped")
	tm.close()
}
