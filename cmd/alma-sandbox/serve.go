package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// serveFlags is the configuration of `serve`, from flags with ALMA_SANDBOX_*
// environment fallbacks (envName gives each flag's variable).
type serveFlags struct {
	addr, publicURL, scenarioDir string
	logFormat, logLevel          string
	logRequests                  bool
	origins                      listFlag
	seed                         int64
	minAmount, maxAmount         int64
	feePlans                     string // --fee-plans: a YAML file of fee plans
	maxPayments, maxJournal      int
	maxConns                     int
	ipnAllow                     listFlag
	apiKeys, allowedHosts        listFlag
	frozenClock, watch           bool
	ipnDelay, ipnRetry, hang     time.Duration
	demo                         bool
	adminToken                   string
	insecureAdmin                bool
	store, seedState             string
	maxTenants, maxTenantPays    int
	maxMemory                    byteSize // --max-memory: the byte budget
}

// serveUsage heads `serve -h`.
const serveUsage = `usage: alma-sandbox serve [flags] [--demo [-- demo flags]]

Runs the Alma emulator until SIGINT or SIGTERM. Every flag but --demo has an
ALMA_SANDBOX_* environment variable (named in its help); a flag given on the
command line wins over the variable. ` + "`alma-sandbox serve --demo -- -h`" + ` lists the
demo checkout's flags.`

// runServe implements `alma-sandbox serve [flags] [-- demo flags]`: it runs
// the emulator until ctx ends (SIGINT/SIGTERM), then shuts down gracefully.
// With --demo, the demo checkout runs beside it; arguments after "--" are
// the demo's own flags. A bad setting is refused before anything listens,
// with exit status 2.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var f serveFlags
	var env envDefaults
	f.define(fs, &env)
	if code, ok := parseFlags(fs, args, serveUsage, stdout, stderr); !ok {
		return code
	}
	f.finish(fs)
	if err := errors.Join(append(env.errs, f.check(fs)...)...); err != nil {
		printErrors(stderr, "alma-sandbox serve", err)
		return 2
	}
	var demo demoFlags
	switch {
	case f.demo:
		code, ok := demo.parse(fs.Args(), stdout, stderr)
		if !ok {
			return code
		}
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "alma-sandbox serve: unexpected argument %q (demo flags go after --demo --)\n", fs.Arg(0))
		return 2
	}
	log := newLogger(stderr, f.logFormat, f.logLevel)
	slog.SetDefault(log)
	if err := serve(ctx, f, demo, log, stdout); err != nil {
		fmt.Fprintf(stderr, "alma-sandbox serve: %v\n", err)
		return 1
	}
	return 0
}

// printErrors writes each line of err on its own line after prefix.
func printErrors(w io.Writer, prefix string, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(w, "%s: %s\n", prefix, line)
	}
}

