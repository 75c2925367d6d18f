// Package emulator is a fake of Alma's payments API that an unmodified Alma
// client cannot tell from Alma's sandbox: payments and their lifecycle,
// refunds, deferred capture, eligibility, the merchant calls, Alma's auth
// and validation errors, a bounded in-memory store and request journal, the
// admin API under /__admin/, and scenario replay for timeouts, faults and
// asynchronous decisions.
//
//	s := emulator.NewServer()
//	s.Addr = "127.0.0.1:0"
//	if err := s.Open(); err != nil { … }
//	defer s.Close()
//
// A request reads top to bottom in this package: decode → validate → the
// payment core (payment.go) under the store's lock (store.go) → one writer
// (respond.go). Time moves only on the emulator's clock (timers.go). The
// contracts it keeps are in docs/internals.md.
package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Defaults of a new Server (docs/internals.md). A zero field gets its
// default when the server starts.
const (
	DefaultAddr         = "127.0.0.1:4242"
	DefaultMinAmount    = 5000
	DefaultMaxAmount    = 200000
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxPayments  = 4000
	// DefaultMaxTenantPayments bounds one merchant's payments (its oldest
	// is evicted first), so one busy tenant cannot evict the others'.
	DefaultMaxTenantPayments = 2000
	DefaultMaxJournal        = 1000
	DefaultHangLimit         = 60 * time.Second
	DefaultIPNDelay          = time.Second
	DefaultIPNRetryBase      = time.Second
	DefaultIPNMaxAttempts    = 8
	DefaultIPNTimeout        = 10 * time.Second
	// DefaultIPNMaxPerPayment caps a payment's attempts, copies and retries
	// of every notification included; DefaultIPNPerHost the attempts in
	// flight to one host:port.
	DefaultIPNMaxPerPayment = 24
	DefaultIPNPerHost       = 4
	// Connection limits (docs/internals.md, README "Limits").
	DefaultReadTimeout    = 30 * time.Second
	DefaultIdleTimeout    = 30 * time.Second
	DefaultMaxHeaderBytes = 64 << 10
	DefaultMaxConns       = 512
	// DefaultShutdownGrace is how long Close waits for requests in flight.
	DefaultShutdownGrace = 5 * time.Second
)

// DefaultInstallments are the installment counts the fee plans offer
// (1 = pay now).
func DefaultInstallments() []int { return []int{1, 2, 3, 4, 10, 12} }

