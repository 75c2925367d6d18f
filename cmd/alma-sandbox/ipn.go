package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ipnUsage heads `ipn -h`.
const ipnUsage = `usage: alma-sandbox ipn resend PAYMENT_ID [--url URL] [--bad-signature] [--duplicate N]

Sends the payment's IPN notification again, now (POST /__admin/payments/{id}/ipn),
and prints each delivery attempt of the payment: time, attempt, status, duration,
and the receiver's answer or the error.`

// runIPN implements `alma-sandbox ipn resend`.
func runIPN(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "resend" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, ipnUsage)
			return 0
		}
		fmt.Fprintln(stderr, ipnUsage)
		return 2
	}
	fs := flag.NewFlagSet("ipn resend", flag.ContinueOnError)
	base := fs.String("url", "", "the emulator's base URL (default ALMA_SANDBOX_URL, else http://127.0.0.1:4242)")
	bad := fs.Bool("bad-signature", false, "sign with a wrong key (the receiver should answer 401)")
	dup := fs.Int("duplicate", 0, "extra copies sent at once (0 to 10)")
	// Flags may come before or after the payment id.
	var pid string
	rest := args[1:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		pid, rest = rest[0], rest[1:]
	}
	if code, ok := parseFlags(fs, rest, ipnUsage, stdout, stderr); !ok {
		return code
	}
	if pid == "" && fs.NArg() > 0 {
		pid = fs.Arg(0)
	}
	if !strings.HasPrefix(pid, "payment_") {
		fmt.Fprintf(stderr, "alma-sandbox ipn resend: want a payment id (payment_…), got %q\n", pid)
		return 2
	}
	emu := emulatorURL(*base)
	if err := checkHTTPURL("--url", emu); err != nil {
		fmt.Fprintln(stderr, "alma-sandbox ipn resend:", err)
		return 2
	}
	body, _ := json.Marshal(map[string]any{"bad_signature": *bad, "duplicate": *dup})
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(emu, "/")+"/__admin/payments/"+url.PathEscape(pid)+"/ipn", bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(stderr, "alma-sandbox ipn resend:", err)
		return 1
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "alma-sandbox ipn resend: the emulator is not reachable:", err)
		return 1
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "alma-sandbox ipn resend: %d %s\n", res.StatusCode, bytes.TrimSpace(data))
		return 1
	}
	var out struct {
		Data []struct {
			At         time.Time `json:"at"`
			Attempt    int       `json:"attempt"`
			Status     int       `json:"status"`
			Error      string    `json:"error"`
			Answer     string    `json:"answer"`
			DurationMS float64   `json:"duration_ms"`
		} `json:"data"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		fmt.Fprintln(stderr, "alma-sandbox ipn resend: unreadable answer:", err)
		return 1
	}
	for _, d := range out.Data {
		what := d.Answer
		if d.Error != "" {
			what = d.Error
		}
		fmt.Fprintf(stdout, "%s  attempt %d  %d  %.1f ms  %s\n", d.At.Format("2006-01-02 15:04:05"), d.Attempt, d.Status, d.DurationMS, what)
	}
	return 0
}
