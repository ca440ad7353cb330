package cmd

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

// target resolves the instance the command works on (-i, the environment,
// the config file; see package resolve).
func (d *deps) target() (resolve.Target, error) {
	return resolve.Instance(d.g.Instance, d.getenv, d.cfg.Load)
}

// targetToken is the API token a command uses for t: RHODECODE_TOKEN in
// CI mode (t.Env), else the one the instance keeps (apiToken).
func (d *deps) targetToken(ctx context.Context, t resolve.Target) (string, error) {
	if t.Env {
		return t.EnvToken, nil
	}
	return d.apiToken(ctx, t.Instance)
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

// knowUsername fills in in.Username for an instance from rhodecode-tools'
// INI file, which has only the API token: it says who the user is (the VCS
// clients and the web login need the name). Without an API token the
// name stays unknown and the caller says what to do.
func (d *deps) knowUsername(ctx context.Context, in *rhoderc.Instance) error {
	if in.Username != "" {
		return nil
	}
	api, err := d.apiToken(ctx, *in)
	switch {
	case err == nil:
		return d.learnUsername(ctx, in, api, false)
	case errors.Is(err, errAuthRequired):
		return nil
	}
	return err
}

// learnUsername fills in in.Username when the config file does not record
// it, as for an instance from rhodecode-tools' INI file (api_host and
// api_key only): get_user with the instance's API token tells. Unless the
// instance is ephemeral the file remembers it under the tool's own key, so
// only what is really missing (the password) is ever asked. A rejected
// token is an error that says so.
func (d *deps) learnUsername(ctx context.Context, in *rhoderc.Instance, apiToken string, ephemeral bool) error {
	if in.Username != "" {
		return nil
	}
	if apiToken == "" {
		return unknownUsername(in.Name)
	}
	c, err := d.newClient(*in, apiToken)
	if err != nil {
		return err
	}
	u, err := c.GetUser(ctx)
	if err != nil {
		return fmt.Errorf("finding the RhodeCode user name of %q with its API token: %w", in.Name, err)
	}
	in.Username = u.Username
	if ephemeral {
		return nil
	}
	err = d.cfg.Update(ctx, func(f *rhoderc.File) error {
		if e, ok := f.Instance(in.Name); ok && e.Username == "" && baseurl.Same(e.URL, in.URL) {
			f.SetInstanceValue(in.Name, rhoderc.KeyUsername, u.Username)
		}
		return nil
	})
	if err != nil {
		// This command can go on; the next one asks the server again.
		termPrintf(d.io.ErrOut, "%s the user name of %q was not saved: %v\n", d.io.WarningIcon(), in.Name, err)
	}
	return nil
}

// instanceCompletion completes instance names from the config file, with
// no network access.
func instanceCompletion(f *Factory, g *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.deps(g).cfg.Load()
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