// Server is the emulator. Set its exported fields before Open (or Handler);
// the server reads them as they are, filling zero values with the defaults
// when it starts.
type Server struct {
	// Addr is the TCP address Open listens on; "127.0.0.1:0" picks a port.
	Addr string
	// PublicURL is the base of payment links (payment "url"); URL() if empty.
	PublicURL string
	// Scenarios is the catalogue the scenarios are selected from; the
	// embedded defaults if nil.
	Scenarios *scenarios.Catalog
	// Seed makes ids and generated data reproducible.
	Seed int64
	// MinAmount and MaxAmount bound purchase_amount, in cents.
	MinAmount, MaxAmount int64
	// Installments are the installment counts the fee plans offer.
	Installments []int
	// MaxBodyBytes bounds request bodies; larger ones get a too_long error.
	MaxBodyBytes int64
	// MaxPayments bounds the stored payments, MaxTenantPayments those of one
	// merchant; the tenant's oldest is evicted, then the oldest of all.
	MaxPayments, MaxTenantPayments int
	// MaxTenants bounds the merchants (keys) served; a new key past it gets
	// Alma's 401.
	MaxTenants int
	// Store is where payments and timers live: "memory" (the default),
	// "sqlite:PATH" (survives restarts) or "postgres://…" (shared by
	// replicas); see durable.go.
	Store string
	// AdminToken, when set, protects the admin API: the operator sends
	// Authorization: Bearer <token>; a tenant may call it with its own key
	// (Authorization: Alma-Auth sk_test_…), scoped to itself. Empty: the
	// admin API is open (serve refuses that off loopback unless told
	// --insecure-admin).
	AdminToken string
	// MaxJournal bounds the request journal.
	MaxJournal int
	// MaxMemory bounds, in bytes, what the payments (the memory store), the
	// journals and the IPN logs hold together (DefaultMaxMemory; budget.go):
	// past their share, the oldest are evicted first.
	MaxMemory int64
	// HangLimit bounds a scenario's hang fault and delays.
	HangLimit time.Duration
	// IPNDelay is the wait, on the emulator's clock, before a notification
	// (NewServer: DefaultIPNDelay; zero: none);
	// IPNRetryBase the first retry backoff (doubling); IPNMaxAttempts the
	// attempts per notification.
	IPNDelay, IPNRetryBase time.Duration
	IPNMaxAttempts         int
	// APIKeys are the secret keys the emulator knows; any other gets Alma's
	// 401. Empty: any well-formed sk_test_ key is known (sk_test_ then
	// letters, digits or underscores). Live keys are always refused.
	APIKeys []string
	// IPNMaxPerPayment caps the attempts a payment's notifications make in
	// all (duplicates and retries included); IPNPerHost the attempts in
	// flight to one host:port (an attempt past it is logged as dropped and
	// retried as a failure).
	IPNMaxPerPayment, IPNPerHost int
	// IPNAllow restricts where notifications go: host patterns ("shop.test",
	// "*.example.com", "127.0.0.1:8080"; a pattern without a port allows
	// every port). Empty: anywhere, localhost included.
	IPNAllow []string
	// ReadTimeout bounds reading a request's head and body; it does not cut
	// a scenario's hang, which holds the request up to HangLimit (net/http
	// clears the read deadline once the body is read, and no WriteTimeout
	// is set); IdleTimeout closes a
	// keep-alive connection without a request for that long; MaxHeaderBytes
	// bounds the request line and headers.
	ReadTimeout, IdleTimeout time.Duration
	MaxHeaderBytes           int
	// MaxConns bounds the open connections; one more is answered 503
	// ({"message":"Service Unavailable"}) and closed.
	MaxConns int
	// AllowOrigins get CORS headers ("*" for any origin, without
	// credentials, and never on the admin API or the customer's page).
	AllowOrigins []string
	// AllowedHosts are the host names, besides IP addresses, localhost and
	// PublicURL's host, the admin API and the customer's page answer as
	// (a DNS-rebinding page's Host is its own name).
	AllowedHosts []string
	// Logger receives request and lifecycle logs; discarded if nil.
	Logger *slog.Logger
	// LogRequests logs one line per merchant API request (/v1, /v2) at info
	// level (method, path, status, duration, payment, scenario, the key's
	// last four characters); without it they are logged at debug level.
	LogRequests bool
	// Now is the base clock (the admin API advances on top of it).
	Now func() time.Time
	// FrozenClock stops the clock at its start: it then moves only when
	// advanced (POST /__admin/clock/advance, Advance), which fires what falls
	// due. Tests step time themselves with it.
	FrozenClock bool
	// HTTPClient sends IPN notifications (redirects are never followed); a
	// client with DefaultIPNTimeout if nil.
	HTTPClient *http.Client

	initOnce sync.Once
	handler  http.Handler

	store     paymentStore
	durable   *db            // the durable store, if Store names one
	dtimers   *durableTimers // its timers
	initErr   error          // why the store did not open
	tenants   *tenants
	budget    *budget    // MaxMemory's shares (budget.go)
	planSet   planHolder // every tenant's fee plans (feeplans.go)
	journal   *journal   // requests without a tenant (refused keys, the operator)
	clock     *clock
	timers    *timers
	ipnLimits ipnLimits
	ipnClient *http.Client
	ipnCtx    context.Context
	ipnStop   context.CancelFunc
	gen       *gen
	sampler   *replay.Sampler
	arms      replay.Arms
	live      liveScenarios
	catalog   atomic.Pointer[scenarios.Catalog] // SetScenarios' catalogue; nil: Scenarios
	chaos     chaos
	relay     relay
	done      chan struct{} // closed by Close: hangs and delays answer at once
	closeOnce sync.Once
	panics    atomic.Int64
	inflight  atomic.Int64           // requests being served
	base      atomic.Pointer[string] // the listener's URL, once open

	mu     sync.Mutex
	ln     net.Listener
	capped *capListener
	srv    *http.Server
	url    string
	served chan struct{}
	unused unusedConns // connections without a request yet, closed first by Close
}

