// Package baseurl is the one home for what a RhodeCode instance URL is and
// which URLs belong to an instance. An instance is named by its base URL:
// http or https, a host, optionally a path prefix, no credentials, no
// trailing slash, lower-case host. Config files, the keyring, the API
// client, the web session and the git credential helper all compare URLs
// through this package, so that two spellings of one instance never end up
// as two instances (or two keyring entries).
package baseurl

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// APIPath is the JSON-RPC endpoint below the base URL (protocol §2.1).
// People paste the endpoint from the docs; the base is what they mean, so
// both parsers remove it.
const APIPath = "/_admin/api"

// keyringPrefix starts every keyring service name of an instance. It is
// part of where existing users' secrets are stored: never change it.
const keyringPrefix = "rhodecode:"

// Problem names what makes a string not an instance URL.
type Problem int

// The problems Parse and ParseExact report.
const (
	// Empty: nothing but white space.
	Empty Problem = iota + 1
	// Malformed: net/url cannot parse it; Error.Err says why.
	Malformed
	// NoScheme: no scheme (ParseExact only; Parse assumes https).
	NoScheme
	// BadScheme: a scheme other than http or https.
	BadScheme
	// NoHost: no host name.
	NoHost
	// HasUserinfo: a user name or password; credentials never live in
	// the URL, where logs and config files would show them.
	HasUserinfo
	// HasQuery: a query or fragment (ParseExact only; Parse drops them).
	HasQuery
)

// Error says why a string is not an instance URL. Its message never shows
// the user name or password of the input, nor its query.
type Error struct {
	Problem Problem
	// Err is the net/url error for Malformed, nil otherwise.
	Err   error
	shown string // the input with any userinfo stripped
}

// Error returns one line naming the problem.
func (e *Error) Error() string {
	switch e.Problem {
	case Empty:
		return "empty URL"
	case Malformed:
		return fmt.Sprintf("not a URL: %q", e.shown)
	case NoScheme:
		return fmt.Sprintf("URL has no scheme: %q", e.shown)
	case BadScheme:
		return fmt.Sprintf("URL must start with http:// or https://, got %q", e.shown)
	case NoHost:
		return fmt.Sprintf("URL has no host: %q", e.shown)
	case HasUserinfo:
		return "URL must not contain a user name or password"
	case HasQuery:
		return "URL must not contain a query or fragment"
	}
	return "not an instance URL"
}

// Unwrap returns the net/url error of a Malformed URL.
func (e *Error) Unwrap() error { return e.Err }

