package resolve

import (
	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// ForGit picks the instance that serves a git credential request: scheme,
// host and port must match; when git sends a path (useHttpPath), the
// instance whose URL path is the longest prefix wins; when git sends a
// user name, only that user's instance answers. Two candidates that cannot
// be told apart mean no answer: git must say which.
func ForGit(instances []rhoderc.Instance, q gitcred.Credential) (rhoderc.Instance, bool) {
	var best rhoderc.Instance
	bestLen, found, ambiguous := -1, false, false
	for _, in := range instances {
		if !baseurl.Serves(in.URL, q.Protocol, q.Host, q.Path) {
			continue
		}
		if q.HasUsername && q.Username != in.Username {
			continue
		}
		n := len(baseurl.Path(in.URL))
		switch {
		case n > bestLen:
			best, bestLen, found, ambiguous = in, n, true, false
		case n == bestLen:
			ambiguous = true
		}
	}
	if ambiguous {
		// Two instances at one URL (different users).
		return rhoderc.Instance{}, false
	}
	if found && q.Path == "" && bestLen > 0 && countHost(instances, q) > 1 {
		// Without a path two instances on one host cannot be told apart.
		return rhoderc.Instance{}, false
	}
	return best, found
}

// Manages reports whether any of the instances serves the request's URL
// (scheme, host and port, and path when git sends one), whatever user name
// git sends: what git approves there may be a RhodeCode password, which
// must be kept nowhere, and no stored credential may stand in for the VCS
// token there. Unlike ForGit, neither user names nor ambiguity matter.
func Manages(instances []rhoderc.Instance, q gitcred.Credential) bool {
	for _, in := range instances {
		if baseurl.Serves(in.URL, q.Protocol, q.Host, q.Path) {
			return true
		}
	}
	return false
}

func countHost(instances []rhoderc.Instance, q gitcred.Credential) int {
	n := 0
	for _, in := range instances {
		if q.HasUsername && q.Username != in.Username {
			continue
		}
		if baseurl.SameHost(in.URL, q.Protocol, q.Host) {
			n++
		}
	}
	return n
}
