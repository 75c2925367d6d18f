package connector_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// TestRedirectsAreNeverFollowed gives the connector a caller's plain client
// and no client at all (http.DefaultClient), both of which follow redirects
// and re-send a POST on 307/308: the connector must classify the 307 and
// send the create exactly once.
func TestRedirectsAreNeverFollowed(t *testing.T) {
	tests := []struct {
		name   string
		client *http.Client
	}{
		{"caller's plain client", &http.Client{}},
		{"nil: http.DefaultClient", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, st := newStub(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/v1/payments", http.StatusTemporaryRedirect)
			})
			c.HTTPClient = tt.client
			r := c.Initialize(context.Background(), minimalSession(27092), connector.FlowCapture)
			assert.Equal(t, "UNKNOWN_PARTNER_ERROR", r.Status.PSPStatus, describe(r))
			assert.Equal(t, http.StatusTemporaryRedirect, r.HTTPStatus)
			posts := 0
			for _, req := range st.requests() {
				if req.Method == "POST" {
					posts++
				}
			}
			assert.Equal(t, 1, posts, "the create is sent once, never re-sent to the redirect")
			if tt.client != nil {
				assert.Nil(t, tt.client.CheckRedirect, "the caller's client is left as it was")
			}
			assert.Nil(t, http.DefaultClient.CheckRedirect, "http.DefaultClient is left as it was")
		})
	}
}
