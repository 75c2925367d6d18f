package connector_test

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

func TestSecretNeverPrints(t *testing.T) {
	s := connector.Secret(testKey)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("key", "k", s)
	c := connector.NewClient("http://127.0.0.1:1", testKey)
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%s %v %q %x %d %#v %+v", s, s, s, s, s, s, s),
		fmt.Sprintf("%v %+v %#v", c, c, *c), logs.String(),
	} {
		assert.NotContains(t, out, "SECRETsecret")
	}
	assert.Equal(t, "sk_test_…wxyz", s.Redacted())
	assert.Equal(t, "sk_test_…", connector.Secret("sk_test_short").Redacted())
	assert.Equal(t, "…", connector.Secret("").Redacted())
}

// TestSecretNeverEncodes checks that encoders print the key redacted too:
// a struct field, a pointer and a map value (JSON), and XML (text). A map
// keyed by Secret is not covered: encoding/json writes string keys as they are.
func TestSecretNeverEncodes(t *testing.T) {
	s := connector.Secret(testKey)
	j, err := json.Marshal(struct{ Key connector.Secret }{s})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Key":"sk_test_…wxyz"}`, string(j))
	j, err = json.Marshal(struct {
		Ptr    *connector.Secret
		Values map[string]connector.Secret
	}{&s, map[string]connector.Secret{"key": s}})
	require.NoError(t, err)
	assert.NotContains(t, string(j), "SECRETsecret")
	type config struct{ Key connector.Secret }
	x, err := xml.Marshal(config{s})
	require.NoError(t, err)
	assert.NotContains(t, string(x), "SECRETsecret")
	tm, ok := any(s).(encoding.TextMarshaler)
	require.True(t, ok, "Secret is a TextMarshaler, so text encoders redact it")
	text, err := tm.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "sk_test_…wxyz", string(text))
}

// TestNoKeyOrCardInLogsAndErrors runs every operation against answers that
// fail in every way, with debug logs on, and looks for the key and a card
// number Alma echoed in the logs, the errors and the results.
func TestNoKeyOrCardInLogsAndErrors(t *testing.T) {
	const card = "4000 0000 0000 0002"
	answers := []http.HandlerFunc{
		reply(402, `{"error_code":"card_declined","message":"card `+card+` declined"}`),
		reply(400, `{"error_code":"validation_error","errors":[{"field":"card","error_code":"invalid_value","message":"4000000000000002 is refused"}]}`),
		reply(401, `{"message":"Credentials invalid or not supplied"}`),
		reply(500, `{}`), reset, truncated, reply(200, `{"id":`),
	}
	for i, h := range answers {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			c, st := newStub(t, h)
			ctx := context.Background()
			results := []connector.Result{
				c.Initialize(ctx, minimalSession(27092), connector.FlowCapture),
				c.Verify(ctx, payID, minimalSession(27092)),
				c.Capture(ctx, payID, 0), c.Cancel(ctx, payID), c.Refund(ctx, payID, 0, "r"),
				c.Reconcile(ctx, minimalSession(27092)), c.Eligibility(ctx, 27092),
			}
			var all bytes.Buffer
			all.WriteString(st.log())
			for _, r := range results {
				fmt.Fprintf(&all, "%v %+v %#v\n", r, r, r)
				if r.Err != nil {
					all.WriteString(r.Err.Error())
				}
			}
			assert.NotContains(t, all.String(), "SECRETsecret")
			assert.NotContains(t, all.String(), card)
			assert.NotContains(t, all.String(), "4000000000000002")
			assert.NotEmpty(t, st.log(), "the connector logs its calls")
		})
	}
}

func TestCardNumbersMaskedInAlmaError(t *testing.T) {
	c, _ := newStub(t, reply(402, `{"error_code":"card_declined","message":"card 4000-0000-0000-0002 declined, ref 12345"}`))
	r := c.Capture(context.Background(), payID, 0)
	assert.Equal(t, "card_declined", r.Status.PSPStatus)
	if assert.NotNil(t, r.AlmaError) {
		assert.Equal(t, "card ****0002 declined, ref 12345", r.AlmaError.Message)
	}
}