// envName is the environment variable behind the serve flag name:
// ALMA_SANDBOX_ and the name upper-cased, dashes as underscores
// (max-payments → ALMA_SANDBOX_MAX_PAYMENTS).
func envName(flagName string) string {
	return "ALMA_SANDBOX_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// define declares the flags, their defaults taken from the environment.
func (f *serveFlags) define(fs *flag.FlagSet, env *envDefaults) {
	usage := func(name, text string) string { return text + " (" + envName(name) + ")" }
	fs.StringVar(&f.addr, "addr", env.str(envName("addr"), emulator.DefaultAddr), usage("addr", "listen address host:port; port 0 picks a free one"))
	fs.StringVar(&f.publicURL, "public-url", env.str(envName("public-url"), ""), usage("public-url", "base of payment links, when clients reach the emulator by another name, e.g. http://alma.test:4242"))
	fs.StringVar(&f.scenarioDir, "scenarios", env.str(envName("scenarios"), ""), usage("scenarios", "directory of scenario files adding to or overriding the embedded ones"))
	fs.StringVar(&f.logFormat, "log-format", env.str(envName("log-format"), "text"), usage("log-format", "log format: text or json"))
	fs.StringVar(&f.logLevel, "log-level", env.str(envName("log-level"), "info"), usage("log-level", "log level: debug, info, warn or error"))
	fs.BoolVar(&f.logRequests, "log-requests", env.bool(envName("log-requests"), true), usage("log-requests", "log one line per merchant API request at info level"))
	fs.Var(&f.origins, "allow-origin", usage("allow-origin", "origin allowed by CORS, such as http://localhost:3000, repeatable or comma-separated; * for any"))
	fs.Int64Var(&f.seed, "seed", env.int64(envName("seed"), 0), usage("seed", "seed of ids and generated data; 0 = random"))
	fs.Int64Var(&f.minAmount, "min-amount", env.int64(envName("min-amount"), emulator.DefaultMinAmount), usage("min-amount", "smallest purchase_amount in cents"))
	fs.StringVar(&f.feePlans, "fee-plans", env.str(envName("fee-plans"), ""), usage("fee-plans", "YAML file of the merchant's fee plans (README \"Fee plans\"); default: a realistic merchant"))
	fs.Int64Var(&f.maxAmount, "max-amount", env.int64(envName("max-amount"), emulator.DefaultMaxAmount), usage("max-amount", "largest purchase_amount in cents"))
	fs.IntVar(&f.maxPayments, "max-payments", int(env.int64(envName("max-payments"), emulator.DefaultMaxPayments)), usage("max-payments", "payments kept in memory, oldest evicted"))
	f.maxMemory = byteSize(emulator.DefaultMaxMemory)
	if v := env.str(envName("max-memory"), ""); v != "" {
		_ = f.maxMemory.Set(v) // a bad value is reported by check
	}
	fs.Var(&f.maxMemory, "max-memory", usage("max-memory", "the `size` the payments, the journal and the IPN log hold together, oldest evicted past it, such as 64MiB (default 8MiB keeps the binary under 40 MB RSS)"))
	fs.IntVar(&f.maxJournal, "max-journal", int(env.int64(envName("max-journal"), emulator.DefaultMaxJournal)), usage("max-journal", "requests kept in the journal"))
	fs.IntVar(&f.maxConns, "max-conns", int(env.int64(envName("max-conns"), emulator.DefaultMaxConns)), usage("max-conns", "open connections served at once; one more is answered 503"))
	fs.Var(&f.ipnAllow, "ipn-allow", usage("ipn-allow", "hosts IPN notifications may go to, repeatable or comma-separated: a name, an IP, *.example.com, with an optional :port; default: any"))
	fs.Var(&f.apiKeys, "api-key", usage("api-key", "the only sk_test_ keys the emulator knows, repeatable or comma-separated; default: any well-formed sk_test_ key"))
	fs.Var(&f.allowedHosts, "allowed-host", usage("allowed-host", "host names the admin API and the payment page answer as, besides IP addresses, localhost and --public-url's host (e.g. alma-sandbox for other containers)"))
	fs.BoolVar(&f.watch, "watch", env.bool(envName("watch"), false), usage("watch", "reload --scenarios' files when they change (a folder with an error keeps the last good catalogue)"))
	fs.BoolVar(&f.frozenClock, "frozen-clock", env.bool(envName("frozen-clock"), false), usage("frozen-clock", "stop the emulator's clock: it moves only with POST /__admin/clock/advance"))
	fs.DurationVar(&f.ipnDelay, "ipn-delay", env.duration(envName("ipn-delay"), emulator.DefaultIPNDelay), usage("ipn-delay", "wait before an IPN"))
	fs.DurationVar(&f.ipnRetry, "ipn-retry-base", env.duration(envName("ipn-retry-base"), emulator.DefaultIPNRetryBase), usage("ipn-retry-base", "first IPN retry backoff, doubling"))
	fs.DurationVar(&f.hang, "hang-limit", env.duration(envName("hang-limit"), emulator.DefaultHangLimit), usage("hang-limit", "longest a scenario's hang or delay holds a request"))
	fs.StringVar(&f.adminToken, "admin-token", env.str(envName("admin-token"), ""), usage("admin-token", "token the admin API and the operator's dashboard require (Authorization: Bearer …); a merchant's own key still reaches its own admin calls; default: none, the admin API open (on loopback only)"))
	fs.StringVar(&f.store, "store", env.str(envName("store"), "memory"), usage("store", "where payments and timers live: memory, sqlite:PATH (survives restarts) or postgres://… (shared by replicas)"))
	fs.StringVar(&f.seedState, "seed-state", env.str(envName("seed-state"), ""), usage("seed-state", "a state file (alma-sandbox state export) loaded at start, into the merchant of the key it was taken with"))
	fs.BoolVar(&f.insecureAdmin, "insecure-admin", env.bool(envName("insecure-admin"), false), usage("insecure-admin", "serve an open admin API (no --admin-token) on an address other than loopback"))
	fs.IntVar(&f.maxTenants, "max-tenants", int(env.int64(envName("max-tenants"), emulator.DefaultMaxTenants)), usage("max-tenants", "merchants (keys) served; a new key past it gets 401"))
	fs.IntVar(&f.maxTenantPays, "max-tenant-payments", int(env.int64(envName("max-tenant-payments"), emulator.DefaultMaxTenantPayments)), usage("max-tenant-payments", "payments kept per merchant, its oldest evicted"))
	fs.BoolVar(&f.demo, "demo", false, "also run the demo checkout; its flags follow \"--\"")
}

// finish applies the environment's CORS origins when --allow-origin is not
// given: the flag replaces the variable rather than adding to it.
func (f *serveFlags) finish(fs *flag.FlagSet) {
	if !isSet(fs, "allow-origin") {
		f.origins = listFlag(splitList(os.Getenv(envName("allow-origin"))))
	}
	if !isSet(fs, "ipn-allow") {
		f.ipnAllow = listFlag(splitList(os.Getenv(envName("ipn-allow"))))
	}
	if !isSet(fs, "api-key") {
		f.apiKeys = listFlag(splitList(os.Getenv(envName("api-key"))))
	}
	if !isSet(fs, "allowed-host") {
		f.allowedHosts = listFlag(splitList(os.Getenv(envName("allowed-host"))))
	}
	for i, o := range f.origins {
		f.origins[i] = strings.TrimSuffix(o, "/")
	}
}

// check returns one error per bad setting, each naming where the value came
// from (the flag or its environment variable).
func (f *serveFlags) check(fs *flag.FlagSet) []error {
	src := func(name string) string { return source(fs, name) }
	var errs []error
	add := func(name, problem string) { errs = append(errs, fmt.Errorf("%s: %s", src(name), problem)) }
	if err := checkListenAddr(f.addr); err != nil {
		add("addr", err.Error())
	}
	if f.publicURL != "" {
		if err := checkBaseURL(f.publicURL); err != nil {
			add("public-url", err.Error())
		}
	}
	if f.scenarioDir != "" {
		if err := checkDir(f.scenarioDir); err != nil {
			add("scenarios", err.Error())
		}
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		add("log-format", "want text or json")
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.logLevel)); err != nil {
		add("log-level", "want debug, info, warn or error")
	}
	for _, o := range f.origins {
		if err := checkOrigin(o); err != nil {
			add("allow-origin", err.Error())
		}
	}
	for _, k := range f.apiKeys {
		if !strings.HasPrefix(k, "sk_test_") || len(k) == len("sk_test_") || strings.ContainsAny(k, " /") {
			add("api-key", fmt.Sprintf("%q is not a sandbox key: want sk_test_ then letters, digits or underscores", k))
		}
	}
	for _, h := range f.allowedHosts {
		if h == "" || strings.ContainsAny(h, "/?#@ ") {
			add("allowed-host", fmt.Sprintf("%q is not a host name (no scheme or path)", h))
		}
	}
	for _, h := range f.ipnAllow {
		if strings.ContainsAny(h, "/?#@ ") {
			add("ipn-allow", fmt.Sprintf("%q is not a host pattern: want a name, an IP or *.domain, with an optional :port", h))
		}
	}
	if f.adminToken == "" && !f.insecureAdmin && checkListenAddr(f.addr) == nil && !loopback(f.addr) {
		add("addr", "the admin API would be open to the network: set --admin-token (ALMA_SANDBOX_ADMIN_TOKEN), listen on loopback, or accept it with --insecure-admin")
	}
	if f.store != "memory" && !strings.HasPrefix(f.store, "sqlite:") && !strings.HasPrefix(f.store, "postgres://") && !strings.HasPrefix(f.store, "postgresql://") {
		add("store", "want memory, sqlite:PATH or postgres://user@host:port/db")
	} else if f.store == "sqlite:" {
		add("store", "sqlite: needs a file, such as sqlite:alma-sandbox.db")
	}
	if f.seedState != "" {
		if _, err := os.Stat(f.seedState); err != nil {
			add("seed-state", "no such file")
		}
	}
	if f.adminToken != "" && len(f.adminToken) < 8 {
		add("admin-token", "too short: at least 8 characters")
	}
	errs = append(errs, f.checkNumbers(src)...)
	return errs
}

