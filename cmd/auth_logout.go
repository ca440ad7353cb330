package cmd

import (
	"context"
	"errors"
	"fmt"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/gitconfig"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type authLogoutOptions struct {
	*deps

	Name   string
	All    bool
	Revoke bool
	sf     sessionFlags
}

func newAuthLogoutCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &authLogoutOptions{}
	c := &cobra.Command{
		Use:   "logout [<name>]",
		Short: "Forget an instance and remove its stored API token",
		Long: `Remove an instance's API token from the OS keyring and the config file,
and its entry from the config file, the global git config that
rhodecode setup-git wrote for its URL, and hg's copy of the VCS token
with the ~/.hgrc entry that rhodecode setup-hg wrote. With --revoke the
API token and the VCS token the tool created are also revoked on the
server first (through the web session).

In rhodecode-tools' INI file only the keys this tool added or changed are
removed, so rhodecode-tools keeps working with what it wrote; --all removes
the whole [instance:NAME] section. Without --revoke the token stays valid
on the server.`,
		Example: `  $ rhodecode auth logout work
  $ rhodecode auth logout --revoke work
  $ rhodecode auth logout --all legacy`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("expected at most one instance name")
			}
			return nil
		},
		ValidArgsFunction: instanceCompletion(f, g),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if len(args) == 1 {
				opts.Name = args[0]
			}
			return authLogoutRun(cmd.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.All, "all", false, "Remove the whole section from an INI config file, not only this tool's keys")
	c.Flags().BoolVar(&opts.Revoke, "revoke", false, "Also revoke the tool's API and VCS tokens on the server")
	addSessionFlags(c, &opts.sf)
	return c
}

func authLogoutRun(ctx context.Context, opts *authLogoutOptions) error {
	io := opts.io
	cfg, err := opts.cfg.load()
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
			return usageErrorf("several instances (%s); say which: rhodecode auth logout NAME", strings.Join(resolve.Names(cfg), ", "))
		}
	}
	in, err := resolve.Named(cfg, name)
	if err != nil {
		return err
	}

	if opts.Revoke {
		if err := revokeOwnToken(ctx, opts, name); err != nil {
			return fmt.Errorf("revoking the API token of %q (still logged in): %w", name, err)
		}
	}

	// The keyring entries go first: if the keyring is locked the user is
	// told, and the file entry that points at the secrets is kept.
	// (A file-stored instance has nothing in the keyring to lose.)
	if err := opts.secrets.PurgeKeyring(ctx, in, secrets.Kinds...); err != nil {
		return err
	}
	err = opts.cfg.update(ctx, func(cfg *rhoderc.File) error {
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
	// git would keep calling a helper that has nothing left to give.
	if err := opts.git.RemoveHelper(ctx, gitconfig.Global, in.URL); err != nil {
		fmt.Fprintf(io.ErrOut, "%s %v\n", io.WarningIcon(), err)
	}
	// hg and svn keep copies of the VCS token of their own (vcscopies.go).
	for _, c := range opts.vcsCopies() {
		if err := c.remove(ctx, in); err != nil {
			fmt.Fprintf(io.ErrOut, "%s removing %s's copy of the VCS token: %v\n", io.WarningIcon(), c.vcs(), err)
		}
	}
	if opts.g.JSON {
		return writeJSON(io.Out, map[string]any{"instance": name, "url": in.URL, "logged_out": true})
	}
	if io.IsStderrTTY() {
		fmt.Fprintf(io.ErrOut, "%s Logged out of %s (%s)\n", io.SuccessIcon(), name, in.URL)
	}
	return nil
}

// revokeOwnToken revokes the API token the tool uses for instance name,
// and the managed VCS token when the server still lists it.
func revokeOwnToken(ctx context.Context, opts *authLogoutOptions, name string) error {
	g := *opts.g
	g.Instance = name
	d := *opts.deps
	d.g = &g
	wt, err := d.webTarget(ctx)
	if err != nil {
		return err
	}
	if wt.apiToken == "" {
		return errors.New("no API token is stored for it")
	}
	return d.sessions.with(ctx, wt, &opts.sf, func(ws *client.WebSession) error {
		page, err := ws.TokenPage(ctx)
		if err != nil {
			return err
		}
		id := ownTokenID(page, wt)
		if id == 0 {
			return errors.New("it is not in the token list (already revoked?); use rhodecode token revoke ID, or log out without --revoke")
		}
		todo := []*client.AuthToken{page.FindToken(id)}
		if vcs := page.FindToken(wt.VCSTokenID); wt.VCSTokenID != 0 && vcs != nil {
			todo = append(todo, vcs)
		}
		for _, t := range todo {
			if err := ws.DeleteToken(ctx, t.ID); err != nil {
				return err
			}
			fmt.Fprintf(d.io.ErrOut, "%s Revoked token %d (%s)\n", d.io.SuccessIcon(), t.ID, termtext.Sanitize(t.Description))
		}
		return nil
	})
}
