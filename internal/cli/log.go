package cli

import (
	"fmt"
	"io"
	"log/slog"

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
)

// newLogger returns the structured logger on stderr. Text logs show warnings
// and up (debug with --verbose); JSON logs, meant for machines, also show
// info events such as applied migrations. Every string is passed through
// dsn.Redact, so no password reaches a log.
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
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q (use text or json)", format)
}