// loopback reports whether the listen address addr is on loopback only
// (127.0.0.0/8, ::1 or localhost; an empty host is every interface).
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkNumbers checks the amounts, caps and durations.
func (f *serveFlags) checkNumbers(src func(string) string) []error {
	var errs []error
	atLeast := func(name string, v, lowest int64) {
		if v < lowest {
			errs = append(errs, fmt.Errorf("%s: must be at least %d", src(name), lowest))
		}
	}
	atLeast("min-amount", f.minAmount, 1)
	atLeast("max-amount", f.maxAmount, 1)
	if f.minAmount >= 1 && f.maxAmount >= 1 && f.minAmount > f.maxAmount {
		errs = append(errs, fmt.Errorf("%s is above %s: the smallest amount must not exceed the largest", src("min-amount"), src("max-amount")))
	}
	atLeast("max-payments", int64(f.maxPayments), 1)
	atLeast("max-journal", int64(f.maxJournal), 1)
	if f.maxMemory < minMaxMemory {
		errs = append(errs, fmt.Errorf("%s: must be a size of at least 1MiB, such as 16MiB", src("max-memory")))
	}
	atLeast("max-conns", int64(f.maxConns), 1)
	atLeast("max-tenants", int64(f.maxTenants), 1)
	atLeast("max-tenant-payments", int64(f.maxTenantPays), 1)
	if f.ipnDelay < 0 {
		errs = append(errs, fmt.Errorf("%s: must not be negative (0 sends at once)", src("ipn-delay")))
	}
	for name, d := range map[string]time.Duration{"ipn-retry-base": f.ipnRetry, "hang-limit": f.hang} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be above 0, such as 1s", src(name)))
		}
	}
	return errs
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

