package cmd

import (
	"context"
	"errors"
	"sort"

	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

// target resolves the instance the command works on (-i, the environment,
// the config file; see package resolve).
func (d *deps) target() (resolve.Target, error) {
	return resolve.Instance(d.g.Instance, d.getenv, d.cfg.load)
}

// apiToken reads an instance's API token from where it keeps it; a
// missing one says how to log in.
func (d *deps) apiToken(ctx context.Context, in rhoderc.Instance) (string, error) {
	tok, err := d.secrets.Get(ctx, in, secrets.APIToken)
	if errors.Is(err, secrets.ErrNotFound) {
		return "", authRequiredf("%v; run: rhodecode auth login -i %s", err, in.Name)
	}
	return tok, err
}

// unknownUsername is the error when a web login needs the RhodeCode user
// name of an instance and the config file does not record it.
func unknownUsername(name string) error {
	return authRequiredf("the RhodeCode user name of %q is not known; log in again with: rhodecode auth login -i %s --username NAME", name, name)
}

// instanceCompletion completes instance names from the config file, with
// no network access.
func instanceCompletion(f *Factory, g *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.deps(g).cfg.load()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, in := range cfg.Instances() {
			names = append(names, in.Name+"\t"+in.URL)
		}
		sort.Strings(names)
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
