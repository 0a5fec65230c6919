package shadow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/source"
)

// Cache keeps desired models on disk, keyed by everything that makes one
// (CacheKey), so that a command whose source has not changed skips the
// shadow database. Entries are written to a temporary file and renamed, so
// concurrent commands never read half an entry; an entry that does not
// decode, or was written by another build, is a miss.
type Cache struct {
	dir string

	mu      sync.Mutex
	writing map[string]chan struct{} // keys being written by writeLater
	later   sync.WaitGroup
}

// maxCacheEntries bounds the cache; the least recently written go first.
const maxCacheEntries = 64

// staleTemp is how long after its last write an entry still being
// written is taken for one whose command was killed: a command writes
// the start of its desired model's entry when the source is loaded, and
// the rest when it has compared the model with live.
const staleTemp = time.Hour

// cacheFormat changes whenever the entry layout does.
const cacheFormat = "pg-flux desired-model cache 1"

// DefaultCacheDir is $PGFLUX_CACHE_DIR, else "desired" under pg-flux's
// directory in the user's cache directory.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("PGFLUX_CACHE_DIR"); d != "" {
		return d, nil
	}
	base, err := pgserver.CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "desired"), nil
}

// OpenCache returns the cache in dir ("" means DefaultCacheDir()), or nil
// when there is no cache directory; a nil *Cache caches nothing.
func OpenCache(dir string) *Cache {
	if dir == "" {
		var err error
		if dir, err = DefaultCacheDir(); err != nil {
			return nil
		}
	}
	return &Cache{dir: dir}
}

// CacheKey is everything the desired model depends on.
type CacheKey struct {
	Source  string   // source.Set.Hash(): the files' paths and contents
	Server  string   // the shadow server: binaries and version, or --shadow-dsn's server
	Major   int      // its major version
	BuildID string   // the pg-flux build (BuildID)
	Schemas []string // managed schemas
	Owners  bool     // manage_owners
	// Outside is what live uses outside the managed schemas
	// (model.Model.Outside, catalog.Outside): the source loads after it.
	Outside *model.Model
}

func (k CacheKey) hash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%s\x00%s\x00%t\x00%s", cacheFormat, k.Source, k.Server, k.Major, k.BuildID,
		strings.Join(k.Schemas, ","), k.Owners, cacheEntryShape())
	hashOutside(h, k.Outside)
	return hex.EncodeToString(h.Sum(nil))
}

// The stored types' fingerprints: a walk of the model's types, made once.
var (
	cacheEntryShape  = sync.OnceValue(func() string { return typeFingerprint(reflect.TypeOf(cacheEntry{})) })
	provenEntryShape = sync.OnceValue(func() string { return typeFingerprint(reflect.TypeOf(provenEntry{})) })
)

// WarmCache does the cache keys' one-time setup: the stored types'
// fingerprints and the model's serialisers (model.Model.Canonical), which
// cost a few milliseconds on the first key of a process. A command calls it
// in the background while it waits for the database.
func WarmCache() {
	cacheEntryShape()
	provenEntryShape()
	(&model.Model{}).Canonical()
}

// cacheEntry is what is stored: the model as inspected (before live's
// spellings are adopted) and the spelling comparisons made so far.
type cacheEntry struct {
	Key      string
	Model    *model.Model
	Verdicts map[string]bool
}

// path is where the entry key is kept. The directory is flat: with so few
// entries, listing one directory is what keeps prune cheap.
func (c *Cache) path(key string) string { return filepath.Join(c.dir, key+".bin") }

// read returns the stored entry key, once a write of it in the background
// has ended (settled).
func (c *Cache) read(key string) ([]byte, error) {
	c.settled(key)
	return os.ReadFile(c.path(key))
}

// settled returns once the entry key is not being written in the
// background (writeLater).
func (c *Cache) settled(key string) {
	c.mu.Lock()
	done := c.writing[key]
	c.mu.Unlock()
	if done != nil {
		<-done
	}
}

