package client

import (
	"context"
	"net/http"
)

// ProbeHg asks <base>/<repo>?cmd=capabilities with Mercurial's Accept
// header and HTTP Basic auth, the first request of an hg clone, so that
// a VCS token is checked the way hg will use it (protocol §6.5). The
// answer is not followed anywhere.
func (c *Client) ProbeHg(ctx context.Context, repo, username, password string) (GitProbe, error) {
	return c.probe(ctx, c.RepoURL(repo)+"?cmd=capabilities", username, password, func(req *http.Request) {
		req.Header.Set("Accept", "application/mercurial-0.1")
	})
}
