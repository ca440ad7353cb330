package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
)

// CredentialHelperFast runs `credential-helper [--storage S] OP` without
// building the command tree: git starts the helper for every request, so
// its start-up time is what users feel. ok is false for any other command
// line, which then goes through Main (help, flag errors, ...).
func CredentialHelperFast(ctx context.Context, args []string, f *Factory) (code int, ok bool) {
	if len(args) < 2 || args[0] != "credential-helper" {
		return 0, false
	}
	opts := &credentialHelperOptions{deps: f.deps(&globalOptions{}), Storage: gitcred.StorageKeyring}
	rest := args[1:]
	switch {
	case len(rest) == 3 && rest[0] == "--storage":
		opts.Storage, rest = rest[1], rest[2:]
	case len(rest) == 2 && strings.HasPrefix(rest[0], "--storage="):
		opts.Storage, rest = strings.TrimPrefix(rest[0], "--storage="), rest[1:]
	}
	if len(rest) != 1 || strings.HasPrefix(rest[0], "-") || !gitcred.KnownStorage(opts.Storage) {
		return 0, false
	}
	opts.Op = rest[0]
	if err := credentialHelperRun(ctx, opts); err != nil {
		fmt.Fprintln(f.IO.ErrOut, "rhodecode: "+oneLine(err.Error()))
		return exitCode(err), true
	}
	return ExitOK, true
}
