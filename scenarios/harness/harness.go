// Package harness is the status-path harness: it drives the real connector
// through each scenario's drive against an emulator and checks that every
// row of the connector's status table is produced by a passing scenario.
//
// Each scenario runs on its own payment, selected by its order reference
// "<id>:<run-unique suffix>" (the connector sends it as
// order.merchant_reference), so scenarios run in parallel. The customer's
// step and a payment's clock go through the emulator's admin API; the
// connector's IPN handler is served on a local listener that the connector
// names as ipn_callback_url. Deadlines are scaled down (a few hundred
// milliseconds per call) so the whole suite takes seconds.
package harness

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/connector"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Defaults of Config's zero fields.
const (
	DefaultAPIKey       = "sk_test_alma_sandbox_harness"
	DefaultCallTimeout  = 400 * time.Millisecond
	DefaultIPNWait      = 5 * time.Second
	DefaultScenarioWait = 15 * time.Second
	DefaultParallel     = 16
	DefaultIPNAddr      = "127.0.0.1:0"
)

// Config configures a run. Only URL is required.
type Config struct {
	// URL is the emulator's base URL, e.g. http://127.0.0.1:4242.
	URL string
	// APIKey is the merchant's sk_test_ key; DefaultAPIKey if empty.
	APIKey string
	// Catalog holds the scenarios to run; the embedded defaults if nil. The
	// emulator must know the same scenarios (it selects them by id).
	Catalog *scenarios.Catalog
	// Only restricts the run to these scenario ids; rows whose scenario is
	// not run are reported "not run" instead of failing.
	Only []string
	// Parallel bounds the scenarios running at once; DefaultParallel if 0.
	Parallel int
	// CallTimeout is the connector's deadline per call (scaled down: the
	// emulator's hang faults outlast it); DefaultCallTimeout if 0.
	CallTimeout time.Duration
	// IPNWait bounds await_ipn and await_ipn_refused; DefaultIPNWait if 0.
	IPNWait time.Duration
	// ScenarioWait bounds one scenario's whole drive; DefaultScenarioWait if 0.
	ScenarioWait time.Duration
	// IPNAddr is where the connector's IPN handler listens; the emulator
	// must reach it. DefaultIPNAddr if empty.
	IPNAddr string
	// IPNURL is the handler's URL as the emulator reaches it (sent as
	// ipn_callback_url), for an emulator in a container; by default
	// http://<the listener's address>/alma/ipn.
	IPNURL string
	// Rows is the status table to cover; connector.Statuses() if nil.
	Rows []connector.Row
	// HTTPClient sends the connector's and the admin calls; a new client if nil.
	HTTPClient *http.Client
	// Logger receives the connector's logs; discarded if nil.
	Logger *slog.Logger
	// Now is the clock timing scenarios and making order references unique.
	Now func() time.Time
	// Progress, if set, is called once per finished scenario (never
	// concurrently).
	Progress func(Result)
}

// withDefaults returns cfg with every zero field set.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.URL == "" {
		return cfg, fmt.Errorf("harness: no emulator URL")
	}
	if cfg.Catalog == nil {
		c, err := scenarios.Default()
		if err != nil {
			return cfg, fmt.Errorf("harness: %w", err)
		}
		cfg.Catalog = c
	}
	cfg.APIKey = or(cfg.APIKey, DefaultAPIKey)
	cfg.IPNAddr = or(cfg.IPNAddr, DefaultIPNAddr)
	cfg.Parallel = positive(cfg.Parallel, DefaultParallel)
	cfg.CallTimeout = positive(cfg.CallTimeout, DefaultCallTimeout)
	cfg.IPNWait = positive(cfg.IPNWait, DefaultIPNWait)
	cfg.ScenarioWait = positive(cfg.ScenarioWait, DefaultScenarioWait)
	if cfg.Rows == nil {
		cfg.Rows = connector.Statuses()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg, nil
}

func positive[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Run drives every selected scenario against the emulator at cfg.URL and
// reports per scenario and per row. A setup failure (no URL, no listener, a
// bad --only id) is a run problem in the report.
func Run(ctx context.Context, cfg Config) Report {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Report{Problems: []string{err.Error()}}
	}
	start := cfg.Now()
	if err := Reachable(ctx, cfg.URL, cfg.HTTPClient); err != nil {
		return Report{Problems: []string{err.Error()}, Duration: cfg.Now().Sub(start)}
	}
	list, problems := selectScenarios(cfg.Catalog, cfg.Only)
	h, err := newHarness(cfg)
	if err != nil {
		return Report{Problems: append(problems, err.Error())}
	}
	results := h.runAll(ctx, list)
	if err := h.ipn.close(); err != nil {
		problems = append(problems, err.Error())
	}
	rep := buildReport(cfg.Rows, list, results, len(cfg.Only) > 0)
	rep.Problems = append(problems, rep.Problems...)
	if n := rep.Unchecked(); n > 0 && n == len(results) {
		rep.Problems = append(rep.Problems, fmt.Sprintf("nothing was checked: the %d scenario(s) run have no status and no expect", n))
	}
	rep.Duration = cfg.Now().Sub(start)
	return rep
}

