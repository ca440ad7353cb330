package client

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// ProbeHg asks <base>/<repo>?cmd=capabilities with Mercurial's Accept
// header and HTTP Basic auth, the first request of an hg clone, so that
// a VCS token is checked the way hg will use it (protocol §6.5). The
// answer is not followed anywhere.
func (c *Client) ProbeHg(ctx context.Context, repo, username, password string) (GitProbe, error) {
	u := c.base.String() + "/" + strings.Trim(url.PathEscape(repo), "/") + "?cmd=capabilities"
	u = strings.ReplaceAll(u, "%2F", "/") // repository groups are path segments
	c.addSecret(password)
	var p GitProbe
	err := c.roundTrip(ctx, exchange{
		method: http.MethodGet,
		url:    u,
		prepare: func(req *http.Request) {
			req.Header.Set("Accept", "application/mercurial-0.1")
			req.SetBasicAuth(username, password)
		},
	}, func(resp *http.Response) error {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		p.Status = resp.StatusCode
		if h := resp.Header.Get("WWW-Authenticate"); h != "" {
			if _, after, ok := strings.Cut(h, `realm="`); ok {
				p.Realm, _, _ = strings.Cut(after, `"`)
			}
		}
		return nil
	})
	if err != nil {
		return GitProbe{}, err
	}
	return p, nil
}
