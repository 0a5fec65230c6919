package hazard

import (
	"context"
	"os"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// TestTypeChangeMatchesPostgreSQL checks the metadata-flip judgement
// against PostgreSQL itself: a change is metadata-only exactly when the
// table keeps its relfilenode (no rewrite). The live column type is read
// with format_type, as the catalog inspector reads it.
func TestTypeChangeMatchesPostgreSQL(t *testing.T) {
	cases := []struct {
		from, to string
		// conservative cases report a hazard although this server did not
		// rewrite: the answer depends on settings (TimeZone) or is too
		// rare to model.
		conservative bool
	}{
		{"varchar(10)", "varchar(20)", false},
		{"varchar(10)", "varchar(5)", false},
		{"varchar(10)", "text", false},
		{"varchar(10)", "varchar", false},
		{"text", "varchar", false},
		{"text", "varchar(10)", false},
		{"char(3)", "text", false},
		{"char(3)", "varchar(3)", false},
		{"numeric(10,2)", "numeric(12,2)", false},
		{"numeric(10,2)", "numeric", false},
		{"numeric(10,2)", "numeric(12,3)", false},
		{"numeric(10,2)", "numeric(8,2)", false},
		{"integer", "bigint", false},
		{"integer", "integer", false},
		{"timestamptz(3)", "timestamptz(6)", false},
		{"timestamptz(3)", "timestamptz", false},
		{"timestamp", "timestamptz", true},
		{"varchar(10)[]", "varchar(20)[]", false},
		{"varchar(10)[]", "text[]", false},
		{"text[]", "varchar[]", false},
		{"varchar(10)[]", "varchar(10)[]", false},
		{"varbit(4)", "varbit(8)", false},
	}
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.from+" to "+tc.to, func(t *testing.T) {
			if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS t; CREATE TABLE t (c "+tc.from+"); INSERT INTO t VALUES (NULL)"); err != nil {
				t.Fatal(err)
			}
			var liveType string
			var before, after uint32
			if err := conn.QueryRow(ctx, `SELECT format_type(atttypid, atttypmod), pg_relation_filenode('t')::oid
				FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'c'`).Scan(&liveType, &before); err != nil {
				t.Fatal(err)
			}
			live := model.New()
			q := model.QName{Schema: "public", Name: "t"}
			live.Tables[q] = &model.Table{Name: q, Columns: []*model.Column{{Name: "c", Type: liveType}}}

			alter := "ALTER TABLE t ALTER COLUMN c TYPE " + tc.to
			findings, err := Classify(stmts(alter), live)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, alter); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRow(ctx, "SELECT pg_relation_filenode('t')::oid").Scan(&after); err != nil {
				t.Fatal(err)
			}
			rewritten := before != after
			if hazard := len(findings) > 0; hazard != rewritten && !(tc.conservative && hazard) {
				t.Errorf("live type %q: hazard reported = %v, but PostgreSQL rewrote the table = %v", liveType, hazard, rewritten)
			}
		})
	}
}

// TestCollationChangeMatchesPostgreSQL checks the judgement of a
// collation-only ALTER COLUMN … TYPE against PostgreSQL: the table keeps
// its relfilenode (no rewrite), but an index on the column gets a new one
// (rebuilt under the ACCESS EXCLUSIVE lock), so only the indexed case is a
// hazard.
func TestCollationChangeMatchesPostgreSQL(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	ctx := context.Background()
	for _, indexed := range []bool{false, true} {
		setup := `DROP TABLE IF EXISTS t; CREATE TABLE t (c text); INSERT INTO t VALUES ('a')`
		if indexed {
			setup += "; CREATE INDEX t_c_idx ON t (c)"
		}
		if _, err := conn.Exec(ctx, setup); err != nil {
			t.Fatal(err)
		}
		filenodes := func() (table, index uint32) {
			t.Helper()
			if err := conn.QueryRow(ctx, `SELECT pg_relation_filenode('t')::oid,
				coalesce(pg_relation_filenode(to_regclass('t_c_idx'))::oid, 0)`).Scan(&table, &index); err != nil {
				t.Fatal(err)
			}
			return table, index
		}
		tb, ib := filenodes()
		live := model.New()
		q := model.QName{Schema: "public", Name: "t"}
		live.Tables[q] = &model.Table{Name: q, Columns: []*model.Column{{Name: "c", Type: "text"}}}
		if indexed {
			ix := model.QName{Schema: "public", Name: "t_c_idx"}
			live.Indexes[ix] = &model.Index{Name: ix, Table: q, Definition: "CREATE INDEX t_c_idx ON public.t USING btree (c)"}
		}
		alter := `ALTER TABLE t ALTER COLUMN c TYPE text COLLATE "C"`
		findings, err := Classify(stmts(alter), live)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, alter); err != nil {
			t.Fatal(err)
		}
		ta, ia := filenodes()
		if ta != tb {
			t.Errorf("indexed=%v: PostgreSQL rewrote the table on a collation change", indexed)
		}
		if rebuilt := ia != ib; rebuilt != indexed {
			t.Errorf("indexed=%v: index rebuilt = %v", indexed, rebuilt)
		}
		if hazard := len(findings) > 0; hazard != indexed {
			t.Errorf("indexed=%v: hazard reported = %v (%v)", indexed, hazard, findings)
		}
	}
}

// TestVolatilityFromPostgreSQL reads provolatile from a real server: now()
// is stable (no rewrite), gen_random_uuid() and a user's volatile function
// rewrite the table.
func TestVolatilityFromPostgreSQL(t *testing.T) {
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	ctx := context.Background()
	db.Exec(t, `CREATE FUNCTION public.next_code() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$`)
	list := stmts(
		"ALTER TABLE events ADD COLUMN seen timestamptz DEFAULT now()",
		"ALTER TABLE events ADD COLUMN token uuid DEFAULT gen_random_uuid()",
		"ALTER TABLE events ADD COLUMN code text DEFAULT public.next_code()",
		"ALTER TABLE events ADD COLUMN day date DEFAULT CURRENT_DATE",
	)
	vol, err := LookupVolatility(ctx, conn, list)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := ClassifyWith(list, liveModel(), Options{Volatility: vol})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, f := range findings {
		got = append(got, f.Statement)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("volatility %v: findings %v, want statements 1 and 2 only", vol, findings)
	}
}