// NewServer returns a Server with the documented defaults and a seed drawn
// from the current time.
func NewServer() *Server {
	return &Server{Addr: DefaultAddr, Seed: time.Now().UnixNano(), IPNDelay: DefaultIPNDelay}
}

// Open listens on Addr and serves in the background.
func (s *Server) Open() error {
	h := s.Handler()
	if s.initErr != nil {
		return fmt.Errorf("emulator: %w", s.initErr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln != nil {
		return errors.New("emulator: already open")
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("emulator: listen %s: %w", s.Addr, err)
	}
	url := "http://" + ln.Addr().String()
	s.base.Store(&url)
	capped := newCapListener(ln, s.MaxConns)
	s.unused.reopen()
	srv := &http.Server{
		Handler: h, ConnState: s.unused.track,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: s.ReadTimeout,
		IdleTimeout: s.IdleTimeout, MaxHeaderBytes: s.MaxHeaderBytes,
	}
	served := make(chan struct{})
	s.ln, s.capped, s.url, s.srv, s.served = capped, capped, url, srv, served
	log := s.Logger
	go func() {
		defer close(served)
		if err := srv.Serve(capped); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("emulator: serve", "err", err)
		}
	}()
	return nil
}

// Close stops the server gracefully: hanging and delayed requests are
// released at once, pending IPN retries and decision timers stop, in-flight
// requests finish (up to DefaultShutdownGrace).
func (s *Server) Close() error {
	s.initOnce.Do(s.init)
	s.closeOnce.Do(func() {
		close(s.done)
		s.ipnStop()
		s.timers.close()
		if s.dtimers != nil {
			s.dtimers.close()
		}
	})
	s.mu.Lock()
	srv, served := s.srv, s.served
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), DefaultShutdownGrace)
	defer cancel()
	s.unused.closeAll()
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	<-served
	if s.durable != nil {
		_ = s.durable.close()
	}
	if err != nil {
		return fmt.Errorf("emulator: shutdown: %w", err)
	}
	return nil
}

// URL is the server's base URL, e.g. "http://127.0.0.1:54321"; empty
// before Open.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Handler returns the emulator's http.Handler (built on first use), for
// mounting or benchmarks without a listener.
func (s *Server) Handler() http.Handler {
	s.initOnce.Do(s.init)
	return s.handler
}

// Advance moves the emulator's clock forward by d and fires, in order,
// everything that fell due (decisions, IPN attempts) before it returns.
func (s *Server) Advance(d time.Duration) {
	s.initOnce.Do(s.init)
	s.advanceTimers(func() {
		s.clock.advance(d)
		if s.durable != nil {
			s.durable.saveClockOffset(s.clock.advanced())
		}
	})
}

// RefusedConns is how many connections were refused for being over
// MaxConns.
func (s *Server) RefusedConns() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.capped == nil {
		return 0
	}
	return s.capped.refused.Load()
}

// Panics is how many handler panics the recover middleware caught (a bug
// when not zero).
func (s *Server) Panics() int64 {
	s.initOnce.Do(s.init)
	return s.panics.Load()
}

