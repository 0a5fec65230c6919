package cli

import (
	"context"
	"strings"
	"time"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/hazard"
	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
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
	Result   *model.Model // the state the plan produces, proven on a scratch copy of live
	Findings []hazard.Finding

	// Set by stagePlan when it plans on top of pending migration files
	// (settings.OnPending): Live is then the state they produce, Applied
	// live as it is, BaselineHash the last file's result.
	Applied      *model.Model
	Pending      []shadow.Pending
	BaselineHash string
}

// stage says how far the pipeline goes.
type stage int

const (
	// stageModels inspects live and loads source into the shadow.
	stageModels stage = iota
	// stagePlan also plans, validates the plan on a scratch copy of live,
	// and classifies its statements.
	stagePlan
)

// withPipeline loads the source, opens the target and the shadow, runs the
// pipeline up to the stage and calls fn. Everything it opened is closed
// before it returns, on error and on cancellation too.
func (a *app) withPipeline(ctx context.Context, s *settings, upTo stage, fn func(t *target, p *pipeline) error) error {
	began := time.Now()
	set, err := source.Load(s.SchemaDir)
	if err != nil {
		return err
	}
	a.log.Debug("source loaded", "files", len(set.Files), "statements", len(set.Statements), logDurationMS, since(began))

	t, err := a.openTarget(ctx, s)
	if err != nil {
		return err
	}
	defer t.Close()

	shadowDSN := s.ShadowDSN
	if shadowDSN == "" {
		shadowDSN = t.ShadowDSN()
	}
	began = time.Now()
	srv, err := shadow.Open(ctx, shadow.Options{DSN: shadowDSN, Major: t.Major, Owners: s.ManageOwners})
	if err != nil {
		return err
	}
	defer srv.Close()
	a.log.Debug("shadow ready", logDurationMS, since(began))

	p := &pipeline{Set: set, Shadow: srv}
	began = time.Now()
	if p.Live, err = catalog.Inspect(ctx, t.Conn, catalog.Options{Schemas: s.TargetSchemas, Owners: s.ManageOwners}); err != nil {
		return err
	}
	a.log.Debug("live inspected", logDurationMS, since(began))
	began = time.Now()
	if p.Desired, err = shadow.Desired(ctx, srv, set, s.TargetSchemas, p.Live); err != nil {
		return err
	}
	a.log.Debug("desired state loaded in the shadow", logDurationMS, since(began))

	if upTo >= stagePlan {
		if err := a.plan(ctx, s, t, p); err != nil {
			return err
		}
	}
	return fn(t, p)
}

// plan builds the plan from live to desired, applies the safety rewrites,
// refuses a mass drop, proves the plan on a scratch copy of live and
// classifies its statements.
func (a *app) plan(ctx context.Context, s *settings, t *target, p *pipeline) error {
	if err := a.replayPending(ctx, s, t, p, "plan"); err != nil {
		return err
	}
	began := time.Now()
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
	a.log.Debug("planned", "steps", len(p.Plan.Steps), logDurationMS, since(began))
	if len(p.Plan.Steps) == 0 {
		p.Result = p.Live
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
	if err := checkConversions(ctx, t.Conn, p.Plan.Conversions); err != nil {
		return err
	}
	began = time.Now()
	if p.Result, err = shadow.ValidateAfter(ctx, p.Shadow, p.Applied, p.Pending, p.Plan, p.Desired, s.TargetSchemas, migration.Execute); err != nil {
		return err
	}
	a.log.Debug("plan validated on a scratch copy of live", logDurationMS, since(began))
	return nil
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
	}
	return out
}

func since(t time.Time) int64 { return time.Since(t).Milliseconds() }
