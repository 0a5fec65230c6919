package model

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashPrefix starts every baseline and result hash.
const HashPrefix = "sha256:"

// Canonical returns the canonical serialisation of the model: JSON with every
// map in key order and table columns in name order (PostgreSQL cannot reorder
// columns, so their position is not structure pg-flux manages). It contains
// no OIDs, statistics or creation order, so the same structure serialises to
// the same bytes in any database.
func (m *Model) Canonical() []byte {
	return canonicalBytes(m.withTables())
}

// Hash returns "sha256:<hex>" of the canonical serialisation: the baseline
// hash that migration files record. The serialisation is hashed as it is
// written, never held whole.
func (m *Model) Hash() string {
	h := sha256.New()
	if err := writeCanonical(h, m.withTables()); err != nil {
		panic("model: canonical serialisation: " + err.Error())
	}
	return HashPrefix + hex.EncodeToString(h.Sum(nil))
}

// withTables is m with a tables object, empty rather than null when m has
// no map: as the serialisation has always been.
func (m *Model) withTables() *Model {
	if m.Tables != nil {
		return m
	}
	c := *m
	c.Tables = map[QName]*Table{}
	return &c
}
