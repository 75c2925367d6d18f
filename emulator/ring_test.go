package emulator

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRing(t *testing.T) {
	t.Parallel()
	r := newRing[int](3)
	for i := range 2 {
		_, evicted := r.push(i)
		assert.False(t, evicted)
	}
	assert.Equal(t, []int{0, 1}, r.oldestFirst(nil))
	r.push(2)
	old, evicted := r.push(3)
	assert.True(t, evicted)
	assert.Equal(t, 0, old)
	assert.Equal(t, []int{1, 2, 3}, r.oldestFirst(nil))
	assert.Equal(t, []int{3, 2}, r.newestFirst(2, nil))
	assert.Equal(t, []int{3, 1}, r.newestFirst(0, func(v int) bool { return v%2 == 1 }))
	r.reset()
	assert.Zero(t, r.len())
	var zero ring[string]
	zero.push("a")
	assert.Equal(t, []string{"a"}, zero.oldestFirst(nil), "the zero ring keeps one value")
}

// TestRingPopThenPush: popping the oldest frees a slot the next push
// fills, in order, whether the ring had wrapped or not.
func TestRingPopThenPush(t *testing.T) {
	r := newRing[int](3)
	for i := 1; i <= 4; i++ { // wraps: 2 3 4
		r.push(i)
	}
	v, ok := r.popOldest()
	require.True(t, ok)
	assert.Equal(t, 2, v)
	r.push(5)
	assert.Equal(t, []int{3, 4, 5}, r.oldestFirst(nil))
	_, evicted := r.push(6)
	assert.True(t, evicted, "full again")
	assert.Equal(t, []int{4, 5, 6}, r.oldestFirst(nil))
	for range 3 {
		r.popOldest()
	}
	_, ok = r.popOldest()
	assert.False(t, ok)
	r.push(7)
	assert.Equal(t, []int{7}, r.oldestFirst(nil))

	g := newRing[int](4) // grows after a pop: laid out oldest first again
	g.push(1)
	g.push(2)
	g.popOldest()
	g.push(3)
	g.push(4)
	g.push(5)
	assert.Equal(t, []int{2, 3, 4, 5}, g.oldestFirst(nil))
	assert.Equal(t, []int{5, 4}, g.newestFirst(2, nil))
}
