package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/svnauth"
)

// RepoURL is the URL a client clones or checks out the repository from:
// <base>/<repo>, repository groups as path segments.
func (c *Client) RepoURL(repo string) string {
	u := c.base.String() + "/" + strings.Trim(url.PathEscape(repo), "/")
	return strings.ReplaceAll(u, "%2F", "/")
}

// SVNRealm asks the repository for the realm string svn files its
// credentials under, with svn's first request and no credentials
// (svnauth.Probe), over this client's connection: its CA, proxy, timeout
// and debug trace, no redirect followed.
func (c *Client) SVNRealm(ctx context.Context, repo string) (string, error) {
	return svnauth.Probe(ctx, connDoer{c.conn}, c.RepoURL(repo))
}

// ProbeSVN sends svn's first request (svnauth.NewOptionsRequest) to the
// repository with HTTP Basic auth, so that a VCS token is checked the way
// svn will use it (protocol §6.5).
func (c *Client) ProbeSVN(ctx context.Context, repo, username, password string) (GitProbe, error) {
	req, err := svnauth.NewOptionsRequest(ctx, c.RepoURL(repo))
	if err != nil {
		return GitProbe{}, err
	}
	c.addSecret(password)
	req.SetBasicAuth(username, password)
	resp, err := connDoer{c.conn}.Do(req)
	if err != nil {
		return GitProbe{}, err
	}
	defer resp.Body.Close()
	p := GitProbe{Status: resp.StatusCode}
	p.Realm, _ = svnauth.ParseChallenge(resp.Header.Values("WWW-Authenticate"))
	return p, nil
}

// connDoer sends a request prepared elsewhere (svnauth's) through the
// connection, so that it gets the same transport, trace and error
// classification as every other request. The answer's body, read up to a
// bound, comes back in memory.
type connDoer struct{ c *conn }

func (d connDoer) Do(req *http.Request) (*http.Response, error) {
	var body io.Reader
	if req.Body != nil {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxResponseBody))
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	var out *http.Response
	err := d.c.roundTrip(req.Context(), exchange{
		method: req.Method,
		url:    req.URL.String(),
		body:   body,
		prepare: func(r *http.Request) {
			for k, v := range req.Header {
				r.Header[k] = v
			}
		},
	}, func(resp *http.Response) error {
		b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return err
		}
		cp := *resp
		cp.Body = io.NopCloser(bytes.NewReader(b))
		out = &cp
		return nil
	})
	return out, err
}
