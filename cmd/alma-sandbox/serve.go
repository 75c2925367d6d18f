package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// serveFlags is the configuration of `serve`, from flags with ALMA_SANDBOX_*
// environment fallbacks.
type serveFlags struct {
	addr, publicURL, scenarioDir string
	logFormat, logLevel          string
	origins                      listFlag
	seed                         int64
	minAmount, maxAmount         int64
	maxPayments, maxJournal      int
	ipnDelay, ipnRetry, hang     time.Duration
	demo                         bool
}

// runServe implements `alma-sandbox serve [flags] [-- demo flags]`: it runs
// the emulator until ctx ends (SIGINT/SIGTERM), then shuts down gracefully.
// With --demo, the demo checkout runs beside it; arguments after "--" are
// the demo's own flags.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	var env envDefaults
	f.define(fs, &env)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := errors.Join(env.errs...); err != nil {
		fmt.Fprintf(stderr, "alma-sandbox serve: %v\n", err)
		return 2
	}
	if fs.NArg() > 0 && !f.demo {
		fmt.Fprintf(stderr, "alma-sandbox serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	log, err := newLogger(stderr, f.logFormat, f.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox serve: %v\n", err)
		return 2
	}
	slog.SetDefault(log)
	if err := serve(ctx, f, fs.Args(), log, stdout); err != nil {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}

// define declares the flags, their defaults taken from the environment.
func (f *serveFlags) define(fs *flag.FlagSet, env *envDefaults) {
	fs.StringVar(&f.addr, "addr", env.str("ALMA_SANDBOX_ADDR", emulator.DefaultAddr), "listen address (ALMA_SANDBOX_ADDR)")
	fs.StringVar(&f.publicURL, "public-url", env.str("ALMA_SANDBOX_PUBLIC_URL", ""), "base of payment links, when clients reach the emulator by another name (ALMA_SANDBOX_PUBLIC_URL)")
	fs.StringVar(&f.scenarioDir, "scenarios", env.str("ALMA_SANDBOX_SCENARIOS", ""), "directory of scenario files adding to or overriding the embedded ones (ALMA_SANDBOX_SCENARIOS)")
	fs.StringVar(&f.logFormat, "log-format", env.str("ALMA_SANDBOX_LOG_FORMAT", "text"), "log format: text or json (ALMA_SANDBOX_LOG_FORMAT)")
	fs.StringVar(&f.logLevel, "log-level", env.str("ALMA_SANDBOX_LOG_LEVEL", "info"), "log level: debug, info, warn or error (ALMA_SANDBOX_LOG_LEVEL)")
	f.origins = listFlag(splitList(env.str("ALMA_SANDBOX_ALLOW_ORIGIN", "")))
	fs.Var(&f.origins, "allow-origin", "origin allowed by CORS, repeatable or comma-separated; * for any (ALMA_SANDBOX_ALLOW_ORIGIN)")
	fs.Int64Var(&f.seed, "seed", env.int64("ALMA_SANDBOX_SEED", 0), "seed of ids and generated data; 0 = random (ALMA_SANDBOX_SEED)")
	fs.Int64Var(&f.minAmount, "min-amount", env.int64("ALMA_SANDBOX_MIN_AMOUNT", emulator.DefaultMinAmount), "smallest purchase_amount in cents (ALMA_SANDBOX_MIN_AMOUNT)")
	fs.Int64Var(&f.maxAmount, "max-amount", env.int64("ALMA_SANDBOX_MAX_AMOUNT", emulator.DefaultMaxAmount), "largest purchase_amount in cents (ALMA_SANDBOX_MAX_AMOUNT)")
	fs.IntVar(&f.maxPayments, "max-payments", int(env.int64("ALMA_SANDBOX_MAX_PAYMENTS", emulator.DefaultMaxPayments)), "payments kept in memory, oldest evicted (ALMA_SANDBOX_MAX_PAYMENTS)")
	fs.IntVar(&f.maxJournal, "max-journal", int(env.int64("ALMA_SANDBOX_MAX_JOURNAL", emulator.DefaultMaxJournal)), "requests kept in the journal (ALMA_SANDBOX_MAX_JOURNAL)")
	fs.DurationVar(&f.ipnDelay, "ipn-delay", env.duration("ALMA_SANDBOX_IPN_DELAY", emulator.DefaultIPNDelay), "wait before an IPN (ALMA_SANDBOX_IPN_DELAY)")
	fs.DurationVar(&f.ipnRetry, "ipn-retry-base", env.duration("ALMA_SANDBOX_IPN_RETRY_BASE", emulator.DefaultIPNRetryBase), "first IPN retry backoff, doubling (ALMA_SANDBOX_IPN_RETRY_BASE)")
	fs.DurationVar(&f.hang, "hang-limit", env.duration("ALMA_SANDBOX_HANG_LIMIT", emulator.DefaultHangLimit), "longest a scenario's hang or delay holds a request (ALMA_SANDBOX_HANG_LIMIT)")
	fs.BoolVar(&f.demo, "demo", false, "also run the demo checkout; its flags follow \"--\"")
}

// serve runs the emulator (and the demo) until ctx ends.
func serve(ctx context.Context, f serveFlags, demoArgs []string, log *slog.Logger, stdout io.Writer) error {
	cat, err := loadCatalog(f.scenarioDir)
	if err != nil {
		return err
	}
	s := f.server(cat, log)
	if err := s.Open(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "alma-sandbox listening on %s (%d scenarios)\n", s.URL(), cat.Len())
	log.Info("emulator started", "url", s.URL(), "scenarios", cat.Len(), "seed", s.Seed)
	if f.demo {
		stop, err := startDemo(ctx, s.URL(), demoArgs)
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
	s.MaxPayments, s.MaxJournal = f.maxPayments, f.maxJournal
	s.IPNDelay, s.IPNRetryBase, s.HangLimit = f.ipnDelay, f.ipnRetry, f.hang
	s.AllowOrigins = f.origins
	s.Logger = log
	return s
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
	cat, err = scenarios.WithOverrides(cat, dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios %s: %w", dir, err)
	}
	return cat, nil
}

// newLogger builds the slog logger of --log-format and --log-level.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
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

func (e *envDefaults) int64(name string, def int64) int64 {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q: not an integer", name, v))
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
		e.errs = append(e.errs, fmt.Errorf("%s=%q: not a duration such as 1s", name, v))
		return def
	}
	return d
}
