// Command rhodecode manages RhodeCode authentication tokens from a terminal
// and from CI.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/rhodecode-cli/rhodecode/cmd"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
)

// Set by goreleaser through -ldflags "-X main.version=...".
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	f := cmd.NewDefaultFactory(iostreams.System(os.Getenv), os.Getenv, os.UserHomeDir,
		cmd.BuildInfo{Version: version, Commit: commit, Date: date})
	code, ok := cmd.CredentialHelperFast(ctx, os.Args[1:], f)
	if !ok {
		code = cmd.Main(ctx, os.Args[1:], f)
	}
	stop()
	os.Exit(code)
}
