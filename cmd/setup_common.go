package cmd

import (
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

// setupFlags are what setup-git, setup-hg and setup-svn share: which
// instances, undo, and how the managed VCS token is made or given.
type setupFlags struct {
	sf sessionFlags

	All       bool
	Remove    bool
	Lifetime  string
	WithToken bool
	minutes   int
}

// addSetupFlags adds the shared flags; removed names what --remove undoes.
func addSetupFlags(c *cobra.Command, s *setupFlags, removed string) {
	c.Args = lifetimeArgs(&s.Lifetime, noArgs)
	c.Flags().BoolVar(&s.All, "all", false, "Set up every instance in the config file")
	c.Flags().BoolVar(&s.Remove, "remove", false, "Remove the "+removed+" this command wrote")
	c.Flags().StringVar(&s.Lifetime, "lifetime", "forever", "Lifetime of a new VCS token: forever, a duration (1h), days (365d) or weeks (52w)")
	c.Flags().BoolVar(&s.WithToken, "with-token", false, "Read the VCS token from standard input instead of creating one")
	addSessionFlags(c, &s.sf)
	c.MarkFlagsMutuallyExclusive("with-token", "password-stdin")
}

// check is the shared part of RunE, once flags are parsed.
func (s *setupFlags) check(cmd *cobra.Command, g *globalOptions) error {
	if s.All && g.Instance != "" && cmd.Flags().Changed("instance") {
		return usageErrorf("give -i NAME or --all, not both")
	}
	var err error
	if s.minutes, err = parseLifetime(s.Lifetime); err != nil {
		return usageErrorf("%v", err)
	}
	return nil
}

// ciVCSEnv is CI mode: with RHODECODE_VCS_TOKEN set (and neither -i nor
// --all), RHODECODE_HOST and RHODECODE_USERNAME name the server and user
// the token is for. ok is false outside CI mode.
func ciVCSEnv(d *deps, all bool) (url, user, token string, ok bool, err error) {
	token = strings.TrimSpace(d.getenv("RHODECODE_VCS_TOKEN"))
	if d.getenv("RHODECODE_VCS_TOKEN") == "" || d.g.Instance != "" || all {
		return "", "", "", false, nil
	}
	host, user := d.getenv("RHODECODE_HOST"), d.getenv("RHODECODE_USERNAME")
	if host == "" || user == "" {
		return "", "", "", true, usageErrorf("RHODECODE_VCS_TOKEN is set: also set RHODECODE_USERNAME and RHODECODE_HOST (the server to use it for)")
	}
	if url, err = baseurl.Normalize(host); err != nil {
		return "", "", "", true, usageErrorf("RHODECODE_HOST: %v", err)
	}
	return url, user, token, true, nil
}

// setupTargets are the instances a setup command works on: every one
// with --all, else the selected one; --with-token gives one token, so
// one instance.
func (s *setupFlags) targets(d *deps) ([]rhoderc.Instance, error) {
	cfg, err := d.cfg.Load()
	if err != nil {
		return nil, err
	}
	var targets []rhoderc.Instance
	if s.All {
		if targets = cfg.Instances(); len(targets) == 0 {
			return nil, resolve.ErrNotLoggedIn
		}
	} else {
		in, err := resolve.Select(cfg, d.g.Instance)
		if err != nil {
			return nil, err
		}
		targets = []rhoderc.Instance{in}
	}
	if s.WithToken && len(targets) != 1 {
		return nil, usageErrorf("--with-token sets up one instance; pick it with -i NAME")
	}
	return targets, nil
}

// verifiedOK tells whether a VCS client's first request (verifyVCSToken)
// went through, or could not be checked.
func verifiedOK(verified string) bool {
	return strings.HasPrefix(verified, "ok") || strings.HasPrefix(verified, "skipped")
}

// setupEach runs one for every target. With one target its error is the
// command's; with several, a failed instance is a line on stderr and the
// others go on. Each outcome is a line on stderr (a warning mark when its
// check failed), or with --json all of them are one document on stdout.
// The exit status is 1 (silent) when any instance failed.
func setupEach[R any](io *iostreams.IOStreams, asJSON bool, targets []rhoderc.Instance,
	one func(rhoderc.Instance) (R, error), report func(rhoderc.Instance, R) (verified, line string)) error {
	var results []R
	failed := false
	for _, in := range targets {
		r, err := one(in)
		if err != nil {
			if len(targets) == 1 {
				return err
			}
			termPrintf(io.ErrOut, "%s %s: %v\n", io.FailureIcon(), in.Name, err)
			failed = true
			continue
		}
		results = append(results, r)
		if !asJSON {
			verified, line := report(in, r)
			mark := io.SuccessIcon()
			if !verifiedOK(verified) {
				mark, failed = io.WarningIcon(), true
			}
			termPrintf(io.ErrOut, "%s %s\n", mark, line)
		}
	}
	if asJSON {
		if err := writeJSON(io.Out, results); err != nil {
			return err
		}
	}
	if failed {
		return errSilent
	}
	return nil
}
