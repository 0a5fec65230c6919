package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/dsn"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/pgserver"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/report"
	"github.com/pg-flux/pg-flux/internal/shadow"
	"github.com/pg-flux/pg-flux/internal/source"
)

// pipeline is source and live brought together: the two models and, when
// asked for, the validated plan between them and its hazards.
type pipeline struct {
	Set     *source.Set
	Live    *model.Model
	Desired *model.Model
	Shadow  *shadow.Server

	// Set by stagePlan.
	Plan     *plan.Plan
	Result   *shadow.Proven // the state the plan produces, proven on a scratch copy of live
	Findings []hazard.Finding

	// Set by stagePlan when it plans on top of pending migration files
	// (settings.OnPending): Live is then the state they produce, Applied
	// live as it is, BaselineHash the last file's result.
	Applied      *model.Model
	Pending      []shadow.Pending
	BaselineHash string
	// Set by stagePlan when source has @renamed hints that apply: Start is
	// the state before the renames, Live the state after them.
	Start   *model.Model
	Renames []diff.Rename

	cache      *shadow.Cache // nil with --no-cache
	cacheKey   shadow.CacheKey
	openShadow func(context.Context) (*shadow.Server, error)

	// keepProof asks stagePlan to keep the scratch database the plan was
	// proven on (proof), for the Down section's proof (downSection).
	keepProof bool
	proof     *shadow.Proof // closed by closeProof

	// hashes are models' Hash, each computed once (hash): serialising a
	// large model costs tens of milliseconds, and live's is needed for the
	// proven plan's key and for the baseline. Keyed weakly, so that a
	// model the pipeline lets go (downSection) is not kept for its hash.
	hashesMu sync.Mutex
	hashes   map[weak.Pointer[model.Model]]*modelHash
}

// modelHash is a model's Hash, once done is closed.
type modelHash struct {
	done chan struct{}
	sum  string
}

// hash is m.Hash(), computed once per model, or waited for while another
// goroutine computes it (hashAhead). It is asked of live models and of
// the desired model, which are not changed once inspected, loaded or
// replayed: a changed live state is a new model (the replay of pending
// files, renames).
func (p *pipeline) hash(m *model.Model) string {
	key := weak.Make(m)
	p.hashesMu.Lock()
	if h, ok := p.hashes[key]; ok {
		p.hashesMu.Unlock()
		<-h.done
		return h.sum
	}
	if p.hashes == nil {
		p.hashes = map[weak.Pointer[model.Model]]*modelHash{}
	}
	h := &modelHash{done: make(chan struct{})}
	p.hashes[key] = h
	p.hashesMu.Unlock()
	h.sum = m.Hash()
	close(h.done)
	return h.sum
}

// hashAhead computes m's hash on another goroutine, for a later hash: on
// 1,000 tables a hash takes 40-70 ms of the command's path when asked
// for, and a core is free while the source loads or the plan is built.
func (p *pipeline) hashAhead(m *model.Model) {
	go p.hash(m)
}

// stage says how far the pipeline goes.
type stage int

const (
	// stageModels inspects live and loads source into the shadow.
	stageModels stage = iota
	// stagePlan also plans, validates the plan on a scratch copy of live,
	// and classifies its statements.
	stagePlan
	// stagePlanDown is stagePlan for a command that writes the plan's Down
	// section: the scratch database the plan was proven on is kept, and
	// the Down is proven there (downSection).
	stagePlanDown
)

