package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/svnauth"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type setupSvnOptions struct {
	*deps
	setupFlags
	Repo      string
	ConfigDir string
	dir       string // ConfigDir as recorded: absolute, "" for svn's default
}

func newSetupSvnCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &setupSvnOptions{}
	c := &cobra.Command{
		Use:   "setup-svn [-i <name> | --all] [--remove] [--lifetime <duration>] [--repo <name>] [--config-dir <dir>]",
		Short: "Make Subversion use RhodeCode VCS tokens for your instances",
		Long: `Configure Subversion so that svn checkout, update and commit over HTTP(S)
to a RhodeCode instance authenticate with the instance's VCS token, the
same one setup-git uses (one token serves git, hg and svn).

svn has no credential helper: it keeps credentials per server realm in
its own cache. For each selected instance this command asks the server
for its realm (an unauthenticated request to a Subversion repository you
can read, as svn's first one; --repo picks it, else get_repos does), makes
sure the VCS token exists (creating it like setup-git, or reading it from
standard input with --with-token), and writes svn's entry for that realm:

  ~/.subversion/auth/svn.simple/<md5 of "<https://host:443> RhodeCode">
  (--config-dir DIR: DIR/auth/svn.simple/...)

with your exact user name and the VCS token. svn keeps such an entry in
plain text, protected by its mode (0600), whatever its password-stores
and store-plaintext-passwords settings say (they only decide what svn
saves after a prompt). Nothing else in ~/.subversion is touched. The
realm string (and --config-dir) is remembered in the config file.

token rotate rewrites the entry, auth logout removes it. Running it twice
changes nothing; --remove deletes the entry while it still holds your
user name.

In CI, with RHODECODE_HOST, RHODECODE_USERNAME and RHODECODE_VCS_TOKEN
set, it writes the entry for RHODECODE_HOST from those variables, with no
config file or keyring; the realm comes from --repo, or from get_repos
when RHODECODE_TOKEN is set too.`,
		Example: `  $ rhodecode setup-svn
  $ rhodecode setup-svn --all --lifetime 365d
  $ rhodecode setup-svn -i work --repo team/svnrepo
  $ rhodecode setup-svn --remove -i work`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if err := opts.check(cmd, g); err != nil {
				return err
			}
			if opts.All && opts.Repo != "" {
				return usageErrorf("--repo names a repository of one instance; pick it with -i NAME")
			}
			var err error
			if opts.dir, err = opts.svnConfigDirFlag(opts.ConfigDir); err != nil {
				return err
			}
			return setupSvnRun(cmd.Context(), opts)
		},
	}
	addSetupFlags(c, &opts.setupFlags, "svn credentials")
	c.Flags().StringVar(&opts.Repo, "repo", "", "An svn repository to ask for the server's realm (default: the first you can read)")
	c.Flags().StringVar(&opts.ConfigDir, "config-dir", "", "svn's configuration directory, as svn --config-dir (default ~/.subversion)")
	return c
}

// svnSetupResult is one instance's outcome, and its JSON form.
type svnSetupResult struct {
	Instance   string `json:"instance"`
	URL        string `json:"url"`
	Username   string `json:"username"`
	TokenID    int    `json:"vcs_token_id,omitempty"`
	Created    bool   `json:"vcs_token_created"`
	Configured bool   `json:"svn_configured"`
	Realm      string `json:"realm"`
	// File is svn's entry: plain text, mode 0600.
	File     string `json:"file"`
	Verified string `json:"verified"`
}

func setupSvnRun(ctx context.Context, opts *setupSvnOptions) error {
	io := opts.io

	// CI: the environment says everything; the realm comes from a probe.
	if u, user, tok, ci, err := ciVCSEnv(opts.deps, opts.All); ci {
		if err != nil {
			return err
		}
		in := rhoderc.Instance{Name: resolve.EnvName, URL: u, Username: user, SVNConfigDir: opts.dir}
		realm, err := opts.svnRealm(ctx, in, strings.TrimSpace(opts.getenv("RHODECODE_TOKEN")), opts.Repo)
		if err != nil {
			return err
		}
		dir, err := opts.svnConfigDir(in)
		if err != nil {
			return err
		}
		if opts.Remove {
			_, err := svnauth.Remove(dir, realm, user)
			return err
		}
		if err := (svnCopy{opts.deps}).write(dir, realm, user, tok); err != nil {
			return err
		}
		if io.IsStderrTTY() {
			termPrintf(io.ErrOut, "%s svn uses RHODECODE_VCS_TOKEN for %s (realm %s), in plain text in %s\n", io.SuccessIcon(), u, realm, svnauth.Path(dir, realm))
		}
		return nil
	}

	targets, err := opts.targets(opts.deps)
	if err != nil {
		return err
	}

	if opts.Remove {
		for _, in := range targets {
			if err := setupSvnRemove(ctx, opts, in); err != nil {
				return err
			}
		}
		return nil
	}

	return setupEach(io, opts.g.JSON, targets,
		func(in rhoderc.Instance) (svnSetupResult, error) { return setupSvnOne(ctx, opts, in) },
		func(_ rhoderc.Instance, r svnSetupResult) (string, string) {
			return r.Verified, fmt.Sprintf("svn is set up for %s (%s) as %s: realm %s, VCS token in %s (plain text, mode 0600, as svn keeps it); check: %s",
				r.Instance, r.URL, r.Username, r.Realm, r.File, r.Verified)
		})
}

