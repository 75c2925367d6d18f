package replay

import "sync"

// deliveryLog is a bounded ring of delivery attempts, safe for concurrent use.
type deliveryLog struct {
	mu    sync.Mutex
	ring  []Delivery // oldest at start once full
	start int        // index of the oldest entry when full
	limit int
}

// newDeliveryLog returns a log keeping the last limit entries.
func newDeliveryLog(limit int) *deliveryLog {
	return &deliveryLog{limit: max(limit, 1)}
}

// add appends d, evicting the oldest entry when full.
func (l *deliveryLog) add(d Delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < l.limit {
		l.ring = append(l.ring, d)
		return
	}
	l.ring[l.start] = d
	l.start = (l.start + 1) % l.limit
}

// at returns the i-th oldest entry; the caller holds mu.
func (l *deliveryLog) at(i int) Delivery {
	return l.ring[(l.start+i)%len(l.ring)]
}

// byPayment returns paymentID's entries, oldest first.
func (l *deliveryLog) byPayment(paymentID string) []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Delivery
	for i := range l.ring {
		if d := l.at(i); d.PaymentID == paymentID {
			out = append(out, d)
		}
	}
	return out
}

// recent returns up to limit entries, newest first (limit ≤ 0: all).
func (l *deliveryLog) recent(limit int) []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.ring)
	if limit > 0 && limit < n {
		n = limit
	}
	out := make([]Delivery, n)
	for i := range out {
		out[i] = l.at(len(l.ring) - 1 - i)
	}
	return out
}
