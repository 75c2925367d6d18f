package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// stateUsage heads `state -h`.
const stateUsage = `usage: alma-sandbox state export [--url URL] [--key KEY] [-o FILE]
       alma-sandbox state import [--url URL] [--key KEY] FILE

Exports one merchant's state (its payments, pending timers, clock offset and
the scenarios added through the API) to a versioned JSON file, or replaces
a merchant's state with a file's (GET|POST /__admin/state). The merchant is
the key's (--key, ALMA_SANDBOX_KEY, default sk_test_sandbox); with the
operator's token (--admin-token, ALMA_SANDBOX_ADMIN_TOKEN) name it with
--tenant merchant_…. serve --seed-state FILE loads a file at start.`

// stateFlags are the flags of both state commands.
type stateFlags struct {
	url, key, token, tenant, out string
}

// runState implements `alma-sandbox state export|import`.
func runState(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, stateUsage)
			return 0
		}
		fmt.Fprintln(stderr, stateUsage)
		return 2
	}
	cmd := args[0]
	fs := flag.NewFlagSet("state "+cmd, flag.ContinueOnError)
	var f stateFlags
	fs.StringVar(&f.url, "url", "", "the emulator's base URL (default ALMA_SANDBOX_URL, else http://127.0.0.1:4242)")
	fs.StringVar(&f.key, "key", orEnv("ALMA_SANDBOX_KEY", emulator.DefaultKey), "the merchant's secret key (ALMA_SANDBOX_KEY)")
	fs.StringVar(&f.token, "admin-token", os.Getenv("ALMA_SANDBOX_ADMIN_TOKEN"), "the operator's admin token, instead of a key (ALMA_SANDBOX_ADMIN_TOKEN)")
	fs.StringVar(&f.tenant, "tenant", "", "with --admin-token: the merchant id (merchant_…)")
	if cmd == "export" {
		fs.StringVar(&f.out, "o", "", "write the file here (default: standard output)")
	}
	if code, ok := parseFlags(fs, args[1:], stateUsage, stdout, stderr); !ok {
		return code
	}
	emu := emulatorURL(f.url)
	if err := checkHTTPURL("--url", emu); err != nil {
		fmt.Fprintf(stderr, "alma-sandbox state %s: %v\n", cmd, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if cmd == "export" {
		return f.export(ctx, emu, stdout, stderr)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "alma-sandbox state import: want one FILE")
		return 2
	}
	return f.importFile(ctx, emu, fs.Arg(0), stdout, stderr)
}

// orEnv is the environment variable name's value, or def.
func orEnv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// request is a call of /__admin/state with the flags' credentials.
func (f stateFlags) request(ctx context.Context, method, emu string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(emu, "/")+"/__admin/state", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if f.token != "" {
		req.Header.Set("Authorization", "Bearer "+f.token)
		if f.tenant != "" {
			req.Header.Set(emulator.AdminTenantHeader, f.tenant)
		}
	} else {
		req.Header.Set("Authorization", "Alma-Auth "+f.key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// do sends req and returns the answer's body, or an error naming the
// emulator's message.
func do(req *http.Request) ([]byte, error) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the emulator is not reachable: %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<30))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%d %s", res.StatusCode, bytes.TrimSpace(data))
	}
	return data, nil
}

// export writes the merchant's state file.
func (f stateFlags) export(ctx context.Context, emu string, stdout, stderr io.Writer) int {
	req, err := f.request(ctx, http.MethodGet, emu, nil)
	if err == nil {
		var data []byte
		if data, err = do(req); err == nil {
			var pretty bytes.Buffer
			if json.Indent(&pretty, data, "", "  ") == nil {
				data = append(pretty.Bytes(), '\n')
			}
			if f.out == "" {
				_, err = stdout.Write(data)
			} else {
				err = os.WriteFile(f.out, data, 0o600)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "alma-sandbox state export:", err)
		return 1
	}
	return 0
}

// importFile replaces the merchant's state with the file's.
func (f stateFlags) importFile(ctx context.Context, emu, path string, stdout, stderr io.Writer) int {
	body, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, "alma-sandbox state import:", err)
		return 2
	}
	req, err := f.request(ctx, http.MethodPost, emu, body)
	var data []byte
	if err == nil {
		data, err = do(req)
	}
	if err != nil {
		fmt.Fprintf(stderr, "alma-sandbox state import: %s: %v\n", path, err)
		return 1
	}
	var out struct {
		Merchant  string `json:"merchant_id"`
		Payments  int    `json:"payments"`
		Timers    int    `json:"timers"`
		Scenarios int    `json:"scenarios"`
	}
	_ = json.Unmarshal(data, &out)
	fmt.Fprintf(stdout, "imported into %s: %d payments, %d pending timers, %d scenarios\n", out.Merchant, out.Payments, out.Timers, out.Scenarios)
	return 0
}
