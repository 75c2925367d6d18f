package connector_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

func TestAmountUnmarshal(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{`270.92`, 27092, ""},
		{`"270.92"`, 27092, ""},
		{`0.29`, 29, ""}, // 0.29*100 is 28.999… in float64
		{`1.1`, 110, ""},
		{`4.90`, 490, ""},
		{`50`, 5000, ""},
		{`"  12.5 "`, 1250, ""},
		{`-3.07`, -307, ""},
		{`null`, 0, ""},
		{`0.001`, 0, "more than two decimals"},
		{`"270.925"`, 0, "more than two decimals"},
		{`2.7e2`, 0, "not a plain decimal"},
		{`"12,50"`, 0, "not a plain decimal"},
		{`".5"`, 0, "no digits before"},
		{`"5."`, 0, "no digits after"},
		{`""`, 0, "no digits before"},
		{`"abc"`, 0, "not a plain decimal"},
		{`1234567890123456`, 0, "too large"},
		{`true`, 0, "not a plain decimal"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var a connector.Amount
			err := json.Unmarshal([]byte(tt.in), &a)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, a.Cents())
		})
	}
}

func TestAmountMarshalRoundTrip(t *testing.T) {
	for _, cents := range []int64{0, 1, 29, 100, 27092, -307, 200000} {
		b, err := json.Marshal(connector.Amount(cents))
		require.NoError(t, err)
		var back connector.Amount
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, cents, back.Cents(), string(b))
	}
	assert.Equal(t, "270.92", connector.Amount(27092).String())
	assert.Equal(t, "-0.05", connector.Amount(-5).String())
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"270.92", "-1", "0.001", "9e9", "", ".", "99999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := connector.ParseAmount(s)
		if err != nil {
			return
		}
		back, err := connector.ParseAmount(a.String())
		require.NoError(t, err)
		assert.Equal(t, a, back)
	})
}
