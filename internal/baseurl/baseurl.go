// Package baseurl is a placeholder replaced by the client re-cut branch.
package baseurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Normalize is cmd's normalizeURL, moved.
func Normalize(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("empty URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	shown := raw
	if i := strings.Index(raw, "://"); i >= 0 {
		if j := strings.LastIndex(raw[i+3:], "@"); j >= 0 {
			shown = raw[:i+3] + raw[i+3+j+1:]
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("not a URL: %q", shown)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("URL must start with http:// or https://, got %q", shown)
	}
	if u.Host == "" {
		return "", fmt.Errorf("URL has no host: %q", shown)
	}
	if u.User != nil {
		return "", fmt.Errorf("URL must not contain a user name or password")
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	u.Path = strings.TrimSuffix(u.Path, "/_admin/api")
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.Host = strings.ToLower(u.Host)
	return u.String(), nil
}

// KeyringService is the keyring service name of an instance.
func KeyringService(base string) string {
	u, err := Normalize(base)
	if err != nil {
		u = base
	}
	return "rhodecode:" + strings.TrimRight(u, "/")
}

// Serves is cmd's urlServes, moved.
func Serves(base string, scheme, host, path string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != scheme || !sameHost(u, scheme, host) {
		return false
	}
	p := Path(base)
	if p == "" || path == "" {
		return true
	}
	req := "/" + strings.Trim(path, "/")
	return req == p || strings.HasPrefix(req, p+"/")
}

// SameHost is cmd's countHost test, moved.
func SameHost(base string, scheme, host string) bool {
	u, err := url.Parse(base)
	return err == nil && u.Scheme == scheme && sameHost(u, scheme, host)
}

// HasPath is cmd's hasPath, moved.
func HasPath(base string) bool { return Path(base) != "" }

// Path is an instance URL's path without trailing slashes ("" at the root).
func Path(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return strings.TrimRight(u.Path, "/")
}

func sameHost(u *url.URL, scheme, host string) bool {
	strip := func(h string) string {
		h = strings.ToLower(h)
		if scheme == "https" {
			return strings.TrimSuffix(h, ":443")
		}
		return strings.TrimSuffix(h, ":80")
	}
	return strip(u.Host) == strip(host)
}

// Same compares two instance URLs after normalisation.
func Same(a, b string) bool {
	na, errA := Normalize(a)
	nb, errB := Normalize(b)
	return errA == nil && errB == nil && na == nb
}
