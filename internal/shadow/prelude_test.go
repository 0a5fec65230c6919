package shadow

import (
	"context"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

const outsideLive = `
CREATE SCHEMA extensions;
CREATE EXTENSION citext WITH SCHEMA extensions;
CREATE SCHEMA utils;
CREATE DOMAIN utils.posint AS integer CHECK (VALUE > 0);
CREATE TABLE public.users (id int PRIMARY KEY, email extensions.citext, qty utils.posint);
CREATE FUNCTION public.by_email(e extensions.citext) RETURNS int LANGUAGE sql AS 'SELECT 1';
`

// outsideModel is live's model of the public schema with what it uses
// outside (catalog.Outside), as the command line reads it.
func outsideModel(t *testing.T, sql string) *model.Model {
	t.Helper()
	db := pgtest.NewDatabase(t)
	db.Exec(t, sql)
	ctx := context.Background()
	conn := db.Connect(t)
	opts := catalog.Options{Schemas: []string{"public"}}
	m, err := catalog.Inspect(ctx, conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Outside, err = catalog.Outside(ctx, conn, opts, nil); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPreludeInScratchDatabases: the copy of live and the shadow the
// source loads into both have what live uses outside the managed schemas
// (an extension in its own schema, a domain of another), made once even
// when the source declares the extension too; the keys of the template
// database and of the cache change with it; the hash stays the managed
// schemas'.
func TestPreludeInScratchDatabases(t *testing.T) {
	ctx := context.Background()
	live := outsideModel(t, outsideLive)
	if live.Outside == nil || live.Outside.Extensions["citext"] == nil || len(live.Outside.Domains) != 1 {
		t.Fatalf("outside: %+v", live.Outside)
	}
	srv := dsnServer(t)

	// The copy of live builds, and reads back as live.
	db, err := srv.CopyOfLive(ctx, live, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Drop(ctx)
	conn, err := db.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	copied, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	if copied.Hash() != live.Hash() {
		t.Errorf("copy of live hashes %s, live %s", copied.Hash(), live.Hash())
	}
	if got := queryString(t, conn, "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'citext'"); got != "extensions" {
		t.Errorf("citext in %q on the copy", got)
	}

	// Without the prelude the copy cannot be built: what the test proves
	// is the prelude's doing.
	bare := *live
	bare.Outside = nil
	if db, err := srv.CopyOfLive(ctx, &bare, execSteps); err == nil {
		db.Drop(ctx)
		t.Error("a copy of live without its prelude was built")
	} else if !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("copy without prelude: %v", err)
	}
	if templateName(live, "", "b", false) == templateName(&bare, "", "b", false) {
		t.Error("the template key does not depend on the prelude")
	}
	key := CacheKey{Source: "s", Schemas: []string{"public"}}
	withOutside := key
	withOutside.Outside = live.Outside
	if key.hash() == withOutside.hash() {
		t.Error("the cache key does not depend on the prelude")
	}

	// The source loads after the prelude; its own CREATE SCHEMA and
	// CREATE EXTENSION of what the prelude made are not run twice.
	set := sourceSet(t, map[string]string{
		"ext.sql": "CREATE SCHEMA extensions;\nCREATE EXTENSION citext WITH SCHEMA extensions;\n",
		"app.sql": "CREATE TABLE public.users (id int PRIMARY KEY, email extensions.citext, qty utils.posint);\n" +
			"CREATE FUNCTION public.by_email(e extensions.citext) RETURNS int LANGUAGE sql AS 'SELECT 1';\n",
	})
	desired, err := Desired(ctx, srv, set, []string{"public"}, live)
	if err != nil {
		t.Fatal(err)
	}
	if desired.Hash() != live.Hash() {
		t.Errorf("desired hashes %s, live %s", desired.Hash(), live.Hash())
	}

	// A dependency live lacks stays the source's error, with its line.
	set = sourceSet(t, map[string]string{"app.sql": "CREATE TABLE public.t (a utils.missing);\n"})
	if _, err := Desired(ctx, srv, set, []string{"public"}, live); err == nil || !strings.Contains(err.Error(), `app.sql:1: type "utils.missing" does not exist`) {
		t.Errorf("missing outside dependency: %v", err)
	}
}