// source names where the value of flag name came from, for an error:
// "ALMA_SANDBOX_X=value" when its environment variable gave it, else
// "--name value".
func source(fs *flag.FlagSet, name string) string {
	fl := fs.Lookup(name)
	if !isSet(fs, name) {
		if v := os.Getenv(envName(name)); v != "" {
			return envName(name) + "=" + v
		}
	}
	return "--" + name + " " + fl.Value.String()
}

// checkListenAddr accepts host:port with a numeric port (the host may be
// empty: every interface).
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("want host:port, such as 127.0.0.1:4242 or 0.0.0.0:4242")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q: want a number from 0 to 65535", port)
	}
	return nil
}

// checkBaseURL accepts an absolute http(s) URL with a host and no query or
// fragment.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want an absolute URL such as http://127.0.0.1:4242")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("want a base URL without ?query or #fragment")
	}
	return nil
}

// checkOrigin accepts "*" or a browser origin: scheme://host[:port], no
// path (the emulator compares the Origin header with it as is).
func checkOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%q is not an origin: want scheme://host[:port], such as http://localhost:3000, or *", o)
	}
	if u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not an origin: want scheme://host[:port] only, without a path", o)
	}
	return nil
}

// checkDir accepts an existing directory.
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return errors.New("no such directory")
	case err != nil:
		return err
	case !st.IsDir():
		return errors.New("not a directory")
	}
	return nil
}