func (c *Cache) load(key string) *cacheEntry {
	if c == nil {
		return nil
	}
	data, err := c.read(key)
	if err != nil {
		return nil
	}
	var e cacheEntry
	d := newDecoder(data)
	if err := d.value(reflect.ValueOf(&e).Elem()); err != nil || len(d.b) != 0 || e.Key != key || e.Model == nil {
		return nil
	}
	return &e
}

// entryHead encodes the fields of cacheEntry{key, m, …} before the
// verdicts, which follow once known.
func (e *encoder) entryHead(key string, m *model.Model) {
	e.value(reflect.ValueOf(key))
	e.value(reflect.ValueOf(m))
}

// tempPrefix begins the names of entries being written.
const tempPrefix = ".tmp-"

// entryFile is an entry being written: a temporary file beside the
// entries, which commit renames into place, so that no reader sees half
// of it. Its encoder writes to it a chunk at a time.
type entryFile struct {
	f   *os.File
	enc encoder
}

// create starts an entry.
func (c *Cache) create() (*entryFile, error) {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(c.dir, tempPrefix)
	if err != nil {
		return nil, err
	}
	return &entryFile{f: f, enc: streamTo(f)}, nil
}

// abort removes an entry that will not be committed.
func (ef *entryFile) abort() {
	ef.f.Close()
	os.Remove(ef.f.Name())
}

// commit stores what ef holds as the entry key.
func (c *Cache) commit(key string, ef *entryFile) error {
	werr := ef.enc.flush()
	cerr := ef.f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(ef.f.Name())
		return err
	}
	if err := os.Rename(ef.f.Name(), c.path(key)); err != nil {
		os.Remove(ef.f.Name())
		return err
	}
	c.prune()
	return nil
}

// write stores the entry key, which fill encodes.
func (c *Cache) write(key string, fill func(*encoder)) error {
	ef, err := c.create()
	if err != nil {
		return err
	}
	fill(&ef.enc)
	return c.commit(key, ef)
}

// writeLater stores the entry key in the background: fill encodes it, or
// the rest of it when ef (from create) already holds its start; encoding
// and writing a proven plan's result takes 60-75 ms on 1,000 tables,
// which the command's next steps (the plan's proof after the desired
// model's entry; the output and the shadow's close after a proven plan's)
// can hide. A read of the same key waits for it; Wait waits for them all.
func (c *Cache) writeLater(key string, ef *entryFile, fill func(*encoder)) {
	done := make(chan struct{})
	c.mu.Lock()
	if c.writing == nil {
		c.writing = map[string]chan struct{}{}
	}
	c.writing[key] = done
	c.mu.Unlock()
	c.later.Add(1)
	go func() {
		defer c.later.Done()
		if ef != nil {
			fill(&ef.enc)
			_ = c.commit(key, ef)
		} else {
			_ = c.write(key, fill)
		}
		c.mu.Lock()
		if c.writing[key] == done {
			delete(c.writing, key)
		}
		c.mu.Unlock()
		close(done)
	}()
}

// Wait returns once the entries being written in the background are
// stored. Call it before the process exits.
func (c *Cache) Wait() {
	if c != nil {
		c.later.Wait()
	}
}

// prune removes the oldest entries beyond maxCacheEntries, and the
// subdirectories of the layout before (entries under the first two
// characters of their key), which no build reads any more.
func (c *Cache) prune() {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type aged struct {
		path string
		mod  int64
	}
	var all []aged
	for _, e := range entries {
		path := filepath.Join(c.dir, e.Name())
		switch {
		case e.IsDir() && len(e.Name()) == 2:
			os.RemoveAll(path)
		case strings.HasSuffix(e.Name(), ".bin"):
			all = append(all, aged{path: path})
		case strings.HasPrefix(e.Name(), tempPrefix):
			// Left by a command that was killed while it wrote.
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > staleTemp {
				os.Remove(path)
			}
		}
	}
	if len(all) <= maxCacheEntries {
		return
	}
	for i := range all {
		if fi, err := os.Stat(all[i].path); err == nil {
			all[i].mod = fi.ModTime().UnixNano()
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].mod > all[j].mod })
	for _, a := range all[maxCacheEntries:] {
		os.Remove(a.path)
	}
}

