package cmd

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/internal/credhelper"
)

// CredentialHelperFast runs `credential-helper [--storage S] OP` without
// building the command tree: git starts the helper for every request, so
// its start-up time is what users feel. ok is false for any other command
// line, which then goes through Main (help, flag errors, ...).
func CredentialHelperFast(ctx context.Context, args []string, f *Factory) (code int, ok bool) {
	if len(args) < 2 || args[0] != "credential-helper" {
		return 0, false
	}
	storage, op, ok := credhelper.ParseArgs(args[1:])
	if !ok {
		return 0, false
	}
	opts := &credentialHelperOptions{deps: f.deps(&globalOptions{}), Storage: storage, Op: op}
	if err := credentialHelperRun(ctx, opts); err != nil {
		fmt.Fprintln(f.IO.ErrOut, "rhodecode: "+oneLine(err.Error()))
		return exitCode(err), true
	}
	return ExitOK, true
}