// serve runs the emulator (and the demo) until ctx ends.
func serve(ctx context.Context, f serveFlags, demo demoFlags, log *slog.Logger, stdout io.Writer) error {
	cat, err := loadCatalog(f.scenarioDir)
	if err != nil {
		return err
	}
	s := f.server(cat, log)
	// The process is the server's: the runtime collects before its heap
	// doubles the budgeted data (restored on return, for tests).
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(emulator.MemoryLimit(s.MaxMemory)))
	if f.feePlans != "" {
		plans, err := emulator.LoadFeePlans(f.feePlans)
		if err != nil {
			return err
		}
		if err := s.SetFeePlans(plans); err != nil {
			return fmt.Errorf("%s: %w", f.feePlans, err)
		}
	}
	if f.seedState != "" {
		data, err := os.ReadFile(f.seedState)
		if err == nil {
			err = s.SeedState(data)
		}
		if err != nil {
			_ = s.Close()
			return fmt.Errorf("--seed-state %s: %w", f.seedState, err)
		}
	}
	if err := s.Open(); err != nil {
		_ = s.Close()
		return err
	}
	fmt.Fprintf(stdout, "alma-sandbox listening on %s (%d scenarios)\n", s.URL(), cat.Len())
	log.Info("emulator started", "url", s.URL(), "scenarios", cat.Len(), "seed", s.Seed, "store", storeName(f.store))
	if f.adminToken == "" {
		log.Warn("the admin API and dashboard are open to whoever reaches this address (no --admin-token)", "addr", f.addr)
	}
	if f.watch && f.scenarioDir != "" {
		go watchScenarios(ctx, f.scenarioDir, s, log)
	}
	if f.demo {
		stop, err := startDemo(ctx, s.URL(), demo)
		if err != nil {
			_ = s.Close()
			return fmt.Errorf("demo: %w", err)
		}
		defer stop()
	}
	<-ctx.Done()
	log.Info("shutting down")
	if err := s.Close(); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// server builds the emulator from the flags.
func (f serveFlags) server(cat *scenarios.Catalog, log *slog.Logger) *emulator.Server {
	s := emulator.NewServer()
	s.Addr, s.PublicURL, s.Scenarios = f.addr, f.publicURL, cat
	if f.seed != 0 {
		s.Seed = f.seed
	}
	s.MinAmount, s.MaxAmount = f.minAmount, f.maxAmount
	s.MaxPayments, s.MaxJournal, s.MaxConns = f.maxPayments, f.maxJournal, f.maxConns
	s.IPNDelay, s.IPNRetryBase, s.HangLimit = f.ipnDelay, f.ipnRetry, f.hang
	s.AllowOrigins = f.origins
	s.IPNAllow = f.ipnAllow
	s.APIKeys, s.AllowedHosts, s.FrozenClock = f.apiKeys, f.allowedHosts, f.frozenClock
	s.Logger, s.LogRequests = log, f.logRequests
	s.AdminToken, s.MaxTenants, s.MaxTenantPayments = f.adminToken, f.maxTenants, f.maxTenantPays
	s.Store = f.store
	s.MaxMemory = int64(f.maxMemory)
	return s
}

// minMaxMemory is the smallest --max-memory.
const minMaxMemory = 1 << 20

// byteSize is a size flag: bytes, or a number with KiB, MiB or GiB (KB,
// MB, GB: the same powers of 1024). A value that is not one is -1, which
// check refuses, naming the flag or variable.
type byteSize int64

// String implements flag.Value.
func (b *byteSize) String() string {
	for _, u := range sizeUnits {
		if *b >= byteSize(u.n) && int64(*b)%u.n == 0 {
			return strconv.FormatInt(int64(*b)/u.n, 10) + u.name
		}
	}
	return strconv.FormatInt(int64(*b), 10)
}

