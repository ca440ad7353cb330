package cmd

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type authStatusOptions struct {
	*deps

	ShowToken bool
	Offline   bool
	// FailIfExpiring is the CI gate's window (expiry.go, auth_status_expiry.go).
	FailIfExpiring string
	failWithin     time.Duration
}

// statusTimeout bounds the whole parallel check, however many instances.
const statusTimeout = 10 * time.Second

func newAuthStatusCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &authStatusOptions{}
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the instances you are logged in to and whether their tokens work",
		Long: `Show every instance in the config file (or only the one given with -i):
its name, URL, user, where the token is stored, which one is the default,
and whether the server accepts the token right now. The servers are asked
in parallel, at most 10 seconds in all; --offline skips them.

Tokens are masked unless --show-token is given. The status is one word
(ok, offline, no-token, keyring-unavailable, token-rejected, user-mismatch,
unreachable, not-rhodecode, error), the same as "state" in --json; what
went wrong is on standard error, one line per instance. The exit status is
1 when any instance's API token is not OK. Piped, the columns are name,
URL, user, storage, token, status, git, default (true/false), hg, svn, and
the API token's expiry (RFC 3339, never, unknown or -).

EXPIRES (the API token) and the GIT column (the VCS token) show expiries
as recorded when the tool made the tokens, so --offline has them too; a
token pasted with --with-token has an unknown one. --json: RFC 3339, null
for never and unknown. --fail-if-expiring DUR (7d, 12h: as --lifetime) is
a CI gate: if a token the tool uses expires within DUR or has expired, it
names it, its instance and the command that renews it on standard error,
and exits with status 5. Unknown expiries and a rejected API token do not
trip it. An API token that is not OK wins: the exit status is then 1.`,
		Example: `  $ rhodecode auth status
  $ rhodecode auth status --offline --json
  $ rhodecode auth status -i work --show-token
  $ rhodecode auth status --offline --fail-if-expiring 14d`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if cmd.Flags().Changed("fail-if-expiring") {
				d, err := parseWithin("--fail-if-expiring", opts.FailIfExpiring)
				if err != nil {
					return err
				}
				opts.failWithin = d
			}
			return authStatusRun(cmd.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.ShowToken, "show-token", false, "Show the API tokens in full")
	c.Flags().BoolVar(&opts.Offline, "offline", false, "Do not contact the servers")
	c.Flags().StringVar(&opts.FailIfExpiring, "fail-if-expiring", "", "Exit 5 when a token expires within this time (e.g. 14d)")
	return c
}

