-- wrk: POST /v1/payments with a full create request, as a connector sends it.
wrk.method = "POST"
wrk.path = "/v1/payments"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Alma-Auth sk_test_bench0000000000"
wrk.body = '{"payment":{"purchase_amount":27092,"installments_count":3,"return_url":"https://shop.example.com/return","ipn_callback_url":"http://127.0.0.1:9/ipn","origin":"online_in_page","locale":"fr","custom_data":{"order_reference":"order-42"},"billing_address":{"first_name":"Jeanne","last_name":"Martin","line1":"1 rue de la Paix","postal_code":"75002","city":"Paris","country":"FR","email":"jeanne@example.com"}},"customer":{"first_name":"Jeanne","last_name":"Martin","email":"jeanne@example.com","phone":"+33612345678"},"order":{"merchant_reference":"order-42"}}'
