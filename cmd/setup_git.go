package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/internal/gitconfig"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type setupGitOptions struct {
	*deps
	setupFlags
	Local bool
}

func newSetupGitCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &setupGitOptions{}
	c := &cobra.Command{
		Use:   "setup-git [-i <name> | --all] [--local] [--remove] [--lifetime <duration>]",
		Short: "Make git use RhodeCode VCS tokens for your instances",
		Long: `Configure git so that git clone, fetch and push over HTTP(S) to a RhodeCode
instance authenticate with a VCS token, never with your password or the
API token.

For each selected instance it makes sure a VCS token exists (it creates
one, "rhodecode-cli git <user>@<host>", through the web session; with
--with-token it reads one from standard input instead), stores it like the
API token, and writes git config for that instance's URL only:

  credential.<url>.helper = ""                     (so no other helper shadows it)
  credential.<url>.helper = !'<dir>/git-credential-rhodecode'
  credential.<url>.useHttpPath = true              (when the URL has a path)

git-credential-rhodecode is the small helper program installed beside
this one (it starts faster); without it, git
runs !'<this binary>' credential-helper, which answers the same way.

It then checks the token the way git will use it, against a repository you
can read. A new VCS token then replaces the ones the tool made before for
the same user on this machine: they are revoked (exactly
"rhodecode-cli git <user>@<host>", role vcs, or the id recorded for the
instance; never a token another instance records). Running it twice changes
nothing; --remove undoes the git config.

In CI, with RHODECODE_HOST, RHODECODE_USERNAME and RHODECODE_VCS_TOKEN set,
it writes the git config for RHODECODE_HOST and the helper answers from
those variables, with no config file or keyring.`,
		Example: `  $ rhodecode setup-git
  $ rhodecode setup-git --all --lifetime 365d
  $ rhodecode setup-git -i work --local
  $ rhodecode setup-git --remove -i work`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if err := opts.check(cmd, g); err != nil {
				return err
			}
			return setupGitRun(cmd.Context(), opts)
		},
	}
	addSetupFlags(c, &opts.setupFlags, "git config")
	c.Flags().BoolVar(&opts.Local, "local", false, "Write the current repository's git config instead of the global one")
	return c
}

// gitSetupResult is one instance's outcome, and its JSON form.
type gitSetupResult struct {
	Instance   string `json:"instance"`
	URL        string `json:"url"`
	Username   string `json:"username"`
	TokenID    int    `json:"vcs_token_id,omitempty"`
	Created    bool   `json:"vcs_token_created"`
	Configured bool   `json:"git_configured"`
	Verified   string `json:"verified"` // ok, skipped: <why>, or the problem
}

func setupGitRun(ctx context.Context, opts *setupGitOptions) error {
	io := opts.io
	scope := gitconfig.Global
	if opts.Local {
		scope = gitconfig.Local
		// Check before a token is minted that git has a repository here.
		if !opts.git.InRepo(ctx) {
			return errors.New("--local writes the current repository's git config, but this is not inside a git repository; cd into one")
		}
	}
	exe, err := opts.exe()
	if err != nil {
		return fmt.Errorf("finding this program's path for git config: %w", err)
	}
	exe = helperProgram(exe, opts.getenv("PATH"))

	// CI: the environment says everything.
	if u, _, _, ci, err := ciVCSEnv(opts.deps, opts.All); ci {
		if err != nil {
			return err
		}
		if opts.Remove {
			return opts.git.RemoveHelper(ctx, scope, u)
		}
		if err := opts.git.WriteHelper(ctx, scope, u, exe, ""); err != nil {
			return err
		}
		if io.IsStderrTTY() {
			fmt.Fprintf(io.ErrOut, "%s git uses RHODECODE_VCS_TOKEN for %s\n", io.SuccessIcon(), u)
		}
		return nil
	}

	targets, err := opts.targets(opts.deps)
	if err != nil {
		return err
	}

	if opts.Remove {
		for _, in := range targets {
			if err := opts.git.RemoveHelper(ctx, scope, in.URL); err != nil {
				return err
			}
			if io.IsStderrTTY() {
				fmt.Fprintf(io.ErrOut, "%s Removed the git config for %s; the VCS token stays (rhodecode token revoke removes it)\n", io.SuccessIcon(), in.URL)
			}
		}
		return nil
	}

	return setupEach(io, opts.g.JSON, targets,
		func(in rhoderc.Instance) (gitSetupResult, error) { return setupOne(ctx, opts, in, scope, exe) },
		func(_ rhoderc.Instance, r gitSetupResult) (string, string) {
			return r.Verified, fmt.Sprintf("git is set up for %s (%s) as %s; check: %s", r.Instance, r.URL, r.Username, r.Verified)
		})
}

// setupOne makes sure the instance has a working VCS token and writes git
// config for it.
func setupOne(ctx context.Context, opts *setupGitOptions, in rhoderc.Instance, scope, exe string) (gitSetupResult, error) {
	if err := opts.knowUsername(ctx, &in); err != nil {
		return gitSetupResult{Instance: in.Name, URL: in.URL}, err
	}
	r := gitSetupResult{Instance: in.Name, URL: in.URL, Username: in.Username}
	token, created, err := ensureVCSToken(ctx, opts.deps, &opts.sf, in, opts.WithToken, opts.minutes)
	if err != nil {
		return r, err
	}
	if created != nil {
		r.TokenID, r.Created = created.ID, true
	}
	if r.TokenID == 0 {
		r.TokenID = in.VCSTokenID
	}

	// The helper keeps other hosts' credentials where the instance keeps
	// its secrets.
	if err := opts.git.WriteHelper(ctx, scope, in.URL, exe, opts.secrets.Storage(in)); err != nil {
		return r, err
	}
	r.Configured = true
	// A token this tool just minted has role vcs and is fresh: a 401 then
	// points at the server's auth plugins.
	r.Verified = verifyVCSToken(ctx, opts.deps, in, token, r.Created, "git")
	retireAfterMint(ctx, opts.deps, &opts.sf, in, r.TokenID, r.Created, r.Verified)
	return r, nil
}
