// Package emulator is a fake of Alma's payments API that an unmodified Alma
// client cannot tell from Alma's sandbox: payments and their lifecycle,
// refunds, deferred capture, eligibility, the merchant calls, Alma's auth
// and validation errors, a bounded in-memory store and request journal, the
// admin API under /__admin/, and scenario replay (package replay) for
// timeouts, faults and asynchronous decisions.
//
//	s := emulator.NewServer()
//	s.Addr = "127.0.0.1:0"
//	if err := s.Open(); err != nil { … }
//	defer s.Close()
//
// The contracts it keeps are in docs/internals.md.
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

// Defaults of a new Server (docs/internals.md).
const (
	DefaultAddr           = "127.0.0.1:4242"
	DefaultMinAmount      = 5000
	DefaultMaxAmount      = 200000
	DefaultMaxBodyBytes   = 1 << 20
	DefaultMaxPayments    = 4000
	DefaultMaxJournal     = 1000
	DefaultHangLimit      = 60 * time.Second
	DefaultIPNDelay       = time.Second
	DefaultIPNRetryBase   = time.Second
	DefaultIPNMaxAttempts = 8
)

// DefaultInstallments are the installment counts the fee plans offer
// (1 = pay now).
var DefaultInstallments = []int{1, 2, 3, 4, 10, 12}

// Server is the emulator. Set its exported fields before Open (or Handler);
// they are read once.
type Server struct {
	// Addr is the TCP address Open listens on; "127.0.0.1:0" picks a port.
	Addr string
	// PublicURL is the base of payment links (payment "url"); URL() if empty.
	PublicURL string
	// Scenarios is the catalogue the engine selects from; the embedded
	// defaults if nil.
	Scenarios *scenarios.Catalog
	// Seed makes ids and generated data reproducible.
	Seed int64
	// MinAmount and MaxAmount bound purchase_amount, in cents.
	MinAmount, MaxAmount int64
	// Installments are the installment counts the fee plans offer.
	Installments []int
	// MaxBodyBytes bounds request bodies; larger ones get a too_long error.
	MaxBodyBytes int64
	// MaxPayments bounds the stored payments; the oldest is evicted.
	MaxPayments int
	// MaxJournal bounds the request journal.
	MaxJournal int
	// HangLimit bounds a scenario's hang fault and delays.
	HangLimit time.Duration
	// IPNDelay is the wait before a notification; IPNRetryBase the first
	// retry backoff (doubling); IPNMaxAttempts the attempts per notification.
	IPNDelay, IPNRetryBase time.Duration
	IPNMaxAttempts         int
	// AllowOrigins get CORS headers on every route ("*" for any origin).
	AllowOrigins []string
	// Logger receives request and lifecycle logs; discarded if nil.
	Logger *slog.Logger
	// Now is the base clock (the admin API advances on top of it).
	Now func() time.Time
	// HTTPClient sends IPN notifications.
	HTTPClient *http.Client

	initOnce sync.Once
	handler  http.Handler
	svc      *service

	mu     sync.Mutex
	ln     net.Listener
	srv    *http.Server
	url    string
	served chan struct{}
	unused unusedConns // connections without a request yet, closed first by Close
}

// NewServer returns a Server with the documented defaults and a seed drawn
// from the current time.
func NewServer() *Server {
	return &Server{
		Addr:           DefaultAddr,
		Seed:           time.Now().UnixNano(),
		MinAmount:      DefaultMinAmount,
		MaxAmount:      DefaultMaxAmount,
		Installments:   append([]int(nil), DefaultInstallments...),
		MaxBodyBytes:   DefaultMaxBodyBytes,
		MaxPayments:    DefaultMaxPayments,
		MaxJournal:     DefaultMaxJournal,
		HangLimit:      DefaultHangLimit,
		IPNDelay:       DefaultIPNDelay,
		IPNRetryBase:   DefaultIPNRetryBase,
		IPNMaxAttempts: DefaultIPNMaxAttempts,
		Now:            time.Now,
		HTTPClient:     &http.Client{Timeout: 10 * time.Second},
	}
}

// Open listens on Addr and serves in the background.
func (s *Server) Open() error {
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
	h := s.Handler()
	s.svc.base.Store(&url)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ConnState: s.unused.track}
	served := make(chan struct{})
	s.ln, s.url, s.srv, s.served = ln, url, srv, served
	log := s.svc.log
	go func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("emulator: serve", "err", err)
		}
	}()
	return nil
}

