package client

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// Repo is a repository as get_repos returns it (the fields the CLI uses).
type Repo struct {
	RepoID   int    `json:"repo_id"`
	RepoName string `json:"repo_name"`
	RepoType string `json:"repo_type"`
}

// GetRepos lists the repositories the token's user can read (get_repos).
func (c *Client) GetRepos(ctx context.Context) ([]Repo, error) {
	var repos []Repo
	if err := c.Call(ctx, "get_repos", map[string]any{}, &repos); err != nil {
		return nil, err
	}
	return repos, nil
}

// GitProbe is what the server answered to a git fetch handshake.
type GitProbe struct {
	Status int
	// Realm is the Basic realm of a 401 answer.
	Realm string
}

// ProbeGit asks <base>/<repo>/info/refs?service=git-upload-pack with HTTP
// Basic auth, exactly the first request of a git clone, so that a VCS
// token is checked the way git will use it. The answer is not followed
// anywhere: a redirect is reported as its status.
func (c *Client) ProbeGit(ctx context.Context, repo, username, password string) (GitProbe, error) {
	return c.probe(ctx, c.RepoURL(repo)+"/info/refs?service=git-upload-pack", username, password, nil)
}

// probe GETs u with HTTP Basic auth (and what prepare adds): a VCS
// client's first request. Only the status and realm matter; the body is
// drained (up to a bound) so the connection can be reused, and a failure
// to read it does not change the answer.
func (c *Client) probe(ctx context.Context, u, username, password string, prepare func(*http.Request)) (GitProbe, error) {
	c.addSecret(password)
	var p GitProbe
	err := c.roundTrip(ctx, exchange{
		method: http.MethodGet,
		url:    u,
		prepare: func(req *http.Request) {
			if prepare != nil {
				prepare(req)
			}
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