// setupSvnOne makes sure the instance has a working VCS token and writes
// svn's entry for the server's realm.
func setupSvnOne(ctx context.Context, opts *setupSvnOptions, in rhoderc.Instance) (svnSetupResult, error) {
	r := svnSetupResult{Instance: in.Name, URL: in.URL}
	if err := opts.knowUsername(ctx, &in); err != nil {
		return r, err
	}
	if in.Username == "" || strings.ContainsAny(in.Username, "\r\n") {
		return r, unknownUsername(in.Name)
	}
	r.Username = in.Username
	// Before a token is minted: the realm is known, the entry writable.
	// No API token only means --repo is needed; a locked keyring is itself.
	api, err := opts.apiToken(ctx, in)
	if err != nil && !errors.Is(err, errAuthRequired) {
		return r, err
	}
	realm, err := opts.svnRealm(ctx, in, api, opts.Repo)
	if err != nil {
		return r, err
	}
	next := in
	next.SVNRealm, next.SVNConfigDir = realm, opts.dir
	dir, err := opts.svnConfigDir(next)
	if err != nil {
		return r, err
	}
	r.Realm, r.File = realm, svnauth.Path(dir, realm)
	if err := svnauth.CheckReplace(dir, realm, in.Username); err != nil {
		return r, err // another user's entry, or one svn could not read
	}
	token, created, err := ensureVCSToken(ctx, opts.deps, &opts.sf, in, opts.WithToken, opts.minutes)
	if err != nil {
		return r, err
	}
	r.TokenID = in.VCSTokenID
	if created != nil {
		r.TokenID, r.Created = created.ID, true
	}
	// An entry for another realm or directory (the server's realm
	// changed, or --config-dir) is no longer read: take it out.
	if in.SVNRealm != "" && (in.SVNRealm != realm || in.SVNConfigDir != opts.dir) {
		if err := (svnCopy{opts.deps}).remove(ctx, in, ""); err != nil {
			termPrintf(opts.io.ErrOut, "%s the svn entry for %s stays: %v\n", opts.io.WarningIcon(), in.SVNRealm, err)
		}
	}
	// Recorded first: an entry the config file does not know of would
	// outlive logout.
	if in.SVNRealm != realm || in.SVNConfigDir != opts.dir {
		if err := opts.recordSVN(ctx, in, realm, opts.dir); err != nil {
			return r, err
		}
	}
	if err := (svnCopy{opts.deps}).write(dir, realm, in.Username, token); err != nil {
		return r, err
	}
	r.Configured = true
	r.Verified = verifyVCSToken(ctx, opts.deps, in, token, r.Created, "svn")
	retireAfterMint(ctx, opts.deps, &opts.sf, in, r.TokenID, r.Created, r.Verified)
	return r, nil
}

// setupSvnRemove deletes the instance's svn entry (while it holds the
// instance's user name) and forgets its realm.
func setupSvnRemove(ctx context.Context, opts *setupSvnOptions, in rhoderc.Instance) error {
	io := opts.io
	if in.SVNRealm == "" {
		if io.IsStderrTTY() {
			termPrintf(io.ErrOut, "%s svn is not set up for %s; nothing to remove\n", io.SuccessIcon(), in.Name)
		}
		return nil
	}
	dir, err := opts.svnConfigDir(in)
	if err != nil {
		return err
	}
	removed, err := svnauth.Remove(dir, in.SVNRealm, in.Username)
	if err != nil {
		return err
	}
	if err := opts.recordSVN(ctx, in, "", ""); err != nil {
		return err
	}
	if io.IsStderrTTY() {
		what := "Removed svn's credentials for " + in.URL + " (" + svnauth.Path(dir, in.SVNRealm) + ")"
		if !removed {
			what = "svn's entry for " + in.URL + " was gone or another user's; left as it was"
		}
		termPrintf(io.ErrOut, "%s %s; the VCS token stays (rhodecode token revoke removes it)\n", io.SuccessIcon(), what)
	}
	return nil
}
