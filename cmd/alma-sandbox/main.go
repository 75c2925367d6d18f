// Command alma-sandbox runs the Alma emulator and its scenario tools.
//
//	alma-sandbox serve [flags]               run the emulator (default 127.0.0.1:4242)
//	alma-sandbox scenarios list [DIR]        the scenario catalogue
//	alma-sandbox scenarios validate [DIR]    check scenario files, file:line on error
//	alma-sandbox scenarios run --url URL     the status-path suite against a running emulator
//	alma-sandbox health --url URL            exit 0 when the emulator answers /healthz
//	alma-sandbox state export|import         one merchant's state as a file
//	alma-sandbox version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "scenarios":
		return runScenarios(ctx, args[1:], stdout, stderr)
	case "health":
		return runHealth(ctx, args[1:], stdout, stderr)
	case "listen":
		return runListen(ctx, args[1:], stdout, stderr)
	case "ipn":
		return runIPN(ctx, args[1:], stdout, stderr)
	case "state":
		return runState(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		return runVersion(args[1:], stdout, stderr)
	case "help", "--help", "-h":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "alma-sandbox: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: alma-sandbox <command> [flags]

commands:
  serve                     run the Alma emulator (default http://127.0.0.1:4242)
  scenarios list [DIR]      list the scenario catalogue
  scenarios validate [DIR]  check scenario files
  scenarios run --url URL   drive the connector through every scenario against an emulator
  health --url URL          exit 0 when the emulator is healthy
  listen --forward-to URL   relay the emulator's IPNs to this machine (no public URL needed)
  ipn resend PAYMENT_ID     send a payment's IPN again now, and print its delivery attempts
  state export|import       save one merchant's state to a file, or load one
  version                   print the version
`)
}

// runVersion implements `alma-sandbox version`.
func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if code, ok := parseFlags(fs, args, "usage: alma-sandbox version", stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "alma-sandbox version: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	fmt.Fprintln(stdout, "alma-sandbox", version)
	return 0
}

// parseFlags parses args into fs the way every subcommand does: -h, -help
// or --help prints header and the flags to stdout (exit 0); a bad flag is
// one line on stderr naming the command and pointing at -h (exit 2). ok is
// true when the command should go on.
func parseFlags(fs *flag.FlagSet, args []string, header string, stdout, stderr io.Writer) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printFlags(fs, header, stdout)
		return 0, false
	case err != nil:
		fmt.Fprintf(stderr, "alma-sandbox %s: %v (alma-sandbox %s -h lists the flags)\n", fs.Name(), err, fs.Name())
		return 2, false
	}
	return 0, true
}

// printFlags writes header, then fs's flags with their defaults (if it
// has any).
func printFlags(fs *flag.FlagSet, header string, w io.Writer) {
	fmt.Fprintln(w, header)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
