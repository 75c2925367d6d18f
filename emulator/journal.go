package emulator

import (
	"sync"
	"sync/atomic"
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

	// seq orders entries across journals (the operator's view merges them).
	seq uint64
	// bodies are the captured bodies, kept raw in the journal's own memory
	// (no allocation per request) and redacted into Request and Answer when
	// the journal is read.
	bodies [2]captured
}

// journalSeq numbers journal entries in the order they are recorded.
var journalSeq atomic.Uint64

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
	e.seq = journalSeq.Add(1)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring.push(e)
}

// recent returns up to limit entries (limit ≤ 0: all) that keep accepts
// (all if nil), newest first, their bodies redacted.
func (j *journal) recent(limit int, keep func(journalEntry) bool) []journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.ring.len()
	if limit <= 0 || limit > n {
		limit = n
	}
	out := make([]journalEntry, 0, limit)
	for i := n - 1; i >= 0 && len(out) < limit; i-- {
		e := j.ring.at(i)
		e.Request, e.Answer = e.bodies[0].text(), e.bodies[1].text()
		e.bodies = [2]captured{}
		if keep == nil || keep(e) {
			out = append(out, e)
		}
	}
	return out
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
