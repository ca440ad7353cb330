// Command rhodecode manages RhodeCode authentication tokens from a terminal
// and from CI.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/rhodecode-cli/rhodecode/cmd"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/internal/tomlcodec"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// Set by goreleaser through -ldflags "-X main.version=...".
var (
	version = ""
	commit  = ""
	date    = ""
)

func main() {
	// rhoderc reads and writes any TOML ~/.rhoderc with the library; it
	// does not link one itself, for git-credential-rhodecode's sake.
	rhoderc.UseTOMLLibrary(tomlcodec.Library{})
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
