package emulator

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
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
	// bodies are the captured bodies (the request's pooled buffers): the
	// journal keeps what they hold at its size (journalRecord), redacted
	// into Request and Answer when the journal is read.
	bodies [2]captured
}

// journalSeq numbers journal entries in the order they are recorded.
var journalSeq atomic.Uint64

// journalRecord is what a journal keeps of an entry: its fields without
// the capture buffers, the captured bodies at their size.
type journalRecord struct {
	at                         int64
	method, path               string
	status                     int
	durationMS                 float64
	paymentID, scenario, warns string
	seq                        uint64
	bodies                     [2]keptBody
}

// recordOf is what a journal keeps of e.
func recordOf(e *journalEntry) journalRecord {
	return journalRecord{
		at: e.At, method: e.Method, path: e.Path, status: e.Status, durationMS: e.DurationMS,
		paymentID: e.PaymentID, scenario: e.Scenario, warns: e.Warning, seq: e.seq,
		bodies: [2]keptBody{keep(&e.bodies[0]), keep(&e.bodies[1])},
	}
}

// size is the bytes r holds: its own and its strings'.
func (r *journalRecord) size() int64 {
	return int64(unsafe.Sizeof(*r)) + int64(len(r.method)+len(r.path)+len(r.paymentID)+len(r.scenario)+len(r.warns)+
		len(r.bodies[0].raw)+len(r.bodies[1].raw))
}

// entry is r as the journal is read: its bodies redacted.
func (r *journalRecord) entry() journalEntry {
	return journalEntry{
		At: r.at, Method: r.method, Path: r.path, Status: r.status, DurationMS: r.durationMS,
		PaymentID: r.paymentID, Scenario: r.scenario, Warning: r.warns, seq: r.seq,
		Request: r.bodies[0].text(), Answer: r.bodies[1].text(),
	}
}

// journal is a bounded ring of the latest requests; safe for concurrent
// use. In a pool (the byte budget), it counts the bytes its records hold
// and gives up its oldest when the pool is over its limit.
type journal struct {
	mu    sync.Mutex
	ring  ring[journalRecord]
	pool  *pool
	bytes int64 // held by its records
}

// newJournal returns a journal keeping the last max entries (at least 1).
func newJournal(max int) *journal {
	return &journal{ring: newRing[journalRecord](max)}
}

// record appends an entry, evicting the oldest when full, then the oldest
// of its pool's journals when the pool is over its limit.
func (j *journal) record(e journalEntry) {
	e.seq = journalSeq.Add(1)
	r := recordOf(&e)
	size := r.size()
	j.mu.Lock()
	if old, evicted := j.ring.push(r); evicted {
		size -= old.size()
	}
	j.bytes += size
	j.pool.charge(size)
	j.mu.Unlock()
	j.pool.trim()
}

// join makes j a member of p, counting what it holds.
func (j *journal) join(p *pool) {
	j.mu.Lock()
	j.pool = p
	p.charge(j.bytes)
	j.mu.Unlock()
	p.join(j)
}

// oldest implements member.
func (j *journal) oldest() (uint64, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.ring.len() == 0 {
		return 0, false
	}
	return j.ring.at(0).seq, true
}

// dropBefore implements member.
func (j *journal) dropBefore(seq uint64, need int64) int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	var freed int64
	k := 0
	for ; k < j.ring.len() && freed < need; k++ {
		r := j.ring.at(k)
		if r.seq >= seq {
			break
		}
		freed += r.size()
	}
	dropOldest(&j.ring, k)
	j.bytes -= freed
	j.pool.charge(-freed)
	return freed
}

// size is the bytes j's records hold.
func (j *journal) size() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
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
		r := j.ring.at(i)
		e := r.entry()
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
	j.pool.charge(-j.bytes)
	j.bytes = 0
}

// durationMS is d in milliseconds with microsecond precision.
func durationMS(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
