package source

import (
	"strings"
	"testing"
)

// PostgreSQL 18 syntax the parser rejects: accepted unparsed when the
// leading keywords are a fallback kind, refused on older servers, and any
// other statement still fails at its own line.
func TestFallbackSplit(t *testing.T) {
	sql := `CREATE TABLE a (id int);
-- a comment; with a semicolon
CREATE TABLE t (
  id int,
  v int GENERATED ALWAYS AS (id * 2) VIRTUAL,
  CONSTRAINT c CHECK (id > 0) NOT ENFORCED
);
CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
ALTER TABLE ONLY t ADD CONSTRAINT nn NOT NULL id NOT VALID;
COMMENT ON TABLE t IS 'x;y';
`
	got, err := SplitFor("f.sql", sql, 18)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, st := range got {
		k := st.Node
		if st.Unparsed {
			k += "(unparsed)"
		}
		kinds = append(kinds, k)
	}
	want := "CreateStmt CreateStmt(unparsed) CreateFunctionStmt AlterTableStmt(unparsed) CommentStmt"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("kinds %v, want %s", kinds, want)
	}
	if got[1].Line != 3 || got[3].Line != 9 || !strings.HasSuffix(got[1].SQL, "NOT ENFORCED\n)") {
		t.Errorf("lines %d %d, text %q", got[1].Line, got[3].Line, got[1].SQL)
	}
	if err := CheckMajor(got, 17); err == nil || !strings.Contains(err.Error(), "f.sql:5: syntax error at or near \"VIRTUAL\"") {
		t.Errorf("on 17: %v", err)
	}
	if err := CheckMajor(got, 18); err != nil {
		t.Errorf("on 18: %v", err)
	}

	for _, bad := range []struct{ sql, want string }{
		// Not a fallback kind: CREATE TABLE … AS runs a query.
		{"CREATE TABLE a (id int);\nCREATE TABLE b AS SELECT 1 VIRTUAL x y;", "f.sql:2: syntax error"},
		{"CREATE TABLE a (id int GENERATED ALWAYS AS (1) VIRTUAL);\nINSERT INTO a VALUES (1) NOT ENFORCED;", "f.sql:2: syntax error"},
		{"CREATE TABLE a (id int);\nCREATE INDEX ON a (id) NOT ENFORCED;", "f.sql:2: syntax error"},
		// A fallback kind without PostgreSQL 18's words is a typo, reported
		// at once.
		{"CREATE TABLE a (id int);\n\nCREATE TABLE orders (id int,, total numeric);", "f.sql:3: syntax error"},
		{"ALTER TABLE a ADD COLUMN b int int;", "f.sql:1: syntax error"},
	} {
		if _, err := SplitFor("f.sql", bad.sql, 18); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %s", bad.sql, err, bad.want)
		}
	}
}

func TestTokenStream(t *testing.T) {
	a, _ := TokenStream("alter TABLE t -- c\n  ADD constraint nn NOT NULL id NOT VALID;")
	b, _ := TokenStream("ALTER TABLE t ADD CONSTRAINT NN not null ID not valid")
	if a != b || a != "alter table t add constraint nn not null id not valid" {
		t.Errorf("%q != %q", a, b)
	}
}

func TestSplitBefore18(t *testing.T) {
	sql := "CREATE TABLE a (id int);\nALTER TABLE a ADD CONSTRAINT nn NOT NULL id NOT VALID;"
	if _, err := SplitFor("f.sql", sql, 17); err == nil || !strings.Contains(err.Error(), "f.sql:2: syntax error") {
		t.Errorf("on 17: %v", err)
	}
	if st, err := SplitFor("f.sql", sql, 18); err != nil || len(st) != 2 || !st[1].Unparsed {
		t.Errorf("on 18: %v %v", st, err)
	}
}

func TestFallbackKeepsStatementText(t *testing.T) {
	st, err := SplitFor("m.sql", "ALTER TABLE o DROP CONSTRAINT c;\nALTER TABLE o ADD CONSTRAINT c CHECK (q > 0) NOT ENFORCED;\n", 18)
	if err != nil || len(st) != 2 || st[0].SQL != "ALTER TABLE o DROP CONSTRAINT c" || st[0].Unparsed || !st[1].Unparsed {
		t.Fatalf("%+v %v", st, err)
	}
}
