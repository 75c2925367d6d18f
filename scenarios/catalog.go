package scenarios

import (
	"fmt"
	"sort"
)

// Catalog is a set of scenarios keyed by id. It is read-only once built and
// safe for concurrent use.
type Catalog struct {
	byID map[string]*Scenario
	ids  []string // sorted
}

// NewCatalog builds a catalog; a duplicate id is an error naming both files.
func NewCatalog(list []*Scenario) (*Catalog, error) {
	c := &Catalog{byID: make(map[string]*Scenario, len(list))}
	for _, sc := range list {
		if prev, ok := c.byID[sc.ID]; ok {
			return nil, fmt.Errorf("%s:%d: duplicate scenario id %q (first in %s:%d)", sc.File, sc.Line, sc.ID, prev.File, prev.Line)
		}
		c.byID[sc.ID] = sc
		c.ids = append(c.ids, sc.ID)
	}
	sort.Strings(c.ids)
	return c, nil
}

// Get returns the scenario with this id.
func (c *Catalog) Get(id string) (*Scenario, bool) {
	if c == nil {
		return nil, false
	}
	sc, ok := c.byID[id]
	return sc, ok
}

// List returns the scenarios sorted by id.
func (c *Catalog) List() []*Scenario {
	if c == nil {
		return nil
	}
	out := make([]*Scenario, len(c.ids))
	for i, id := range c.ids {
		out[i] = c.byID[id]
	}
	return out
}

// Len is the number of scenarios.
func (c *Catalog) Len() int {
	if c == nil {
		return 0
	}
	return len(c.ids)
}
