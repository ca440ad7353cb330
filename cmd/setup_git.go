package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type setupGitOptions struct {
	f  *Factory
	g  *globalOptions
	sf sessionFlags

	All       bool
	Local     bool
	Remove    bool
	Lifetime  string
	WithToken bool
	minutes   int
}

func newSetupGitCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &setupGitOptions{f: f, g: g}
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
  credential.<url>.helper = !'<this binary>' credential-helper
  credential.<url>.useHttpPath = true              (when the URL has a path)

It then checks the token the way git will use it, against a repository you
can read. Running it twice changes nothing; --remove undoes the git config.

In CI, with RHODECODE_HOST, RHODECODE_USERNAME and RHODECODE_VCS_TOKEN set,
it writes the git config for RHODECODE_HOST and the helper answers from
those variables, with no config file or keyring.`,
		Example: `  $ rhodecode setup-git
  $ rhodecode setup-git --all --lifetime 365d
  $ rhodecode setup-git -i work --local
  $ rhodecode setup-git --remove -i work`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
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
	c.Flags().StringVar(&opts.Lifetime, "lifetime", "forever", "Lifetime of a new VCS token: forever, a duration (1h) or days (365d)")
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
	f, io := opts.f, opts.f.IO
	scope := "--global"
	if opts.Local {
		scope = "--local"
		// Check before a token is minted that git has a repository here.
		if _, err := f.Git(ctx, "rev-parse", "--git-dir"); err != nil {
			return errors.New("--local writes the current repository's git config, but this is not inside a git repository; cd into one")
		}
	}
	exe, err := f.Executable()
	if err != nil {
		return fmt.Errorf("finding this program's path for git config: %w", err)
	}

	// CI: the environment says everything.
	if f.Getenv("RHODECODE_VCS_TOKEN") != "" && opts.g.Instance == "" && !opts.All {
		host := f.Getenv("RHODECODE_HOST")
		if host == "" || f.Getenv("RHODECODE_USERNAME") == "" {
			return usageErrorf("RHODECODE_VCS_TOKEN is set: also set RHODECODE_USERNAME and RHODECODE_HOST (the server to use it for)")
		}
		u, err := normalizeURL(host)
		if err != nil {
			return usageErrorf("RHODECODE_HOST: %v", err)
		}
		if opts.Remove {
			return removeGitConfig(ctx, f, scope, u)
		}
		if err := writeGitConfig(ctx, f, scope, u, exe, ""); err != nil {
			return err
		}
		if io.IsStderrTTY() {
			fmt.Fprintf(io.ErrOut, "%s git uses RHODECODE_VCS_TOKEN for %s\n", io.SuccessIcon(), u)
		}
		return nil
	}

	cfg, err := f.loadConfig(opts.g)
	if err != nil {
		return err
	}
	var targets []rhoderc.Instance
	if opts.All {
		targets = cfg.Instances()
		if len(targets) == 0 {
			return errNotLoggedIn
		}
	} else {
		in, err := selectInstance(cfg, opts.g.Instance)
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
			if err := removeGitConfig(ctx, f, scope, in.URL); err != nil {
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
		r, err := setupOne(ctx, opts, cfg, in, scope, exe)
		if err != nil {
			if len(targets) == 1 {
				return err
			}
			fmt.Fprintf(io.ErrOut, "%s %s: %v\n", io.FailureIcon(), in.Name, oneLine(err.Error()))
			failed = true
			continue
		}
		results = append(results, r)
		if !opts.g.JSON {
			mark := io.SuccessIcon()
			if !strings.HasPrefix(r.Verified, "ok") && !strings.HasPrefix(r.Verified, "skipped") {
				mark, failed = io.WarningIcon(), true
			}
			fmt.Fprintf(io.ErrOut, "%s git is set up for %s (%s) as %s; check: %s\n", mark, r.Instance, r.URL, r.Username, r.Verified)
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
func setupOne(ctx context.Context, opts *setupGitOptions, cfg *rhoderc.File, in rhoderc.Instance, scope, exe string) (gitSetupResult, error) {
	f := opts.f
	r := gitSetupResult{Instance: in.Name, URL: in.URL, Username: in.Username}
	token, expires, err := f.managedVCSToken(ctx, cfg, in)
	if err != nil && !errors.Is(err, errNoVCSToken) {
		return r, err
	}
	if expires > 0 && expires <= f.Now().Unix() {
		token = "" // expired: make a new one, as the helper's hint promised
	}
	if opts.WithToken {
		b, err := f.IO.ReadAllIn(maxTokenInput)
		if err != nil {
			return r, err
		}
		token = strings.TrimSpace(string(b))
		if token == "" || strings.ContainsAny(token, " \t\r\n") {
			return r, usageErrorf("expected one VCS token on standard input")
		}
		if err := f.storeVCSToken(ctx, opts.g, in, token, 0, -1); err != nil {
			return r, err
		}
	} else if token == "" {
		wt := newWebTarget(cfg, in)
		if in.Username == "" {
			return r, unknownUsername(in.Name)
		}
		var created *client.AuthToken
		err := f.withSession(ctx, opts.g, wt, &opts.sf, func(ws *client.WebSession) error {
			var err error
			created, token, err = createAndReveal(ctx, ws, "token_role_vcs", f.defaultDescription("git", in.Username), opts.minutes)
			if err != nil {
				return err
			}
			if wt.vcsTokenID > 0 && wt.vcsTokenID != created.ID {
				// The old managed token was rejected or expired: tidy up.
				if err := ws.DeleteToken(ctx, wt.vcsTokenID); err == nil {
					fmt.Fprintf(f.IO.ErrOut, "%s Revoked token %d, the VCS token git used before\n", f.IO.SuccessIcon(), wt.vcsTokenID)
				}
			}
			return nil
		})
		if err != nil {
			return r, fmt.Errorf("creating a VCS token for %q: %w", in.Name, err)
		}
		if err := f.storeVCSToken(ctx, opts.g, in, token, created.ID, expiryUnix(created)); err != nil {
			return r, err
		}
		r.TokenID, r.Created = created.ID, true
	}
	if v, ok := cfg.InstanceValue(in.Name, keyVCSTokenID); ok && r.TokenID == 0 {
		r.TokenID, _ = strconv.Atoi(v)
	}

	helperArgs := ""
	if storageOf(in) == rhoderc.StorageFile {
		helperArgs = " --storage file"
	}
	if err := writeGitConfig(ctx, f, scope, in.URL, exe, helperArgs); err != nil {
		return r, err
	}
	r.Configured = true
	// A token this tool just minted has role vcs and is fresh: a 401 then
	// points at the server's auth plugins.
	r.Verified = verifyVCSToken(ctx, f, opts.g, in, token, r.Created)
	return r, nil
}

// storeVCSToken keeps the managed VCS token beside the API token and its
// id and expiry in the file; it clears an earlier rejection.
func (f *Factory) storeVCSToken(ctx context.Context, g *globalOptions, in rhoderc.Instance, token string, id int, expires int64) error {
	file := storageOf(in) == rhoderc.StorageFile
	if !file {
		if err := f.setSecret(ctx, in, keyring.AccountVCSToken, token); err != nil {
			return fmt.Errorf("storing the VCS token: %w", err)
		}
	}
	return f.updateConfig(ctx, g, func(cfg *rhoderc.File) error {
		if _, ok := cfg.Instance(in.Name); !ok {
			return fmt.Errorf("instance %q disappeared from %s", in.Name, cfg.Path())
		}
		if file {
			cfg.SetInstanceValue(in.Name, keyVCSToken, token)
		}
		if id > 0 {
			cfg.SetInstanceValue(in.Name, keyVCSTokenID, strconv.Itoa(id))
		} else {
			cfg.DeleteInstanceValue(in.Name, keyVCSTokenID)
		}
		cfg.SetInstanceValue(in.Name, keyVCSTokenExpires, strconv.FormatInt(expires, 10))
		cfg.DeleteInstanceValue(in.Name, keyVCSTokenRejected)
		return nil
	})
}

// expiryUnix is a token's expiry as storeVCSToken records it: unix
// seconds, or -1 for never.
func expiryUnix(t *client.AuthToken) int64 {
	if t.Expires == nil {
		return -1
	}
	return t.Expires.Unix()
}

// helperValue is the git config value that runs this binary as the helper.
func helperValue(exe, args string) string {
	return "!" + shellQuote(exe) + " credential-helper" + args
}

// shellQuote quotes for the sh -c git runs "!" helpers with.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ourHelpers matches the values writeGitConfig adds: the empty reset and
// this tool's helper, wherever the binary lives.
const ourHelpers = `^$|credential-helper`

// writeGitConfig scopes the helper to the instance URL only. It removes
// its own earlier entries first, so running it twice leaves one of each.
func writeGitConfig(ctx context.Context, f *Factory, scope, instanceURL, exe, args string) error {
	key := "credential." + instanceURL + ".helper"
	if err := unsetAll(ctx, f, scope, key, ourHelpers); err != nil {
		return err
	}
	for _, v := range []string{"", helperValue(exe, args)} {
		if _, err := f.Git(ctx, "config", scope, "--add", key, v); err != nil {
			return fmt.Errorf("writing git config: %w", err)
		}
	}
	if hasPath(instanceURL) {
		if _, err := f.Git(ctx, "config", scope, "credential."+instanceURL+".useHttpPath", "true"); err != nil {
			return fmt.Errorf("writing git config: %w", err)
		}
	}
	return nil
}

// removeGitConfig undoes writeGitConfig.
func removeGitConfig(ctx context.Context, f *Factory, scope, instanceURL string) error {
	if err := unsetAll(ctx, f, scope, "credential."+instanceURL+".helper", ourHelpers); err != nil {
		return err
	}
	if hasPath(instanceURL) {
		return unsetAll(ctx, f, scope, "credential."+instanceURL+".useHttpPath", "")
	}
	return nil
}

func unsetAll(ctx context.Context, f *Factory, scope, key, pattern string) error {
	args := []string{"config", scope, "--unset-all", key}
	if pattern != "" {
		args = append(args, pattern)
	}
	_, err := f.Git(ctx, args...)
	var ge *GitError
	if errors.As(err, &ge) && ge.Code == 5 {
		return nil // nothing to unset
	}
	if err != nil {
		return fmt.Errorf("writing git config: %w", err)
	}
	return nil
}

func hasPath(instanceURL string) bool {
	u, err := url.Parse(instanceURL)
	return err == nil && strings.Trim(u.Path, "/") != ""
}

// gitHelperURLs returns the URLs for which git, as configured where the
// command runs (global config, and the repository's when inside one),
// calls this tool's helper: one git call for all instances.
func gitHelperURLs(ctx context.Context, f *Factory) map[string]bool {
	out, err := f.Git(ctx, "config", "--get-regexp", `^credential\..+\.helper$`)
	if err != nil {
		return nil
	}
	urls := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		key, value, _ := strings.Cut(line, " ")
		if !strings.Contains(value, "credential-helper") {
			continue
		}
		key = strings.TrimPrefix(key, "credential.")
		urls[strings.TrimSuffix(key, ".helper")] = true
	}
	return urls
}

// verifyVCSToken does what git's first request does: info/refs of a
// repository the user can read, with Basic auth. It returns "ok",
// "skipped: ..." or what to do about the problem.
func verifyVCSToken(ctx context.Context, f *Factory, g *globalOptions, in rhoderc.Instance, token string, minted bool) string {
	api, err := f.instanceToken(ctx, in)
	if err != nil {
		return "skipped: no API token to find a repository with"
	}
	c, err := f.newClient(in.URL, api, f.debugWriter(g))
	if err != nil {
		return "skipped: " + err.Error()
	}
	repos, err := c.GetRepos(ctx)
	if err != nil {
		return "skipped: listing repositories failed: " + oneLine(err.Error())
	}
	repo := ""
	for _, r := range repos {
		if r.RepoType == "" || r.RepoType == "git" {
			repo = r.RepoName
			break
		}
	}
	if repo == "" {
		return "skipped: you can read no git repository on this server"
	}
	p, err := c.ProbeGit(ctx, repo, in.Username, token)
	if err != nil {
		return oneLine(err.Error())
	}
	switch p.Status {
	case 200:
		return "ok (" + repo + ")"
	case 401:
		if !minted {
			// A token from stdin may simply be wrong.
			return fmt.Sprintf("the server refused the VCS token for %s (HTTP 401): check that it has role vcs or all and has not expired or been revoked; if it has, the server's \"Rhodecode Token\" auth plugin is probably disabled (Admin → Authentication)", repo)
		}
		return fmt.Sprintf("the server refused the VCS token for %s (HTTP 401): its \"Rhodecode Token\" auth plugin is probably disabled; an admin enables it under Admin → Authentication (add it to the enabled plugins, before \"rhodecode\")", repo)
	case 403:
		return fmt.Sprintf("the server accepted the token but refused %s (HTTP 403): you lack read permission there, or your IP address is not allowed", repo)
	default:
		return fmt.Sprintf("unexpected HTTP %d for %s/info/refs", p.Status, repo)
	}
}
