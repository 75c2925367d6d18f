package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/gorilla/mux"
)

// The merchant's webhooks: POST|GET /v1/webhooks, GET|DELETE
// /v1/webhooks/{id}, as Alma's PHP clients call them (Webhooks.php,
// WebhookEndpoint.php). The emulator keeps them; it never calls them.

// maxWebhooks bounds the webhooks a merchant holds.
const maxWebhooks = 50

// webhookTypes are the webhook types Alma's clients know.
var webhookTypes = []string{"integration_capabilities"}

// webhookJSON is one webhook as Alma answers it.
type webhookJSON struct {
	ID      string `json:"id"`
	Created int64  `json:"created"`
	Type    string `json:"type"`
	URL     string `json:"url"`
}

// webhookRequest is the body of POST /v1/webhooks.
type webhookRequest struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// webhooks is a merchant's webhooks, oldest first. It is safe for
// concurrent use.
type webhooks struct {
	mu   sync.Mutex
	list []webhookJSON
}

// add keeps w, refusing more than maxWebhooks.
func (h *webhooks) add(w webhookJSON) *apiError {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.list) >= maxWebhooks {
		return fieldError("webhook", codeTooLong, fmt.Sprintf("a merchant holds at most %d webhooks", maxWebhooks), nil)
	}
	h.list = append(h.list, w)
	return nil
}

// get returns the webhook with id.
func (h *webhooks) get(id string) (webhookJSON, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := slices.IndexFunc(h.list, func(w webhookJSON) bool { return w.ID == id })
	if i < 0 {
		return webhookJSON{}, false
	}
	return h.list[i], true
}

// remove forgets the webhook with id and reports whether it was kept.
func (h *webhooks) remove(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.list)
	h.list = slices.DeleteFunc(h.list, func(w webhookJSON) bool { return w.ID == id })
	return len(h.list) < n
}

// all returns a copy of the webhooks, oldest first.
func (h *webhooks) all() []webhookJSON {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]webhookJSON{}, h.list...)
}

// validateWebhook checks a webhook's type and URL.
func validateWebhook(req *webhookRequest) *apiError {
	switch {
	case req.Type == "":
		return fieldError("type", codeMissingField, "type is required", nil)
	case !slices.Contains(webhookTypes, req.Type):
		return fieldError("type", codeInvalidValue, "unknown webhook type", req.Type)
	case req.URL == "":
		return fieldError("url", codeMissingField, "url is required", nil)
	case len(req.URL) > maxReferenceLen:
		return fieldError("url", codeTooLong, fmt.Sprintf("url is longer than %d characters", maxReferenceLen), nil)
	case !validURL(req.URL):
		return fieldError("url", codeInvalidValue, "must be an absolute http(s) URL", req.URL)
	}
	return nil
}

// createWebhook answers POST /v1/webhooks {"type","url"} with the webhook.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	var req webhookRequest
	if aerr := decodeBody(r, &req); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := validateWebhook(&req); aerr != nil {
		writeError(w, aerr)
		return
	}
	hook := webhookJSON{ID: s.gen.id("webhook"), Created: s.now(tenantOf(r)).Unix(), Type: req.Type, URL: req.URL}
	if aerr := tenantOf(r).hooks.add(hook); aerr != nil {
		writeError(w, aerr)
		return
	}
	writeOK(w, hook)
}

// listWebhooks answers GET /v1/webhooks: {"data":[…],"has_more":false},
// oldest first (a merchant holds few).
func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) {
	writeOK(w, struct {
		Data    []webhookJSON `json:"data"`
		HasMore bool          `json:"has_more"`
	}{Data: tenantOf(r).hooks.all()})
}

// getWebhook answers GET /v1/webhooks/{id}.
func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	hook, ok := tenantOf(r).hooks.get(id)
	if !ok {
		writeError(w, webhookNotFound(id))
		return
	}
	writeOK(w, hook)
}

// deleteWebhook answers DELETE /v1/webhooks/{id}: 204, or 404.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !tenantOf(r).hooks.remove(id) {
		writeError(w, webhookNotFound(id))
		return
	}
	writeNoContent(w)
}

// webhookNotFound is the 404 of an unknown webhook id.
func webhookNotFound(id string) *apiError {
	return topError(codeNotFound, "Webhook "+id+" not found")
}

// writeNoContent answers 204 without a body.
func writeNoContent(w http.ResponseWriter) {
	writeRaw(w, http.StatusNoContent, jsonContentType, nil)
}

// reset forgets every webhook.
func (h *webhooks) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.list = nil
}
