// Command bare is the benchmark's ceiling: a bare net/http server in its own
// process answering every request with a payment-sized JSON body, as fast as
// Go's HTTP stack can. .ci/bench-wrk loads it and the emulator alike.
package main

import (
	"bytes"
	"flag"
	"log"
	"net/http"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	size := flag.Int("size", 2600, "answer size in bytes")
	flag.Parse()
	body := append([]byte(`{"id":"payment_bare","pad":"`), bytes.Repeat([]byte("x"), max(*size-32, 0))...)
	body = append(body, `"}`...)
	length := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			var buf [4096]byte
			for {
				if _, err := r.Body.Read(buf[:]); err != nil {
					break
				}
			}
		}
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Header()["Content-Length"] = []string{length}
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, h))
}