// withPipeline loads the source, opens the target and the shadow, runs the
// pipeline up to the stage and calls fn. Everything it opened is closed
// before it returns, on error and on cancellation too.
//
// Live is inspected while the source loads into the shadow; with an
// unchanged source the desired model comes from the cache and the shadow
// is opened only if a plan needs proving.
func (a *app) withPipeline(ctx context.Context, s *settings, upTo stage, fn func(t *target, p *pipeline) error) error {
	// The source is parsed while the target is opened and inspected: on a
	// large source the parse costs as much as the inspection. The server's
	// major decides whether PostgreSQL 18 syntax the parser cannot read is
	// accepted: checked once both are known.
	var cache *shadow.Cache
	if !a.global.noCache {
		cache = shadow.OpenCache("")
	}
	defer cache.Wait() // last: entries are written in the background while the command goes on
	buildID := shadow.BuildID(Version)
	src := loadSource(s.SchemaDir, cache, buildID)
	defer func() { <-src.done }() // it may still be writing the parse to the cache
	// One-time setup is done while the database is dialled, in the order
	// it is needed: the connections' type map, the cache keys, and the
	// parser, which classifies a plan's statements even when the source
	// comes from the cache.
	go func() {
		pgtype.NewMap()
		shadow.WarmCache()
		if upTo >= stagePlan {
			source.WarmParser()
		}
	}()
	// Live is read on two sessions (catalog.Options.Parallel) when that
	// is the command's longest work: with a source loaded before. Else
	// the source loads into the shadow meanwhile, which takes longer, and
	// a second session would only take a core from it.
	parallel := src.likelyUnchanged()
	t, err := a.openTargetTo(ctx, s, parallel)
	if err != nil {
		if _, srcErr := src.wait(); srcErr != nil {
			return srcErr // a broken source is reported first, as without a database
		}
		return err
	}
	defer t.Close()
	// Called off when the command ends early (a broken source): the
	// inspection is then waited for only to free the connection.
	inspectCtx, stopInspect := context.WithCancel(ctx)
	// When the source loads into the shadow, live's catalog is read once
	// the shadow is ready: starting the server (copying its files, then
	// PostgreSQL's start) is on the way to everything after it, the
	// inspection is not (the source takes longer to load than live to
	// read), and on two cores it took half the start's CPU.
	shadowReady := make(chan struct{})
	if parallel {
		close(shadowReady)
	}
	live := a.inspectLive(inspectCtx, s, t, src, parallel, shadowReady)
	defer live.wait() // before t.Close: the inspection uses the connection
	defer stopInspect()
	shadowDSN := s.ShadowDSN
	if shadowDSN == "" {
		shadowDSN = t.ShadowDSN()
	}

	p := &pipeline{keepProof: upTo >= stagePlanDown}
	if upTo >= stagePlan {
		// Live's hash keys its template and the proven plan.
		go func() {
			if l, err := live.wait(); err == nil {
				p.hash(l)
			}
		}()
	}
	// Closed once the desired model is known; a copy of live made ahead
	// without a template waits for it (shadow.Server.CopyAhead).
	desiredKnown := make(chan struct{})
	defer func() {
		select {
		case <-desiredKnown:
		default:
			close(desiredKnown)
		}
	}()
	identity, bin := shadowIdentity(shadowDSN, t)
	// The shadow is opened once, by whichever needs it first: the cache
	// on a miss, the proof, or the start below.
	var openOnce sync.Once
	var openErr error
	openShadow := func(ctx context.Context) (*shadow.Server, error) {
		openOnce.Do(func() {
			began := time.Now()
			srv, err := shadow.Open(ctx, shadow.Options{DSN: shadowDSN, Major: t.Major, Binaries: bin, Owners: s.ManageOwners, BuildID: buildID})
			if err != nil {
				openErr = err
				return
			}
			p.Shadow = srv
			a.log.Debug("shadow ready", "shared", srv.Shared(), logDurationMS, since(began))
			if upTo >= stagePlan {
				// The plan will be proven on a copy of live: make it while
				// the source loads.
				go func() {
					if l, err := live.wait(); err == nil {
						srv.CopyAhead(ctx, l, p.hash(l), migration.Execute, desiredKnown)
					}
				}()
			}
		})
		return p.Shadow, openErr
	}
	p.openShadow = openShadow
	// A source not parsed before is not in the cache either: the shadow
	// will load it, so it is opened (and its scratch database claimed)
	// while the source parses, not after.
	openedAhead := make(chan struct{})
	if parallel {
		close(openedAhead)
	} else {
		go func() {
			defer close(openedAhead)
			defer close(shadowReady)
			_, _ = openShadow(ctx) // an error is reported by the caller that needs the server
		}()
	}
	defer func() {
		<-openedAhead
		p.closeProof(ctx)
		if p.Shadow != nil {
			a.log.Debug("shadow closed", "copies_of_live", p.Shadow.CopiesOfLive(), "from_source", p.Shadow.CopiesFromSource(), "parked_taken", p.Shadow.CopiesParked())
		}
		p.Shadow.Close()
	}()

	// The source is checked for the server's major as a whole, once parsed.
	checked := newCheckedSource(src.stream, t.Major)
	files, err := src.read()
	if err != nil {
		return err
	}
	// What managed objects and the source use outside the managed schemas
	// is made first in every scratch database; the source loads after it,
	// so it is known before the cache is asked.
	outside, err := live.outsideModel()
	if err != nil {
		if _, srcErr := checked.Wait(); srcErr != nil {
			return srcErr // a broken source is reported first
		}
		return err
	}

	p.cache = cache
	p.cacheKey = shadow.CacheKey{Source: files.Hash(), Server: identity, Major: t.Major, BuildID: buildID,
		Schemas: s.TargetSchemas, Owners: s.ManageOwners, Outside: outside}
	began := time.Now()
	var hit bool
	// On a miss the source loads into the shadow as it is parsed.
	p.Desired, hit, err = shadow.CachedDesired(ctx, cache, p.cacheKey, openShadow, checked, s.TargetSchemas, live.wait, upTo >= stagePlan)
	if err == nil && upTo >= stagePlan {
		// Code generation's types are read for gen, which plans nothing,
		// and kept in the cache's entry (written by now) for it. A plan's
		// proof holds three models at once; on 1,000 tables these are 1 MB.
		p.Desired.TypeInfo = nil
	}
	close(desiredKnown)
	set, srcErr := checked.Wait()
	if srcErr != nil {
		return srcErr
	}
	p.Set = set
	if a.log.Enabled(ctx, slog.LevelDebug) {
		<-src.done // hit and ms are set once the parse is cached, after the stream ends
		a.log.Debug("source loaded", "files", len(set.Files), "statements", len(set.Statements), "cache", cacheState(cache, src.hit), logDurationMS, src.ms)
	}
	if _, liveErr := live.wait(); liveErr != nil {
		return liveErr
	}
	if err != nil {
		return err
	}
	p.Live, _ = live.wait()
	a.log.Debug("desired state loaded", "cache", cacheState(cache, hit), logDurationMS, since(began))

	if upTo >= stagePlan {
		if err := a.plan(ctx, s, t, p); err != nil {
			return err
		}
	}
	return fn(t, p)
}

