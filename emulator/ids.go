package emulator

import (
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/brianvoe/gofakeit/v6"
)

// base62 is the alphabet of the random part of Alma's ids.
const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// idRandomLen is the length of the random part of an id.
const idRandomLen = 32

// gen draws ids and fake customer data from one seeded source, so that a
// given seed and request sequence always give the same answers. It is safe
// for concurrent use.
type gen struct {
	mu    sync.Mutex
	rng   *rand.Rand
	faker *gofakeit.Faker
}

// newGen returns a generator seeded with seed.
func newGen(seed int64) *gen {
	s := uint64(seed)
	return &gen{
		rng:   rand.New(rand.NewPCG(s, s^0x5851f42d4c957f2d)),
		faker: gofakeit.NewUnlocked(seed),
	}
}

// id returns prefix + "_11" + 32 base62 characters, as Alma's ids:
// payment_11jiyZd3Er547365omsqcwM6KsaMQ3fN2E.
func (g *gen) id(prefix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + 3 + idRandomLen)
	b.WriteString(prefix)
	b.WriteString("_11")
	g.mu.Lock()
	for range idRandomLen / 8 {
		v := g.rng.Uint64()
		for range 8 {
			b.WriteByte(base62[v%62])
			v /= 62
		}
	}
	g.mu.Unlock()
	return b.String()
}

// company draws a merchant name.
func (g *gen) company() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.faker.Company()
}
