package replay

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

func TestSelect(t *testing.T) {
	t.Parallel()
	cat := catalog(t,
		&scenarios.Scenario{ID: "verify_timeout"},
		&scenarios.Scenario{ID: "partner_server_error"},
		&scenarios.Scenario{ID: "armed_one"},
	)
	tests := []struct {
		name      string
		header    string
		reference string
		arm       string
		want      string // scenario id; "" = none
		wantErr   bool   // an unknown id in the header
	}{
		{name: "nothing: happy path"},
		{name: "ordinary reference: happy path", reference: "order-42"},
		{name: "header", header: "verify_timeout", want: "verify_timeout"},
		{name: "header trimmed", header: " verify_timeout ", want: "verify_timeout"},
		{name: "header wins over reference", header: "verify_timeout", reference: "partner_server_error:1", want: "verify_timeout"},
		{name: "header wins over armed", header: "verify_timeout", arm: "armed_one", want: "verify_timeout"},
		{name: "reference equal to an id", reference: "partner_server_error", want: "partner_server_error"},
		{name: "reference with a suffix", reference: "partner_server_error:order-42", want: "partner_server_error"},
		{name: "reference with colons in the suffix", reference: "verify_timeout:a:b", want: "verify_timeout"},
		{name: "reference wins over armed", reference: "verify_timeout:x", arm: "armed_one", want: "verify_timeout"},
		{name: "armed when nothing named", reference: "order-42", arm: "armed_one", want: "armed_one"},
		{name: "unknown header", header: "nope", wantErr: true},
		{name: "unknown header despite a good reference", header: "nope", reference: "verify_timeout:1", wantErr: true},
		{name: "reference with a colon naming no scenario: happy path", reference: "ORD:42"},
		{name: "empty id before a colon: happy path", reference: ":order-42"},
		{name: "reference naming no scenario still takes the armed one", reference: "ORD:42", arm: "armed_one", want: "armed_one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var arms Arms
			if tt.arm != "" {
				require.NoError(t, arms.Arm(tt.arm, 1))
			}
			sc, err := Select(cat, &arms, tt.header, tt.reference)
			if tt.wantErr {
				var se *SelectError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, tt.header, se.Value)
				assert.Contains(t, se.Error(), FieldHeader)
				assert.Nil(t, sc)
				return
			}
			require.NoError(t, err)
			if tt.want == "" {
				assert.Nil(t, sc)
				return
			}
			require.NotNil(t, sc)
			assert.Equal(t, tt.want, sc.ID)
		})
	}
}

func TestSelectNilCatalog(t *testing.T) {
	t.Parallel()
	sc, err := Select(nil, nil, "", "order-1")
	require.NoError(t, err)
	assert.Nil(t, sc)
	_, err = Select(nil, nil, "verify_timeout", "")
	assert.Error(t, err)
}

func TestArm(t *testing.T) {
	t.Parallel()
	cat := catalog(t, &scenarios.Scenario{ID: "a"}, &scenarios.Scenario{ID: "b"})
	var e Arms

	require.NoError(t, e.Arm("a", 2))
	require.NoError(t, e.Arm("b", 1))
	require.NoError(t, e.Arm("a", 1)) // adds to a's count, keeps its place
	assert.Equal(t, map[string]int{"a": 3, "b": 1}, e.Armed())
	assert.ErrorContains(t, e.Arm("a", -1), "negative")

	var got []string
	for range 5 {
		sc, err := Select(cat, &e, "", "")
		require.NoError(t, err)
		if sc == nil {
			got = append(got, "")
			continue
		}
		got = append(got, sc.ID)
	}
	assert.Equal(t, []string{"a", "a", "a", "b", ""}, got)
	assert.Empty(t, e.Armed())
}

func TestArmNotConsumedByNamedScenario(t *testing.T) {
	t.Parallel()
	cat := catalog(t, &scenarios.Scenario{ID: "a"}, &scenarios.Scenario{ID: "b"})
	var e Arms
	require.NoError(t, e.Arm("a", 1))
	_, err := Select(cat, &e, "b", "")
	require.NoError(t, err)
	_, err = Select(cat, &e, "nope", "")
	require.Error(t, err)
	sc, err := Select(cat, &e, "", "b:1")
	require.NoError(t, err)
	assert.Equal(t, "b", sc.ID)
	assert.Equal(t, map[string]int{"a": 1}, e.Armed())
}

func TestArmZeroDisarms(t *testing.T) {
	t.Parallel()
	var e Arms
	require.NoError(t, e.Arm("a", 2))
	require.NoError(t, e.Arm("b", 2))
	require.NoError(t, e.Arm("a", 0))
	require.NoError(t, e.Arm("a", 0)) // not armed: nothing to do
	assert.Equal(t, map[string]int{"b": 2}, e.Armed())
	e.Reset()
	assert.Empty(t, e.Armed())
}

func TestArmSaturates(t *testing.T) {
	t.Parallel()
	var e Arms
	require.NoError(t, e.Arm("a", MaxArmCount))
	require.NoError(t, e.Arm("a", int(^uint(0)>>1)))
	assert.Equal(t, map[string]int{"a": MaxArmCount}, e.Armed())
}

// catalog builds a catalog from scenarios, failing the test on a duplicate.
func catalog(tb testing.TB, list ...*scenarios.Scenario) *scenarios.Catalog {
	tb.Helper()
	cat, err := scenarios.NewCatalog(list)
	require.NoError(tb, err)
	return cat
}

// steps returns a scenario scripting op with steps.
func steps(id string, op scenarios.Op, s ...scenarios.Step) *scenarios.Scenario {
	return &scenarios.Scenario{ID: id, On: map[scenarios.Op][]scenarios.Step{op: s}}
}