// server is the shadow server, opened on first use (a cache hit may need
// none).
func (p *pipeline) server(ctx context.Context) (*shadow.Server, error) {
	return p.openShadow(ctx)
}

// closeProof drops the scratch database kept by stagePlanDown, if any.
func (p *pipeline) closeProof(ctx context.Context) {
	// One that cannot be dropped now is when the shadow server closes.
	_ = p.proof.Close(ctx)
	p.proof = nil
}

// cacheState says, for --verbose, whether a result came from the cache.
func cacheState(c *shadow.Cache, hit bool) string {
	switch {
	case c == nil:
		return "off"
	case hit:
		return "hit"
	}
	return "miss"
}

// sourceLoad is the source being parsed in the background.
type sourceLoad struct {
	done   chan struct{}  // closed once parsed and written to the cache
	stream *source.Stream // the statements as they are parsed, then the set
	hit    bool           // read back from the cache
	ms     int64

	known  chan struct{} // closed once files and cached are set, before the parse
	files  *source.Files // nil when they could not be read (err)
	cached bool          // the parse is in the cache
}

// loadSource starts reading and parsing the schema directory; an unchanged
// source is read back from the cache (nil: always parsed).
func loadSource(dir string, cache *shadow.Cache, buildID string) *sourceLoad {
	l := &sourceLoad{done: make(chan struct{}), stream: source.NewStream(), known: make(chan struct{})}
	go func() {
		defer close(l.done)
		began := time.Now()
		defer func() { l.ms = since(began) }()
		files, err := source.Read(dir)
		if err != nil {
			l.stream.End(nil, err)
			close(l.known)
			return
		}
		l.files = files
		l.cached = shadow.ParseCached(cache, files, source.FallbackMajor, buildID)
		close(l.known)
		_, l.hit, _ = shadow.CachedParse(cache, files, source.FallbackMajor, buildID, l.stream)
	}()
	return l
}

// read returns the files once read, before they are parsed.
func (l *sourceLoad) read() (*source.Files, error) {
	<-l.known
	if l.files == nil {
		_, err := l.stream.Wait()
		return nil, err
	}
	return l.files, nil
}

// checkedSource is the source being parsed, as the shadow loads it, whose
// whole set is also checked (once) for the server's major.
type checkedSource struct {
	*source.Stream
	wait func() (*source.Set, error)
}