// Close stops the server gracefully: hanging and delayed requests are
// released at once, pending IPN retries and decision timers stop, in-flight
// requests finish (up to 5 s).
func (s *Server) Close() error {
	s.initOnce.Do(s.init)
	s.svc.close()
	s.mu.Lock()
	srv, served := s.srv, s.served
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.unused.closeAll()
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	<-served
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

// init builds the service and its routes from the exported fields.
func (s *Server) init() {
	s.svc = newService(s.config())
	s.handler = s.svc.routes()
}

// config snapshots the exported fields, filling zero values with defaults.
func (s *Server) config() config {
	c := config{
		publicURL: s.PublicURL, catalog: s.Scenarios, seed: s.Seed,
		minAmount: s.MinAmount, maxAmount: s.MaxAmount, installments: s.Installments,
		maxBody: s.MaxBodyBytes, maxPayments: s.MaxPayments, maxJournal: s.MaxJournal,
		hangLimit: s.HangLimit, ipnDelay: s.IPNDelay, ipnRetryBase: s.IPNRetryBase,
		ipnAttempts: s.IPNMaxAttempts, allowOrigins: s.AllowOrigins, logger: s.Logger, addr: s.Addr,
		now: s.Now, client: s.HTTPClient,
	}
	c.fill()
	return c
}

// Panics is how many handler panics the recover middleware caught (a bug
// when not zero).
func (s *Server) Panics() int64 {
	s.initOnce.Do(s.init)
	return s.svc.panics.Load()
}

// config is what the service runs with.
type config struct {
	publicURL            string
	catalog              *scenarios.Catalog
	seed                 int64
	minAmount, maxAmount int64
	installments         []int
	maxBody              int64
	maxPayments          int
	maxJournal           int
	hangLimit            time.Duration
	ipnDelay             time.Duration
	ipnRetryBase         time.Duration
	ipnAttempts          int
	allowOrigins         []string
	logger               *slog.Logger
	now                  func() time.Time
	client               *http.Client
	addr                 string
}

// fill replaces zero values by the defaults.
func (c *config) fill() {
	if c.minAmount <= 0 {
		c.minAmount = DefaultMinAmount
	}
	if c.maxAmount <= 0 {
		c.maxAmount = DefaultMaxAmount
	}
	if len(c.installments) == 0 {
		c.installments = DefaultInstallments
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	if c.maxPayments <= 0 {
		c.maxPayments = DefaultMaxPayments
	}
	if c.maxJournal <= 0 {
		c.maxJournal = DefaultMaxJournal
	}
	if c.hangLimit <= 0 {
		c.hangLimit = DefaultHangLimit
	}
	if c.ipnAttempts <= 0 {
		c.ipnAttempts = DefaultIPNMaxAttempts
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.client == nil {
		c.client = &http.Client{Timeout: 10 * time.Second}
	}
	if c.catalog == nil {
		c.catalog = defaultCatalog(c.logger)
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

// service is the emulator's behaviour behind the routes: each part is its
// own small type.
type service struct {
	cfg      config
	log      *slog.Logger
	store    *store
	journal  *journal
	clock    *clock
	gen      *gen
	engine   *replay.Engine
	notifier *replay.Notifier
	timers   *timers
	merchant merchant
	panics   atomic.Int64
	inflight atomic.Int64           // requests being served
	base     atomic.Pointer[string] // the listener's URL, once open
}

// newService wires the parts.
func newService(c config) *service {
	svc := &service{
		cfg: c, log: c.logger,
		store:   newStore(c.maxPayments),
		journal: newJournal(c.maxJournal),
		clock:   newClock(c.now),
		gen:     newGen(c.seed),
		timers:  newTimers(),
	}
	svc.engine = replay.New(c.catalog, replay.Options{
		Seed: c.seed, HangLimit: c.hangLimit, Logger: c.logger, Now: svc.clock.Now,
		WriteError: writeScenarioError,
	})
	svc.notifier = replay.NewNotifier(replay.NotifierOptions{
		Client: c.client, Delay: c.ipnDelay, RetryBase: c.ipnRetryBase,
		MaxAttempts: c.ipnAttempts, Logger: c.logger, Now: svc.clock.Now,
	})
	svc.merchant = newMerchant(svc.gen)
	return svc
}

// close stops the engine, the notifier and the timers.
func (svc *service) close() {
	svc.timers.close()
	svc.engine.Close()
	svc.notifier.Close()
}

// publicURL is the base of payment links: PublicURL, else the listener's
// URL, else (a handler without listener) "http://" + Addr.
func (svc *service) publicURL() string {
	if svc.cfg.publicURL != "" {
		return svc.cfg.publicURL
	}
	if u := svc.base.Load(); u != nil {
		return *u
	}
	return "http://" + svc.cfg.addr
}
