package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pg-flux/pg-flux/internal/dsn"
	"github.com/pg-flux/pg-flux/internal/migration"
)

// runError marks an error returned by a command's work, as opposed to one
// cobra returns while parsing arguments (a usage error).
type runError struct{ err error }

func (e *runError) Error() string { return e.err.Error() }
func (e *runError) Unwrap() error { return e.err }

// exitCode ends the command with a code after the command has already said
// everything (drift --strict with differences: the report is the message).
type exitCode struct{ code int }

func (e *exitCode) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// refusal is a guard that stopped a command before it executed anything: it
// is printed as it stands and exits 1.
type refusal struct{ msg string }

func (e *refusal) Error() string { return e.msg }

// usageError is a bad flag value or argument found by the command itself.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// userError is an error with the next step to take, printed on its own line.
type userError struct {
	msg  string
	hint string
	err  error // the cause, for errors.Is/As; its text is already in msg
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.err }

// reportError prints err as one human message on stderr and returns the exit
// code. Passwords are redacted from everything printed.
func (a *app) reportError(ctx context.Context, cmd *cobra.Command, err error) int {
	printf := func(format string, args ...any) {
		a.io.Errorf("%s", dsn.Redact(fmt.Sprintf(format, args...)))
	}
	usage := func(msg string) int {
		printf("Error: %s\nRun '%s --help' for usage.\n", strings.TrimSpace(msg), cmd.CommandPath())
		return ExitError
	}

	var run *runError
	if !errors.As(err, &run) {
		return usage(err.Error()) // cobra: unknown command or flag, wrong number of arguments
	}
	err = run.err

	var (
		exit    *exitCode
		refused *refusal
		badUse  *usageError
		hinted  *userError
		guard   *migration.RefusedError
	)
	switch {
	case errors.As(err, &exit):
		return exit.code
	case ctx.Err() != nil: // Ctrl-C: whatever failed, failed because of it
		printf("Error: interrupted; stopped before finishing.\n")
		return ExitError
	case errors.Is(err, migration.ErrLockHeld):
		printf("Error: %s\nWait for the first to finish, or kill it if stuck.\n", migration.ErrLockHeld.Error())
		return ExitFound
	case errors.As(err, &guard):
		printf("%s\n", strings.TrimRight(guard.Error(), "\n"))
		return ExitFound
	case errors.As(err, &refused):
		printf("%s\n", strings.TrimRight(refused.msg, "\n"))
		return ExitFound
	case errors.As(err, &badUse):
		return usage(badUse.msg)
	case errors.As(err, &hinted):
		printf("Error: %s\n", hinted.msg)
		if hinted.hint != "" {
			printf("%s\n", hinted.hint)
		}
		return ExitError
	}
	printf("Error: %s\n", strings.TrimRight(err.Error(), "\n"))
	return ExitError
}
