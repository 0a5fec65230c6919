package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTree creates files (relative path → content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadOrderAndPaths(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"b.sql":         "CREATE TABLE b ();",
		"a/z.sql":       "CREATE TABLE az ();",
		"a.sql":         "CREATE TABLE a ();",
		"a/b/c.sql":     "CREATE TABLE abc ();",
		"notes.txt":     "INSERT INTO nothing VALUES (1);",
		"_pulled/x.SQL": "CREATE TABLE pulled ();",
		"empty.sql":     "-- nothing yet\n",
	})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, f := range set.Files {
		rel, _ := filepath.Rel(dir, f)
		rels = append(rels, filepath.ToSlash(rel))
	}
	if got, want := strings.Join(rels, " "), "_pulled/x.SQL a.sql a/b/c.sql a/z.sql b.sql empty.sql"; got != want {
		t.Errorf("files = %s, want %s", got, want)
	}
	var tables []string
	for _, st := range set.Statements {
		tables = append(tables, strings.TrimSuffix(strings.TrimPrefix(st.SQL, "CREATE TABLE "), " ()"))
		if !strings.HasPrefix(st.File, dir) || st.Line != 1 {
			t.Errorf("statement %q: file %s line %d", st.SQL, st.File, st.Line)
		}
	}
	if got, want := strings.Join(tables, " "), "pulled a abc az b"; got != want {
		t.Errorf("statement order = %s, want %s", got, want)
	}
}

func TestLoadMissingDir(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "schema"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), "pg-flux init") {
		t.Fatalf("got %v", err)
	}
}

func TestLoadRejectsNonDDL(t *testing.T) {
	for _, tc := range []struct{ sql, msg string }{
		{"INSERT INTO t VALUES (1)", "INSERT is not allowed in schema files: they declare structure only; put data changes in a migration"},
		{"WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "INSERT is not allowed"},
		{"UPDATE t SET a = 1", "UPDATE is not allowed"},
		{"DELETE FROM t", "DELETE is not allowed"},
		{"MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", "MERGE is not allowed"},
		{"COPY t TO stdout", "COPY is not allowed"},
		{"TRUNCATE t", "TRUNCATE is not allowed"},
		{"SELECT 1", "SELECT is not allowed in schema files"},
		{"SELECT pg_catalog.setval('s', 42)", "SELECT is not allowed"},
		{"SELECT set_config('a.b', 'c', false) FROM pg_class", "SELECT is not allowed"},
		{"SELECT * INTO t2 FROM t", "SELECT is not allowed"},
		{"ROLLBACK", "ROLLBACK is not allowed in schema files: pg-flux runs the source in transactions of its own; remove it"},
		{"SAVEPOINT a", "SAVEPOINT is not allowed"},
		{"COMMIT AND CHAIN", "COMMIT is not allowed"},
		{"UPDATE public.pg_proc SET a = 1", "UPDATE is not allowed"},
		{"CREATE DATABASE app", "CREATE DATABASE is not allowed"},
		{"ALTER DATABASE app SET timezone = 'UTC'", "ALTER DATABASE is not allowed"},
		{"VACUUM t", "VACUUM is not allowed"},
		{"REFRESH MATERIALIZED VIEW mv", "REFRESH MATERIALIZED VIEW is not allowed"},
	} {
		dir := writeTree(t, map[string]string{"users.sql": "CREATE TABLE t (a int);\n\n-- seed\n" + tc.sql + ";\n"})
		_, err := Load(dir)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want *Error", tc.sql, err)
			continue
		}
		if e.File != filepath.Join(dir, "users.sql") || e.Line != 4 || !strings.Contains(e.Msg, tc.msg) {
			t.Errorf("%s: got %q", tc.sql, e.Error())
		}
	}
}

func TestLoadLeavesOutTransactionWrappers(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.sql": "BEGIN;\nCREATE TABLE a ();\nCOMMIT;\nSTART TRANSACTION;\nCREATE TABLE b ();\nEND;"})
	set := mustLoad(t, dir)
	if len(set.Statements) != 2 || set.Statements[0].Line != 2 || set.Statements[1].Line != 5 {
		t.Errorf("statements = %#v", set.Statements)
	}
}

