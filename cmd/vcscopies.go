package cmd

import (
	"context"

	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// One managed VCS token serves git, hg and svn. git reads it from the
// secret store through the credential helper; hg and svn cannot run a
// helper, so each keeps a copy of its own (hg: the token file its hgrc
// includes; svn: its credential cache). Every change of the token goes
// to every copy, and logging out removes them all:
//
//	storeVCSToken (setup-*, token rotate, re-mint after a rejection) → refresh
//	auth logout [--revoke]                                            → remove
//	auth status                                                       → state
//
// A new VCS is one more vcsCopy in vcsCopies.
type vcsCopy interface {
	// vcs names the client ("hg"), as in its setup-<vcs> command.
	vcs() string
	// state says whether the client is set up for the instance and
	// whether its copy is token (the store's current one; "" if none).
	state(ctx context.Context, in rhoderc.Instance, token string) copyState
	// refresh replaces an existing copy with token; where there is no
	// copy it writes nothing.
	refresh(ctx context.Context, in rhoderc.Instance, token string) error
	// remove deletes the copy and the client's global config for the
	// instance (what setup-<vcs> wrote without --local); token is the
	// VCS token the instance had ("" if unknown), so that a secret that
	// is not the tool's is kept.
	remove(ctx context.Context, in rhoderc.Instance, token string) error
}

// copyState is one client's line in auth status.
type copyState struct {
	// Configured: the client's config points at the instance.
	Configured bool `json:"configured"`
	// Token is current, stale (an older token than the store's), missing
	// (configured, but no copy) or none (not set up).
	Token string `json:"token"`
	// Where names the config and the copy, for people.
	Where string `json:"where,omitempty"`
	Error string `json:"error,omitempty"`
}

// vcsCopies lists the clients that keep a copy of the VCS token.
func (d *deps) vcsCopies() []vcsCopy {
	return []vcsCopy{hgCopy{d}, svnCopy{d}}
}

// copiesToken is the store's VCS token that hg's and svn's copies are
// held against: got, the one managedVCSToken already read, or, for a
// token git rejected (which managedVCSToken does not read), the store's.
// So the keyring is asked once, not twice, per instance.
func copiesToken(ctx context.Context, d *deps, in rhoderc.Instance, got string) string {
	if got != "" || !in.VCSTokenRejected || !in.HasVCSToken() {
		return got
	}
	tok, _ := d.secrets.Get(ctx, in, secrets.VCSToken)
	return tok
}
