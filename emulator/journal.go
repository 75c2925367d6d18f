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
	Warning    string  `json:"warning,omitempty"`
	// Request and Answer are the first KiB of each body, keys and card
	// numbers redacted ("…" when cut).
	Request string `json:"request_body,omitempty"`
	Answer  string `json:"answer_body,omitempty"`
}

// journal is a bounded ring of the latest requests; safe for concurrent use.
type journal struct {
	mu   sync.Mutex
	ring ring[journalEntry]
}

// newJournal returns a journal keeping the last max entries (at least 1).
func newJournal(max int) *journal {
	return &journal{ring: newRing[journalEntry](max)}
}

// record appends an entry, evicting the oldest when full.
func (j *journal) record(e journalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring.push(e)
}

// recent returns up to limit entries that keep accepts (all if nil),
// newest first.
func (j *journal) recent(limit int, keep func(journalEntry) bool) []journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.ring.newestFirst(limit, keep)
}

// reset forgets every entry.
func (j *journal) reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring.reset()
}

// durationMS is d in milliseconds with microsecond precision.
func durationMS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
