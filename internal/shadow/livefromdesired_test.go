package shadow

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// TestCopyOfLiveFromTheSource: without a template of live, the source's
// database a command loaded and kept for it (CachedDesired with forLive)
// becomes the copy of live, the change undone, on a shared server (with no
// template made of it: the first copy of a live state) and on a
// --shadow-dsn one. A source that leaves more than its
// schema there (rows, objects outside the managed schemas) does not: live
// is recreated instead. Either way the copy reads back as live and holds
// no rows.
func TestCopyOfLiveFromTheSource(t *testing.T) {
	ctx := context.Background()
	live := liveModel(t, proofLive)
	for _, tc := range []struct {
		name   string
		extra  string
		shared bool
		reused bool
	}{
		{"shared server", "", true, true},
		{"shadow-dsn server", "", false, true},
		{"rows", "DO $$ BEGIN INSERT INTO legacy (id, kind) VALUES (1, 'a'); END $$;", true, false},
		{"an unmanaged schema", "CREATE SCHEMA other; CREATE TABLE other.t (id int);", false, false},
		{"a column dropped before the last", "ALTER TABLE legacy DROP COLUMN id;", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var srv *Server
			if tc.shared {
				var err error
				// A build of its own: no template of live from another test.
				if srv, err = Open(ctx, Options{Major: pgtest.Major(), BuildID: fmt.Sprintf("test-from-source-%d", time.Now().UnixNano())}); err != nil {
					t.Fatal(err)
				}
			} else {
				srv = dsnServer(t)
			}
			defer srv.Close()
			offerSource(t, srv, live, proofDesired+"\n"+tc.extra)
			cp := copyOfLive(t, srv, live, tc.reused)
			conn, err := cp.Connect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			got, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: managed})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := adoptSpelling(ctx, conn, live, got); err != nil {
				t.Fatal(err)
			}
			if got.Hash() != live.Hash() {
				t.Errorf("the copy does not read back as live")
			}
			if cols := queryString(t, conn, "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'legacy'::regclass AND attnum > 0 AND NOT attisdropped"); cols != "id,kind,note" {
				t.Errorf("the copy's columns: %s, live's: id,kind,note", cols)
			}
			if rows := queryString(t, conn, "SELECT count(*) FROM legacy"); rows != "0" {
				t.Errorf("the copy holds %s row(s)", rows)
			}
			if tc.shared && srv.exists(ctx, templateName(live, "", srv.buildID, srv.owners)) {
				t.Error("a template was made for live's first copy")
			}
		})
	}
}

// TestSourceDatabaseNotKeptWithoutForLive: a command that proves nothing
// does not keep the source's database.
func TestSourceDatabaseNotKeptWithoutForLive(t *testing.T) {
	ctx := context.Background()
	srv := dsnServer(t)
	defer srv.Close()
	open := func(context.Context) (*Server, error) { return srv, nil }
	live := liveModel(t, proofLive)
	if _, _, err := CachedDesired(ctx, nil, CacheKey{}, open, Parsed(sourceSet(t, map[string]string{"a.sql": proofDesired})), managed, func() (*model.Model, error) { return live, nil }, false); err != nil {
		t.Fatal(err)
	}
	if l := srv.takeOffer(); l != nil {
		l.Close(ctx)
		t.Error("the source's database was kept")
	}
}

// TestSmallLiveProvenOnTheSourceDatabase: live's template is made by its
// second copy, not its first. When live has a template, a copy
// made ahead (CopyAhead) is still the source's database, the change
// undone, for a live of fewer than sourceCopyBelow tables; from that many
// on it is a copy of the template.
func TestSmallLiveProvenOnTheSourceDatabase(t *testing.T) {
	ctx := context.Background()
	var many strings.Builder
	for i := range sourceCopyBelow {
		fmt.Fprintf(&many, "CREATE TABLE t%d (id int);\n", i)
	}
	for _, tc := range []struct {
		name      string
		live, src string
		reused    bool
	}{
		{"small", proofLive, proofDesired, true},
		{"large", many.String(), many.String() + "ALTER TABLE t0 ADD COLUMN note text;", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live := liveModel(t, tc.live)
			srv, err := Open(ctx, Options{Major: pgtest.Major(), BuildID: fmt.Sprintf("test-small-live-%d", time.Now().UnixNano())})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			// The first copy of a live state is made without a template
			// (seenBefore), the second makes it.
			for i := range 2 {
				cp, err := srv.CopyOfLive(ctx, live, execSteps)
				if err != nil {
					t.Fatal(err)
				}
				if err := cp.Drop(ctx); err != nil {
					t.Fatal(err)
				}
				if got := srv.exists(ctx, templateName(live, "", srv.buildID, srv.owners)); got != (i == 1) {
					t.Fatalf("a template after copy %d: %t, want %t", i+1, got, i == 1)
				}
			}
			settled := make(chan struct{})
			srv.CopyAhead(ctx, live, "", execSteps, settled)
			offerSource(t, srv, live, tc.src)
			close(settled)
			copyOfLive(t, srv, live, tc.reused)
			if srv.CopiesOfLive() != 3 {
				t.Errorf("%d copies of live, want 3 (the one made ahead was not used)", srv.CopiesOfLive())
			}
		})
	}
}

// offerSource loads src as the source on srv, with live, and keeps its
// database for a copy of live (CachedDesired with forLive).
func offerSource(t *testing.T, srv *Server, live *model.Model, src string) {
	t.Helper()
	open := func(context.Context) (*Server, error) { return srv, nil }
	set := sourceSet(t, map[string]string{"a.sql": src})
	if _, _, err := CachedDesired(context.Background(), nil, CacheKey{}, open, Parsed(set), managed, func() (*model.Model, error) { return live, nil }, true); err != nil {
		t.Fatal(err)
	}
}

// copyOfLive is srv.CopyOfLive, dropped when the test ends; fromSource
// says whether it must be the source's database, the change undone.
func copyOfLive(t *testing.T, srv *Server, live *model.Model, fromSource bool) *Database {
	t.Helper()
	ctx := context.Background()
	cp, err := srv.CopyOfLive(ctx, live, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cp.Drop(ctx) })
	if got := srv.CopiesFromSource() == 1; got != fromSource {
		t.Errorf("copy made from the source's database: %t, want %t", got, fromSource)
	}
	return cp
}
