package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// Partition changes that PostgreSQL checks against the rows: refused at
// plan time when live's rows would make the migration fail, planned as
// usual when they would not.

const rowsRangeLive = `CREATE TABLE m (id bigint NOT NULL, taken date NOT NULL) PARTITION BY RANGE (taken);
CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE m_rest PARTITION OF m DEFAULT;
INSERT INTO m VALUES (1, '2024-05-01'), (2, '2023-06-01');`

const rowsRangeHead = `CREATE TABLE m (id bigint NOT NULL, taken date NOT NULL) PARTITION BY RANGE (taken);
CREATE TABLE m_rest PARTITION OF m DEFAULT;
`

// refusedNothingWritten runs plan and migrate generate, which must both
// refuse with want, and checks that no file was written.
func refusedNothingWritten(t *testing.T, p *liveProject, want ...string) {
	t.Helper()
	for _, args := range [][]string{{"plan"}, {"migrate", "generate", "--label", "rows"}} {
		r := p.must(1, args...)
		for _, w := range want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("pg-flux %s: refusal lacks %q:\n%s", strings.Join(args, " "), w, r)
			}
		}
	}
	if files := p.migrations(); len(files) != 0 {
		t.Errorf("refused generate wrote %v", files)
	}
}

func TestPartitionAddedBesideDefaultWithRows(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, rowsRangeLive+"\nINSERT INTO m VALUES (3, '2025-03-01'), (4, '2025-04-01');")
	p.write("schema/main.sql", rowsRangeHead+
		"CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"+
		"CREATE TABLE m_2025 PARTITION OF m FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n")
	refusedNothingWritten(t, p,
		"refusing to plan: rows on live do not fit the new partition bounds, so PostgreSQL would refuse the migration when it is applied:\n"+
			"  table public.m_rest, the DEFAULT partition of public.m, holds 2 rows that belong in partition public.m_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'), added beside it; key (taken) = (2025-03-01), (2025-04-01)\n",
		"declare the new partition first as a table of its own")

	// Without rows that belong in it, the same change plans and applies.
	p.db.Exec(t, "DELETE FROM m WHERE taken >= '2025-01-01'")
	p.generate("add_2025")
	p.must(0, "migrate", "apply")
	if got := p.count("SELECT count(*) FROM m_rest"); got != "1" {
		t.Errorf("m_rest holds %s rows, want 1", got)
	}
	p.must(0, "drift", "--strict")
}

func TestPartitionBoundShrinksWithRows(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, rowsRangeLive)
	p.write("schema/main.sql", rowsRangeHead+
		"CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2024-04-01');\n")
	refusedNothingWritten(t, p,
		"  table public.m_2024 holds 1 row outside its new bound in public.m, FOR VALUES FROM ('2024-01-01') TO ('2024-04-01'); key (taken) = (2024-05-01)\n",
		"ATTACH PARTITION does not move rows outside a partition's new bound")

	// Rows that fit the new bound: planned as before (detach, attach).
	p.db.Exec(t, "UPDATE m SET taken = '2024-02-01' WHERE id = 1")
	file := p.generate("shrink_2024")
	if c := p.read(file); !strings.Contains(c, "ATTACH PARTITION public.m_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-04-01')") {
		t.Fatalf("generated file does not attach the partition again:\n%s", c)
	}
	p.must(0, "migrate", "apply")
	p.must(0, "drift", "--strict")
}

