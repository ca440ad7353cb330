package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// errNoVCSToken means the instance has no usable managed VCS token.
var errNoVCSToken = errors.New("no managed VCS token")

// managedVCSToken returns the instance's VCS token (the one setup-git
// made, that the credential helper hands to git) and its expiry (unix
// seconds, -1 never), or errNoVCSToken when there is none or git
// rejected it.
func managedVCSToken(ctx context.Context, st *secrets.Store, in rhoderc.Instance) (string, int64, error) {
	if in.VCSTokenRejected {
		return "", 0, errNoVCSToken
	}
	if in.VCSToken == "" && in.VCSTokenID == 0 && in.VCSTokenExpires == 0 {
		// Nothing recorded: do not wake the keyring for every git call.
		// (A hand-written vcs_token in the file is something recorded.)
		return "", 0, errNoVCSToken
	}
	exp := in.VCSTokenExpires
	if exp == 0 {
		exp = -1
	}
	tok, err := st.Get(ctx, in, secrets.VCSToken)
	switch {
	case errors.Is(err, secrets.ErrNotFound):
		return "", 0, errNoVCSToken
	case err != nil:
		return "", 0, err
	}
	return tok, exp, nil
}

// storeVCSToken keeps the managed VCS token beside the API token, with its
// id and expiry in the file; it clears an earlier rejection.
func storeVCSToken(ctx context.Context, st *secrets.Store, in rhoderc.Instance, token string, id int, expires int64) error {
	return st.Save(ctx, in, secrets.VCSToken, token, func(e *rhoderc.Instance) {
		e.VCSTokenID, e.VCSTokenExpires, e.VCSTokenRejected = id, expires, false
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

// verifyVCSToken does what git's first request does: info/refs of a
// repository the user can read, with Basic auth. It returns "ok",
// "skipped: ..." or what to do about the problem.
func verifyVCSToken(ctx context.Context, d *deps, in rhoderc.Instance, token string, minted bool) string {
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