func newCheckedSource(stream *source.Stream, major int) *checkedSource {
	return &checkedSource{Stream: stream, wait: sync.OnceValues(func() (*source.Set, error) {
		set, err := stream.Wait()
		if err != nil {
			return nil, err
		}
		if err := set.CheckMajor(major); err != nil {
			return nil, err
		}
		return set, nil
	})}
}

func (c *checkedSource) Wait() (*source.Set, error) { return c.wait() }

// likelyUnchanged says, as soon as the files are read, whether the source
// is one parsed before: then the desired model is most likely cached too,
// and reading live is most of the command's work (see withPipeline).
func (l *sourceLoad) likelyUnchanged() bool {
	<-l.known
	return l.cached
}

// wait returns the parse's result, once the parse has ended.
func (l *sourceLoad) wait() (*source.Set, error) { return l.stream.Wait() }

// liveInspection is the live model being read in the background, and what
// it and the source use outside the managed schemas (catalog.Outside).
type liveInspection struct {
	done  chan struct{}
	model *model.Model
	err   error

	outsideDone chan struct{}
	outside     *model.Model
	outsideErr  error
}

// wait returns the live model once read, with its Outside.
func (l *liveInspection) wait() (*model.Model, error) {
	<-l.done
	return l.model, l.err
}

// outsideModel returns what managed objects and the source use outside the
// managed schemas, known before the live model is.
func (l *liveInspection) outsideModel() (*model.Model, error) {
	<-l.outsideDone
	return l.outside, l.outsideErr
}

// inspectLive starts reading what live and the source use outside the
// managed schemas (the source's names are waited for only when there is
// such a schema), and the live model. With a second session, that session
// reads the outside while the first starts on the catalog (it would only
// wait for the first's snapshot meanwhile); else the first reads it before
// the catalog. The catalog is read once after is closed; the outside, which
// the source's load waits for, at once.
func (a *app) inspectLive(ctx context.Context, s *settings, t *target, src *sourceLoad, parallel bool, after <-chan struct{}) *liveInspection {
	l := &liveInspection{done: make(chan struct{}), outsideDone: make(chan struct{})}
	readOutside := func(conn *pgx.Conn) {
		l.outside, l.outsideErr = catalog.Outside(ctx, conn, catalog.Options{Schemas: s.TargetSchemas}, func() ([]source.Name, error) {
			set, err := src.wait()
			if err != nil {
				return nil, err
			}
			return set.QualifiedNames(), nil
		})
		close(l.outsideDone)
	}
	if t.spare != nil {
		t.spare.first(readOutside)
	}
	go func() {
		defer close(l.done)
		if t.spare == nil {
			readOutside(t.Conn)
			if l.err = l.outsideErr; l.err != nil {
				return
			}
		}
		select {
		case <-after:
		case <-ctx.Done():
		}
		began := time.Now()
		l.model, l.err = catalog.Inspect(ctx, t.Conn, t.catalogOptions(s, parallel))
		if t.spare != nil && t.spare.failed() {
			readOutside(t.Conn) // no second session: the first reads it now
		}
		<-l.outsideDone
		if l.err == nil {
			l.err = l.outsideErr
		}
		if l.err == nil {
			l.model.Outside = l.outside
			a.log.Debug("live inspected", "two_sessions", parallel, logDurationMS, since(began))
		}
	}()
	return l
}

// shadowIdentity names the server the desired model comes from, for the
// cache key, without connecting to it: the --shadow-dsn server, or the
// binaries an embedded one runs (returned too, found once).
func shadowIdentity(shadowDSN string, t *target) (string, pgserver.Binaries) {
	if t.dev != nil {
		bin := t.dev.Binaries()
		return "dev " + bin.Dir + " " + bin.Version, pgserver.Binaries{}
	}
	if shadowDSN != "" {
		desc, err := dsn.Describe(shadowDSN)
		if err != nil {
			return "dsn ?", pgserver.Binaries{}
		}
		return "dsn " + desc, pgserver.Binaries{}
	}
	bin, err := pgserver.FindBinaries(t.Major)
	if err != nil {
		return "embedded ?", pgserver.Binaries{} // shadow.Open reports it
	}
	return "embedded " + bin.Dir + " " + bin.Version, bin
}

