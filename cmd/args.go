package cmd

import (
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/spf13/cobra"
)

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	return nil
}

// exactArgs requires n positional arguments, as a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("expected %s", what)
		}
		return nil
	}
}

// addSessionFlags registers the flag every web-session command takes.
func addSessionFlags(c *cobra.Command, sf *sessionFlags) {
	c.Flags().BoolVar(&sf.PasswordStdin, "password-stdin", false, "Read the RhodeCode password from standard input when a web login is needed")
}

// roleFlag reads --role: any name client.ParseRole knows, as the role the
// server uses; anything else is a usage error that lists the names.
func roleFlag(s string) (string, error) {
	r, ok := client.ParseRole(s)
	if !ok {
		return "", usageErrorf("--role must be one of %s, not %q", strings.Join(client.RoleNames(), ", "), s)
	}
	return r, nil
}
