package shadow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// A plan proven without Validation.Keep leaves its copy of live as the
// plan left it, on a shared server: rather than dropped, the database is
// parked, named by the live state and the steps that ran on it
// (parkedName). A later command that needs that very state takes it by
// renaming it (copyAfter, takeParkedProof). So migrate generate after
// plan, whose Up comes proven from the cache without the dependencies its
// Down is planned from, reads them on the parked copy and proves its Down
// there: it copies nothing and runs no Up. A live state's first copy has
// no template (seenBefore): without this, that Down would recreate live.
const (
	parkedPrefix = "pgflux_after_"
	// parkedPattern matches the parked databases in LIKE.
	parkedPattern = `pgflux\_after\_%`
	// maxParked bounds how many wait, the newest kept.
	maxParked = 2
)

// parkedName names the state of live's copy, whose template is tpl, after
// the files ran, in order.
func parkedName(tpl string, ran []Pending) string {
	h := sha256.New()
	h.Write([]byte(tpl))
	for _, f := range ran {
		h.Write([]byte("\x00file"))
		hashSteps(h, f.Steps)
	}
	return parkedPrefix + hex.EncodeToString(h.Sum(nil))[:40]
}

// hashSteps writes what the steps run, in order, to h: two lists of steps
// that hash alike do the same.
func hashSteps(h io.Writer, steps []plan.Step) {
	for _, st := range steps {
		fmt.Fprintf(h, "\x00%d\x00%s", st.Isolation, st.SQL)
	}
}

// templateOf is live's templateName on this server, computed once per
// model (it hashes the whole model); liveHash is live.Hash() when known.
func (s *Server) templateOf(live *model.Model, liveHash string) string {
	s.mu.Lock()
	if s.tplOf == live {
		defer s.mu.Unlock()
		return s.tplName
	}
	s.mu.Unlock()
	name := templateName(live, liveHash, s.buildID, s.owners)
	s.knowTemplate(live, name)
	return name
}

// park parks the proof's database in the background, as release drops
// it: the server's Close waits for it. A proof that broke, or is not on a
// shared server, is released.
func (pr *Proof) park(ctx context.Context) {
	if pr.db == nil || pr.broken || !pr.db.srv.Shared() {
		pr.release(ctx)
		return
	}
	s, db := pr.db.srv, pr.db
	name := parkedName(s.templateOf(pr.live, ""), pr.ran)
	pr.leave(ctx)
	pr.db = nil
	s.later(ctx, func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, dropTimeout)
		defer cancel()
		db.closeSession(ctx) // a database in use cannot be renamed
		err := s.withAdmin(ctx, func(conn *pgx.Conn) error {
			return s.renameKeeping(ctx, conn, db.Name, name, parkedPattern, maxParked)
		})
		if err != nil { // 42P04 (duplicate_database): parked by another command
			_ = db.Drop(ctx) // left in created on failure: Close drops it again
		}
	})
}

// unpark takes the parked database name, if there is one, as a new
// scratch database; only one command can.
func (s *Server) unpark(ctx context.Context, name string) (*Database, bool) {
	db, err := s.newScratch(ctx, DatabasePrefix, func(ctx context.Context, conn *pgx.Conn, scratch string) error {
		_, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" RENAME TO "+pgx.Identifier{scratch}.Sanitize())
		return err // 3D000 when none is parked, or another command took it
	})
	if err != nil {
		return nil, false
	}
	s.parkedTaken.Add(1)
	return db, true
}

// takeParkedProof takes the copy of live a plan alone's proof parked
// after v's pending files and plan, the state its cached result (without
// dependencies) was read from: result gets the dependencies read there,
// and the copy is the Proof for the plan that follows. nil when none is
// parked (a server that is not shared parks none; another command may
// have taken it).
func takeParkedProof(ctx context.Context, open func(context.Context) (*Server, error), key CacheKey, liveTpl string, v Validation, result *model.Model) *Proof {
	srv, err := open(ctx)
	if err != nil || !srv.Shared() || key.BuildID != srv.buildID || key.Owners != srv.owners {
		return nil // an error is the proof's to report
	}
	srv.knowTemplate(v.Live, liveTpl)
	ran := append(append([]Pending{}, v.Pending...), Pending{Steps: v.Plan.Steps})
	db, ok := srv.unpark(ctx, parkedName(liveTpl, ran))
	if !ok {
		return nil
	}
	pr := &Proof{scratch: scratch{db: db}, live: v.Live, ran: ran}
	if pr.conn, err = db.Connect(ctx); err == nil {
		result.Deps, err = catalog.Dependencies(ctx, pr.conn, v.Schemas)
	}
	if err != nil {
		pr.Close(ctx)
		return nil
	}
	return pr
}

// knowTemplate records name as live's templateName on this server.
func (s *Server) knowTemplate(live *model.Model, name string) {
	s.mu.Lock()
	s.tplOf, s.tplName = live, name
	s.mu.Unlock()
}

// CopiesParked says how many copies of live after plans came from a
// parked database, for --verbose.
func (s *Server) CopiesParked() int { return int(s.parkedTaken.Load()) }

// stopAhead cancels the copy of live being made ahead (CopyAhead), when
// the copy came from elsewhere: it would only take the other core. Close
// drops what it made.
func (s *Server) stopAhead() {
	s.mu.Lock()
	if s.ahead != nil {
		s.ahead.cancel()
	}
	s.mu.Unlock()
}
