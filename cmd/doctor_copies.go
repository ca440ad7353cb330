package cmd

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// checkCopies checks the VCS clients that keep a copy of the managed VCS
// token of their own (hg, svn: vcscopies.go): where one is set up, that
// its copy is there and is the store's current token. A client that is
// not set up for the instance is no check.
func (d *doctor) checkCopies(ctx context.Context, in rhoderc.Instance, got string) {
	current := copiesToken(ctx, d.deps, in, got)
	for _, c := range d.vcsCopies() {
		name, setup := c.vcs()+" set-up", "rhodecode setup-"+c.vcs()+" -i "+in.Name
		st := c.state(ctx, in, current)
		switch {
		case st.Error != "":
			d.add(name, checkWarn, st.Error, "fix or move the file, then "+setup)
		case st.Configured && st.Token == "current":
			d.ok(name, "%s uses the current VCS token (%s)", c.vcs(), st.Where)
		case st.Configured && st.Token == "stale":
			d.add(name, checkWarn, fmt.Sprintf("%s has an older VCS token than the current one (%s): the server refuses it once that one is revoked", c.vcs(), st.Where), setup)
		case st.Configured:
			d.add(name, checkWarn, fmt.Sprintf("%s is set up for %s but its copy of the VCS token is missing (%s); it will ask for a password", c.vcs(), in.URL, st.Where), setup)
		case st.Token == "current" || st.Token == "stale":
			d.add(name, checkWarn, fmt.Sprintf("a copy of the VCS token for %s is at %s, but %s's config does not use it", c.vcs(), st.Where, c.vcs()), setup+" (or setup-"+c.vcs()+" --remove)")
		}
	}
}
