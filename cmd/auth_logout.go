package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type authLogoutOptions struct {
	f *Factory
	g *globalOptions

	Name string
	All  bool
}

func newAuthLogoutCmd(f *Factory, g *globalOptions, runF func(context.Context, *authLogoutOptions) error) *cobra.Command {
	opts := &authLogoutOptions{f: f, g: g}
	c := &cobra.Command{
		Use:   "logout [<name>]",
		Short: "Forget an instance and remove its stored API token",
		Long: `Remove an instance's API token from the OS keyring and the config file,
and its entry from the config file.

In rhodecode-tools' INI file only the keys this tool added or changed are
removed, so rhodecode-tools keeps working with what it wrote; --all removes
the whole [instance:NAME] section. The token itself stays valid on the
server: revoke it under My Account → Auth tokens if it leaked.`,
		Example: `  $ rhodecode auth logout work
  $ rhodecode auth logout --all legacy`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("expected at most one instance name")
			}
			return nil
		},
		ValidArgsFunction: instanceCompletion(f, g),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Name = args[0]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return authLogoutRun(cmd.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.All, "all", false, "Remove the whole section from an INI config file, not only this tool's keys")
	return c
}

func authLogoutRun(ctx context.Context, opts *authLogoutOptions) error {
	f, io := opts.f, opts.f.IO
	cfg, err := f.loadConfig(opts.g)
	if err != nil {
		return err
	}
	name := opts.Name
	if name == "" {
		name = opts.g.Instance
	}
	if name == "" {
		// Logging out is destructive: guess only when there is nothing to guess.
		all := cfg.Instances()
		switch len(all) {
		case 0:
			return authRequiredf("not logged in to any RhodeCode instance")
		case 1:
			name = all[0].Name
		default:
			return usageErrorf("several instances (%s); say which: rhodecode auth logout NAME", instanceNames(cfg))
		}
	}
	in, ok := cfg.Instance(name)
	if !ok {
		return usageErrorf("no instance %q in %s (known: %s)", name, cfg.Path(), instanceNames(cfg))
	}

	// The keyring entry goes first: if the keyring is locked the user is
	// told, and the file entry that points at the secret is kept.
	err = f.Secrets.Delete(ctx, keyring.Service(in.URL), keyring.AccountAPIToken)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		if storageOf(in) == rhoderc.StorageKeyring {
			return fmt.Errorf("removing the token of %q from the OS keyring: %w", name, err)
		}
		// A file-stored instance has nothing in the keyring to lose.
	}
	err = f.updateConfig(ctx, opts.g, func(cfg *rhoderc.File) error {
		wasDefault := cfg.DefaultInstance() == name
		cfg.RemoveInstance(name, opts.All)
		if rest := cfg.Instances(); wasDefault && len(rest) == 1 {
			cfg.SetDefault(rest[0].Name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if opts.g.JSON {
		return writeJSON(io.Out, map[string]any{"instance": name, "url": in.URL, "logged_out": true})
	}
	if io.IsStderrTTY() {
		fmt.Fprintf(io.ErrOut, "%s Logged out of %s (%s)\n", io.SuccessIcon(), name, in.URL)
	}
	return nil
}
