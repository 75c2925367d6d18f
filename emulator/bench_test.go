package emulator_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// benchConns is the number of concurrent keep-alive connections.
const benchConns = 32

// benchCreateBody is a create request as the connector sends it.
var benchCreateBody = []byte(`{"payment":{"purchase_amount":27092,"installments_count":4,"origin":"online_in_page",` +
	`"return_url":"https://shop.example.com/return","custom_data":{"order_reference":"order-42"},` +
	`"billing_address":{"first_name":"Jeanne","last_name":"Martin","line1":"1 rue de la Paix","postal_code":"75002","city":"Paris","country":"FR","email":"jeanne@example.com"}},` +
	`"customer":{"first_name":"Jeanne","last_name":"Martin","email":"jeanne@example.com","phone":"+33612345678"},` +
	`"order":{"merchant_reference":"order-42"}}`)

// loadResult is one load run.
type loadResult struct {
	reqs    int
	elapsed time.Duration
	p99     time.Duration
	errors  int64
}

func (r loadResult) rate() float64 { return float64(r.reqs) / r.elapsed.Seconds() }

// load sends n requests over benchConns connections; next builds the i-th
// request.
func load(n int, next func(i int) *http.Request) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: benchConns, MaxConnsPerHost: benchConns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	lat := make([][]time.Duration, benchConns)
	var counter, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range benchConns {
		wg.Go(func() {
			for {
				i := int(counter.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				res, err := client.Do(next(i))
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				_ = res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errs.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	var p99 time.Duration
	if len(all) > 0 {
		p99 = all[(len(all)*99)/100]
	}
	return loadResult{reqs: n, elapsed: elapsed, p99: p99, errors: errs.Load()}
}

// bareServer answers every request with body, the ceiling of net/http on
// this machine.
func bareServer(b *testing.B, body []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// benchTarget is the emulator under load: in-process, or the one at
// ALMA_BENCH_URL (to measure the real binary's RSS).
func benchTarget(b *testing.B) string {
	if u := os.Getenv("ALMA_BENCH_URL"); u != "" {
		return strings.TrimRight(u, "/")
	}
	s := emulator.NewServer()
	s.Addr = "127.0.0.1:0"
	s.Seed = 1
	if err := s.Open(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s.URL()
}

func newReq(method, url string, body []byte) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd) // method and URL are constants of the benchmark
	req.Header.Set("Authorization", "Alma-Auth "+testKey)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// report runs the emulator and the bare ceiling with the same requests and
// reports both, and their ratio.
func report(b *testing.B, emu, bare func(int) loadResult) {
	n := max(b.N, 100) // enough samples for a p99
	b.ResetTimer()
	e := emu(n)
	c := bare(n)
	b.StopTimer()
	if e.errors > 0 || c.errors > 0 {
		b.Fatalf("errors: emulator %d, bare %d", e.errors, c.errors)
	}
	b.ReportMetric(e.rate(), "req/s")
	b.ReportMetric(float64(e.p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(c.rate(), "bare-req/s")
	b.ReportMetric(float64(c.p99.Microseconds())/1000, "bare-p99-ms")
	b.ReportMetric(e.rate()/c.rate(), "ratio")
	b.ReportMetric(rssMB(), "rss-MB")
}

// BenchmarkCreatePayment is POST /v1/payments at 32 connections against the
// bare ceiling answering the same bytes.
func BenchmarkCreatePayment(b *testing.B) {
	base := benchTarget(b)
	sample := fetch(b, newReq(http.MethodPost, base+"/v1/payments", benchCreateBody))
	bare := bareServer(b, sample)
	report(b,
		func(n int) loadResult {
			return load(n, func(int) *http.Request { return newReq(http.MethodPost, base+"/v1/payments", benchCreateBody) })
		},
		func(n int) loadResult {
			return load(n, func(int) *http.Request { return newReq(http.MethodPost, bare.URL+"/v1/payments", benchCreateBody) })
		})
}

// BenchmarkGetPayment is GET /v1/payments/{id} over 1000 payments at 32
// connections against the bare ceiling answering the same bytes.
func BenchmarkGetPayment(b *testing.B) {
	base := benchTarget(b)
	ids := make([]string, 1000)
	var sample []byte
	for i := range ids {
		sample = fetch(b, newReq(http.MethodPost, base+"/v1/payments", benchCreateBody))
		ids[i] = idOf(b, sample)
	}
	bare := bareServer(b, sample)
	report(b,
		func(n int) loadResult {
			return load(n, func(i int) *http.Request {
				return newReq(http.MethodGet, base+"/v1/payments/"+ids[i%len(ids)], nil)
			})
		},
		func(n int) loadResult {
			return load(n, func(i int) *http.Request {
				return newReq(http.MethodGet, bare.URL+"/v1/payments/"+ids[i%len(ids)], nil)
			})
		})
}

// BenchmarkStartup is NewServer + Open until /healthz answers.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		s := emulator.NewServer()
		s.Addr = "127.0.0.1:0"
		if err := s.Open(); err != nil {
			b.Fatal(err)
		}
		res, err := http.Get(s.URL() + "/healthz")
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("healthz: %v", err)
		}
		_ = res.Body.Close()
		_ = s.Close()
	}
}

// fetch sends one request and returns its 200 body.
func fetch(b *testing.B, req *http.Request) []byte {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("status %d: %s %v", res.StatusCode, body, err)
	}
	return body
}

// idOf is the id of a payment body.
func idOf(b *testing.B, body []byte) string {
	_, rest, ok := bytes.Cut(body, []byte(`"id":"`))
	id, _, ok2 := bytes.Cut(rest, []byte(`"`))
	if !ok || !ok2 {
		b.Fatalf("no id in %s", body)
	}
	return string(id)
}

// rssMB is this process's resident set in MiB (Linux), 0 elsewhere.
func rssMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb); err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}

// BenchmarkHandlerCreate is the create handler alone, in-process (no
// network): the emulator's own cost per create.
func BenchmarkHandlerCreate(b *testing.B) {
	_, h := fuzzHandler(b)
	b.ReportAllocs()
	for b.Loop() {
		if rec := serve(h, http.MethodPost, "/v1/payments", benchCreateBody); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkHandlerGet is the get handler alone, in-process.
func BenchmarkHandlerGet(b *testing.B) {
	_, h := fuzzHandler(b)
	id := idOf(b, serve(h, http.MethodPost, "/v1/payments", benchCreateBody).Body.Bytes())
	b.ReportAllocs()
	for b.Loop() {
		if rec := serve(h, http.MethodGet, "/v1/payments/"+id, nil); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
