package cmd

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/spf13/cobra"
)

// URLs that carry a token (protocol §7): feeds take a feed token, the
// health check (and views an admin whitelisted) an http token. The token
// is the one RhodeCode's own feed links use where that works: User.feed_token
// is the first token_role_feed token by id, never an "all" token; the tool
// skips expired and repository-scoped ones, which the server would refuse.
// Only --create makes a new one, of that least-privileged role.

type urlOptions struct {
	*deps
	sf sessionFlags

	kind   string // feed, journal or status
	Repo   string // feed only
	Atom   bool
	Create bool
}

// urlJSON is what --json prints.
type urlJSON struct {
	URL     string `json:"url"`
	TokenID int    `json:"token_id"`
	Role    string `json:"role"`
}

func newURLCmd(f *Factory, g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "url <command>",
		Short: "Print feed and web URLs that carry one of your tokens",
		Long: `Print a URL with one of your auth tokens in it, for a feed reader or a
monitoring check: the token is the query parameter auth_token, so whoever
has the URL has the token. Feeds take a token of role feed (RhodeCode's
own feed links use your first one); the status page takes a token of role
http. Expired and repository-scoped tokens are skipped, and a token of
role all is never put in a URL.

When you have no such token, --create makes one (that role only, never
expiring, described "rhodecode-cli <role> <user>@<host>"); without it the
command fails and changes nothing.`,
		Example: `  $ rhodecode url feed team/app
  $ rhodecode url journal --atom --create
  $ printf 'url = "%s"\n' "$(rhodecode url status)" | curl -fsS -K -`,
		RunE: groupRunE,
	}
	c.AddCommand(
		newURLKindCmd(f, g, "feed", "feed <repository>", "Print the RSS or Atom feed URL of a repository",
			`Print the RSS feed URL of a repository (Atom with --atom), with your feed
token in it. The repository is its full name (group/name), as in its URL.`,
			`  $ rhodecode url feed team/app
  $ rhodecode url feed team/app --atom --json`),
		newURLKindCmd(f, g, "journal", "journal", "Print the RSS or Atom feed URL of your journal",
			`Print the RSS feed URL of your journal (the activity of the repositories you
follow; Atom with --atom), with your feed token in it.`,
			`  $ rhodecode url journal
  $ rhodecode url journal --atom --create`),
		newURLKindCmd(f, g, "status", "status", "Print the health-check URL of the instance",
			`Print the URL of the instance's health check (/_admin/ops/status, RhodeCode
4.27 and later), with a token of role http in it. It answers JSON with
the state of the VCS server and the database.`,
			`  $ printf 'url = "%s"\n' "$(rhodecode url status)" | curl -fsS -K -
  $ rhodecode url status --create --json`),
	)
	return c
}

func newURLKindCmd(f *Factory, g *globalOptions, kind, use, short, long, example string) *cobra.Command {
	opts := &urlOptions{kind: kind}
	args := noArgs
	if kind == "feed" {
		args = exactArgs(1, "one repository name, such as team/app")
	}
	c := &cobra.Command{
		Use:               use,
		Short:             short,
		Long:              long,
		Example:           example,
		Args:              args,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			if kind == "feed" {
				opts.Repo = args[0]
			}
			return urlRun(cmd.Context(), opts)
		},
	}
	if kind != "status" {
		c.Flags().BoolVar(&opts.Atom, "atom", false, "Atom instead of RSS")
	}
	role := "feed"
	if kind == "status" {
		role = "http"
	}
	c.Flags().BoolVar(&opts.Create, "create", false, fmt.Sprintf("Create a token of role %s when you have none", role))
	addSessionFlags(c, &opts.sf)
	return c
}

// urlRole is the role the URL's view accepts, least privilege first.
func (o *urlOptions) urlRole() string {
	if o.kind == "status" {
		return "token_role_http"
	}
	return "token_role_feed"
}

// urlPath is the view's path below the instance URL (protocol §7).
func (o *urlOptions) urlPath(base string) (string, error) {
	format := "rss"
	if o.Atom {
		format = "atom"
	}
	switch o.kind {
	case "journal":
		return "/_admin/journal/" + format, nil
	case "status":
		return "/_admin/ops/status", nil
	}
	// A repository URL of this instance works as well as its name.
	name := strings.TrimPrefix(o.Repo, strings.TrimSuffix(base, "/"))
	name = strings.Trim(name, "/")
	if name == "" {
		return "", usageErrorf("empty repository name: give its full name, such as team/app")
	}
	segs := strings.Split(name, "/")
	for i, s := range segs {
		if s == "" || s == "." || s == ".." {
			return "", usageErrorf("repository name %q has an empty, . or .. part", o.Repo)
		}
		segs[i] = url.PathEscape(s)
	}
	return "/" + strings.Join(segs, "/") + "/feed-" + format, nil
}

// urlToken picks the token for the URL: the first token of exactly role,
// by id, that is live and not scoped to a repository.
func urlToken(page *client.TokenPage, role string, now time.Time) *client.AuthToken {
	var best *client.AuthToken
	for i := range page.Tokens {
		t := &page.Tokens[i]
		if t.Role != role || t.Expired || (t.Expires != nil && !t.Expires.After(now)) {
			continue
		}
		if t.Scope != "" && !strings.EqualFold(t.Scope, "global") {
			continue
		}
		if best == nil || t.ID < best.ID {
			best = t
		}
	}
	return best
}

func urlRun(ctx context.Context, opts *urlOptions) error {
	io := opts.io
	wt, err := opts.webTarget(ctx)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(wt.URL, "/")
	path, err := opts.urlPath(base)
	if err != nil {
		return err
	}
	role := opts.urlRole()
	short := client.RoleShortName(role)
	var tok *client.AuthToken
	var secret, version string
	created := false
	err = opts.sessions.with(ctx, wt, &opts.sf, func(ws *client.WebSession) error {
		page, err := ws.TokenPage(ctx)
		if err != nil {
			return err
		}
		version = page.Version
		if tok = urlToken(page, role, opts.now()); tok != nil {
			// The existing reveal path: …/view on 4.19+, the list before.
			secret, err = ws.RevealToken(ctx, tok.ID)
			return err
		}
		if !opts.Create {
			return fmt.Errorf("%s has no %s token on %q that works (not expired, not limited to a repository); rerun with --create to make one, or create it with: rhodecode token create --role %s",
				wt.Username, short, wt.Name, short)
		}
		desc := defaultDescription(opts.hostname, short, wt.Username)
		tok, secret, err = createAndReveal(ctx, ws, role, desc, -1)
		created = err == nil
		return err
	})
	if err != nil {
		return err
	}
	u := base + path + "?auth_token=" + url.QueryEscape(secret)
	if opts.kind == "status" && version != "" && !client.VersionAtLeast(version, 4, 27) {
		termPrintf(io.ErrOut, "%s RhodeCode %s has no status page; /_admin/ops/status came with 4.27\n", io.WarningIcon(), version)
	}
	if created {
		termPrintf(io.ErrOut, "%s Created token %d (%s, %s)\n", io.SuccessIcon(), tok.ID, short, tok.Description)
	}
	if opts.g.JSON {
		return writeJSON(io.Out, urlJSON{URL: u, TokenID: tok.ID, Role: role})
	}
	if io.IsStderrTTY() {
		termPrintf(io.ErrOut, "%s The URL holds the secret of token %d (%s): whoever has it can use the token; revoke it with: rhodecode token revoke %d\n", io.WarningIcon(), tok.ID, short, tok.ID)
	}
	_, err = fmt.Fprintln(io.Out, u)
	return err
}
