package emulator

// ring keeps the last limit values pushed, oldest evicted first. It is the
// one bounded buffer of the emulator (journal, IPN log, payment events, the
// store's eviction order, create cursors). It is not safe for concurrent
// use: its owner guards it.
type ring[T any] struct {
	buf   []T // grows up to limit, then wraps
	start int // index of the oldest value
	n     int // values kept
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
	switch {
	case r.n == r.limit: // full: the oldest makes room
		evicted = r.buf[r.start]
		r.buf[r.start] = v
		r.start = (r.start + 1) % len(r.buf)
		return evicted, true
	case r.n < len(r.buf): // a slot freed by popOldest
		r.buf[(r.start+r.n)%len(r.buf)] = v
	case r.start == 0:
		r.buf = append(r.buf, v)
	default: // grow a wrapped ring: lay it out oldest first again
		r.buf = append(r.oldestFirst(nil), v)
		r.start = 0
	}
	r.n++
	return evicted, false
}

// len is the number of values kept.
func (r *ring[T]) len() int { return r.n }

// at is the i-th oldest value.
func (r *ring[T]) at(i int) T { return r.buf[(r.start+i)%len(r.buf)] }

// oldestFirst returns every value, oldest first, keeping those keep accepts
// (all when keep is nil).
func (r *ring[T]) oldestFirst(keep func(T) bool) []T {
	out := make([]T, 0, r.n)
	for i := range r.n {
		if v := r.at(i); keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// newestFirst returns up to limit values (limit ≤ 0: all), newest first,
// keeping those keep accepts (all when keep is nil).
func (r *ring[T]) newestFirst(limit int, keep func(T) bool) []T {
	if limit <= 0 || limit > r.n {
		limit = r.n
	}
	out := make([]T, 0, limit)
	for i := r.n - 1; i >= 0 && len(out) < limit; i-- {
		if v := r.at(i); keep == nil || keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// reset forgets every value.
func (r *ring[T]) reset() {
	clear(r.buf)
	r.buf, r.start, r.n = r.buf[:0], 0, 0
}

// popOldest removes and returns the oldest value.
func (r *ring[T]) popOldest() (v T, ok bool) {
	if r.n == 0 {
		return v, false
	}
	var zero T
	v, r.buf[r.start] = r.buf[r.start], zero
	r.start = (r.start + 1) % len(r.buf)
	if r.n--; r.n == 0 {
		r.start = 0
		r.buf = r.buf[:0]
	}
	return v, true
}
