package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/migration"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
	"github.com/pg-flux/pg-flux/internal/shadow"
)

// applyRenames acts on the source's @renamed hints: the objects are renamed
// in place (ALTER … RENAME, prepended to the plan) and the rest of the plan
// starts from the renamed state, made by running the renames on a scratch
// copy of live (after the pending files). Hints whose old name is not in
// live are ignored; --verbose says so.
func (a *app) applyRenames(ctx context.Context, s *settings, p *pipeline) error {
	if len(p.Set.Hints) == 0 {
		return nil
	}
	def := s.TargetSchemas[0]
	if slices.Contains(s.TargetSchemas, "public") {
		def = "public"
	}
	renames, ignored, err := diff.MatchRenames(p.Live, p.Desired, p.Set.Hints, def)
	if err != nil {
		return err
	}
	for _, ig := range ignored {
		a.log.Info("rename hint ignored", "statement", ig.Hint.Where(), "detail", fmt.Sprintf("@renamed from=%s ignored: %s", ig.Hint.Params["from"], ig.Reason))
	}
	if len(renames) == 0 {
		return nil
	}
	if p.BaselineHash == "" {
		p.BaselineHash = p.hash(p.Live)
	}
	steps := plan.RenameSteps(renames)
	after := append(append([]shadow.Pending{}, p.Pending...), shadow.Pending{Name: "the renames of the source's @renamed hints", Steps: steps})
	srv, err := p.server(ctx)
	if err != nil {
		return err
	}
	renamed, err := shadow.Replay(ctx, srv, p.Applied, after, s.TargetSchemas, migration.Execute)
	if err != nil {
		return fmt.Errorf("rename as the @renamed hints say (%s): %w", renames[0].Hint.Where(), err)
	}
	p.Start, p.Live, p.Renames = p.Live, renamed, renames
	return nil
}

// start is the state the plan starts from: before its renames.
func (p *pipeline) start() *model.Model {
	if p.Start != nil {
		return p.Start
	}
	return p.Live
}
