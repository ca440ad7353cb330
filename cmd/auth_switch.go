package cmd

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type authSwitchOptions struct {
	*deps

	Name string
}

func newAuthSwitchCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &authSwitchOptions{}
	return &cobra.Command{
		Use:               "switch <name>",
		Short:             "Set the default instance",
		Long:              "Set the instance that commands use when neither -i nor RHODECODE_INSTANCE is given.",
		Example:           `  $ rhodecode auth switch work`,
		Args:              exactArgs(1, "one instance name"),
		ValidArgsFunction: instanceCompletion(f, g),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps, opts.Name = f.deps(g), args[0]
			return authSwitchRun(cmd.Context(), opts)
		},
	}
}

func authSwitchRun(ctx context.Context, opts *authSwitchOptions) error {
	io := opts.io
	var url string
	err := opts.cfg.Update(ctx, func(cfg *rhoderc.File) error {
		in, err := resolve.Named(cfg, opts.Name)
		if err != nil {
			return err
		}
		url = in.URL
		cfg.SetDefault(opts.Name)
		return nil
	})
	if err != nil {
		return err
	}
	if opts.g.JSON {
		return writeJSON(io.Out, map[string]any{"default": opts.Name, "url": url})
	}
	if io.IsStderrTTY() {
		fmt.Fprintf(io.ErrOut, "%s Default instance is now %s (%s)\n", io.SuccessIcon(), opts.Name, url)
	}
	return nil
}