// plan builds the plan from live to desired, applies the safety rewrites,
// refuses a mass drop, proves the plan on a scratch copy of live and
// classifies its statements.
func (a *app) plan(ctx context.Context, s *settings, t *target, p *pipeline) error {
	if err := a.replayPending(ctx, s, t, p, "plan"); err != nil {
		return err
	}
	if err := a.applyRenames(ctx, s, p); err != nil {
		return err
	}
	began := time.Now()
	// Desired's hash keys the proven plan: computed while it is built.
	p.hashAhead(p.Desired)
	var err error
	opts := s.Plan
	opts.Major = t.Major
	if opts.Using, err = usingHints(p.Set, p.Desired); err != nil {
		return err
	}
	if p.Plan, err = plan.Build(p.Live, p.Desired, opts); err != nil {
		return err
	}
	p.Plan = plan.Rewrite(p.Plan, p.Live, p.Desired, opts)
	p.Plan.Steps = append(plan.RenameSteps(p.Renames), p.Plan.Steps...)
	a.log.Debug("planned", "steps", len(p.Plan.Steps), logDurationMS, since(began))
	if len(p.Plan.Steps) == 0 {
		p.Result = &shadow.Proven{Model: p.Live, Hash: p.hash(p.Live)} // live itself
		return nil
	}
	stmts := stepStatements("plan", p.Plan.Steps)
	// Before the scratch copy is built: a wrong --schema is caught at once.
	if err := checkMassDrop(stmts, p, s, "plan"); err != nil {
		return err
	}
	if p.Findings, err = classify(ctx, t.Conn, stmts, p); err != nil {
		return err
	}
	if err := checkNotNullWithoutDefault(p.Findings, s); err != nil {
		return err
	}
	if missing, err := hazard.MissingRoles(ctx, t.Conn, stmts); err != nil {
		return err
	} else if len(missing) > 0 {
		// Not a refusal: a migration is often generated against one
		// database (a developer's) and applied to another that has them.
		a.warnf("the plan names role(s) that do not exist on %s: %s; the statements that use them will fail there until the roles are created (pg-flux does not create roles)",
			t.Desc, strings.Join(missing, ", "))
	}
	if err := checkConversions(ctx, t.Conn, p.Plan.Conversions); err != nil {
		return err
	}
	if err := a.checkPartitionRows(ctx, t.Conn, p.Plan.RowChecks, rowCheckTimeout); err != nil {
		return err
	}
	began = time.Now()
	var hit bool
	if p.Result, p.proof, hit, err = shadow.CachedValidate(ctx, p.cache, p.cacheKey, p.openShadow, shadow.Validation{
		Live: p.Applied, LiveHash: p.hash(p.Applied), Pending: p.Pending, Plan: p.Plan, Desired: p.Desired, DesiredHash: p.hash(p.Desired),
		Schemas: s.TargetSchemas, Exec: migration.Execute, Keep: p.keepProof}); err != nil {
		return withPlan(err, report.Plan{Steps: p.Plan.Steps, Findings: p.Findings})
	}
	a.log.Debug("plan validated on a scratch copy of live", "cache", cacheState(p.cache, hit), logDurationMS, since(began))
	return nil
}

// withPlan appends the plan, as plan shows it, to an error that asks for
// it to be reported: a plan that fails or does not converge is never
// written anywhere else.
func withPlan(err error, p report.Plan) error {
	var failed *shadow.PlanFailedError
	var diverged *shadow.NotConvergedError
	if !errors.As(err, &failed) && !errors.As(err, &diverged) {
		return err
	}
	var b strings.Builder
	if report.PlanText(&b, p) != nil {
		return err
	}
	return fmt.Errorf("%w\n\n%s", err, strings.TrimSpace(b.String()))
}

// stepStatements turns plan steps into statements for the hazard classifier.
func stepStatements(name string, steps []plan.Step) []source.Statement {
	out := make([]source.Statement, len(steps))
	for i, st := range steps {
		out[i] = source.Statement{
			File:          name,
			Line:          i + 1,
			SQL:           strings.TrimSuffix(strings.TrimSpace(st.SQL), ";"),
			NoTransaction: st.Isolation == plan.NoTransaction,
		}
		if node, ok := source.Unparsed(out[i].SQL); ok {
			out[i].Node, out[i].Unparsed = node, true
		}
	}
	return out
}

func since(t time.Time) int64 { return time.Since(t).Milliseconds() }
