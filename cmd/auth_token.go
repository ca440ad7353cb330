package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

type authTokenOptions struct {
	f *Factory
	g *globalOptions
}

func newAuthTokenCmd(f *Factory, g *globalOptions, runF func(context.Context, *authTokenOptions) error) *cobra.Command {
	opts := &authTokenOptions{f: f, g: g}
	return &cobra.Command{
		Use:   "token",
		Short: "Print the API token of the selected instance",
		Long: `Print the API token the tool uses for the selected instance, for scripts.

The token is printed on standard output and nowhere else.`,
		Example: `  $ curl -s "https://code.example.com/_admin/ops/ping?auth_token=$(rhodecode auth token)"
  $ rhodecode auth token -i work --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return authTokenRun(cmd.Context(), opts)
		},
	}
}

func authTokenRun(ctx context.Context, opts *authTokenOptions) error {
	t, err := opts.f.resolveTarget(ctx, opts.g)
	if err != nil {
		return err
	}
	if opts.g.JSON {
		return writeJSON(opts.f.IO.Out, map[string]any{"instance": t.Name, "url": t.URL, "token": t.Token})
	}
	_, err = fmt.Fprintln(opts.f.IO.Out, t.Token)
	return err
}
