package cmd

import (
	"context"

	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// vcsClientsStatus fills in, per VCS client, whether it is set up for the
// instance and whether its copy of the VCS token is the store's: git
// reads the store through its helper, so its copy is the store's token;
// hg and svn keep copies of their own (vcsCopies).
func vcsClientsStatus(ctx context.Context, d *deps, in rhoderc.Instance, r *instanceStatus, got string) {
	git := copyState{Configured: r.GitConfigured, Token: "none"}
	if r.VCSTokenState != "" {
		git.Token = "current"
		if r.VCSTokenState != "ok" {
			git.Token = r.VCSTokenState // expired or rejected: git gets nothing
		}
	}
	r.VCS = map[string]copyState{"git": git}
	current := copiesToken(ctx, d, in, got)
	for _, c := range d.vcsCopies() {
		r.VCS[c.vcs()] = c.state(ctx, in, current)
	}
}

// copyCell is a client's cell in the auth status table.
func copyCell(s copyState, vcs string) string {
	switch {
	case s.Error != "":
		return "error: " + s.Error
	case s.Configured && s.Token == "current":
		return "set up"
	case s.Configured && s.Token == "stale":
		return "old VCS token: run rhodecode setup-" + vcs
	case s.Configured:
		return "no VCS token: run rhodecode setup-" + vcs
	case s.Token == "current" || s.Token == "stale":
		return "token file " + s.Token + ", not in config"
	}
	return "-"
}
