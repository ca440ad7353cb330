package secrets

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// fileBackend keeps secrets in the instance's entry of the config file
// (mode 0600), for machines without a usable keyring and for
// rhodecode-tools' INI file, whose api_key those tools read.
type fileBackend struct{}

// field points at the entry field that holds kind k.
func field(e *rhoderc.Instance, k Kind) *string {
	switch k {
	case APIToken:
		return &e.Token
	case VCSToken:
		return &e.VCSToken
	case WebSession:
		return &e.SessionCookie
	}
	panic(fmt.Sprintf("secrets: no config field for %v", k)) // a new Kind needs its field here
}

func (fileBackend) get(_ context.Context, in rhoderc.Instance, k Kind) (string, error) {
	if v := *field(&in, k); v != "" {
		return v, nil
	}
	return "", notFound("instance %q has no %s in the config file", in.Name, k)
}

// put has nothing to do: the secret goes into the entry with the rest.
func (fileBackend) put(context.Context, rhoderc.Instance, Kind, string) error { return nil }

func (fileBackend) entry(e *rhoderc.Instance, k Kind, secret string) { *field(e, k) = secret }

// del has nothing to do outside the entry; Delete clears the field.
func (fileBackend) del(context.Context, rhoderc.Instance, Kind) error { return nil }

func (fileBackend) inEntry() bool { return true }
