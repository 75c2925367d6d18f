package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// A merchant creates a payment of 200 € in 3 installments.
func ExampleServer() {
	s := emulator.NewServer()
	s.Addr = "127.0.0.1:0"
	s.Seed = 42
	if err := s.Open(); err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()

	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/v1/payments",
		strings.NewReader(`{"payment":{"purchase_amount":20000,"installments_count":3}}`))
	req.Header.Set("Authorization", "Alma-Auth sk_test_example")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, res.Header.Get("Content-Type"))
	fmt.Println(strings.Contains(string(body), `"state":"not_started"`))
	// Output:
	// 200 application/json
	// true
}
