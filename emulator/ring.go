package emulator

// ring keeps the last limit values pushed, oldest evicted first. It is the
// one bounded buffer of the emulator (journal, IPN log, payment events, the
// store's eviction order, create cursors). It is not safe for concurrent
// use: its owner guards it.
type ring[T any] struct {
	buf   []T // grows up to limit, then wraps
	start int // index of the oldest value once full
	limit int
}

// newRing returns a ring keeping at most limit values (at least 1).
func newRing[T any](limit int) ring[T] {
	return ring[T]{limit: max(limit, 1)}
}

// push appends v and returns the value it evicted, if any.
func (r *ring[T]) push(v T) (evicted T, ok bool) {
	if r.limit == 0 {
		r.limit = 1
	}
	if len(r.buf) < r.limit {
		r.buf = append(r.buf, v)
		return evicted, false
	}
	evicted = r.buf[r.start]
	r.buf[r.start] = v
	r.start = (r.start + 1) % len(r.buf)
	return evicted, true
}

// len is the number of values kept.
func (r *ring[T]) len() int { return len(r.buf) }

// at is the i-th oldest value.
func (r *ring[T]) at(i int) T { return r.buf[(r.start+i)%len(r.buf)] }

// oldestFirst returns every value, oldest first, keeping those keep accepts
// (all when keep is nil).
func (r *ring[T]) oldestFirst(keep func(T) bool) []T {
	out := make([]T, 0, len(r.buf))
	for i := range len(r.buf) {
		if v := r.at(i); keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// newestFirst returns up to limit values (limit ≤ 0: all), newest first,
// keeping those keep accepts (all when keep is nil).
func (r *ring[T]) newestFirst(limit int, keep func(T) bool) []T {
	if limit <= 0 || limit > len(r.buf) {
		limit = len(r.buf)
	}
	out := make([]T, 0, limit)
	for i := len(r.buf) - 1; i >= 0 && len(out) < limit; i-- {
		if v := r.at(i); keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// reset forgets every value.
func (r *ring[T]) reset() {
	clear(r.buf)
	r.buf, r.start = r.buf[:0], 0
}

// popOldest removes and returns the oldest value (it copies the ring: for
// rare evictions, not a queue).
func (r *ring[T]) popOldest() (v T, ok bool) {
	if len(r.buf) == 0 {
		return v, false
	}
	v = r.at(0)
	rest := make([]T, 0, len(r.buf)-1)
	for i := 1; i < len(r.buf); i++ {
		rest = append(rest, r.at(i))
	}
	r.buf, r.start = rest, 0
	return v, true
}