// The parsed source is cached too: on a large source the parse costs as
// much as the live inspection that an unchanged source otherwise reduces a
// command to.
const sourceFormat = "pg-flux parsed source 1\n"

// sourceKey names the parse of files for a major by their hash, the
// directory as given (statements carry paths under it) and the pg-flux
// build (its parser).
func sourceKey(files *source.Files, major int, buildID string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%s", sourceFormat, files.Hash(), files.Dir(), major, buildID)
	return hex.EncodeToString(h.Sum(nil))
}

// ParseCached says whether CachedParse would find the files' parse in the
// cache, without reading it.
func ParseCached(c *Cache, files *source.Files, major int, buildID string) bool {
	if c == nil {
		return false
	}
	key := sourceKey(files, major, buildID)
	c.settled(key)
	_, err := os.Stat(c.path(key))
	return err == nil
}

// CachedParse is files.Parse(major) behind the cache: hit reports that the
// set was read back rather than parsed. Only sets that parsed are stored.
// stream, when not nil, gets the statements as they are parsed (all at
// once on a hit) and then the result, before the cache is written.
func CachedParse(c *Cache, files *source.Files, major int, buildID string, stream *source.Stream) (set *source.Set, hit bool, err error) {
	key := sourceKey(files, major, buildID)
	if c != nil {
		if data, err := c.read(key); err == nil {
			if rest, ok := strings.CutPrefix(string(data), sourceFormat); ok {
				if set, err := source.DecodeSet([]byte(rest)); err == nil && set.Hash() == files.Hash() {
					if stream != nil {
						stream.Add(set.Statements)
						stream.End(set, nil)
					}
					return set, true, nil
				}
			}
		}
	}
	var each func([]source.Statement)
	if stream != nil {
		each = stream.Add
	}
	set, err = files.ParseEach(major, each)
	if stream != nil {
		stream.End(set, err)
	}
	if err != nil {
		return nil, false, err
	}
	if c != nil {
		if data, err := set.Encode(); err == nil {
			// A cache that cannot be written only costs time.
			_ = c.write(key, func(e *encoder) {
				e.raw([]byte(sourceFormat))
				e.raw(data)
			})
		}
	}
	return set, false, nil
}

// CachedDesired is Desired behind the cache. On a hit the shadow server is
// not used at all (open is not called) unless live's spellings need a
// comparison not made before. On a miss the source is loaded while live()
// is still being computed by the caller, and the entry is written. c may be
// nil (--no-cache). hit says whether the model came from the cache.
//
// With forLive, a copy of live will be asked for: the source's database is
// then kept for it (see liveFromDesired) rather than dropped.
func CachedDesired(ctx context.Context, c *Cache, key CacheKey, open func(context.Context) (*Server, error), src Parsing, schemas []string, live func() (*model.Model, error), forLive bool) (m *model.Model, hit bool, err error) {
	k := key.hash()
	if e := c.load(k); e != nil {
		l, err := live()
		if err != nil {
			return nil, false, err
		}
		if _, complete, _ := adoptSpellingWith(ctx, nil, l, e.Model, e.Verdicts); complete {
			return e.Model, true, nil
		}
	}
	srv, err := open(ctx)
	if err != nil {
		return nil, false, err
	}
	loaded, err := LoadDesired(ctx, srv, src, schemas, key.Outside)
	if err != nil {
		return nil, false, err
	}
	// Dropped in the background once live's spellings are adopted (the
	// plan does not wait for it), unless kept for a copy of live.
	offered := false
	defer func() {
		if !offered {
			loaded.release(ctx)
		}
	}()
	// The stored model is the one inspected, before live's spellings are
	// adopted into it: encoded now, into the entry's file, which the
	// verdicts finish after. A cache that cannot be written only costs
	// time.
	var ef *entryFile
	if c != nil {
		if ef, _ = c.create(); ef != nil {
			ef.enc.entryHead(k, loaded.Model)
			defer func() {
				if ef != nil {
					ef.abort()
				}
			}()
		}
	}
	l, err := live()
	if err != nil {
		return nil, false, err
	}
	verdicts := map[string]bool{}
	if err := loaded.AdoptSpelling(ctx, l, verdicts); err != nil {
		return nil, false, err
	}
	if ef != nil {
		c.writeLater(k, ef, func(e *encoder) { e.value(reflect.ValueOf(verdicts)) })
		ef = nil
	}
	if forLive {
		srv.offer(ctx, loaded)
		offered = true
	}
	return loaded.Model, false, nil
}

