package model

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
)

// HashPrefix starts every baseline and result hash.
const HashPrefix = "sha256:"

// Canonical returns the canonical serialisation of the model: JSON with every
// map in key order and table columns in name order (PostgreSQL cannot reorder
// columns, so their position is not structure pg-flux manages). It contains
// no OIDs, statistics or creation order, so the same structure serialises to
// the same bytes in any database.
func (m *Model) Canonical() []byte {
	c := *m
	c.Tables = make(map[QName]*Table, len(m.Tables))
	for k, t := range m.Tables {
		tc := *t
		tc.Columns = append([]*Column(nil), t.Columns...)
		sort.Slice(tc.Columns, func(i, j int) bool { return tc.Columns[i].Name < tc.Columns[j].Name })
		c.Tables[k] = &tc
	}
	b, err := json.Marshal(&c)
	if err != nil {
		// Only unsupported types fail to marshal; the model has none.
		panic("model: canonical serialisation: " + err.Error())
	}
	return b
}

// Hash returns "sha256:<hex>" of the canonical serialisation: the baseline
// hash that migration files record.
func (m *Model) Hash() string {
	sum := sha256.Sum256(m.Canonical())
	return HashPrefix + hex.EncodeToString(sum[:])
}
