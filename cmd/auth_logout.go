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
rhodecode setup-git wrote for its URL, hg's copy of the VCS token with
the ~/.hgrc entry that rhodecode setup-hg wrote, and svn's cached entry
that rhodecode setup-svn wrote. With --revoke the
API token and the VCS token the tool created are also revoked on the
server first (through the web session).

In rhodecode-tools' INI file only the keys this tool added or changed are
removed, so rhodecode-tools keeps working with what it wrote;
--remove-section removes the whole [instance:NAME] section (--all, its old
name, still works and says so).

Without --revoke the tokens the tool made (a password login's API token,
setup-git's VCS token) stay valid on the server: logout says so and prints
the command that revokes them; on a terminal it offers to revoke them
first (default no). --revoke also revokes older tokens the tool made for the
same user on this machine ("rhodecode-cli <user>@<host>",
"rhodecode-cli git <user>@<host>").`,
		Example: `  $ rhodecode auth logout work
  $ rhodecode auth logout --revoke work
  $ rhodecode auth logout --remove-section legacy`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("expected at most one instance name")
			}
			return nil
		},
		ValidArgsFunction: instanceCompletion(f, g),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if cmd.Flags().Changed("all") {
				fmt.Fprintf(f.IO.ErrOut, "%s auth logout --all is now --remove-section (--all still works, but may go)\n", f.IO.WarningIcon())
			}
			if len(args) == 1 {
				opts.Name = args[0]
			}
			return authLogoutRun(cmd.Context(), opts)
		},
	}
	// All is --remove-section: --all means "every instance" to setup-git.
	c.Flags().BoolVar(&opts.All, "remove-section", false, "Remove the whole section from an INI config file, not only this tool's keys")
	c.Flags().BoolVar(&opts.All, "all", false, "")
	_ = c.Flags().MarkHidden("all") // kept for scripts; RunE says what it is now
	c.Flags().BoolVar(&opts.Revoke, "revoke", false, "Also revoke the tool's API and VCS tokens on the server")
	addSessionFlags(c, &opts.sf)
	return c
}

func authLogoutRun(ctx context.Context, opts *authLogoutOptions) error {
	io := opts.io
	cfg, err := opts.cfg.Load()
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

	// Without --revoke the tokens the tool made stay valid on the server:
	// say so, and on a terminal offer to revoke them (default no).
	left, verb, them := madeTokens(in)
	if !opts.Revoke && left != "" && io.CanPrompt() {
		termPrintf(io.ErrOut, "%s %s, made by rhodecode for %s, %s valid on the server after logout.\n", io.WarningIcon(), left, name, verb)
		yes, err := io.Confirm(ctx, "Revoke "+them+" now?")
		if err != nil {
			return err
		}
		opts.Revoke = yes
	}
	if opts.Revoke {
		left = ""
		if err := revokeOwnToken(ctx, opts, cfg, name); err != nil {
			return fmt.Errorf("revoking the API token of %q (still logged in): %w", name, err)
		}
	}

	// The keyring entries go first: if the keyring is locked the user is
	// told, and the file entry that points at the secrets is kept.
	// (A file-stored instance has nothing in the keyring to lose.)
	// (The VCS token is read first: hg's copy is removed by it.)
	vcsToken, _ := opts.secrets.Get(ctx, in, secrets.VCSToken)
	if err := opts.secrets.PurgeKeyring(ctx, in, secrets.Kinds...); err != nil {
		return err
	}
	err = opts.cfg.Update(ctx, func(cfg *rhoderc.File) error {
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
		if err := c.remove(ctx, in, vcsToken); err != nil {
			fmt.Fprintf(io.ErrOut, "%s removing %s's copy of the VCS token: %v\n", io.WarningIcon(), c.vcs(), err)
		}
	}
	if left != "" {
		if !io.CanPrompt() {
			termPrintf(io.ErrOut, "%s %s, made by rhodecode for %s, %s valid on the server; to revoke %s:\n", io.WarningIcon(), left, name, verb, them)
		} else {
			fmt.Fprintf(io.ErrOut, "To revoke %s later:\n", them)
		}
		// The entry is gone now: log in again, then log out with --revoke.
		user := in.Username
		if user == "" {
			user = "USER"
		}
		termPrintf(io.ErrOut, "  rhodecode auth login --url %s --name %s --username %s && rhodecode auth logout --revoke %s\n", in.URL, name, user, name)
	}
	if opts.g.JSON {
		return writeJSON(io.Out, map[string]any{"instance": name, "url": in.URL, "logged_out": true})
	}
	if io.IsStderrTTY() {
		fmt.Fprintf(io.ErrOut, "%s Logged out of %s (%s)\n", io.SuccessIcon(), name, in.URL)
	}
	return nil
}

// madeTokens names the tokens the tool made for in (a password login's
// API token, setup-git's VCS token), with the verb and pronoun for them;
// "" when it made none: a token the user gave it is the user's to manage.
func madeTokens(in rhoderc.Instance) (names, verb, them string) {
	var made []string
	if in.TokenID != 0 {
		made = append(made, fmt.Sprintf("API token %d", in.TokenID))
	}
	if in.VCSTokenID != 0 {
		made = append(made, fmt.Sprintf("VCS token %d", in.VCSTokenID))
	}
	if len(made) == 1 {
		return made[0], "stays", "it"
	}
	return strings.Join(made, " and "), "stay", "them"
}

// revokeOwnToken revokes the API token the tool uses for instance name,
// the managed VCS token when the server still lists it, and the older
// tokens the tool made for the same user on this machine (staleToolTokens).
func revokeOwnToken(ctx context.Context, opts *authLogoutOptions, cfg *rhoderc.File, name string) error {
	d := opts.deps
	// The instance as -i name picks it, from the file already read (read
	// again, a file others can read would be warned about twice).
	t, err := resolve.Instance(name, d.getenv, func() (*rhoderc.File, error) { return cfg, nil })
	if err != nil {
		return err
	}
	wt, err := d.webTargetOf(ctx, t)
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
		todo := []client.AuthToken{*page.FindToken(id)}
		keep := keptTokenIDs(cfg, name, wt.URL, id)
		todo = append(todo, staleToolTokens(page, "token_role_api", machineDescription(d.hostname, "", wt.Username), 0, keep)...)
		todo = append(todo, staleToolTokens(page, "token_role_vcs", machineDescription(d.hostname, "git", wt.Username), wt.VCSTokenID, keep)...)
		for _, t := range todo {
			if err := ws.DeleteToken(ctx, t.ID); err != nil {
				return err
			}
			fmt.Fprintf(d.io.ErrOut, "%s Revoked token %d (%s)\n", d.io.SuccessIcon(), t.ID, termtext.Sanitize(t.Description))
		}
		return nil
	})
}