// Set implements flag.Value.
func (b *byteSize) Set(v string) error {
	n, err := parseByteSize(v)
	if err != nil {
		*b = -1
		return err
	}
	*b = byteSize(n)
	return nil
}

// sizeUnits are byteSize's suffixes, largest first.
var sizeUnits = []struct {
	name string
	n    int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}}

// parseByteSize reads "32MiB", "512KiB", "1GB" or "1048576".
func parseByteSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	unit := int64(1)
	for _, u := range sizeUnits {
		short := u.name[:1] + "B"
		if rest, ok := strings.CutSuffix(v, u.name); ok {
			v, unit = rest, u.n
			break
		}
		if rest, ok := strings.CutSuffix(v, short); ok {
			v, unit = rest, u.n
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/unit {
		return 0, errors.New("want a size such as 32MiB, 512KiB or 1048576")
	}
	return n * unit, nil
}

// watchInterval is how often --watch looks at the scenario folder.
const watchInterval = 500 * time.Millisecond

// watchScenarios reloads dir's scenario files into s whenever a file's
// name, size or modification time changes, until ctx ends. A folder that
// does not load is logged and the last good catalogue kept.
func watchScenarios(ctx context.Context, dir string, s *emulator.Server, log *slog.Logger) {
	last := folderStamp(dir)
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		stamp := folderStamp(dir)
		if stamp == last {
			continue
		}
		last = stamp
		cat, err := loadCatalog(dir)
		if err != nil {
			log.Error("scenarios not reloaded: the last good ones stay", "dir", dir, "err", err)
			continue
		}
		s.SetScenarios(cat)
		log.Info("scenarios reloaded", "dir", dir, "scenarios", cat.Len())
	}
}

// folderStamp sums up dir's YAML files: names, sizes and modification times.
func folderStamp(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	var b strings.Builder
	for _, e := range entries {
		if info, err := e.Info(); err == nil && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			fmt.Fprintf(&b, "%s %d %d;", e.Name(), info.Size(), info.ModTime().UnixNano())
		}
	}
	return b.String()
}

// loadCatalog is the embedded scenarios, with dir's files added or
// overriding them when dir is set.
func loadCatalog(dir string) (*scenarios.Catalog, error) {
	cat, err := scenarios.Default()
	if err != nil {
		return nil, fmt.Errorf("embedded scenarios: %w", err)
	}
	if dir == "" {
		return cat, nil
	}
	if err := checkDir(dir); err != nil {
		return nil, fmt.Errorf("scenarios %s: %w", dir, err)
	}
	return scenarios.WithOverrides(cat, dir) // its errors name dir
}

// newLogger builds the slog logger of --log-format and --log-level (checked
// by serveFlags.check: an unknown format is text, an unknown level info).
// With requests, the emulator's per-request line is logged at info level.
func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h)
}

// listFlag is a repeatable, comma-separated flag.
type listFlag []string

// String shows the list.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set adds comma-separated values.
func (l *listFlag) Set(v string) error {
	*l = append(*l, splitList(v)...)
	return nil
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// envDefaults reads flag defaults from the environment, collecting bad
// values as errors.
type envDefaults struct {
	errs []error
}

func (e *envDefaults) str(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func (e *envDefaults) bool(name string, def bool) bool {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%s: want true or false", name, v))
		return def
	}
	return b
}

func (e *envDefaults) int64(name string, def int64) int64 {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%s: not an integer", name, v))
		return def
	}
	return n
}

func (e *envDefaults) duration(name string, def time.Duration) time.Duration {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%s: not a duration such as 1s", name, v))
		return def
	}
	return d
}

// storeName is the store setting without a password, for the log.
func storeName(store string) string {
	if u, err := url.Parse(store); err == nil && u.User != nil {
		if _, set := u.User.Password(); set {
			u.User = url.UserPassword(u.User.Username(), "xxx")
			return u.String()
		}
	}
	return store
}
