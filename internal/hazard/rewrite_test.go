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