// instanceStatus is one row of `auth status`, and its JSON form.
type instanceStatus struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	Username string `json:"username"`
	Storage  string `json:"storage"`
	Default  bool   `json:"default"`
	Token    string `json:"token,omitempty"`
	// State is ok, offline, no-token, keyring-unavailable, token-rejected,
	// user-mismatch, unreachable, not-rhodecode or error.
	State string `json:"state"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// ServerUsername is who the server says the token belongs to.
	ServerUsername string `json:"server_username,omitempty"`
	// VCSToken is the managed VCS token git gets (masked), "" if none.
	VCSToken string `json:"vcs_token,omitempty"`
	// VCSTokenExpires is RFC 3339, "never", or "" without a VCS token;
	// on a terminal, relative ("in 3 days"). JSON has VCSTokenExpiresAt.
	VCSTokenExpires string `json:"-"`
	VCSTokenState   string `json:"vcs_token_state,omitempty"` // ok, expired, rejected
	// Expiries (auth_status_expiry.go): RFC 3339, null for never/unknown.
	APITokenExpires   *string `json:"api_token_expires"`
	VCSTokenExpiresAt *string `json:"vcs_token_expires"`
	// GitConfigured says whether git, as configured here (global config,
	// and the current repository's), uses rhodecode's credential helper
	// for this instance.
	GitConfigured bool `json:"git_configured"`
	// VCS is, per client (git, hg, svn), whether it is set up for this
	// instance and whether its copy of the VCS token is the current one
	// (auth_status_vcs.go).
	VCS map[string]copyState `json:"vcs"`

	token     string
	instance  rhoderc.Instance // as configured; URL above hides any userinfo
	apiExpiry string           // the EXPIRES cell
}

func authStatusRun(ctx context.Context, opts *authStatusOptions) error {
	io := opts.io
	var rows []*instanceStatus

	targets, cfg, err := resolve.All(opts.g.Instance, opts.getenv, opts.cfg.Load)
	if err != nil {
		return err
	}
	// The environment's instance is the default while it is set.
	envSet := false
	if env, _ := resolve.Env(opts.getenv); env != nil {
		envSet = true
	}
	var gitURLs map[string]bool
	if cfg != nil {
		gitURLs = opts.git.HelperURLs(ctx)
	}
	for _, t := range targets {
		in := t.Instance
		if t.Env {
			rows = append(rows, &instanceStatus{Name: in.Name, URL: client.StripUserinfo(in.URL), instance: in, Username: in.Username, Storage: "env", Default: true, token: t.EnvToken})
			continue
		}
		r := &instanceStatus{Name: in.Name, URL: client.StripUserinfo(in.URL), instance: in, Username: in.Username, Storage: opts.secrets.Storage(in), Default: !envSet && cfg.DefaultInstance() == in.Name}
		r.GitConfigured = gitURLs[in.URL]
		tok := vcsStatus(ctx, opts.deps, in, r)
		vcsClientsStatus(ctx, opts.deps, in, r, tok)
		tok, err := opts.apiToken(ctx, in)
		switch {
		case errors.Is(err, keyring.ErrUnavailable):
			r.State, r.Error = "keyring-unavailable", err.Error()
		case err != nil:
			r.State, r.Error = "no-token", err.Error()
		default:
			r.token = tok
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return resolve.ErrNotLoggedIn
	}

	checkAll(ctx, opts, rows)
	statusExpiries(rows, opts.now(), io.IsStdoutTTY() && !opts.g.JSON)

	allOK := true
	for _, r := range rows {
		if r.token != "" {
			r.Token = secret.Mask(r.token)
			if opts.ShowToken {
				r.Token = r.token
			}
		}
		allOK = allOK && r.OK
	}

	if opts.g.JSON {
		if err := writeJSON(io.Out, map[string]any{"instances": rows}); err != nil {
			return err
		}
	} else {
		tp := newTablePrinter(io.Out, io.IsStdoutTTY(), "NAME", "URL", "USER", "STORAGE", "TOKEN", "EXPIRES", "STATUS", "GIT", "HG", "SVN")
		for _, r := range rows {
			name := r.Name
			if r.Default && io.IsStdoutTTY() {
				name += " *"
			}
			// The state's one word, as in --json; the why goes to stderr.
			status := r.State
			tok := r.Token
			if tok == "" {
				tok = "-"
			}
			git := "-"
			switch {
			case r.VCSToken != "" && r.VCSTokenState != "ok":
				git = r.VCSTokenState + " VCS token " + r.VCSToken
			case r.VCSToken != "" && r.GitConfigured:
				git = "set up, VCS token " + r.VCSToken + " expires " + r.VCSTokenExpires
			case r.VCSToken != "":
				git = "VCS token " + r.VCSToken + ", not in git config"
			case r.GitConfigured:
				git = "set up, no VCS token"
			}
			if io.IsStdoutTTY() {
				tp.addRow(name, r.URL, r.Username, r.Storage, tok, r.apiExpiry, status, git, copyCell(r.VCS["hg"], "hg"), copyCell(r.VCS["svn"], "svn"))
			} else {
				// Piped: the default marker becomes a column of its own;
				// later columns (hg, svn, the API token's expiry) go after
				// it, so scripts keep theirs.
				tp.addRow(name, r.URL, r.Username, r.Storage, tok, status, git, strconv.FormatBool(r.Default), copyCell(r.VCS["hg"], "hg"), copyCell(r.VCS["svn"], "svn"), r.apiExpiry)
			}
		}
		if err := tp.render(); err != nil {
			return err
		}
		for _, r := range rows {
			if r.Error != "" && !r.OK {
				termPrintf(io.ErrOut, "%s %s: %s\n", io.FailureIcon(), r.Name, r.Error)
			}
		}
	}
	// The gate's lines are printed either way, but an API token that is
	// not OK wins: exit 1, not 5 (a script must not read "renew soon"
	// when the tool cannot work now).
	var gate error
	if opts.failWithin > 0 {
		gate = expiryGate(io.ErrOut, rows, opts.now(), opts.failWithin)
	}
	if !allOK {
		return errSilent
	}
	return gate
}

// vcsStatus fills in the managed VCS token and whether git uses it, and
// returns the token it read ("" if none): the secret is read to mask it
// and to hold hg's and svn's copies against.
func vcsStatus(ctx context.Context, d *deps, in rhoderc.Instance, r *instanceStatus) string {
	if in.VCSTokenRejected {
		r.VCSTokenState = "rejected"
	}
	tok, expires, err := managedVCSToken(ctx, d.secrets, in)
	if err != nil && r.VCSTokenState == "" {
		return ""
	}
	if tok == "" {
		// Rejected tokens are not handed out; show that one exists.
		r.VCSToken = "****"
		return ""
	}
	r.VCSToken = secret.Mask(tok)
	r.VCSTokenState = "ok"
	r.VCSTokenExpires = "never"
	if expires > 0 {
		t := time.Unix(expires, 0).UTC()
		r.VCSTokenExpires = t.Format(time.RFC3339)
		if !t.After(d.now()) {
			r.VCSTokenState = "expired"
		}
	}
	return tok
}
