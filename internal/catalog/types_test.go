package catalog_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
)

const typesSchema = `
CREATE EXTENSION btree_gist;
CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TEXT SEARCH CONFIGURATION simple_cfg (COPY = pg_catalog.simple);
CREATE DOMAIN positive AS integer DEFAULT 1 NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE pair AS (a integer, b text COLLATE "C");
CREATE FUNCTION float_diff(float8, float8) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT $1 - $2';
CREATE TYPE floatrange AS RANGE (subtype = float8, subtype_diff = float_diff, multirange_type_name = floatmultirange);
CREATE TABLE events (id bigint NOT NULL, at date NOT NULL, note text COMPRESSION pglz, p pair, n positive)
  PARTITION BY RANGE (at);
ALTER TABLE events ADD PRIMARY KEY (id, at);
ALTER TABLE events ALTER COLUMN note SET STORAGE external;
CREATE INDEX events_at ON events (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY LIST (id);
CREATE TABLE events_2024_a PARTITION OF events_2024 FOR VALUES IN (1, 2);
CREATE TABLE events_other PARTITION OF events DEFAULT;
CREATE INDEX events_other_note ON events_other (note);
CREATE UNLOGGED TABLE scratch (a int, b int) WITH (fillfactor = 70, autovacuum_enabled = false);
CREATE STATISTICS scratch_ab (dependencies) ON a, b FROM scratch;
CREATE MATERIALIZED VIEW totals AS SELECT at, count(*) AS n FROM events GROUP BY at;
CREATE UNIQUE INDEX totals_at ON totals (at);
`

func TestInspectReadsTypesPartitionsAndMatViews(t *testing.T) {
	m := inspect(t, typesSchema, "public")
	q := func(n string) model.QName { return model.QName{Schema: "public", Name: n} }
	dump := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	if e := m.Extensions["btree_gist"]; e == nil || e.Schema != "public" || e.Version == "" {
		t.Errorf("extension: %s", dump(m.Extensions))
	}
	if c := m.Collations[q("ci")]; c == nil || c.Provider != "icu" || c.Locale != "und-u-ks-level2" || c.Deterministic {
		t.Errorf("collation: %s", dump(m.Collations))
	}
	if c := m.TextSearchConfigs[q("simple_cfg")]; c == nil || c.Parser != "pg_catalog."+"\"default\"" || len(c.Mappings) == 0 {
		t.Errorf("text search configuration: %s", dump(m.TextSearchConfigs))
	}
	if d := m.Domains[q("positive")]; d == nil || d.Type != "integer" || !d.NotNull || d.Default != "1" ||
		d.Constraints["positive_check"] == nil || d.Constraints["positive_check"].Definition != "CHECK ((VALUE > 0))" {
		t.Errorf("domain: %s", dump(m.Domains))
	}
	if c := m.Composites[q("pair")]; c == nil || len(c.Attributes) != 2 || c.Attributes[1].Collation != `pg_catalog."C"` {
		t.Errorf("composite: %s", dump(m.Composites))
	}
	if r := m.Ranges[q("floatrange")]; r == nil || r.Subtype != "double precision" || r.SubtypeDiff != "public.float_diff" ||
		r.Multirange != q("floatmultirange") {
		t.Errorf("range: %s", dump(m.Ranges))
	}
	ev := m.Tables[q("events")]
	if ev == nil || ev.PartitionBy != "RANGE (at)" || ev.Constraints["events_pkey"] == nil {
		t.Fatalf("events: %s", dump(ev))
	}
	if c := ev.Column("note"); c.Storage != "external" || c.Compression != "pglz" {
		t.Errorf("note storage: %s", dump(c))
	}
	p := m.Tables[q("events_2024")]
	if p == nil || p.PartitionOf == nil || *p.PartitionOf != q("events") || !strings.HasPrefix(p.Bound, "FOR VALUES FROM") ||
		p.PartitionBy != "LIST (id)" || len(p.Constraints) != 0 {
		t.Errorf("events_2024: %s", dump(p))
	}
	if p := m.Tables[q("events_2024_a")]; p == nil || *p.PartitionOf != q("events_2024") {
		t.Errorf("events_2024_a: %s", dump(p))
	}
	if p := m.Tables[q("events_other")]; p == nil || p.Bound != "DEFAULT" {
		t.Errorf("events_other: %s", dump(p))
	}
	var idx []string
	for n := range m.Indexes {
		idx = append(idx, n.Name)
	}
	if len(m.Indexes) != 3 || m.Indexes[q("events_at")] == nil || m.Indexes[q("events_other_note")] == nil || m.Indexes[q("totals_at")] == nil {
		t.Errorf("indexes: %v (attached partition indexes must not be listed)", idx)
	}
	if s := m.Tables[q("scratch")]; s == nil || !s.Unlogged || strings.Join(s.Options, ",") != "autovacuum_enabled=false,fillfactor=70" {
		t.Errorf("scratch: %s", dump(s))
	}
	if s := m.Statistics[q("scratch_ab")]; s == nil || s.Table != q("scratch") || !strings.HasPrefix(s.Definition, "CREATE STATISTICS public.scratch_ab") {
		t.Errorf("statistics: %s", dump(m.Statistics))
	}
	if v := m.MatViews[q("totals")]; v == nil || len(v.Columns) != 2 || !strings.Contains(v.Definition, "count(*)") {
		t.Errorf("matview: %s", dump(m.MatViews))
	}
	found := false
	for _, d := range m.Deps[model.ID(model.KindMatView, q("totals"))] {
		found = found || d == model.ID(model.KindTable, q("events"))
	}
	if !found {
		t.Errorf("matview deps: %v", m.Deps[model.ID(model.KindMatView, q("totals"))])
	}
}
