-- wrk: GET /v1/payments/{id} (the connector's Verify); BENCH_PAYMENT names the payment.
wrk.method = "GET"
wrk.headers["Authorization"] = "Alma-Auth sk_test_bench0000000000"
wrk.path = "/v1/payments/" .. os.getenv("BENCH_PAYMENT")
