package shadow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/source"
)

const cacheSource = `CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE app_user (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL CHECK (name <> ''), m mood);
CREATE TABLE post (id serial PRIMARY KEY, user_id bigint REFERENCES app_user (id), body text);
CREATE INDEX post_user_idx ON post (user_id) WHERE body IS NOT NULL;
CREATE FUNCTION post_count(u bigint) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM post WHERE user_id = u $$;
CREATE VIEW busy AS SELECT id, name FROM app_user WHERE post_count(id) > 10;
COMMENT ON TABLE post IS 'posts';
`

// TestCachedDesired: a miss loads the source and stores the model; a hit
// returns the same model (every field, dependencies included) without
// opening the shadow; changing a source file, the managed schemas or the
// server's major version misses again; a corrupt entry is a miss.
func TestCachedDesired(t *testing.T) {
	ctx := context.Background()
	srv := dsnServer(t)
	cache := OpenCache(t.TempDir())
	opens := 0
	open := func(context.Context) (*Server, error) { opens++; return srv, nil }
	empty := func() (*model.Model, error) { return model.New(), nil }

	schemaDir := filepath.Join(t.TempDir(), "schema")
	write := func(rel, sql string) *source.Set {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(schemaDir, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(schemaDir, rel), []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := source.Load(schemaDir)
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	write("main.sql", cacheSource)
	set := write("more/extra.sql", "CREATE TABLE extra (id int PRIMARY KEY);\n")
	key := func(set *source.Set, schemas []string, major int) CacheKey {
		return CacheKey{Source: set.Hash(), Server: "test", Major: major, BuildID: BuildID("test"), Schemas: schemas}
	}
	public := []string{"public"}
	desired := func(k CacheKey, set *source.Set, schemas []string) (*model.Model, bool) {
		t.Helper()
		m, hit, err := CachedDesired(ctx, cache, k, open, Parsed(set), schemas, empty, false)
		if err != nil {
			t.Fatal(err)
		}
		return m, hit
	}

	miss, hit := desired(key(set, public, 15), set, public)
	if hit || opens != 1 {
		t.Fatalf("first call: hit=%v opens=%d, want a miss that opens the shadow", hit, opens)
	}
	cached, hit := desired(key(set, public, 15), set, public)
	if !hit || opens != 1 {
		t.Fatalf("second call: hit=%v opens=%d, want a hit that does not open the shadow", hit, opens)
	}
	if !reflect.DeepEqual(miss, cached) {
		t.Fatalf("the cached model differs from the loaded one:\n%s\n---\n%s", miss.Canonical(), cached.Canonical())
	}
	if len(cached.Deps) == 0 || len(cached.Tables) != 3 || len(cached.Views) != 1 {
		t.Fatalf("cached model lacks objects: %d deps, %d tables, %d views", len(cached.Deps), len(cached.Tables), len(cached.Views))
	}
	direct, err := Desired(ctx, srv, set, public, model.New())
	if err != nil {
		t.Fatal(err)
	}
	if changes := diff.Compare(direct, cached); len(changes) > 0 || string(direct.Canonical()) != string(cached.Canonical()) {
		t.Fatalf("the cached model differs from Desired's: %v", changes)
	}

	// Any source file changed: a miss, and the model shows the change.
	changed := write("more/extra.sql", "CREATE TABLE extra (id int PRIMARY KEY, note text);\n")
	m, hit := desired(key(changed, public, 15), changed, public)
	if hit || opens != 2 {
		t.Fatalf("changed file: hit=%v opens=%d, want a miss", hit, opens)
	}
	if m.Tables[model.QName{Schema: "public", Name: "extra"}].Column("note") == nil {
		t.Fatal("changed file: the new column is missing from the model")
	}
	// Other managed schemas, another major: misses.
	both := []string{"public", "other"}
	if _, hit := desired(key(changed, both, 15), changed, both); hit || opens != 3 {
		t.Fatalf("other schemas: hit=%v opens=%d, want a miss", hit, opens)
	}
	if _, hit := desired(key(changed, public, 16), changed, public); hit || opens != 4 {
		t.Fatalf("other major: hit=%v opens=%d, want a miss", hit, opens)
	}
	if _, hit := desired(key(changed, public, 15), changed, public); !hit || opens != 4 {
		t.Fatalf("back to the first key: hit=%v opens=%d, want a hit", hit, opens)
	}

	// A corrupt entry is a miss, not an error.
	entries, _ := filepath.Glob(filepath.Join(cache.dir, "*.bin"))
	for _, e := range entries {
		if err := os.WriteFile(e, []byte("garbage"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, hit := desired(key(changed, public, 15), changed, public); hit || opens != 5 {
		t.Fatalf("corrupt entry: hit=%v opens=%d, want a miss", hit, opens)
	}
	// No cache (--no-cache): always loads.
	if _, hit, err := CachedDesired(ctx, nil, key(changed, public, 15), open, Parsed(changed), public, empty, false); err != nil || hit || opens != 6 {
		t.Fatalf("no cache: hit=%v opens=%d err=%v, want a load", hit, opens, err)
	}

	// A miss that fails after the load (live could not be read) stores
	// nothing, and leaves no half-written entry behind.
	failed := key(changed, public, 17)
	broken := func() (*model.Model, error) { return nil, errors.New("live unreadable") }
	if _, _, err := CachedDesired(ctx, cache, failed, open, Parsed(changed), public, broken, false); err == nil {
		t.Fatal("a miss whose live cannot be read succeeded")
	}
	cache.Wait()
	if temps, _ := filepath.Glob(filepath.Join(cache.dir, tempPrefix+"*")); len(temps) > 0 {
		t.Errorf("temporary files left after a failed miss: %v", temps)
	}
	if _, err := os.Stat(cache.path(failed.hash())); !os.IsNotExist(err) {
		t.Errorf("a failed miss stored an entry: %v", err)
	}
}

// TestCachedDesiredSpelling: a hit whose live model needs a spelling
// comparison not made before loads the source again (and remembers the
// answer); the next such hit needs no shadow.
func TestCachedDesiredSpelling(t *testing.T) {
	ctx := context.Background()
	srv := dsnServer(t)
	cache := OpenCache(t.TempDir())
	opens := 0
	open := func(context.Context) (*Server, error) { opens++; return srv, nil }
	set := sourceSet(t, map[string]string{"v.sql": "CREATE TABLE t (id int, s varchar(5) CHECK (s IN ('a', 'b')));\n"})
	k := CacheKey{Source: set.Hash(), Server: "test", Major: 15, BuildID: "test", Schemas: []string{"public"}}
	first, _, err := CachedDesired(ctx, cache, k, open, Parsed(set), []string{"public"}, func() (*model.Model, error) { return model.New(), nil }, false)
	if err != nil {
		t.Fatal(err)
	}
	// Live holds the same check as PostgreSQL spells it after a reload.
	db := pgtest.NewDatabase(t)
	db.Exec(t, "CREATE TABLE t (id int, s varchar(5));")
	name := model.QName{Schema: "public", Name: "t"}
	var check string
	for cname, c := range first.Tables[name].Constraints {
		if c.Type == model.Check {
			check = cname
			db.Exec(t, "ALTER TABLE t ADD CONSTRAINT "+pgx.Identifier{cname}.Sanitize()+" "+c.Definition)
		}
	}
	conn := db.Connect(t)
	live, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	liveFn := func() (*model.Model, error) { return live, nil }
	respelled := live.Tables[name].Constraints[check].Definition != first.Tables[name].Constraints[check].Definition
	m, hit, err := CachedDesired(ctx, cache, k, open, Parsed(set), []string{"public"}, liveFn, false)
	if err != nil {
		t.Fatal(err)
	}
	if respelled && (hit || opens != 2) {
		t.Fatalf("a new spelling comparison: hit=%v opens=%d, want the source loaded again", hit, opens)
	}
	if changes := diff.Compare(live, m); len(changes) > 0 {
		t.Fatalf("live and desired differ: %v", changes)
	}
	before := opens
	m, hit, err = CachedDesired(ctx, cache, k, open, Parsed(set), []string{"public"}, liveFn, false)
	if err != nil || !hit || opens != before {
		t.Fatalf("the same comparison again: hit=%v opens=%d (was %d) err=%v, want a hit", hit, opens, before, err)
	}
	if changes := diff.Compare(live, m); len(changes) > 0 {
		t.Fatalf("from the cache, live and desired differ: %v", changes)
	}
}

// TestCopyOfLiveTemplate: on the shared server, copies of the same live
// state come from one template database and hold live's schema; nothing
// but the template is left after Close.
func TestCopyOfLiveTemplate(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	db.Exec(t, cacheSource)
	live, err := catalog.Inspect(ctx, db.Connect(t), catalog.Options{Schemas: []string{"public"}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Open(ctx, Options{Major: pgtest.Major(), BuildID: "test-template"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !srv.Shared() {
		t.Fatal("Open without a DSN should use the shared server")
	}
	for i := 0; i < 2; i++ {
		cp, err := srv.CopyOfLive(ctx, live, execSteps)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := cp.Connect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
		conn.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if changes := diff.Compare(live, got); len(changes) > 0 {
			t.Fatalf("copy %d differs from live: %v", i, changes)
		}
		if err := cp.Drop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	names := databases(t, srv)
	tpl := templateName(live, "", "test-template", false)
	if !contains(names, tpl) {
		t.Fatalf("no template database %s on the shared server: %v", tpl, names)
	}
	srv.Close()
	for _, n := range databases(t, srv) {
		if strings.HasPrefix(n, DatabasePrefix) || strings.HasPrefix(n, templateBuildPrefix) {
			t.Errorf("scratch database %s left after Close", n)
		}
	}
}

func contains(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

func databases(t *testing.T, srv *Server) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, srv.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database")
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// The parsed source is read back while the files, the directory as given
// and the build are the same; any of them changing parses again, and a
// source that does not parse is never stored.
func TestCachedParseHitsOnlyForTheSameFiles(t *testing.T) {
	c := OpenCache(t.TempDir())
	dir := t.TempDir()
	file := filepath.Join(dir, "a.sql")
	write := func(sql string) {
		if err := os.WriteFile(file, []byte(sql), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	parse := func(dir, build string) (*source.Set, bool, error) {
		files, err := source.Read(dir)
		if err != nil {
			t.Fatal(err)
		}
		// Parsed or read back, the statements and the set go to the
		// stream as well.
		stream := source.NewStream()
		set, hit, err := CachedParse(c, files, source.FallbackMajor, build, stream)
		streamed, streamErr := stream.Wait()
		handed, _ := stream.Next(context.Background(), 0)
		if streamed != set || streamErr != err || err == nil && !slices.Equal(handed, set.Statements) {
			t.Fatalf("the stream got %d statements and %v, %v; the set has %d", len(handed), streamed, streamErr, len(set.Statements))
		}
		return set, hit, err
	}
	write("CREATE TABLE t (id int);\n")
	for i, want := range []bool{false, true, true} {
		set, hit, err := parse(dir, "b1")
		if err != nil || hit != want || len(set.Statements) != 1 || set.Statements[0].File != file {
			t.Fatalf("parse %d: hit %v (want %v), %v, %+v", i, hit, want, err, set)
		}
	}
	if _, hit, _ := parse(dir, "b2"); hit {
		t.Error("another build read the cached parse")
	}
	if _, hit, _ := parse(dir+string(filepath.Separator)+".", "b1"); hit {
		t.Error("the same files under another directory spelling read statements with the first one's paths")
	}
	write("CREATE TABLE t (id int);\nCREATE TABLE u (id int);\n")
	if set, hit, _ := parse(dir, "b1"); hit || len(set.Statements) != 2 {
		t.Errorf("changed file: hit %v, %d statements", hit, len(set.Statements))
	}
	write("CREATE TABLE (;\n")
	for i := 0; i < 2; i++ {
		if _, hit, err := parse(dir, "b1"); err == nil || hit {
			t.Fatalf("broken file, parse %d: hit %v, err %v", i, hit, err)
		}
	}
	// nil cache: always parsed.
	files, _ := source.Read(dir)
	if _, hit, err := CachedParse(nil, files, source.FallbackMajor, "b1", nil); hit || err == nil {
		t.Errorf("nil cache: hit %v, err %v", hit, err)
	}
}

// TestTemplatesAreBounded: a shared server keeps the templates of the
// maxTemplates newest live states; installing a newer one drops the oldest.
func TestTemplatesAreBounded(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	conn := db.Connect(t)
	srv, err := Open(ctx, Options{Major: pgtest.Major(), BuildID: "test-bounded"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var tpls []string
	for i := 0; i < maxTemplates+2; i++ {
		db.Exec(t, fmt.Sprintf("DROP TABLE IF EXISTS t%d; CREATE TABLE t%d (id int)", max(i-1, 0), i))
		live, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second copy makes the template
			cp, err := srv.CopyOfLive(ctx, live, execSteps)
			if err != nil {
				t.Fatal(err)
			}
			if err := cp.Drop(ctx); err != nil {
				t.Fatal(err)
			}
		}
		tpls = append(tpls, templateName(live, "", "test-bounded", false))
	}
	names := databases(t, srv)
	kept := 0
	for _, n := range names {
		if strings.HasPrefix(n, templatePrefix) {
			kept++
		}
	}
	if kept > maxTemplates {
		t.Errorf("%d templates kept, want at most %d", kept, maxTemplates)
	}
	for i, tpl := range tpls {
		if want := i >= 2; contains(names, tpl) != want {
			t.Errorf("template of live state %d kept: %t, want %t", i, !want, want)
		}
	}
}

// TestCacheIsBounded: the cache keeps the maxCacheEntries entries written
// last, and removes the directories of the layout before.
func TestCacheIsBounded(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "ab")
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "ab00.bin"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := OpenCache(dir)
	base := time.Now().Add(-time.Hour)
	var keys []string
	for i := 0; i < maxCacheEntries+3; i++ {
		key := fmt.Sprintf("%064x", i)
		if err := c.write(key, rawEntry("entry")); err != nil {
			t.Fatal(err)
		}
		// Distinct write times, whatever the file system's resolution.
		at := base.Add(time.Duration(i) * time.Second)
		if err := os.Chtimes(c.path(key), at, at); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	if err := c.write(fmt.Sprintf("%064x", 999), rawEntry("entry")); err != nil {
		t.Fatal(err)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != maxCacheEntries {
		t.Errorf("%d files in the cache, want %d", len(names), maxCacheEntries)
	}
	for i, key := range keys {
		_, err := os.Stat(c.path(key))
		if kept, want := err == nil, i >= 4; kept != want {
			t.Errorf("entry %d kept: %t, want %t", i, kept, want)
		}
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("the directory of the layout before is still there: %v", err)
	}
}

// rawEntry fills an entry with text.
func rawEntry(text string) func(*encoder) {
	return func(e *encoder) { e.raw([]byte(text)) }
}

// TestCacheWriteLater: an entry written in the background is read back by
// a read of its key that starts before the write ends, and is stored once
// Wait returns.
func TestCacheWriteLater(t *testing.T) {
	c := OpenCache(t.TempDir())
	release := make(chan struct{})
	c.writeLater("k", nil, func(e *encoder) {
		<-release
		e.raw([]byte("entry"))
	})
	if _, err := os.Stat(c.path("k")); err == nil {
		t.Fatal("the entry is stored before it is encoded")
	}
	read := make(chan string)
	go func() {
		data, err := c.read("k")
		if err != nil {
			read <- "error: " + err.Error()
			return
		}
		read <- string(data)
	}()
	select {
	case got := <-read:
		t.Fatalf("the read returned %q before the write ended", got)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if got := <-read; got != "entry" {
		t.Fatalf("read %q, want the entry written in the background", got)
	}

	c.writeLater("other", nil, rawEntry("second"))
	c.Wait()
	if data, err := os.ReadFile(c.path("other")); err != nil || string(data) != "second" {
		t.Fatalf("after Wait: %q, %v", data, err)
	}
	var nilCache *Cache
	nilCache.Wait() // a command run with --no-cache has none
}

// bigModel is a model of n tables of five columns, each depending on the
// one before: a few megabytes encoded for n in the thousands.
func bigModel(n int) *model.Model {
	m := model.New()
	var prev model.ObjectID
	for i := range n {
		q := model.QName{Schema: "public", Name: fmt.Sprintf("table_%05d", i)}
		tb := &model.Table{Name: q, Constraints: map[string]*model.Constraint{
			q.Name + "_pkey": {Name: q.Name + "_pkey", Type: model.PrimaryKey, Definition: "PRIMARY KEY (column_0)"},
		}}
		for j := range 5 {
			tb.Columns = append(tb.Columns, &model.Column{Name: fmt.Sprintf("column_%d", j), Type: "text", NotNull: j == 0})
		}
		m.Tables[q] = tb
		id := model.ID(model.KindTable, q)
		if i > 0 {
			m.Deps[id] = []model.ObjectID{prev}
		}
		prev = id
	}
	return m
}

// chunkWriter records how much each Write was handed.
type chunkWriter struct {
	writes, most, total int
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.writes++
	w.most = max(w.most, len(p))
	w.total += len(p)
	return len(p), nil
}

// TestEntryStreamsToItsFile: an entry of megabytes goes to its file a
// chunk at a time, so the command never holds it whole; it reads back as
// the entry; and encoding it leaves little garbage (a growing buffer, or a
// copy of each map key, would be as large as the entry).
func TestEntryStreamsToItsFile(t *testing.T) {
	m := bigModel(6000)
	verdicts := map[string]bool{"spelling": true}
	size := len(encodeValue(nil, reflect.ValueOf(m)))
	if size < 8*encodeChunk {
		t.Fatalf("the model encodes to %d bytes, too few to tell chunks from a whole", size)
	}

	w := &chunkWriter{}
	enc := streamTo(w)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	enc.entryHead("key", m)
	enc.value(reflect.ValueOf(verdicts))
	if err := enc.flush(); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d bytes encoded in %d writes of at most %d, allocating %d bytes", w.total, w.writes, w.most, alloc)
	if w.most > 2*encodeChunk || w.writes < size/(2*encodeChunk) {
		t.Errorf("want writes of about %d bytes", encodeChunk)
	}
	if alloc > uint64(size)/4 {
		t.Errorf("encoding %d bytes allocated %d: want little garbage", size, alloc)
	}

	c := OpenCache(t.TempDir())
	ef, err := c.create()
	if err != nil {
		t.Fatal(err)
	}
	ef.enc.entryHead("key", m)
	c.writeLater("key", ef, func(e *encoder) { e.value(reflect.ValueOf(verdicts)) })
	c.Wait()
	e := c.load("key")
	if e == nil || !reflect.DeepEqual(e.Model, m) || !reflect.DeepEqual(e.Verdicts, verdicts) {
		t.Fatal("the entry written in two parts does not read back")
	}
	if temps, _ := filepath.Glob(filepath.Join(c.dir, tempPrefix+"*")); len(temps) > 0 {
		t.Errorf("temporary files left: %v", temps)
	}
}

// TestCacheRemovesStaleTemporaries: an entry file left by a command killed
// while it wrote is removed once it is stale; one being written is not.
func TestCacheRemovesStaleTemporaries(t *testing.T) {
	c := OpenCache(t.TempDir())
	stale, fresh := filepath.Join(c.dir, tempPrefix+"killed"), filepath.Join(c.dir, tempPrefix+"writing")
	for _, p := range []string{stale, fresh} {
		if err := os.MkdirAll(c.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("half an entry"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * staleTemp)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if err := c.write("k", rawEntry("entry")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale temporary file is still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("the temporary file being written was removed: %v", err)
	}
}

// TestConcurrentCopiesInstallOneTemplate: commands that make the same live
// state's template at once all get their copy. Renaming two databases to
// one name at the same moment fails with a unique violation on
// pg_database's names rather than duplicate_database; both mean another
// command installed it first.
func TestConcurrentCopiesInstallOneTemplate(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	db.Exec(t, cacheSource)
	conn := db.Connect(t)
	srv, err := Open(ctx, Options{Major: pgtest.Major(), BuildID: "test-concurrent-template"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for round := range 3 {
		// A new live state each round, seen once: the copies after it
		// each build the template and race to install it.
		db.Exec(t, fmt.Sprintf("CREATE TABLE round_%d (id int)", round))
		live, err := catalog.Inspect(ctx, conn, catalog.Options{Schemas: []string{"public"}})
		if err != nil {
			t.Fatal(err)
		}
		first, err := srv.CopyOfLive(ctx, live, execSteps)
		if err != nil {
			t.Fatal(err)
		}
		first.Drop(ctx)
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() {
				cp, err := srv.CopyOfLive(ctx, live, execSteps)
				if err == nil {
					err = cp.Drop(ctx)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d, copy %d: %v", round, i, err)
			}
		}
	}
}
