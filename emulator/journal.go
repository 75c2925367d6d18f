package emulator

import (
	"sync"
	"time"
)

// journalEntry is one request the emulator answered.
type journalEntry struct {
	At         int64   `json:"at"`
	Method     string  `json:"method"`
	Path       string  `json:"path"`
	Status     int     `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	PaymentID  string  `json:"payment_id,omitempty"`
	Scenario   string  `json:"scenario,omitempty"`
}

// journal is a bounded ring of the latest requests. It is safe for
// concurrent use; recording is one short lock and no allocation.
type journal struct {
	mu   sync.Mutex
	ring []journalEntry
	next int // where the next entry goes
	n    int
}

// newJournal returns a journal keeping the last max entries (at least 1).
func newJournal(max int) *journal {
	if max < 1 {
		max = 1
	}
	return &journal{ring: make([]journalEntry, max)}
}

// record appends an entry, overwriting the oldest when full.
func (j *journal) record(e journalEntry) {
	j.mu.Lock()
	j.ring[j.next] = e
	j.next = (j.next + 1) % len(j.ring)
	if j.n < len(j.ring) {
		j.n++
	}
	j.mu.Unlock()
}

// recent returns up to limit entries, newest first.
func (j *journal) recent(limit int) []journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	if limit <= 0 || limit > j.n {
		limit = j.n
	}
	out := make([]journalEntry, limit)
	for i := range limit {
		out[i] = j.ring[(j.next-1-i+2*len(j.ring))%len(j.ring)]
	}
	return out
}

// reset forgets every entry.
func (j *journal) reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	clear(j.ring)
	j.next, j.n = 0, 0
}

// durationMS is d in milliseconds with microsecond precision.
func durationMS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
