package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"

	"github.com/pg-flux/pg-flux/internal/dsn"
)

// Log attribute keys, stable for log consumers.
const (
	logCommand    = "command"
	logMigration  = "migration"
	logStatement  = "statement"
	logHazard     = "hazard"
	logAllowed    = "allowed"
	logDurationMS = "duration_ms"
	// logDetail carries the human sentence of a warning.
	logDetail = "detail"
)

// newLogger returns the structured logger on stderr. JSON logs, meant for
// machines, show info events and up (applied migrations, allowed hazards);
// text logs, meant for people, show warnings as plain "warning: …" lines.
// --verbose adds debug events (timings) to both. Every string is passed
// through dsn.Redact, so no password reaches a log.
func newLogger(w io.Writer, format string, verbose bool) (*slog.Logger, error) {
	level := slog.LevelWarn
	if format == "json" {
		level = slog.LevelInfo
	}
	if verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindString {
				a.Value = slog.StringValue(dsn.Redact(a.Value.String()))
			}
			return a
		},
	}
	switch format {
	case "text":
		return slog.New(&plainWarnings{inner: slog.NewTextHandler(w, opts), w: w, mu: &sync.Mutex{}}), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q (use text or json)", format)
}

// plainWarnings prints warning records as "warning: <detail>" lines, the way
// a person wants to read them, and hands every other record to the text
// handler.
type plainWarnings struct {
	inner slog.Handler
	w     io.Writer
	mu    *sync.Mutex
}

func (h *plainWarnings) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h *plainWarnings) Handle(ctx context.Context, r slog.Record) error {
	if r.Level != slog.LevelWarn {
		return h.inner.Handle(ctx, r)
	}
	msg := r.Message
	var extra []string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case logDetail:
			msg = a.Value.String()
		case logCommand, logMigration:
			// Already in the sentence, or obvious from the command line.
		default:
			extra = append(extra, a.Key+"="+a.Value.String())
		}
		return true
	})
	line := "warning: " + msg
	if len(extra) > 0 {
		line += " (" + strings.Join(extra, " ") + ")"
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, dsn.Redact(line)+"\n")
	return err
}

func (h *plainWarnings) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &plainWarnings{inner: h.inner.WithAttrs(attrs), w: h.w, mu: h.mu}
}

func (h *plainWarnings) WithGroup(name string) slog.Handler {
	return &plainWarnings{inner: h.inner.WithGroup(name), w: h.w, mu: h.mu}
}

// warnf reports a warning: a plain "warning: …" line with text logs, a
// record with JSON logs.
func (a *app) warnf(format string, args ...any) {
	a.log.Warn("warning", logDetail, fmt.Sprintf(format, args...))
}

// verbosef says what pg-flux is doing, with --verbose only: a plain line
// with text logs, an info record with JSON logs.
func (a *app) verbosef(format string, args ...any) {
	if !a.global.verbose {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if a.global.logFormat == "json" {
		a.log.Info(msg)
		return
	}
	a.io.Errorf("%s\n", dsn.Redact(msg))
}
