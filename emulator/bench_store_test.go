package emulator_test

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/alma-sandbox/alma-sandbox/emulator"
	"github.com/alma-sandbox/alma-sandbox/internal/pgtest"
)

// BenchmarkStores is create and get at 32 connections with each durable
// store (BenchmarkCreatePayment and BenchmarkGetPayment are the memory
// store's): `make bench` prints req/s and p99 per store.
func BenchmarkStores(b *testing.B) {
	for _, st := range []struct {
		name  string
		store func(*testing.B) string
	}{
		{"sqlite", func(b *testing.B) string { return "sqlite:" + filepath.Join(b.TempDir(), "alma.db") }},
		{"postgres", func(b *testing.B) string { return pgtest.Database(b) }},
	} {
		for _, op := range []string{"create", "get"} {
			b.Run(st.name+"/"+op, func(b *testing.B) {
				s := emulator.NewServer()
				s.Addr, s.Seed, s.Store = "127.0.0.1:0", 1, st.store(b)
				if err := s.Open(); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = s.Close() })
				base := s.URL()
				ids := make([]string, 200)
				for i := range ids {
					ids[i] = idOf(b, fetch(b, newReq(http.MethodPost, base+"/v1/payments", benchCreateBody)))
				}
				n := max(b.N, 100)
				b.ResetTimer()
				var r loadResult
				if op == "create" {
					r = load(n, func(int) *http.Request { return newReq(http.MethodPost, base+"/v1/payments", benchCreateBody) })
				} else {
					r = load(n, func(i int) *http.Request { return newReq(http.MethodGet, base+"/v1/payments/"+ids[i%len(ids)], nil) })
				}
				b.StopTimer()
				if r.errors > 0 {
					b.Fatalf("%d errors", r.errors)
				}
				b.ReportMetric(r.rate(), "req/s")
				b.ReportMetric(float64(r.p99.Microseconds())/1000, "p99-ms")
			})
		}
	}
}