func TestLoadAcceptsSystemCatalogChanges(t *testing.T) {
	// Test fixtures poke the catalog to provoke edge cases; that is
	// structure, not data.
	dir := writeTree(t, map[string]string{"a.sql": "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nUPDATE pg_proc SET prorows = 5 WHERE proname = 'f';\nDELETE FROM pg_catalog.pg_description WHERE false;"})
	if set := mustLoad(t, dir); len(set.Statements) != 3 {
		t.Errorf("statements = %#v", set.Statements)
	}
}

func TestLoadErrorMessageShape(t *testing.T) {
	dir := writeTree(t, map[string]string{"schema/users.sql": strings.Repeat("\n", 11) + "INSERT INTO users VALUES (1);"})
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	_, err := Load("schema")
	want := "schema/users.sql:12: INSERT is not allowed in schema files: they declare structure only; put data changes in a migration"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.sql": "INSERT INTO t VALUES (1);\nCREATE TABLE t ();\nDELETE FROM t;",
		"b.sql": "CREATE TABLE (;",
	})
	_, err := Load(dir)
	if err == nil {
		t.Fatal("no error")
	}
	// In file order, though files are parsed concurrently.
	at := -1
	for _, want := range []string{"a.sql:1: INSERT", "a.sql:3: DELETE", "b.sql:1: syntax error"} {
		i := strings.Index(err.Error(), want)
		if i < 0 {
			t.Errorf("error %q lacks %q", err, want)
		} else if i < at {
			t.Errorf("error %q has %q out of order", err, want)
		}
		at = i
	}
}

// pgDumpSchema is what pg_dump --schema-only --clean --if-exists writes
// (trimmed): settings, set_config, a DROP prelude, then the objects.
const pgDumpSchema = `--
-- PostgreSQL database dump
--

-- Dumped from database version 16.4
-- Dumped by pg_dump version 17.0

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

ALTER TABLE IF EXISTS ONLY public.orders DROP CONSTRAINT IF EXISTS orders_user_id_fkey;
DROP INDEX IF EXISTS public.orders_created;
DROP TABLE IF EXISTS public.orders;
DROP SEQUENCE IF EXISTS public.orders_id_seq;
DROP SCHEMA IF EXISTS app;

CREATE SCHEMA app;

SET default_tablespace = '';
SET default_table_access_method = heap;

--
-- Name: orders; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.orders (
    id bigint NOT NULL,
    user_id bigint
);

CREATE INDEX orders_created ON public.orders USING btree (id);

--
-- PostgreSQL database dump complete
--
`

func TestLoadAcceptsPgDumpOutput(t *testing.T) {
	dir := writeTree(t, map[string]string{"dump.sql": pgDumpSchema})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var settings, other int
	for _, st := range set.Statements {
		if st.IsSetting() {
			settings++
		} else {
			other++
		}
	}
	if settings != 13 || other != 8 {
		t.Errorf("got %d settings and %d other statements, want 13 and 8", settings, other)
	}
	if st := set.Statements[0]; st.Line != 8 || st.SQL != "SET statement_timeout = 0" {
		t.Errorf("first statement = %#v", st)
	}
}

func TestHash(t *testing.T) {
	files := map[string]string{"a.sql": "CREATE TABLE a ();", "sub/b.sql": "CREATE TABLE b ();"}
	h1 := mustLoad(t, writeTree(t, files)).Hash()
	h2 := mustLoad(t, writeTree(t, files)).Hash()
	if h1 != h2 || !strings.HasPrefix(h1, "sha256:") || len(h1) != len("sha256:")+64 {
		t.Errorf("same tree in two places: %s vs %s", h1, h2)
	}
	files["a.sql"] = "CREATE TABLE a (); -- changed"
	if h3 := mustLoad(t, writeTree(t, files)).Hash(); h3 == h1 {
		t.Error("hash did not change with content")
	}
	delete(files, "a.sql")
	files["c.sql"] = "CREATE TABLE a ();"
	if h4 := mustLoad(t, writeTree(t, files)).Hash(); h4 == h1 {
		t.Error("hash did not change with a renamed file")
	}
}

func mustLoad(t *testing.T, dir string) *Set {
	t.Helper()
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return set
}