// reachTimeout bounds Reachable's one request.
const reachTimeout = 3 * time.Second

// Reachable checks that an emulator answers GET {url}/healthz with a 2xx,
// within a few seconds: a run against a wrong URL then fails in one line
// instead of a row of TIMEOUTs per scenario. client nil is a new client.
func Reachable(ctx context.Context, url string, client *http.Client) error {
	if client == nil {
		client = &http.Client{}
	}
	ctx, cancel := context.WithTimeout(ctx, reachTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
	if err != nil {
		return fmt.Errorf("no emulator at %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("no emulator at %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("no emulator at %s: GET /healthz answered %s", url, resp.Status)
	}
	return nil
}

// selectScenarios returns the catalog's scenarios, or only those named.
func selectScenarios(cat *scenarios.Catalog, only []string) ([]*scenarios.Scenario, []string) {
	if len(only) == 0 {
		return cat.List(), nil
	}
	var (
		list     []*scenarios.Scenario
		problems []string
	)
	for _, sc := range cat.List() {
		if slices.Contains(only, sc.ID) {
			list = append(list, sc)
		}
	}
	for _, id := range only {
		if _, ok := cat.Get(id); !ok {
			problems = append(problems, fmt.Sprintf("no scenario %q in the catalogue", id))
		}
	}
	return list, problems
}

// harness holds what the scenarios of one run share.
type harness struct {
	cfg   Config
	conn  *connector.Client
	admin *admin
	ipn   *ipnHub
	seq   int64
	seqMu sync.Mutex
	// armMu runs the drives that arm one at a time: the emulator's armed
	// list is one queue, and two such drives at once would take each
	// other's scenarios.
	armMu sync.Mutex
}

// newHarness builds the connector with scaled deadlines and starts the IPN
// listener it points Alma to.
func newHarness(cfg Config) (*harness, error) {
	c := connector.NewClient(cfg.URL, cfg.APIKey)
	c.HTTPClient = cfg.HTTPClient
	c.Logger = cfg.Logger
	c.Now = cfg.Now
	t := cfg.CallTimeout
	c.Timeouts = connector.Timeouts{Create: t, Verify: t, Capture: t, Cancel: t, Refund: t, Reconcile: t, Eligibility: t}
	c.VerifyRetry = connector.Retry{Attempts: 3, Backoff: t / 10}
	hub, err := openIPN(c, cfg.IPNAddr)
	if err != nil {
		return nil, fmt.Errorf("harness: %w", err)
	}
	if cfg.IPNURL != "" {
		hub.url = cfg.IPNURL
	}
	c.IPNCallbackURL = hub.url
	return &harness{
		cfg:   cfg,
		conn:  c,
		admin: &admin{base: c.BaseURL, client: cfg.HTTPClient, timeout: max(cfg.IPNWait, 5*time.Second)},
		ipn:   hub,
	}, nil
}

// runAll runs the scenarios, cfg.Parallel at a time, and returns their
// results in list order.
func (h *harness) runAll(ctx context.Context, list []*scenarios.Scenario) []Result {
	results := make([]Result, len(list))
	sem := make(chan struct{}, h.cfg.Parallel)
	var wg sync.WaitGroup
	var progressMu sync.Mutex
	for i, sc := range list {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = h.runOne(ctx, sc)
			if h.cfg.Progress != nil {
				progressMu.Lock()
				h.cfg.Progress(results[i])
				progressMu.Unlock()
			}
		}()
	}
	wg.Wait()
	return results
}

// reference returns a run-unique order reference for a scenario:
// "<id>:h<hex time>-<n>", which selects it. A scenario whose drive arms gets
// "armed/<id>/h<hex time>-<n>" instead, which names no scenario (an id has
// no slash, and there is no colon), so its creates take the armed ones.
func (h *harness) reference(sc *scenarios.Scenario) string {
	h.seqMu.Lock()
	h.seq++
	n := h.seq
	h.seqMu.Unlock()
	if sc.Arms() {
		return fmt.Sprintf("armed/%s/h%x-%d", sc.ID, h.cfg.Now().UnixNano(), n)
	}
	return fmt.Sprintf("%s:h%x-%d", sc.ID, h.cfg.Now().UnixNano(), n)
}