func TestPartitionAttachedTableWithRows(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE orders (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
CREATE TABLE orders_old (id int NOT NULL, region text NOT NULL);
INSERT INTO orders_old VALUES (1, 'us'), (2, 'ca'), (3, 'us');`)
	source := `CREATE TABLE orders (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu');
CREATE TABLE orders_old PARTITION OF orders FOR VALUES IN ('us');
`
	p.write("schema/main.sql", source)
	refusedNothingWritten(t, p,
		"  table public.orders_old holds 1 row outside its new bound in public.orders, FOR VALUES IN ('us'); key (region) = (ca)\n")

	p.db.Exec(t, "DELETE FROM orders_old WHERE region = 'ca'")
	p.generate("attach_old")
	p.must(0, "migrate", "apply")
	if got := p.count("SELECT count(*) FROM orders WHERE region = 'us'"); got != "2" {
		t.Errorf("orders holds %s us rows, want 2", got)
	}
	p.must(0, "drift", "--strict")
}

// A new modulus moves every partition's rows: the table is recreated and
// its rows copied, as for a new partition key, rather than detached and
// attached again (which fails on the first row hashed elsewhere).
func TestHashModulusChangeRecreates(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE s (id int NOT NULL, note text) PARTITION BY HASH (id);
CREATE TABLE s_0 PARTITION OF s FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE s_1 PARTITION OF s FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO s SELECT g, 'n' || g FROM generate_series(1, 100) g;
ANALYZE s;`)
	p.write("schema/main.sql", `CREATE TABLE s (id int NOT NULL, note text) PARTITION BY HASH (id);
CREATE TABLE s_0 PARTITION OF s FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE s_1 PARTITION OF s FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE s_2 PARTITION OF s FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE s_3 PARTITION OF s FOR VALUES WITH (MODULUS 4, REMAINDER 3);
`)
	file := p.generate("hash_4")
	content := p.read(file)
	if want := "[HAZARD TABLE_REWRITE] Recreates table public.s with a new partition layout (100 rows)"; !strings.Contains(content, want) {
		t.Fatalf("generated file lacks %q:\n%s", want, content)
	}
	if strings.Contains(content, "DETACH PARTITION") {
		t.Errorf("generated file detaches a partition:\n%s", content)
	}
	before := p.count("SELECT string_agg(id || note, ',' ORDER BY id) FROM s")
	p.must(0, "migrate", "apply", "--allow-hazards=TABLE_REWRITE")
	if after := p.count("SELECT string_agg(id || note, ',' ORDER BY id) FROM s"); after != before {
		t.Errorf("rows after the recreate = %s, want %s", after, before)
	}
	for _, part := range []string{"s_0", "s_1", "s_2", "s_3"} {
		if got := p.count("SELECT count(*) > 0 FROM " + part); got != "true" {
			t.Errorf("%s is empty", part)
		}
	}
	p.must(0, "drift", "--strict")
}

// A HASH-partitioned partition is not recreated (a partition's own layout
// never is): its partitions are detached and attached again, and the rows
// each would lose are found with PostgreSQL's own hash test.
func TestSubpartitionHashModulusWithRows(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE orders (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu') PARTITION BY HASH (id);
CREATE TABLE orders_eu_0 PARTITION OF orders_eu FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE orders_eu_1 PARTITION OF orders_eu FOR VALUES WITH (MODULUS 2, REMAINDER 1);`)
	p.write("schema/main.sql", `CREATE TABLE orders (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE orders_eu PARTITION OF orders FOR VALUES IN ('eu') PARTITION BY HASH (id);
CREATE TABLE orders_eu_0 PARTITION OF orders_eu FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE orders_eu_1 PARTITION OF orders_eu FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE orders_eu_2 PARTITION OF orders_eu FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE orders_eu_3 PARTITION OF orders_eu FOR VALUES WITH (MODULUS 4, REMAINDER 3);
`)
	// Empty: planned as before.
	p.must(0, "plan")

	p.db.Exec(t, "INSERT INTO orders SELECT g, 'eu' FROM generate_series(1, 40) g")
	// Exactly the rows PostgreSQL would refuse, counted with its own test.
	want := p.count(`SELECT count(*) FROM orders_eu_0 WHERE NOT satisfies_hash_partition('orders_eu'::regclass::oid, 4, 0, id)`)
	refusedNothingWritten(t, p,
		"  table public.orders_eu_0 holds "+want+" rows outside its new bound in public.orders_eu, FOR VALUES WITH (modulus 4, remainder 0); key (id) = ",
		"  table public.orders_eu_1 holds ")
}

// On a large table the check stops after 1,001 rows found.
func TestPartitionRowsCountCapped(t *testing.T) {
	p := newLiveProject(t)
	p.db.Exec(t, `CREATE TABLE orders (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE orders_old (id int NOT NULL, region text NOT NULL);
INSERT INTO orders_old SELECT g, 'ca' FROM generate_series(1, 1500) g;`)
	p.write("schema/main.sql", `CREATE TABLE orders (id int NOT NULL, region text NOT NULL) PARTITION BY LIST (region);
CREATE TABLE orders_old PARTITION OF orders FOR VALUES IN ('us');
`)
	refusedNothingWritten(t, p, "  table public.orders_old holds more than 1,000 rows outside its new bound in public.orders, FOR VALUES IN ('us'); key (region) = (ca), (ca), (ca), …\n")
}

// TestPartitionRowCheckGivesUpOnALongRead: a check that cannot finish in
// its time (on a large DEFAULT partition, a long scan; here 100,000 rows
// against a millisecond) is left to PostgreSQL with a warning, and the
// plan goes on.
func TestPartitionRowCheckGivesUpOnALongRead(t *testing.T) {
	db := pgtest.NewDatabase(t)
	db.Exec(t, rowsRangeLive+"\nINSERT INTO m SELECT g, '2023-01-01' FROM generate_series(10, 100009) g;")
	var warnings bytes.Buffer
	a := &app{io: &IOStreams{ErrOut: &warnings}}
	var err error
	if a.log, err = newLogger(&warnings, "text", false); err != nil {
		t.Fatal(err)
	}
	check := plan.RowCheck{Kind: plan.RowsInNewPartition, Table: model.QName{Schema: "public", Name: "m_rest"},
		Parent: model.QName{Schema: "public", Name: "m"}, Into: model.QName{Schema: "public", Name: "m_2025"},
		Bound: "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", Keys: []string{"taken"},
		Refused: "taken >= '2025-01-01' AND taken < '2026-01-01'"}
	if err := a.checkPartitionRows(context.Background(), db.Connect(t), []plan.RowCheck{check}, time.Millisecond); err != nil {
		t.Fatalf("a check that timed out refused the plan: %v", err)
	}
	if want := "pg-flux did not check the rows of public.m_rest against partition public.m_2025"; !strings.Contains(warnings.String(), want) ||
		!strings.Contains(warnings.String(), "took more than 1ms") {
		t.Errorf("warnings:\n%s", warnings.String())
	}
	// With its time, the same check runs and finds nothing to refuse.
	warnings.Reset()
	if err := a.checkPartitionRows(context.Background(), db.Connect(t), []plan.RowCheck{check}, rowCheckTimeout); err != nil || warnings.Len() != 0 {
		t.Errorf("with %s: %v, warnings %q", rowCheckTimeout, err, warnings.String())
	}
}
