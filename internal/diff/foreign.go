package diff

import (
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// ServerDetails lists how a foreign server differs; nil when it does not.
func ServerDetails(l, d *model.ForeignServer) []string {
	return details(
		attr("wrapper", l.Wrapper, d.Wrapper),
		attr("type", l.Type, d.Type),
		attr("version", l.Version, d.Version),
		attr("options", strings.Join(l.Options, ", "), strings.Join(d.Options, ", ")),
		attr("comment", l.Comment, d.Comment),
	)
}

// foreignTableDetails lists how the foreign parts of two tables differ.
func foreignTableDetails(l, d *model.Table) []string {
	server := func(t *model.Table) string {
		if t.Foreign == nil {
			return "none (not a foreign table)"
		}
		return t.Foreign.Server
	}
	options := func(t *model.Table) string {
		if t.Foreign == nil {
			return ""
		}
		return strings.Join(t.Foreign.Options, ", ")
	}
	return []string{
		attr("server", server(l), server(d)),
		attr("foreign options", options(l), options(d)),
	}
}