// init fills the zero fields with their defaults and builds the parts and
// the routes.
func (s *Server) init() {
	s.fillDefaults()
	s.store = newStore(s.MaxPayments, s.MaxTenantPayments)
	s.clock = newClock(s.Now, s.FrozenClock)
	s.timers = newTimers(s.clock)
	if s.Store != "" && s.Store != "memory" {
		d, err := openDB(s.Store, s.MaxTenantPayments, s.MaxPayments, func(tenant string) replay.Lookup {
			return scenarioView{s, s.tenants.byMerchant(tenant)}
		}, s.Logger)
		if err != nil {
			s.initErr = err
		} else {
			s.durable, s.store = d, d
		}
	}
	s.journal = newJournal(s.MaxJournal)
	s.useBudget()
	s.tenants = newTenants(s.MaxTenants, s.newTenant)
	for _, key := range s.knownKeys() {
		s.tenants.of(key)
	}
	s.ipnClient = ipnClient(s.HTTPClient)
	s.ipnCtx, s.ipnStop = context.WithCancel(context.Background())
	s.gen = newGen(s.Seed)
	if s.durable != nil { // replicas share the ids' space: each draws its own
		s.gen = newGen(s.Seed ^ s.durable.salt())
	}
	s.sampler = replay.NewSampler(s.Seed)
	s.done = make(chan struct{})
	s.handler = s.routes()
	if s.durable != nil {
		s.syncFromStore()
		s.dtimers = startDurableTimers(s, s.durable)
	}
}

// fillDefaults gives each zero field its default.
func (s *Server) fillDefaults() {
	if s.Addr == "" {
		s.Addr = DefaultAddr
	}
	setDefault(&s.MinAmount, DefaultMinAmount)
	setDefault(&s.MaxAmount, DefaultMaxAmount)
	setDefault(&s.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&s.MaxPayments, DefaultMaxPayments)
	setDefault(&s.MaxTenantPayments, min(DefaultMaxTenantPayments, s.MaxPayments))
	setDefault(&s.MaxTenants, DefaultMaxTenants)
	setDefault(&s.MaxJournal, DefaultMaxJournal)
	setDefault(&s.MaxMemory, DefaultMaxMemory)
	setDefault(&s.HangLimit, DefaultHangLimit)
	setDefault(&s.IPNRetryBase, DefaultIPNRetryBase)
	setDefault(&s.IPNMaxAttempts, DefaultIPNMaxAttempts)
	setDefault(&s.IPNMaxPerPayment, DefaultIPNMaxPerPayment)
	setDefault(&s.IPNPerHost, DefaultIPNPerHost)
	setDefault(&s.ReadTimeout, DefaultReadTimeout)
	setDefault(&s.IdleTimeout, DefaultIdleTimeout)
	setDefault(&s.MaxHeaderBytes, DefaultMaxHeaderBytes)
	setDefault(&s.MaxConns, DefaultMaxConns)
	if len(s.Installments) == 0 {
		s.Installments = DefaultInstallments()
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Scenarios == nil {
		s.Scenarios = defaultCatalog(s.Logger)
	}
}

// orDefault sets *v to def when *v is zero or negative.
func setDefault[T int | int64 | time.Duration | string](v *T, def T) {
	var zero T
	if *v <= zero {
		*v = def
	}
}

// defaultCatalog is the embedded scenarios, or an empty catalogue (logged)
// if they do not load.
func defaultCatalog(log *slog.Logger) *scenarios.Catalog {
	cat, err := scenarios.Default()
	if err != nil {
		log.Error("emulator: embedded scenarios do not load; serving without scenarios", "err", err)
		cat, _ = scenarios.NewCatalog(nil)
	}
	return cat
}

// publicURL is the base of payment links: PublicURL, else the listener's
// URL, else (a handler without listener) "http://" + Addr.
func (s *Server) publicURL() string {
	if s.PublicURL != "" {
		return s.PublicURL
	}
	if u := s.base.Load(); u != nil {
		return *u
	}
	return "http://" + s.Addr
}
