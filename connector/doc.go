// Package connector is the orchestrator's Alma connector: it takes the
// orchestrator's Create Session request, drives Alma's API and reports each
// outcome as a row of the orchestrator's 41-row status table (Statuses).
//
// It imports the standard library only, so any payment service can use it.
//
// # Flows
//
// 1-step, capture (direct debit), FlowCapture:
//
//	Initialize  POST /v1/payments {origin: online_in_page}  → not_started  WAITING
//	            the customer pays in the In-Page widget (Widget)
//	Verify      GET /v1/payments/{id}   (on return or IPN)  → in_progress  SUCCESS
//
// 2-step, authorization + capture, FlowAuthorize:
//
//	Initialize  POST /v1/payments {capture_method: manual}  → not_started  WAITING
//	            the customer pays in the widget
//	Verify      GET /v1/payments/{id}                       → scored_yes   WAITING
//	Capture     POST /v1/payments/{id}/capture              → SUCCESS
//	Verify      GET /v1/payments/{id}                       → in_progress  SUCCESS
//
// 3-step, pending authorization + authorization + capture, FlowPending:
//
//	Initialize  POST /v1/payments {capture_method: manual}  → not_started  WAITING
//	            the customer pays in the widget
//	Verify      GET /v1/payments/{id}                       → scored_maybe WAITING
//	            Alma decides later and calls IPNHandler: GET ?pid=… signed
//	Verify      (run by IPNHandler)                         → scored_yes   WAITING
//	Capture     POST /v1/payments/{id}/capture              → SUCCESS
//	Verify      GET /v1/payments/{id}                       → in_progress  SUCCESS
//
// Around them: Cancel (PUT …/cancel, the customer closed the widget; Verify
// then says ABORTED), Refund (whole or partial), Reconcile (after an
// UNCERTAIN Initialize, find the payment created for the order) and
// Eligibility.
//
// # Results
//
// Every operation returns a Result whose Status is a row of Statuses, with
// Alma's HTTP status and error body so a person sees why. Answers are
// classified by one table (classify.go, mirrored in docs/internals.md).
// UNCERTAIN rows (no answer, 5xx) are never turned into a final success or
// failure; a create is never retried, Verify retries 5xx and transport
// errors a bounded number of times. API keys print redacted (Secret) and
// card numbers in Alma's messages are masked.
package connector
