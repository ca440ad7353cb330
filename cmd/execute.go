package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// Exit codes. This is the one place errors become codes; the README and the
// root command's help list the same table.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitUsage       = 2
	ExitUnreachable = 3 // server unreachable or not a RhodeCode server
	ExitAuth        = 4 // authentication required or rejected
	ExitExpiring    = 5 // auth status --fail-if-expiring: a token expires soon
	ExitInterrupted = 130
)

// usageError means the command line was wrong; the usage hint follows it,
// naming the help of helpFor when set (else of the command that ran).
type usageError struct{ msg, helpFor string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// errAuthRequired is returned when no usable credentials exist locally.
var errAuthRequired = errors.New("authentication required")

// authRequiredError carries a message that says what to do, and matches
// errAuthRequired without repeating its text.
type authRequiredError struct{ msg string }

func (e *authRequiredError) Error() string        { return e.msg }
func (e *authRequiredError) Is(target error) bool { return target == errAuthRequired }

func authRequiredf(format string, a ...any) error {
	return &authRequiredError{msg: fmt.Sprintf(format, a...)}
}

// errSilent means the command already explained the failure on stderr.
var errSilent = errors.New("silent failure")

// errTokensExpiring is auth status --fail-if-expiring finding a token that
// expires within the given time; it is returned with errSilent, the
// tokens and their renewal commands being on stderr already.
var errTokensExpiring = errors.New("a token expires soon")

// exitCode maps an error to the documented exit status.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, errTokensExpiring):
		return ExitExpiring
	case errors.As(err, &ue), errors.Is(err, resolve.ErrUsage):
		return ExitUsage
	case errors.Is(err, errAuthRequired), errors.Is(err, client.ErrAuth), errors.Is(err, resolve.ErrNotLoggedIn):
		return ExitAuth
	case errors.Is(err, client.ErrUnreachable), errors.Is(err, client.ErrNotRhodeCode):
		return ExitUnreachable
	default:
		return ExitError
	}
}

// Main runs the command line args and returns the process exit code. It is
// the only place that prints errors.
func Main(ctx context.Context, args []string, f *Factory) int {
	root, g := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		warnExpiring(f, g, cmd)
		return ExitOK
	}
	// cobra reports these command-line mistakes as plain errors, not
	// through the flag error hook; they are usage errors all the same.
	if msg, ok := cobraUsageMessage(err.Error()); ok && !isOurs(err) {
		err = &usageError{msg: msg}
	}
	code := exitCode(err)
	switch {
	case errors.Is(err, errSilent):
	case code == ExitInterrupted:
		fmt.Fprintln(f.IO.ErrOut, "rhodecode: interrupted")
	default:
		fmt.Fprintln(f.IO.ErrOut, "rhodecode: "+oneLine(err.Error()))
		var ue *usageError
		switch {
		case code != ExitUsage:
		case errors.As(err, &ue) && ue.helpFor != "":
			fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", ue.helpFor)
		case cmd != nil:
			fmt.Fprintf(f.IO.ErrOut, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
	}
	if code != ExitUsage && code != ExitInterrupted {
		warnExpiring(f, g, cmd)
	}
	return code
}

// oneLine keeps error output to one line even when a server message has
// newlines in it.
var oneLine = termtext.OneLine

// isOurs is true for the errors the commands themselves return, whatever
// their words.
func isOurs(err error) bool {
	var ue *usageError
	return errors.As(err, &ue) || errors.Is(err, resolve.ErrUsage)
}
