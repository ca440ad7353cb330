package cmd

import (
	"context"
	"errors"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// errNoVCSToken means the instance has no usable managed VCS token.
var errNoVCSToken = errors.New("no managed VCS token")

// managedVCSToken returns the instance's VCS token (the one setup-git
// made, that the credential helper hands to git) and its expiry (unix
// seconds, -1 never), or errNoVCSToken when there is none or git
// rejected it.
func managedVCSToken(ctx context.Context, st *secrets.Store, in rhoderc.Instance) (string, int64, error) {
	if in.VCSTokenRejected {
		return "", 0, errNoVCSToken
	}
	if in.VCSTokenID == 0 && in.VCSTokenExpires == 0 {
		// Nothing recorded: do not wake the keyring for every git call.
		return "", 0, errNoVCSToken
	}
	exp := in.VCSTokenExpires
	if exp == 0 {
		exp = -1
	}
	tok, err := st.Get(ctx, in, secrets.VCSToken)
	switch {
	case errors.Is(err, secrets.ErrNotFound):
		return "", 0, errNoVCSToken
	case err != nil:
		return "", 0, err
	}
	return tok, exp, nil
}

// storeVCSToken keeps the managed VCS token beside the API token, with its
// id and expiry in the file; it clears an earlier rejection.
func storeVCSToken(ctx context.Context, st *secrets.Store, in rhoderc.Instance, token string, id int, expires int64) error {
	return st.Save(ctx, in, secrets.VCSToken, token, func(e *rhoderc.Instance) {
		e.VCSTokenID, e.VCSTokenExpires, e.VCSTokenRejected = id, expires, false
	})
}

// expiryUnix is a token's expiry as storeVCSToken records it: unix
// seconds, or -1 for never.
func expiryUnix(t *client.AuthToken) int64 {
	if t.Expires == nil {
		return -1
	}
	return t.Expires.Unix()
}
