package cmd

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type authLoginOptions struct {
	*deps

	URL       string
	Name      string
	WithToken bool
	Storage   string
	Default   bool
	Username  string
	Lifetime  string
	CACert    string
	sf        sessionFlags
}

// maxTokenInput caps what --with-token reads; a token is 40 characters.
const maxTokenInput = 64 << 10

func newAuthLoginCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &authLoginOptions{}
	c := &cobra.Command{
		Use:   "login [--url <url>] [--name <name>] [--with-token | --username <user> [--password-stdin]]",
		Short: "Log in to a RhodeCode instance",
		Long: `Log in to a RhodeCode instance, with an API token or with your password.

In a terminal, what the flags leave open is asked: the URL (without --url,
unless --name names a known instance), then your RhodeCode user name
(without --username or --with-token; leave it empty to paste an API token
instead), then the password or the token, masked. When the OS keyring cannot be used, it asks whether to keep the
token in the config file instead. With --no-input, or when standard input
is not a terminal, nothing is asked and the flags must say it all.

With --with-token the API token (role "api calls" or "all", created under
My Account → Auth tokens) is read from standard input; in a terminal it can
be pasted at a masked prompt. It is never accepted as a flag value.

With --username the tool logs in to the web UI with your password (asked
masked in a terminal, or read with --password-stdin), creates an API token
"rhodecode-cli <user>@<host>" for itself (lifetime forever unless
--lifetime), and keeps the web session for the token commands. The password
is never stored.

Either way the token is checked with the server's get_user API call before
anything is saved, and the user it belongs to is recorded.

The token goes to the OS keyring unless --storage file is given. When the
config file is rhodecode-tools' INI file, the token stays in its api_key key
(where rhodecode-tools reads it) unless --storage keyring moves it.

Logging in again to the same instance replaces its token. A password
login, once its new token works, revokes the API tokens the tool made before
for the same user on this machine (exactly "rhodecode-cli <user>@<host>",
or the id recorded at the last login); other tokens are never touched.`,
		Example: `  # In a terminal: asks for the URL, your user name, then the password
  # (or, with an empty user name, a pasted API token)
  $ rhodecode auth login

  # From a script or CI
  $ rhodecode auth login --url https://code.example.com --with-token < token.txt

  # With your password: the tool creates its own API token
  $ rhodecode auth login --url https://code.example.com --username alice

  # A second instance, made the default
  $ rhodecode auth login --url http://10.0.0.5:8080 --name lab --default --with-token < lab.txt`,
		Args: lifetimeArgs(&opts.Lifetime, noArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			switch opts.Storage {
			case "", rhoderc.StorageKeyring, rhoderc.StorageFile:
			default:
				return usageErrorf("--storage must be %q or %q, not %q", rhoderc.StorageKeyring, rhoderc.StorageFile, opts.Storage)
			}
			if err := checkLoginFlags(opts); err != nil {
				return err
			}
			// -i NAME, as every other command and hint spells it, logs in
			// to that instance again (its URL from the config file).
			if opts.Name == "" && cmd.Flags().Changed("instance") {
				opts.Name = g.Instance
			}
			return authLoginRun(cmd.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.URL, "url", "", "Base URL of the RhodeCode instance")
	c.Flags().StringVar(&opts.Name, "name", "", "Name for the instance (default: derived from the URL)")
	c.Flags().BoolVar(&opts.WithToken, "with-token", false, "Read the API token from standard input")
	c.Flags().StringVar(&opts.Storage, "storage", "", "Where to keep the token: {keyring | file} (default keyring; an INI file's instance keeps api_key)")
	c.Flags().BoolVar(&opts.Default, "default", false, "Make this the default instance")
	c.Flags().StringVar(&opts.Username, "username", "", "Log in with this RhodeCode user name and its password")
	c.Flags().StringVar(&opts.CACert, "ca-cert", "", "PEM file of a private CA to trust for this instance (remembered; env RHODECODE_CA_CERT)")
	c.Flags().StringVar(&opts.Lifetime, "lifetime", "", "With --username: lifetime of the API token the tool creates (default forever)")
	addSessionFlags(c, &opts.sf)
	c.MarkFlagsMutuallyExclusive("with-token", "username")
	c.MarkFlagsMutuallyExclusive("with-token", "password-stdin")
	_ = c.RegisterFlagCompletionFunc("storage", cobra.FixedCompletions([]string{rhoderc.StorageKeyring, rhoderc.StorageFile}, cobra.ShellCompDirectiveNoFileComp))
	_ = c.RegisterFlagCompletionFunc("name", instanceCompletion(f, g))
	return c
}

func authLoginRun(ctx context.Context, opts *authLoginOptions) error {
	io := opts.io
	// Read the file first: a broken file stops the login before anything
	// (the keyring included) is changed.
	cfg, err := opts.cfg.Load()
	if err != nil {
		return err
	}
	rawURL := opts.URL
	if rawURL == "" && opts.Name != "" {
		if in, ok := cfg.Instance(opts.Name); ok {
			rawURL = in.URL
		}
	}
	if rawURL == "" {
		if !io.CanPrompt() {
			return usageErrorf("--url is required when not running in a terminal")
		}
		if rawURL, err = io.Prompt(ctx, "RhodeCode URL: "); err != nil {
			return err
		}
	}
	baseURL, err := baseurl.Normalize(rawURL)
	if err != nil {
		return usageErrorf("%v", err)
	}

	name, existing, err := resolve.LoginName(cfg, opts.Name, baseURL)
	if err != nil {
		return err
	}
	// The instance as requests to it are made: its URL and the CA
	// certificate to trust, given now or remembered from before.
	server := rhoderc.Instance{Name: name, URL: baseURL, CACert: opts.CACert}
	if server.CACert == "" && existing != nil {
		server.CACert = existing.CACert
	}
	if err := checkServer(ctx, opts, server); err != nil {
		return err
	}

	// Where the token will go is settled before anything is created on
	// the server, so a keyring that turns out to be unusable cannot leave
	// a fresh token behind.
	storage, err := chooseStorage(ctx, opts, cfg, existing, name, baseURL)
	if err != nil {
		return err
	}

	username := opts.Username
	if username == "" && !opts.WithToken && !opts.sf.PasswordStdin && io.CanPrompt() {
		if username, err = io.Prompt(ctx, "RhodeCode user name (empty to paste an API token instead): "); err != nil {
			return err
		}
	}
	if username == "" && opts.sf.PasswordStdin {
		return usageErrorf("--password-stdin needs --username")
	}

	var (
		token   string
		tokenID int
		// tokenExpires is recorded for the expiry warnings and auth status
		// --fail-if-expiring; a pasted token's expiry is unknown (0).
		tokenExpires int64
		ws           *client.WebSession
	)
	if username != "" {
		var created *client.AuthToken
		if ws, token, created, err = passwordLogin(ctx, opts, server, username); err == nil {
			tokenID, tokenExpires = created.ID, expiryUnix(created)
		}
	} else {
		token, err = readToken(ctx, opts)
	}
	if err != nil {
		return err
	}

	c, err := opts.newClient(server, token)
	if err != nil {
		return err
	}
	user, err := c.GetUser(ctx)
	if err != nil {
		if ws != nil {
			// Do not leave a token behind that nothing will use.
			_ = ws.DeleteToken(ctx, tokenID)
		}
		return fmt.Errorf("verifying the token: %w", err)
	}

	// The token goes where storage says; the entry keeps what it had
	// (repo_dir, the VCS token's fields) and the user's spelling of the URL.
	isDefault := false
	in := rhoderc.Instance{Name: name, URL: baseURL, Storage: storage}
	err = opts.secrets.Login(ctx, existing, in, token, func(cfg *rhoderc.File, e *rhoderc.Instance) error {
		if !baseurl.Same(e.URL, baseURL) {
			e.URL = baseURL
		}
		e.Username, e.Storage, e.TokenID, e.TokenExpires = user.Username, storage, tokenID, tokenExpires
		if opts.CACert != "" {
			e.CACert = opts.CACert
		}
		d := cfg.DefaultInstance()
		if _, ok := cfg.Instance(d); opts.Default || d == "" || !ok {
			cfg.SetDefault(name)
		}
		isDefault = cfg.DefaultInstance() == name
		return nil
	})
	if err != nil {
		if ws != nil {
			// Do not leave a token behind that nothing will use.
			_ = ws.DeleteToken(ctx, tokenID)
		}
		return err
	}
	if ws != nil {
		if err := opts.secrets.Set(ctx, in, secrets.WebSession, ws.SessionCookie()); err != nil {
			termPrintf(io.ErrOut, "%s the web session was not kept (%v); token commands will ask for the password\n", io.WarningIcon(), err)
		}
	}
	if storage == rhoderc.StorageFile {
		fmt.Fprintf(io.ErrOut, "%s The API token is stored in plain text in %s (mode 0600).\n", io.WarningIcon(), cfg.Path())
	}

	// A password login replaces the API token the tool made before (last
	// login, or one left by a logout without --revoke): the new one works
	// now, so revoke the old ones, or every login leaves a live token behind.
	if ws != nil {
		recorded := 0
		if existing != nil {
			recorded = existing.TokenID
		}
		retireOldToolTokens(ctx, io, ws, name, "token_role_api", machineDescription(opts.hostname, "", username), recorded, keptTokenIDs(cfg, name, baseURL, tokenID), "API token")
	}

	if opts.g.JSON {
		return writeJSON(io.Out, map[string]any{
			"instance": name,
			"url":      baseURL,
			"username": user.Username,
			"storage":  storage,
			"default":  isDefault,
		})
	}
	if io.IsStderrTTY() {
		where := "the OS keyring"
		if storage == rhoderc.StorageFile {
			where = cfg.Path()
		}
		termPrintf(io.ErrOut, "%s Logged in to %s as %s (instance %q, token in %s)\n", io.SuccessIcon(), baseURL, user.Username, name, where)
	}
	return nil
}
