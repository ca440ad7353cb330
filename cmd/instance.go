package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

// envInstanceName names the instance given by RHODECODE_HOST/RHODECODE_TOKEN.
const envInstanceName = "(env)"

// configPath resolves --config > RHODERC > ~/.rhoderc. RHODERC is read here
// too because shell completion runs without the root's pre-run hook.
func (f *Factory) configPath(g *globalOptions) (string, error) {
	if g.Config != "" {
		return g.Config, nil
	}
	home, err := f.home()
	if err != nil {
		return "", err
	}
	return rhoderc.DefaultPath(f.Getenv, home), nil
}

// loadConfig reads the config file; a missing file is an empty config.
func (f *Factory) loadConfig(g *globalOptions) (*rhoderc.File, error) {
	p, err := f.configPath(g)
	if err != nil {
		return nil, err
	}
	return rhoderc.Load(p)
}

// updateConfig runs fn under the config file's lock and saves atomically.
func (f *Factory) updateConfig(ctx context.Context, g *globalOptions, fn func(*rhoderc.File) error) error {
	p, err := f.configPath(g)
	if err != nil {
		return err
	}
	return rhoderc.Update(ctx, p, fn)
}

// target is a resolved instance with the API token it uses.
type target struct {
	rhoderc.Instance
	Token string
}

// envTarget returns the instance described by RHODECODE_HOST and
// RHODECODE_TOKEN, or nil when they are not set.
func (f *Factory) envTarget() (*target, error) {
	host, tok := f.Getenv("RHODECODE_HOST"), strings.TrimSpace(f.Getenv("RHODECODE_TOKEN"))
	switch {
	case host == "" && tok == "":
		return nil, nil
	case host == "":
		// A token without its server could be sent to the wrong instance.
		return nil, usageErrorf("RHODECODE_TOKEN is set but RHODECODE_HOST is not; set both, or neither")
	case tok == "":
		return nil, usageErrorf("RHODECODE_HOST is set but RHODECODE_TOKEN is not; set both, or neither")
	}
	u, err := normalizeURL(host)
	if err != nil {
		return nil, usageErrorf("RHODECODE_HOST: %v", err)
	}
	return &target{
		Instance: rhoderc.Instance{Name: envInstanceName, URL: u, Username: f.Getenv("RHODECODE_USERNAME")},
		Token:    tok,
	}, nil
}

// errNotLoggedIn is the answer of commands that need an instance when the
// config file has none.
var errNotLoggedIn = authRequiredf("not logged in to any RhodeCode instance; run: rhodecode auth login")

// unknownInstance is the usage error for a name that is not in the config
// file, listing the names that are.
func unknownInstance(cfg *rhoderc.File, name string) error {
	return usageErrorf("no instance %q in %s (known: %s)", name, cfg.Path(), instanceNames(cfg))
}

// unknownUsername is the error when a web login needs the RhodeCode user
// name of an instance and the config file does not record it.
func unknownUsername(name string) error {
	return authRequiredf("the RhodeCode user name of %q is not known; log in again with: rhodecode auth login -i %s --username NAME", name, name)
}

// selectInstance picks the instance a command works on from the config
// file: name (from -i, or RHODECODE_INSTANCE through the root's pre-run) >
// the file's default > the only instance in the file. RHODECODE_HOST and
// RHODECODE_TOKEN are the callers' business (see resolveTarget).
func selectInstance(cfg *rhoderc.File, name string) (rhoderc.Instance, error) {
	if name != "" {
		in, ok := cfg.Instance(name)
		if !ok {
			return rhoderc.Instance{}, authRequiredf("no instance %q in %s (known: %s); log in with: rhodecode auth login --name %s", name, cfg.Path(), instanceNames(cfg), name)
		}
		return in, nil
	}
	all := cfg.Instances()
	if d := cfg.DefaultInstance(); d != "" {
		if in, ok := cfg.Instance(d); ok {
			return in, nil
		}
	}
	switch len(all) {
	case 0:
		return rhoderc.Instance{}, errNotLoggedIn
	case 1:
		return all[0], nil
	}
	return rhoderc.Instance{}, usageErrorf("several instances in %s (%s) and no default; pass -i NAME or run: rhodecode auth switch NAME", cfg.Path(), instanceNames(cfg))
}

