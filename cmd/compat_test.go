package cmd

// Names the tests were written against, from before the rules moved out
// of cmd/ into their own packages. They keep the existing tests unchanged.

import (
	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/gitconfig"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

type (
	secretStore = secrets.Keyring
	GitError    = gitconfig.Error
)

const (
	keyTokenID          = rhoderc.KeyTokenID
	keySessionCookie    = rhoderc.KeySessionCookie
	keyVCSToken         = rhoderc.KeyVCSToken
	keyVCSTokenID       = rhoderc.KeyVCSTokenID
	keyVCSTokenExpires  = rhoderc.KeyVCSTokenExpires
	keyVCSTokenRejected = rhoderc.KeyVCSTokenRejected
)

var (
	shellQuote    = gitconfig.ShellQuote
	matchInstance = resolve.ForGit
	nameFromURL   = resolve.NameFromURL
	sanitize      = termtext.Sanitize
)

func storageOf(in rhoderc.Instance) string { return in.EffectiveStorage() }

var normalizeURL = baseurl.Normalize

// secretRef names the keyring item of an instance's secret; kind is one
// of the keyring package's account names.
func secretRef(in rhoderc.Instance, kind string) (service, account string) {
	k := map[string]secrets.Kind{
		keyring.AccountAPIToken:   secrets.APIToken,
		keyring.AccountVCSToken:   secrets.VCSToken,
		keyring.AccountWebSession: secrets.WebSession,
	}[kind]
	return secrets.KeyringRef(in, k)
}
