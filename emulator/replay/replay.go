// Package replay is the emulator's scenario engine: it picks the scenario of
// a new payment, walks each payment's scripted steps, answers a request with a
// step's delay, transport fault, Alma error or patched body, and delivers
// signed IPN notifications with retries and a bounded delivery log.
//
// The engine knows nothing about payments: the emulator calls Select when a
// payment is created, keeps one Script per payment, asks it for the next step
// of each operation and hands that step to Serve together with a function that
// performs the operation.
package replay

import (
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// DefaultHangLimit bounds a hang fault when Options.HangLimit is zero.
const DefaultHangLimit = 60 * time.Second

// maxCreateCursors bounds how many create cursors (one per merchant
// reference) the engine remembers; the oldest is forgotten first.
const maxCreateCursors = 10000

// Options configures an Engine. The zero value is usable.
type Options struct {
	// Seed seeds the random source of delay distributions.
	Seed int64
	// HangLimit bounds a hang fault and any delay; DefaultHangLimit if zero.
	HangLimit time.Duration
	// Logger receives one line per injected fault; discarded if nil.
	Logger *slog.Logger
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// WriteError writes an Alma error body for a scenario step's error;
	// status 0 = the table's status. A minimal writer (400, or status) if nil:
	// the emulator sets its one error table here.
	WriteError func(w http.ResponseWriter, e scenarios.Error, status int)
}

// Engine selects scenarios and serves scripted steps. It is safe for
// concurrent use.
type Engine struct {
	cat *scenarios.Catalog
	opt Options

	rand *sampler // delay distributions

	armMu sync.Mutex
	arms  []armed // in arming order

	createMu sync.Mutex
	creates  *cursorMap

	done      chan struct{}
	closeOnce sync.Once
}

// New returns an engine over cat (nil: no scenario, every request normal).
func New(cat *scenarios.Catalog, opt Options) *Engine {
	if opt.HangLimit <= 0 {
		opt.HangLimit = DefaultHangLimit
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.WriteError == nil {
		opt.WriteError = writeErrorMinimal
	}
	return &Engine{
		cat:     cat,
		opt:     opt,
		rand:    newSampler(opt.Seed),
		creates: newCursorMap(maxCreateCursors),
		done:    make(chan struct{}),
	}
}

// Catalog returns the scenarios the engine selects from.
func (e *Engine) Catalog() *scenarios.Catalog { return e.cat }

// Close unblocks every hanging or delayed request; later faults and delays
// return at once. It is safe to call more than once.
func (e *Engine) Close() {
	e.closeOnce.Do(func() { close(e.done) })
}

// Reset forgets armed scenarios and create cursors (the admin reset).
func (e *Engine) Reset() {
	e.armMu.Lock()
	e.arms = nil
	e.armMu.Unlock()
	e.createMu.Lock()
	e.creates = newCursorMap(maxCreateCursors)
	e.createMu.Unlock()
}
