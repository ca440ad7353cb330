package cmd

import (
	"context"

	"github.com/rhodecode-cli/rhodecode/internal/credhelper"
	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/spf13/cobra"
)

// gitCredentialsFile is where the helper keeps other credentials git
// approves, with --storage file: beside the config file, 0600.
const gitCredentialsFile = credhelper.CredentialsFile

type credentialHelperOptions struct {
	*deps

	Op      string
	Storage string
}

func newCredentialHelperCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &credentialHelperOptions{}
	c := &cobra.Command{
		Use:   "credential-helper [--storage {keyring | file}] {get | store | erase}",
		Short: "A git credential helper that answers with RhodeCode VCS tokens",
		Long: `A git credential helper (see git-credential(1)); rhodecode setup-git
configures git to call it.

get answers, for a RhodeCode instance you are logged in to, with your
RhodeCode user name and the instance's VCS token; for other hosts it
answers with what git stored through it before. store and erase keep such
other credentials (OS keyring, or with --storage file the 0600 file
~/.rhodecode-git-credentials); store keeps nothing for a URL of an
instance in ~/.rhoderc, whatever the user name, or while that file cannot
be read. erase of the VCS token marks it rejected, so it is not offered
again until rhodecode setup-git makes a new one.

In CI, RHODECODE_USERNAME and RHODECODE_VCS_TOKEN answer for the server
RHODECODE_HOST names (required; for no other host) without any config
file or keyring.`,
		Example: `  # what rhodecode setup-git writes for you
  $ git config --global credential.https://code.example.com.helper ""
  $ git config --global --add credential.https://code.example.com.helper "!'/usr/local/bin/rhodecode' credential-helper"

  # ask it by hand
  $ printf 'protocol=https\nhost=code.example.com\n\n' | rhodecode credential-helper get`,
		Hidden: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("expected one operation: get, store or erase")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps, opts.Op = f.deps(g), args[0]
			return credentialHelperRun(cmd.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.Storage, "storage", gitcred.StorageKeyring, "Where other credentials are kept: {keyring | file}")
	return c
}

func credentialHelperRun(ctx context.Context, opts *credentialHelperOptions) error {
	d := opts.deps
	return credhelper.Run(ctx, opts.Op, credhelper.Deps{
		In: d.io.In, Out: d.io.Out, ErrOut: d.io.ErrOut,
		Getenv: d.getenv, Now: d.now,
		Config:  d.cfg,
		Secrets: d.secrets, Keyring: d.keyring, IsNotFound: keyring.IsNotFound,
		Storage: opts.Storage,
	})
}
