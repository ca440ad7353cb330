package cmd

import (
	"context"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type authSwitchOptions struct {
	f *Factory
	g *globalOptions

	Name string
}

func newAuthSwitchCmd(f *Factory, g *globalOptions, runF func(context.Context, *authSwitchOptions) error) *cobra.Command {
	opts := &authSwitchOptions{f: f, g: g}
	return &cobra.Command{
		Use:               "switch <name>",
		Short:             "Set the default instance",
		Long:              "Set the instance that commands use when neither -i nor RHODECODE_INSTANCE is given.",
		Example:           `  $ rhodecode auth switch work`,
		Args:              exactArgs(1, "one instance name"),
		ValidArgsFunction: instanceCompletion(f, g),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return authSwitchRun(cmd.Context(), opts)
		},
	}
}

func authSwitchRun(ctx context.Context, opts *authSwitchOptions) error {
	f, io := opts.f, opts.f.IO
	var url string
	err := f.updateConfig(ctx, opts.g, func(cfg *rhoderc.File) error {
		in, ok := cfg.Instance(opts.Name)
		if !ok {
			return unknownInstance(cfg, opts.Name)
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