// Parse turns what a user typed, or a config file holds, into an instance
// base URL: white space trimmed, https:// when no scheme is given, http or
// https only, a host, no user name or password, query and fragment
// dropped, trailing slashes and a trailing /_admin/api removed, host in
// lower case. The path is re-encoded from its decoded form. Errors are
// *Error.
//
// Keyring entries are named after this result (KeyringService): a change
// here loses existing users' secrets.
func Parse(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, &Error{Problem: Empty}
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := parseHTTP(raw, false)
	if err != nil {
		return nil, err
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = trimAPIPath(u.Path)
	u.RawPath = ""
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// ParseExact is Parse for a URL that a program hands over rather than a
// person types: the scheme must be given, the host must have a name, a
// query or fragment is an error rather than dropped, and the path keeps
// the escaping it was given (e.g. %2F). Errors are *Error.
func ParseExact(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, &Error{Problem: Empty}
	}
	u, err := parseHTTP(raw, true)
	if err != nil {
		return nil, err
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, &Error{Problem: HasQuery, shown: secret.StripUserinfo(raw)}
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	if strings.HasSuffix(u.Path, APIPath) {
		u.Path = trimAPIPath(u.Path)
		u.RawPath = ""
	}
	return u, nil
}

// parseHTTP parses raw and checks what both Parse and ParseExact require:
// an http or https URL with a host and no credentials. exact adds
// ParseExact's rules: a missing scheme is named as such (Parse has added
// https:// by now), and a port alone is no host ("https://:8443").
func parseHTTP(raw string, exact bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	shown := secret.StripUserinfo(raw)
	switch {
	case err != nil:
		return nil, &Error{Problem: Malformed, Err: err, shown: shown}
	case exact && u.Scheme == "":
		return nil, &Error{Problem: NoScheme, shown: shown}
	case u.Scheme != "http" && u.Scheme != "https": // url.Parse lower-cases it
		return nil, &Error{Problem: BadScheme, shown: shown}
	case u.Host == "", exact && u.Hostname() == "":
		return nil, &Error{Problem: NoHost, shown: shown}
	case u.User != nil:
		return nil, &Error{Problem: HasUserinfo, shown: shown}
	}
	return u, nil
}

// trimAPIPath drops trailing slashes and one trailing /_admin/api.
func trimAPIPath(p string) string {
	p = strings.TrimRight(p, "/")
	p = strings.TrimSuffix(p, APIPath)
	return strings.TrimRight(p, "/")
}

// Normalize is Parse as a string: the form config files and keyring
// service names use.
func Normalize(raw string) (string, error) {
	u, err := Parse(raw)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Same reports whether a and b are the same instance: both parse, and
// their normalised forms are equal.
func Same(a, b string) bool {
	na, errA := Normalize(a)
	nb, errB := Normalize(b)
	return errA == nil && errB == nil && na == nb
}

// KeyringService returns the OS keyring service name of the instance at
// base: "rhodecode:" and the normalised URL, so every spelling of one URL
// finds the same entry. A URL that does not parse is used as given, so
// that an entry stored under it can still be read and deleted.
func KeyringService(base string) string {
	u, err := Normalize(base)
	if err != nil {
		u = base
	}
	return keyringPrefix + strings.TrimRight(u, "/")
}

// SameServer reports whether a and b name the same server: host names
// equal ignoring case, ports equal where an explicit default port counts
// as none. The scheme may differ when both use their default port: a
// TLS-terminating proxy that does not pass the scheme on makes RhodeCode
// redirect to http://host/… for https://host.
func SameServer(a, b *url.URL) bool {
	if !strings.EqualFold(a.Hostname(), b.Hostname()) {
		return false
	}
	return effectivePort(a) == effectivePort(b)
}

// effectivePort is u's port, or "default" when it has none or names its
// scheme's default port.
func effectivePort(u *url.URL) string {
	p := u.Port()
	if p == "" || p == defaultPort(u.Scheme) {
		return "default"
	}
	return p
}

func defaultPort(scheme string) string {
	switch scheme {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// Serves reports whether the instance at base serves a request for
// scheme://host/path, as a git credential request describes it (path ""
// when git sends none): the scheme must match, host[:port] must match
// with an explicit default port counting as none, and a path, when both
// have one, must lie at or below the instance's path prefix.
func Serves(base, scheme, host, path string) bool {
	if !SameHost(base, scheme, host) {
		return false
	}
	p := Path(base)
	if p == "" || path == "" {
		return true
	}
	req := "/" + strings.Trim(path, "/")
	return req == p || strings.HasPrefix(req, p+"/")
}

// SameHost reports whether the instance at base is on scheme://host: the
// scheme equal, host[:port] equal ignoring case, with an explicit default
// port of the scheme counting as none. It ignores paths, so it tells how
// many instances share a host.
func SameHost(base, scheme, host string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != scheme {
		return false
	}
	strip := func(h string) string {
		h = strings.ToLower(h)
		if scheme == "https" {
			return strings.TrimSuffix(h, ":443")
		}
		return strings.TrimSuffix(h, ":80")
	}
	return strip(u.Host) == strip(host)
}

// Path returns the path prefix of the instance at base without trailing
// slashes ("" for an instance at the root, or for a URL that does not
// parse). Of several instances that serve a request, the one with the
// longest Path is the most specific.
func Path(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

// HasPath reports whether the instance at base has a path prefix, so that
// git must send the request path (credential.useHttpPath) for the
// instance to be told apart from others on its host.
func HasPath(base string) bool {
	u, err := url.Parse(base)
	return err == nil && strings.Trim(u.Path, "/") != ""
}
