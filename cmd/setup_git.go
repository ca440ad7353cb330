package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/gitconfig"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type setupGitOptions struct {
	*deps
	sf sessionFlags

	All       bool
	Local     bool
	Remove    bool
	Lifetime  string
	WithToken bool
	minutes   int
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
		Args: lifetimeArgs(&opts.Lifetime, noArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if opts.All && opts.g.Instance != "" && cmd.Flags().Changed("instance") {
				return usageErrorf("give -i NAME or --all, not both")
			}
			var err error
			if opts.minutes, err = parseLifetime(opts.Lifetime); err != nil {
				return usageErrorf("%v", err)
			}
			return setupGitRun(cmd.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.All, "all", false, "Set up every instance in the config file")
	c.Flags().BoolVar(&opts.Local, "local", false, "Write the current repository's git config instead of the global one")
	c.Flags().BoolVar(&opts.Remove, "remove", false, "Remove the git config this command wrote")
	c.Flags().StringVar(&opts.Lifetime, "lifetime", "forever", "Lifetime of a new VCS token: forever, a duration (1h), days (365d) or weeks (52w)")
	c.Flags().BoolVar(&opts.WithToken, "with-token", false, "Read the VCS token from standard input instead of creating one")
	addSessionFlags(c, &opts.sf)
	c.MarkFlagsMutuallyExclusive("with-token", "password-stdin")
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
	if opts.getenv("RHODECODE_VCS_TOKEN") != "" && opts.g.Instance == "" && !opts.All {
		host := opts.getenv("RHODECODE_HOST")
		if host == "" || opts.getenv("RHODECODE_USERNAME") == "" {
			return usageErrorf("RHODECODE_VCS_TOKEN is set: also set RHODECODE_USERNAME and RHODECODE_HOST (the server to use it for)")
		}
		u, err := baseurl.Normalize(host)
		if err != nil {
			return usageErrorf("RHODECODE_HOST: %v", err)
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

	cfg, err := opts.cfg.load()
	if err != nil {
		return err
	}
	var targets []rhoderc.Instance
	if opts.All {
		targets = cfg.Instances()
		if len(targets) == 0 {
			return resolve.ErrNotLoggedIn
		}
	} else {
		in, err := resolve.Select(cfg, opts.g.Instance)
		if err != nil {
			return err
		}
		targets = []rhoderc.Instance{in}
	}
	if opts.WithToken && len(targets) != 1 {
		return usageErrorf("--with-token sets up one instance; pick it with -i NAME")
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

	var results []gitSetupResult
	failed := false
	for _, in := range targets {
		r, err := setupOne(ctx, opts, in, scope, exe)
		if err != nil {
			if len(targets) == 1 {
				return err
			}
			termPrintf(io.ErrOut, "%s %s: %v\n", io.FailureIcon(), in.Name, err)
			failed = true
			continue
		}
		results = append(results, r)
		if !opts.g.JSON {
			mark := io.SuccessIcon()
			if !strings.HasPrefix(r.Verified, "ok") && !strings.HasPrefix(r.Verified, "skipped") {
				mark, failed = io.WarningIcon(), true
			}
			termPrintf(io.ErrOut, "%s git is set up for %s (%s) as %s; check: %s\n", mark, r.Instance, r.URL, r.Username, r.Verified)
		}
	}
	if opts.g.JSON {
		if err := writeJSON(io.Out, results); err != nil {
			return err
		}
	}
	if failed {
		return errSilent
	}
	return nil
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
