package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/credhelper"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// errNoVCSToken means the instance has no usable managed VCS token.
var errNoVCSToken = credhelper.ErrNoVCSToken

// managedVCSToken is the VCS token the credential helper hands to git
// (credhelper.VCSToken).
var managedVCSToken = credhelper.VCSToken

// storeVCSToken keeps the managed VCS token beside the API token, with its
// id and expiry in the file; it clears an earlier rejection. Every copy a
// VCS client keeps of its own (vcsCopies) then gets the new token; a copy
// that cannot be updated is a warning that names the fix, since the
// store, which git reads, already has the token.
func (d *deps) storeVCSToken(ctx context.Context, in rhoderc.Instance, token string, id int, expires int64) error {
	err := d.secrets.Save(ctx, in, secrets.VCSToken, token, func(e *rhoderc.Instance) {
		e.VCSTokenID, e.VCSTokenExpires, e.VCSTokenRejected = id, expires, false
	})
	if err != nil {
		return err
	}
	for _, c := range d.vcsCopies() {
		if err := c.refresh(ctx, in, token); err != nil {
			fmt.Fprintf(d.io.ErrOut, "%s %s still has the old VCS token of %s: %v; run rhodecode setup-%s -i %s\n",
				d.io.WarningIcon(), c.vcs(), in.Name, err, c.vcs(), in.Name)
		}
	}
	return nil
}

// markVCSTokenRejected records that the instance's managed VCS token no
// longer works (it was revoked), as the helper does when git reports a
// rejection: the helper stops handing it out, and the next setup-git,
// setup-hg or setup-svn makes a new one.
func markVCSTokenRejected(ctx context.Context, d *deps, name string) error {
	return d.cfg.Update(ctx, func(cfg *rhoderc.File) error {
		if e, ok := cfg.Instance(name); ok && !e.VCSTokenRejected {
			e.VCSTokenRejected = true
			cfg.SetInstance(e)
		}
		return nil
	})
}

// ensureVCSToken returns the instance's managed VCS token, making one
// through the web session when there is none, or it was rejected or has
// expired; withToken reads it from standard input instead. created is the
// new token (nil when the stored one serves).
func ensureVCSToken(ctx context.Context, d *deps, sf *sessionFlags, in rhoderc.Instance, withToken bool, minutes int) (token string, created *client.AuthToken, err error) {
	io := d.io
	token, expires, err := managedVCSToken(ctx, d.secrets, in)
	if err != nil && !errors.Is(err, errNoVCSToken) {
		return "", nil, err
	}
	if expires > 0 && expires <= d.now().Unix() {
		token = "" // expired: make a new one, as the helper's hint promised
	}
	if withToken {
		b, err := io.ReadAllIn(maxTokenInput)
		if err != nil {
			return "", nil, err
		}
		token = strings.TrimSpace(string(b))
		if token == "" || strings.ContainsAny(token, " \t\r\n") {
			return "", nil, usageErrorf("expected one VCS token on standard input")
		}
		return token, nil, d.storeVCSToken(ctx, in, token, 0, -1)
	}
	if token != "" {
		return token, nil, nil
	}
	wt := &webTarget{Instance: in}
	if in.Username == "" {
		return "", nil, unknownUsername(in.Name)
	}
	err = d.sessions.with(ctx, wt, sf, func(ws *client.WebSession) error {
		var err error
		// The old token is revoked only once the new one works
		// (retireAfterMint).
		created, token, err = createAndReveal(ctx, ws, "token_role_vcs", vcsDescription(d, in.Username), minutes)
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("creating a VCS token for %q: %w", in.Name, err)
	}
	if err := d.storeVCSToken(ctx, in, token, created.ID, expiryUnix(created)); err != nil {
		return "", nil, err
	}
	return token, created, nil
}

// vcsDescription is the managed VCS token's description. One token serves
// git, hg and svn; it keeps the word it has had since setup-git came first,
// so that tokens made by older versions are still known as the tool's own.
func vcsDescription(d *deps, username string) string {
	return defaultDescription(d.hostname, "git", username)
}

// retireAfterMint revokes the VCS tokens the tool made before for this
// user on this machine once a new one (newID) is in place and works, or
// could not be checked: a failed check keeps the old ones for the user to
// fall back on.
func retireAfterMint(ctx context.Context, d *deps, sf *sessionFlags, in rhoderc.Instance, newID int, created bool, verified string) {
	if created && verifiedOK(verified) {
		retireOldVCSTokens(ctx, d, sf, in, newID)
	}
}

// expiryUnix is a token's expiry as storeVCSToken records it: unix
// seconds, or -1 for never.
func expiryUnix(t *client.AuthToken) int64 {
	if t.Expires == nil {
		return -1
	}
	return t.Expires.Unix()
}

// verifyVCSToken does what the client's first request does (git:
// info/refs; hg: cmd=capabilities; svn: OPTIONS) on a repository of that
// type the user can read, with Basic auth. It returns "ok", "skipped: ..."
// or what to do about the problem.
func verifyVCSToken(ctx context.Context, d *deps, in rhoderc.Instance, token string, minted bool, vcs string) string {
	api, err := d.apiToken(ctx, in)
	if err != nil {
		return "skipped: no API token to find a repository with"
	}
	c, err := d.newClient(in, api)
	if err != nil {
		return "skipped: " + err.Error()
	}
	repos, err := c.GetRepos(ctx)
	if err != nil {
		return "skipped: listing repositories failed: " + oneLine(err.Error())
	}
	repo := ""
	for _, r := range repos {
		if r.RepoType == vcs || r.RepoType == "" && vcs == "git" {
			repo = r.RepoName
			break
		}
	}
	probe, first, kind := c.ProbeGit, "/info/refs", "git"
	switch vcs {
	case "hg":
		probe, first, kind = c.ProbeHg, "?cmd=capabilities", "Mercurial"
	case "svn":
		probe, first, kind = c.ProbeSVN, " (OPTIONS)", "Subversion"
	}
	if repo == "" {
		return "skipped: you can read no " + kind + " repository on this server"
	}
	p, err := probe(ctx, repo, in.Username, token)
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
	case 406:
		// RhodeCode checks the token first, then says svn is off.
		return "the server accepted the token but does not serve Subversion over HTTP: an admin enables \"Proxy subversion HTTP requests\" under Admin → Settings → VCS"
	case 403:
		return fmt.Sprintf("the server accepted the token but refused %s (HTTP 403): you lack read permission there, or your IP address is not allowed", repo)
	default:
		return fmt.Sprintf("unexpected HTTP %d for %s%s", p.Status, repo, first)
	}
}

// storedVCSToken is the instance's stored VCS token, even one git
// rejected, "" when none is recorded; for redacting it.
func storedVCSToken(ctx context.Context, d *deps, in rhoderc.Instance) (string, error) {
	if !in.HasVCSToken() && !in.VCSTokenRejected {
		return "", nil
	}
	tok, err := d.secrets.Get(ctx, in, secrets.VCSToken)
	if errors.Is(err, secrets.ErrNotFound) {
		return "", nil
	}
	return tok, err
}
