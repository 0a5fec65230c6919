package shadow

import "context"

// Open connects to the --shadow-dsn server, or starts an embedded cluster
// when opts.DSN is empty. Close the server when done.
func Open(ctx context.Context, opts Options) (*Server, error) {
	s, err := openServer(ctx, opts)
	if err != nil {
		return nil, err
	}
	s.owners = opts.Owners
	s.buildID = opts.BuildID
	return s, nil
}
