// Package cmd is the command tree of the rhodecode CLI: cobra commands, their
// options, and the one place where errors become exit codes.
package cmd

import (
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/spf13/cobra"
)

// globalOptions are the persistent flags every command sees.
type globalOptions struct {
	Instance string
	Config   string
	JSON     bool
	JQ       string // --jq: a jq expression over the --json document
	Template string // --template: a Go template over it
	NoInput  bool
	Debug    bool
}

const rootLong = `Manage RhodeCode authentication tokens from the terminal and from CI.

rhodecode logs in to one or more RhodeCode instances, keeps each instance's
API token in the OS keyring or in ~/.rhoderc, manages the auth tokens of
your account, and hands git a VCS token as its credential helper.

ENVIRONMENT
  RHODECODE_INSTANCE   instance name to use (like --instance)
  RHODERC              path of the config file (like --config; default ~/.rhoderc)
  RHODECODE_HOST       with RHODECODE_TOKEN: use this server and API token
  RHODECODE_TOKEN      without any config file or keyring (CI)
  RHODECODE_USERNAME   with RHODECODE_VCS_TOKEN: what the git credential
  RHODECODE_VCS_TOKEN  helper answers (CI), for RHODECODE_HOST only (required)
  RHODECODE_CA_CERT    PEM file of a private CA to trust (also auth login --ca-cert)
  NO_COLOR             set (to anything): no colour in the status marks on stderr
  CLICOLOR             0: no colour (as TERM=dumb)
  CLICOLOR_FORCE       set and not 0: colour even when stderr is not a terminal
  PATH                 setup-git writes the helper's path as found on PATH
                       when it is this binary (so package upgrades keep it)
  XDG_CONFIG_HOME      setup-hg keeps hg's token file in
                       $XDG_CONFIG_HOME/rhodecode/hg (default ~/.config)
  XDG_STATE_HOME       where the day of the last token-expiry warning is kept
                       ($XDG_STATE_HOME/rhodecode/; default ~/.local/state)

EXIT STATUS
  0    success
  1    error
  2    usage error
  3    server unreachable, or not a RhodeCode server
  4    authentication required or rejected (not logged in, token invalid or expired)
  5    auth status --fail-if-expiring: a token expires within the given time
  130  interrupted`

// NewRootCmd builds the whole command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root, _ := newRootCmd(f)
	return root
}

// newRootCmd builds the tree and returns the global options its flags
// fill in, for what Main does after the command (the expiry warning).
func newRootCmd(f *Factory) (*cobra.Command, *globalOptions) {
	g := &globalOptions{}
	showVersion := false
	root := &cobra.Command{
		Use:           "rhodecode <command> <subcommand> [flags]",
		Short:         "Manage RhodeCode authentication tokens",
		Long:          rootLong,
		SilenceErrors: true,
		SilenceUsage:  true,
		Example: `  $ rhodecode auth login --url https://code.example.com --username alice
  $ rhodecode token create --role vcs --lifetime 30d
  $ rhodecode setup-git
  $ rhodecode auth status
  $ printf 'url = "https://code.example.com/_admin/ops/ping?auth_token=%s"\n' "$(rhodecode auth token)" | curl -s -K -`,
		// The root checks its own arguments (groupRunE), so that an unknown
		// command gets the same one-line error as under auth and token.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion && len(args) == 0 {
				return versionRun(f, g)
			}
			return groupRunE(cmd, args)
		},
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			// Precedence: -i > RHODECODE_HOST+RHODECODE_TOKEN >
			// RHODECODE_INSTANCE > the file's default (package resolve).
			g.Instance = resolve.Name(g.Instance, cmd.Flags().Changed("instance"), f.Getenv)
			// Prompting needs a terminal on stdin; --no-input forbids it outright.
			f.IO.SetNeverPrompt(g.NoInput || !f.IO.IsStdinTTY())
			return setupFilter(cmd.Context(), f.IO, g)
		},
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&g.Instance, "instance", "i", "", "Instance name from the config file (env RHODECODE_INSTANCE)")
	pf.StringVar(&g.Config, "config", "", "Config file (env RHODERC; default ~/.rhoderc)")
	pf.BoolVar(&g.JSON, "json", false, "Print machine-readable JSON on stdout")
	pf.StringVarP(&g.JQ, "jq", "q", "", "Filter the JSON output with a jq `expression` (implies --json)")
	pf.StringVarP(&g.Template, "template", "t", "", "Format the JSON output with a Go `template` (implies --json)")
	pf.BoolVar(&g.NoInput, "no-input", false, "Never prompt (implied when stdin is not a terminal)")
	pf.BoolVar(&g.Debug, "debug", false, "Print an HTTP trace on stderr, with secrets redacted")
	root.Flags().BoolVar(&showVersion, "version", false, "Print the version (as rhodecode version does)")
	_ = root.RegisterFlagCompletionFunc("instance", instanceCompletion(f, g))

	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{msg: err.Error()}
	})
	root.AddCommand(
		newAuthCmd(f, g),
		newTokenCmd(f, g),
		newAPICmd(f, g),
		newSetupGitCmd(f, g),
		newSetupHgCmd(f, g),
		newSetupSvnCmd(f, g),
		newURLCmd(f, g),
		newDoctorCmd(f, g),
		newCredentialHelperCmd(f, g),
		newVersionCmd(f, g),
		newCompletionCmd(),
	)
	// Our own completion command has examples and exits 2 on a bad shell.
	root.CompletionOptions.DisableDefaultCmd = true
	checkHelpTopics(root)
	return root, g
}