func instanceNames(cfg *rhoderc.File) string {
	var names []string
	for _, in := range cfg.Instances() {
		names = append(names, in.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// storageOf says where an instance keeps its API token.
func storageOf(in rhoderc.Instance) string {
	if in.Storage != "" {
		return in.Storage
	}
	if in.Token != "" {
		return rhoderc.StorageFile
	}
	return rhoderc.StorageKeyring
}

// resolveTarget finds the selected instance and its API token.
// RHODECODE_HOST and RHODECODE_TOKEN are used when no instance is named
// with -i; the root's pre-run ignores RHODECODE_INSTANCE when they are set,
// which gives -i > the env pair > RHODECODE_INSTANCE > the default.
func (f *Factory) resolveTarget(ctx context.Context, g *globalOptions) (*target, error) {
	env, _, in, err := f.pickInstance(g)
	if err != nil || env != nil {
		return env, err
	}
	t := &target{Instance: in}
	t.Token, err = f.instanceToken(ctx, in)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// pickInstance decides which instance a command works on: the one the
// environment describes (env != nil), or the instance of the config file
// (cfg) that selectInstance picks.
func (f *Factory) pickInstance(g *globalOptions) (env *target, cfg *rhoderc.File, in rhoderc.Instance, err error) {
	if g.Instance == "" || g.Instance == envInstanceName {
		if env, err = f.envTarget(); err != nil || env != nil {
			return env, nil, rhoderc.Instance{}, err
		}
	}
	if cfg, err = f.loadConfig(g); err != nil {
		return nil, nil, rhoderc.Instance{}, err
	}
	in, err = selectInstance(cfg, g.Instance)
	return nil, cfg, in, err
}

// secretRef names one secret of an instance in the OS keyring: service
// rhodecode:<normalised URL> (so spellings of one URL agree), account
// <kind>:<instance name> (so two users' instances on one server never share
// an entry).
func secretRef(in rhoderc.Instance, kind string) (service, account string) {
	return baseurl.KeyringService(in.URL), kind + ":" + in.Name
}

func (f *Factory) getSecret(ctx context.Context, in rhoderc.Instance, kind string) (string, error) {
	svc, acct := secretRef(in, kind)
	return f.Secrets.Get(ctx, svc, acct)
}

func (f *Factory) setSecret(ctx context.Context, in rhoderc.Instance, kind, secret string) error {
	svc, acct := secretRef(in, kind)
	return f.Secrets.Set(ctx, svc, acct, secret)
}

func (f *Factory) deleteSecret(ctx context.Context, in rhoderc.Instance, kind string) error {
	svc, acct := secretRef(in, kind)
	return f.Secrets.Delete(ctx, svc, acct)
}

// instanceToken reads an instance's API token from where it is stored.
func (f *Factory) instanceToken(ctx context.Context, in rhoderc.Instance) (string, error) {
	if storageOf(in) == rhoderc.StorageFile {
		if in.Token == "" {
			return "", authRequiredf("instance %q has no API token in the config file; run: rhodecode auth login -i %s", in.Name, in.Name)
		}
		return in.Token, nil
	}
	tok, err := f.getSecret(ctx, in, keyring.AccountAPIToken)
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return "", authRequiredf("no API token for instance %q in the OS keyring; run: rhodecode auth login -i %s", in.Name, in.Name)
	case err != nil:
		return "", fmt.Errorf("reading the API token of %q: %w", in.Name, err)
	}
	return tok, nil
}

// normalizeURL turns what a user typed into an instance base URL: https://
// when no scheme is given, no trailing slash, no /_admin/api suffix (people
// paste the API endpoint), no query or fragment.
func normalizeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", errors.New("empty URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("not a URL: %q", client.StripUserinfo(raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("URL must start with http:// or https://, got %q", client.StripUserinfo(raw))
	}
	if u.Host == "" {
		return "", fmt.Errorf("URL has no host: %q", client.StripUserinfo(raw))
	}
	if u.User != nil {
		return "", fmt.Errorf("URL must not contain a user name or password")
	}
	u.RawQuery, u.Fragment = "", ""
	u.Path = strings.TrimRight(u.Path, "/")
	u.Path = strings.TrimSuffix(u.Path, "/_admin/api")
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	u.Host = strings.ToLower(u.Host)
	return u.String(), nil
}

// sameURL compares two instance URLs after normalisation.
func sameURL(a, b string) bool {
	na, errA := normalizeURL(a)
	nb, errB := normalizeURL(b)
	return errA == nil && errB == nil && na == nb
}

// instanceCompletion completes instance names from the config file, with
// no network access.
func instanceCompletion(f *Factory, g *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		cfg, err := f.loadConfig(g)
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
