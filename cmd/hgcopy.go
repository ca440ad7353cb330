package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/hgrc"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// Mercurial reads credentials from [auth] entries in its config. The
// tool writes, per instance, an entry named rhodecode_<instance> with
// prefix, username and schemes into ~/.hgrc (or .hg/hgrc), and a
// %include of a 0600 file it owns that holds the entry's password (the
// VCS token): $XDG_CONFIG_HOME/rhodecode/hg/<instance>.rc, by default
// ~/.config/rhodecode/hg/<instance>.rc. ~/.hgrc itself never holds the
// token. Mercurial ignores an %include of a missing file.

// hgCopy is hg's copy of the managed VCS token.
type hgCopy struct{ d *deps }

func (hgCopy) vcs() string { return "hg" }

// hgEntry names the instance's [auth] entry; hg splits keys at the last
// dot, and people read it, so only letters, digits, - and _ stay.
func hgEntry(in rhoderc.Instance) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, strings.Trim(in.Name, "()"))
	return "rhodecode_" + name
}

// hgTokenFile is where the instance's token file lives.
func (d *deps) hgTokenFile(in rhoderc.Instance) (string, error) {
	dir := d.getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := d.cfg.home()
		if err != nil {
			return "", fmt.Errorf("finding your home directory for hg's token file: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "rhodecode", "hg", strings.TrimPrefix(hgEntry(in), "rhodecode_")+".rc"), nil
}

// hgUserConfig is the hgrc setup-hg writes without --local: ~/.hgrc.
func (d *deps) hgUserConfig() (string, error) {
	home, err := d.cfg.home()
	if err != nil {
		return "", fmt.Errorf("finding your home directory for ~/.hgrc: %w", err)
	}
	return filepath.Join(home, ".hgrc"), nil
}

// hgAuthAttrs is the instance's [auth] entry: the URL with its path as
// the prefix (a trailing slash, so /rc does not match /rcx), the exact
// user name, and the scheme.
func hgAuthAttrs(in rhoderc.Instance, username string) ([]hgrc.Attr, error) {
	u, err := url.Parse(in.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("instance %q: bad URL %q", in.Name, secret.StripUserinfo(in.URL))
	}
	u.User = nil
	prefix := strings.TrimSuffix(u.String(), "/") + "/"
	if username == "" || strings.ContainsAny(username, "\r\n") {
		return nil, unknownUsername(in.Name)
	}
	return []hgrc.Attr{{Name: "prefix", Value: prefix}, {Name: "username", Value: username}, {Name: "schemes", Value: u.Scheme}}, nil
}

// write puts the token file and the [auth] entry into the hgrc at path.
func (c hgCopy) write(in rhoderc.Instance, username, token, path string) (tokenFile string, err error) {
	attrs, err := hgAuthAttrs(in, username)
	if err != nil {
		return "", err
	}
	tokenFile, err = c.d.hgTokenFile(in)
	if err != nil {
		return "", err
	}
	// Parse the hgrc first: a file hg would refuse stops everything.
	if _, err := hgrc.Load(path); err != nil {
		return "", err
	}
	if err := hgrc.WriteSecret(tokenFile, hgEntry(in), "the VCS token of instance "+in.Name, token); err != nil {
		return "", fmt.Errorf("writing hg's token file: %w", err)
	}
	if _, err := hgrc.Edit(path, func(f *hgrc.File) { f.SetAuth(hgEntry(in), attrs, tokenFile) }); err != nil {
		return "", err
	}
	return tokenFile, nil
}

// unwrite removes the [auth] entry from the hgrc at path; the token file
// goes too when ~/.hgrc no longer includes it (other repositories set up
// with --local then prompt again).
func (c hgCopy) unwrite(in rhoderc.Instance, path string) error {
	tokenFile, err := c.d.hgTokenFile(in)
	if err != nil {
		return err
	}
	if _, err := hgrc.Edit(path, func(f *hgrc.File) { f.RemoveAuth(hgEntry(in), tokenFile) }); err != nil {
		return err
	}
	user, err := c.d.hgUserConfig()
	if err != nil {
		return err
	}
	if f, err := hgrc.Load(user); err == nil && f.HasInclude(tokenFile) {
		return nil
	}
	return hgrc.RemoveSecret(tokenFile)
}

func (c hgCopy) state(_ context.Context, in rhoderc.Instance, token string) copyState {
	var st copyState
	tokenFile, err := c.d.hgTokenFile(in)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	var where []string
	paths := []string{}
	if p, err := c.d.hgUserConfig(); err == nil {
		paths = append(paths, p)
	}
	if p := hgRepoConfig(); p != "" {
		paths = append(paths, p)
	}
	for _, p := range paths {
		f, err := hgrc.Load(p)
		if err != nil {
			st.Error = err.Error()
			continue
		}
		if f.Auth(hgEntry(in))["prefix"] != "" && f.HasInclude(tokenFile) {
			st.Configured = true
			where = append(where, p)
		}
	}
	have, err := hgrc.ReadSecret(tokenFile, hgEntry(in))
	switch {
	case err != nil:
		st.Error, st.Token = err.Error(), "unreadable"
	case have == "" && st.Configured:
		st.Token = "missing"
	case have == "":
		st.Token = "none"
	case have == token:
		st.Token = "current"
	default:
		st.Token = "stale"
	}
	if have != "" {
		where = append(where, tokenFile)
	}
	st.Where = strings.Join(where, ", ")
	return st
}

func (c hgCopy) refresh(_ context.Context, in rhoderc.Instance, token string) error {
	tokenFile, err := c.d.hgTokenFile(in)
	if err != nil {
		return err
	}
	if _, err := os.Stat(tokenFile); errors.Is(err, os.ErrNotExist) {
		return nil // hg is not set up for this instance
	}
	return hgrc.WriteSecret(tokenFile, hgEntry(in), "the VCS token of instance "+in.Name, token)
}

func (c hgCopy) remove(_ context.Context, in rhoderc.Instance) error {
	user, err := c.d.hgUserConfig()
	if err != nil {
		return err
	}
	tokenFile, err := c.d.hgTokenFile(in)
	if err != nil {
		return err
	}
	// The token goes first: a broken ~/.hgrc must not keep it alive.
	if err := hgrc.RemoveSecret(tokenFile); err != nil {
		return err
	}
	_, err = hgrc.Edit(user, func(f *hgrc.File) { f.RemoveAuth(hgEntry(in), tokenFile) })
	return err
}

// hgRepoConfig is the .hg/hgrc of the Mercurial repository around the
// working directory, "" outside of one.
func hgRepoConfig() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, ".hg")); err == nil && fi.IsDir() {
			return filepath.Join(dir, ".hg", "hgrc")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
