package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

type authTokenOptions struct {
	*deps
}

func newAuthTokenCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &authTokenOptions{}
	return &cobra.Command{
		Use:   "token",
		Short: "Print the API token of the selected instance",
		Long: `Print the API token the tool uses for the selected instance, for scripts.

The token is printed on standard output and nowhere else.`,
		Example: `  $ printf 'url = "https://code.example.com/_admin/ops/ping?auth_token=%s"\n' "$(rhodecode auth token)" | curl -s -K -
  $ rhodecode auth token -i work --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			return authTokenRun(cmd.Context(), opts)
		},
	}
}

func authTokenRun(ctx context.Context, opts *authTokenOptions) error {
	t, err := opts.target()
	if err != nil {
		return err
	}
	token, err := opts.targetToken(ctx, t)
	if err != nil {
		return err
	}
	if opts.g.JSON {
		return writeJSON(opts.io.Out, map[string]any{"instance": t.Name, "url": t.URL, "token": token})
	}
	_, err = fmt.Fprintln(opts.io.Out, token)
	return err
}
