// Package svnauth is Subversion's credential cache as the svn client
// keeps it: the authentication realm a server announces, and the
// svn.simple entry (username and password for one realm) in svn's
// configuration directory.
//
// svn sends its first request without credentials, reads the realm from
// the 401, and looks for <config-dir>/auth/svn.simple/<md5 of the realm
// string>; an entry with passtype "simple" holds the password in plain
// text and is read by svn's plaintext provider whatever password-stores
// and store-plaintext-passwords say (those only decide how svn saves what
// it prompted for).
package svnauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// Errors of Probe, for callers that say what to do about each.
var (
	// ErrNoChallenge: the server answered without asking for
	// credentials (anonymous access), so svn never looks in its cache.
	ErrNoChallenge = errors.New("the server does not ask for credentials for this URL")
	// ErrNotFound: no repository at that URL (RhodeCode answers 404 before
	// it asks for credentials).
	ErrNotFound = errors.New("no Subversion repository at this URL")
	// ErrProxyDisabled: RhodeCode's 406 when its admin has not enabled
	// "Proxy subversion HTTP requests".
	ErrProxyDisabled = errors.New("the server does not serve Subversion over HTTP (RhodeCode: Admin > Settings > VCS > Proxy subversion HTTP requests)")
)

// Doer sends one request; *http.Client is one. It should not follow
// redirects: svn does not either, and Probe reports them.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// svnOptionsBody is what svn sends with its first OPTIONS request.
const svnOptionsBody = `<?xml version="1.0" encoding="utf-8"?><D:options xmlns:D="DAV:"><D:activity-collection-set></D:activity-collection-set></D:options>`

// Probe asks the server at repoURL for its realm the way svn's first
// request does (OPTIONS with svn's DAV header, no credentials) and returns
// the realm string svn will look up: RealmString(repoURL, realm).
func Probe(ctx context.Context, d Doer, repoURL string) (string, error) {
	if _, err := RealmString(repoURL, ""); err != nil {
		return "", err
	}
	req, err := NewOptionsRequest(ctx, repoURL)
	if err != nil {
		return "", err
	}
	resp, err := d.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	switch code := resp.StatusCode; {
	case code == http.StatusUnauthorized:
		realm, ok := ParseChallenge(resp.Header.Values("WWW-Authenticate"))
		if !ok {
			return "", fmt.Errorf("the server asked for credentials without a Basic realm (WWW-Authenticate: %q)",
				strings.Join(resp.Header.Values("WWW-Authenticate"), ", "))
		}
		return RealmString(repoURL, realm)
	case code == http.StatusNotFound:
		return "", ErrNotFound
	case code == http.StatusNotAcceptable:
		return "", ErrProxyDisabled
	case code >= 200 && code < 300:
		return "", ErrNoChallenge
	case code >= 300 && code < 400:
		return "", fmt.Errorf("the server redirects %s to %q; use the repository's URL as RhodeCode shows it",
			secret.StripUserinfo(repoURL), secret.StripUserinfo(resp.Header.Get("Location")))
	default:
		return "", fmt.Errorf("the server answered %s instead of asking for credentials", resp.Status)
	}
}

// NewOptionsRequest is svn's first request to a repository: OPTIONS with
// svn's DAV header and body, no credentials.
func NewOptionsRequest(ctx context.Context, repoURL string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, "OPTIONS", repoURL, strings.NewReader(svnOptionsBody))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	// This header is how RhodeCode tells svn from a browser (§6.5).
	req.Header.Set("DAV", "http://subversion.tigris.org/xmlns/dav/svn/depth")
	return req, nil
}

// ParseChallenge returns the realm of the Basic challenge among the
// WWW-Authenticate values, read as svn's HTTP library (serf 1.3) reads
// it: the attribute must start with "realm", the value is everything
// after the first "=", without one pair of surrounding quotes and without
// unescaping. When several Basic challenges come, the last one counts.
func ParseChallenge(values []string) (realm string, ok bool) {
	for _, v := range values {
		scheme, attr, _ := strings.Cut(v, " ")
		if !strings.EqualFold(scheme, "basic") {
			continue
		}
		eq := strings.IndexByte(attr, '=')
		if eq < 0 || len(attr) < 5 || !strings.EqualFold(attr[:5], "realm") {
			continue
		}
		name := attr[eq+1:]
		if strings.HasPrefix(name, `"`) && strings.HasSuffix(name, `"`) {
			if len(name) == 1 {
				name = ""
			} else {
				name = name[1 : len(name)-1]
			}
		}
		realm, ok = name, true
	}
	return realm, ok
}

// RealmString is the key svn files credentials under for a server:
// "<scheme://host:port> realm", with the scheme and host in lower case
// (svn canonicalises URLs), an IPv6 host without brackets, and the port
// always written (80 or 443 when the URL has none), e.g.
// "<https://code.example.com:443> RhodeCode".
func RealmString(repoURL, realm string) (string, error) {
	u, err := url.Parse(repoURL)
	if err != nil {
		return "", fmt.Errorf("not a URL: %q", secret.StripUserinfo(repoURL))
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	switch {
	case scheme != "http" && scheme != "https":
		return "", fmt.Errorf("%q is not an http(s) URL", secret.StripUserinfo(repoURL))
	case u.Hostname() == "":
		return "", fmt.Errorf("%q has no host", secret.StripUserinfo(repoURL))
	case port == "" && scheme == "http":
		port = "80"
	case port == "":
		port = "443"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", fmt.Errorf("%q has a bad port", secret.StripUserinfo(repoURL))
	}
	return "<" + scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port + "> " + realm, nil
}
