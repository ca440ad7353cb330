package cmd

import (
	"strings"
	"testing"
)

// A --role the server does not know is a usage error naming the roles,
// in token create and token list alike, before any request.
func TestRoleFlagRefused(t *testing.T) {
	e := newTestEnv(t)
	for _, args := range [][]string{{"token", "create", "--role", "nope"}, {"token", "list", "--role", "nope"}} {
		r := e.run(args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, `--role must be one of `) || !strings.Contains(r.stderr, `not "nope"`) {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}
