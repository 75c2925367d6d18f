package emulator

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
