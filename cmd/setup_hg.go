package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/internal/hgrc"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type setupHgOptions struct {
	*deps
	setupFlags
	Local bool
}

func newSetupHgCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &setupHgOptions{}
	c := &cobra.Command{
		Use:   "setup-hg [-i <name> | --all] [--local] [--remove] [--lifetime <duration>]",
		Short: "Make Mercurial use RhodeCode VCS tokens for your instances",
		Long: `Configure Mercurial so that hg clone, pull and push over HTTP(S) to a
RhodeCode instance authenticate with the instance's VCS token, the same
one setup-git uses (one token serves git, hg and svn).

For each selected instance it makes sure the VCS token exists (creating
it like setup-git, or reading it from standard input with --with-token)
and writes:

  ~/.hgrc (--local: the repository's .hg/hgrc), section [auth]:
    rhodecode_<name>.prefix   = <instance URL>/
    rhodecode_<name>.username = <your user name>
    rhodecode_<name>.schemes  = <https or http>
    %include <token file>
  the token file, mode 0600, which only this tool writes:
    $XDG_CONFIG_HOME/rhodecode/hg/<name>.rc (default ~/.config/rhodecode/hg/)
    [auth]
    rhodecode_<name>.password = <VCS token>

With the mercurial_keyring extension enabled (in that hgrc or ~/.hgrc)
and the instance's secrets in the OS keyring, the token goes into the
keyring entry that extension reads instead (service "Mercurial", user
"<username>@@<prefix>") and the entry has no %include. The output says
which was used.

The rest of the hgrc is kept byte for byte; an hgrc that Mercurial could
not read is left alone. token rotate rewrites the token file, auth logout
removes it and the entry in ~/.hgrc. Running it twice changes nothing;
--remove takes out what it wrote (the token file too, unless ~/.hgrc
still uses it).

In CI, with RHODECODE_HOST, RHODECODE_USERNAME and RHODECODE_VCS_TOKEN
set, it writes the entry and the token file for RHODECODE_HOST from those
variables, with no config file or keyring.`,
		Example: `  $ rhodecode setup-hg
  $ rhodecode setup-hg --all --lifetime 365d
  $ rhodecode setup-hg -i work --local
  $ rhodecode setup-hg --remove -i work`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if err := opts.check(cmd, g); err != nil {
				return err
			}
			return setupHgRun(cmd.Context(), opts)
		},
	}
	addSetupFlags(c, &opts.setupFlags, "hg config")
	c.Flags().BoolVar(&opts.Local, "local", false, "Write the current repository's .hg/hgrc instead of ~/.hgrc")
	return c
}

// hgSetupResult is one instance's outcome, and its JSON form.
type hgSetupResult struct {
	Instance   string `json:"instance"`
	URL        string `json:"url"`
	Username   string `json:"username"`
	TokenID    int    `json:"vcs_token_id,omitempty"`
	Created    bool   `json:"vcs_token_created"`
	Configured bool   `json:"hg_configured"`
	Hgrc       string `json:"hgrc"`
	// TokenIn is where hg reads the token: "file" (TokenFile) or
	// "keyring" (mercurial_keyring's entry: service Mercurial, KeyringUser).
	TokenIn     string `json:"token_in"`
	TokenFile   string `json:"token_file,omitempty"`
	KeyringUser string `json:"keyring_user,omitempty"`
	Verified    string `json:"verified"`
	written     hgWritten
}

func setupHgRun(ctx context.Context, opts *setupHgOptions) error {
	io := opts.io
	hgc := hgCopy{opts.deps}
	path, err := opts.hgUserConfig()
	if err != nil {
		return err
	}
	if opts.Local {
		if path = hgRepoConfig(); path == "" {
			return errors.New("--local writes the current repository's .hg/hgrc, but this is not inside a Mercurial repository; cd into one")
		}
	}

	// CI: the environment says everything.
	if u, user, tok, ci, err := ciVCSEnv(opts.deps, opts.All); ci {
		if err != nil {
			return err
		}
		// No keyring in CI: the token file.
		in := rhoderc.Instance{Name: resolve.EnvName, URL: u, Username: user, Storage: rhoderc.StorageFile}
		if opts.Remove {
			return hgc.unwrite(ctx, in, path)
		}
		w, err := hgc.write(ctx, in, tok, path)
		if err != nil {
			return err
		}
		if io.IsStderrTTY() {
			termPrintf(io.ErrOut, "%s hg uses RHODECODE_VCS_TOKEN for %s (in %s, included from %s)\n", io.SuccessIcon(), u, w, path)
		}
		return nil
	}

	targets, err := opts.targets(opts.deps)
	if err != nil {
		return err
	}

	if opts.Remove {
		for _, in := range targets {
			if err := hgc.unwrite(ctx, in, path); err != nil {
				return err
			}
			if io.IsStderrTTY() {
				termPrintf(io.ErrOut, "%s Removed the hg config for %s from %s; the VCS token stays (rhodecode token revoke removes it)\n", io.SuccessIcon(), in.URL, path)
			}
		}
		return nil
	}

	return setupEach(io, opts.g.JSON, targets,
		func(in rhoderc.Instance) (hgSetupResult, error) { return setupHgOne(ctx, opts, in, path) },
		func(in rhoderc.Instance, r hgSetupResult) (string, string) {
			return r.Verified, fmt.Sprintf("hg is set up for %s (%s) as %s: [auth] %s in %s, VCS token in %s; check: %s",
				r.Instance, r.URL, r.Username, hgEntry(in), r.Hgrc, r.written, r.Verified)
		})
}

// setupHgOne makes sure the instance has a working VCS token and writes
// the hg config for it.
func setupHgOne(ctx context.Context, opts *setupHgOptions, in rhoderc.Instance, path string) (hgSetupResult, error) {
	if err := opts.knowUsername(ctx, &in); err != nil {
		return hgSetupResult{Instance: in.Name, URL: in.URL, Hgrc: path}, err
	}
	r := hgSetupResult{Instance: in.Name, URL: in.URL, Username: in.Username, Hgrc: path}
	// Before a token is minted: the entry can be written, the hgrc read.
	if _, err := hgAuthAttrs(in); err != nil {
		return r, err
	}
	if _, err := hgrc.Load(path); err != nil {
		return r, err
	}
	token, created, err := ensureVCSToken(ctx, opts.deps, &opts.sf, in, opts.WithToken, opts.minutes)
	if err != nil {
		return r, err
	}
	r.TokenID = in.VCSTokenID
	if created != nil {
		r.TokenID, r.Created = created.ID, true
	}
	if r.written, err = (hgCopy{opts.deps}).write(ctx, in, token, path); err != nil {
		return r, err
	}
	r.TokenIn, r.TokenFile, r.KeyringUser = r.written.In, r.written.TokenFile, r.written.KeyringUser
	r.Configured = true
	r.Verified = verifyVCSToken(ctx, opts.deps, in, token, r.Created, "hg")
	retireAfterMint(ctx, opts.deps, &opts.sf, in, r.TokenID, r.Created, r.Verified)
	return r, nil
}
