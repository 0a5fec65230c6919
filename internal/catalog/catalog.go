// Package catalog reads pg_catalog into the schema model. The same code reads
// the shadow database (desired state) and the live database, with a handful
// of set-based queries per object kind: the number of round trips does not
// grow with the number of objects.
package catalog

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Options select what is inspected.
type Options struct {
	// Schemas are the managed schemas; objects elsewhere are ignored.
	Schemas []string
}

// Inspect reads the managed schemas of the connected database into a model.
// Objects that belong to extensions are left out.
func Inspect(ctx context.Context, conn *pgx.Conn, opts Options) (*model.Model, error) {
	return nil, errors.New("catalog: not implemented yet")
}
