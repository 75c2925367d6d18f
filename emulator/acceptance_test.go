package emulator

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSendSMSNeedsAPhone: SMS is off (403) for a payment whose customer
// has no phone, and for one that no longer awaits its customer.
func TestSendSMSNeedsAPhone(t *testing.T) {
	t.Parallel()
	p := newTestPayment("automatic")
	aerr := p.sendSMS(t0)
	require.NotNil(t, aerr)
	assert.Equal(t, codeForbidden, aerr.Code)
	assert.Contains(t, aerr.Message, "no phone")
	p.Customer.Phone = optString("+33612345678")
	require.Nil(t, p.sendSMS(t0))
	_, _ = p.pay(accepted, "", t0)
	aerr = p.sendSMS(t0)
	require.NotNil(t, aerr)
	assert.Equal(t, codeForbidden, aerr.Code)
}