// BuildID identifies this pg-flux build for the cache and the template
// databases: the version, the VCS revision, and for a development build
// the executable itself (its path, size and time), so that a rebuilt
// binary never reads what another wrote.
func BuildID(version string) string {
	var b strings.Builder
	b.WriteString(version)
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				b.WriteString(" " + s.Value)
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			fmt.Fprintf(&b, " %s %d %d", exe, fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return b.String()
}

// provenEntry is a plan proven on a copy of live: the state it produced
// and its hash. The fields before Result are provenHead, read on their own:
// a hit that needs only the hash does not decode the model.
type provenEntry struct {
	Key  string
	Hash string
	// Deps says that Result has its dependencies: read for a plan that
	// another follows (Validation.Keep), else not.
	Deps   bool
	Result *model.Model
}

type provenHead struct {
	Key  string
	Hash string
	Deps bool
}

// Proven is the state a plan was proven to produce.
type Proven struct {
	// Model is the state, with its dependencies, for a validation that
	// keeps its proof (Validation.Keep: a plan from that state follows);
	// otherwise it is nil and Hash is what there is.
	Model *model.Model
	// Hash is Model's model.Model.Hash: the result a migration file records.
	Hash string
}

// Validation is a plan to prove on a scratch copy of live: after the
// Pending files, the Plan's steps, run with Exec, must produce Desired (the
// managed Schemas), as ValidateAfter proves.
type Validation struct {
	Live *model.Model
	// LiveHash is Live.Hash(), when the caller has it; else it is computed.
	LiveHash string
	Pending  []Pending
	Plan     *plan.Plan
	Desired  *model.Model
	// DesiredHash is Desired.Hash(), when the caller has it; else it is
	// computed.
	DesiredHash string
	Schemas     []string
	Exec        Executor
	// Keep asks for the scratch database the plan is proven on to be kept,
	// as a Proof, and for the state it produced (Proven.Model), for a plan
	// that follows (Proof.Then).
	Keep bool
	// On, when it holds Live after Pending (a Proof kept by the validation
	// of the plan before), is where the plan is proven, instead of on a new
	// copy of live. Otherwise it is not used.
	On *Proof
	// Check asks only whether the plan converges, for a state that nothing
	// records (a migration's Down): the proof is as strong, but the state
	// it produced is neither hashed nor given live's spelling, its
	// dependencies are not read, the cache records only that it
	// converged, and proven is nil. On 1,000 tables the spelling is about
	// 120 ms of a Down's proof, the dependencies about 50 ms.
	Check bool
}

// CachedValidate is ValidateAfter behind the cache: a plan already proven
// by this build, on this server, from this very live state to this desired
// state, produced the same result then as it would now (the copy of live
// and the replay of pending files are deterministic), so the result is
// taken from the cache and open is not called. c may be nil.
//
// proof is the scratch database the plan was proven on, when there is one
// to keep: a new one with v.Keep (on a hit, the copy a plan alone parked,
// if it is taken: takeParkedProof), or v.On when the plan was proven
// there. Close a new one.
func CachedValidate(ctx context.Context, c *Cache, key CacheKey, open func(context.Context) (*Server, error), v Validation) (proven *Proven, proof *Proof, hit bool, err error) {
	h := sha256.New()
	fmt.Fprintf(h, "proven\x00%s\x00%s\x00%t\x00", key.hash(), provenEntryShape(), v.Check)
	// The two models' serialisations are the work here, when their hashes
	// are not known; on a large schema each costs tens of milliseconds, so
	// they are made side by side. A model's hash stands for its canonical
	// serialisation (model.Model.Hash).
	tpl := make(chan string, 1)
	go func() { tpl <- templateName(v.Live, v.LiveHash, key.BuildID, key.Owners) }()
	desired := v.DesiredHash
	if desired == "" {
		desired = v.Desired.Hash()
	}
	liveTpl := <-tpl
	h.Write([]byte(liveTpl))
	h.Write([]byte(desired))
	for _, f := range v.Pending {
		fmt.Fprintf(h, "\x00pending\x00%s", f.Name)
		hashSteps(h, f.Steps)
	}
	h.Write([]byte("\x00plan"))
	hashSteps(h, v.Plan.Steps)
	k := hex.EncodeToString(h.Sum(nil))
	if c != nil {
		if data, err := c.read(k); err == nil {
			if p, deps, ok := readProven(data, k, v.Keep, v.Check); ok {
				if !v.Keep || deps {
					return p, nil, true, nil
				}
				// Proven by a plan alone, whose copy may wait parked.
				if proof := takeParkedProof(ctx, open, key, liveTpl, v, p.Model); proof != nil {
					return p, proof, true, nil
				}
			}
		}
	}
	want := resultHash
	switch {
	case v.Check:
		want = converged
	case v.Keep:
		want = resultModel
	}
	var result *model.Model
	if v.On.holds(v.Live, v.Pending) {
		// The same state as on a new copy of live that ran the same
		// steps: cached as such.
		if result, err = v.On.then(ctx, v.Plan, v.Desired, v.Schemas, v.Exec, want); err != nil {
			return nil, nil, false, err
		}
		proof = v.On
	} else {
		srv, err := open(ctx)
		if err != nil {
			return nil, nil, false, err
		}
		if key.BuildID == srv.buildID && key.Owners == srv.owners {
			srv.knowTemplate(v.Live, liveTpl)
		}
		if result, proof, err = prove(ctx, srv, v.Live, v.Pending, v.Plan, v.Desired, v.Schemas, v.Exec, want); err != nil {
			return nil, nil, false, err
		}
		if !v.Keep {
			// Nothing waits for it (the server's Close does).
			proof.park(ctx)
			proof = nil
		}
	}
	// A plan alone's entry holds the state without its dependencies: a
	// plan that follows takes them from the copy parked after it
	// (takeParkedProof), or proves the plan again.
	entry := provenEntry{Key: k, Result: result, Deps: v.Keep}
	if !v.Check {
		proven = &Proven{Hash: result.Hash()}
		if v.Keep {
			proven.Model = result
		}
		entry.Hash = proven.Hash
	} else {
		entry.Result = nil
	}
	if c != nil {
		// The result is only read from here on.
		c.writeLater(k, nil, func(e *encoder) { e.value(reflect.ValueOf(&entry).Elem()) })
	}
	return proven, proof, false, nil
}

// readProven reads a proven entry for key k; the model only withModel,
// and deps says whether it has its dependencies. The entry of a check
// (Validation.Check) records only that the plan converged: it is a hit
// with a nil Proven.
func readProven(data []byte, k string, withModel, check bool) (_ *Proven, deps, ok bool) {
	var head provenHead
	d := newDecoder(data)
	if d.value(reflect.ValueOf(&head).Elem()) != nil || head.Key != k || (head.Hash == "") != check {
		return nil, false, false
	}
	if check {
		return nil, false, true
	}
	p := &Proven{Hash: head.Hash}
	if withModel {
		if d.value(reflect.ValueOf(&p.Model).Elem()) != nil || len(d.b) != 0 || p.Model == nil {
			return nil, false, false
		}
	}
	return p, head.Deps, true
}
