package cmd

import (
	"crypto/sha256"
	"encoding/hex"
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
//
// When the mercurial_keyring extension is enabled (in the hgrc written or
// ~/.hgrc) and the instance keeps its secrets in the OS keyring, the
// token goes where that extension looks instead (mercurial_keyring.py,
// PasswordStore): service "Mercurial", user "<username>@@<password url>",
// where the password url is the entry's prefix with the request's scheme,
// i.e. the prefix itself. The entry then has no %include.

// hgKeyringService is mercurial_keyring's KEYRING_SERVICE.
const hgKeyringService = "Mercurial"

// hgEntry names the instance's [auth] entry; hg splits keys at the last
// dot, and people read it, so only letters, digits, - and _ stay. The
// name must be the instance's alone (the token file is named after it):
// a name that had to change gets a hash of the real one, so "a.b",
// "a_b" and CI's "(env)" never share an entry.
func hgEntry(in rhoderc.Instance) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, strings.Trim(in.Name, "()"))
	if name != in.Name {
		sum := sha256.Sum256([]byte(in.Name))
		name += "_" + hex.EncodeToString(sum[:4])
	}
	return "rhodecode_" + name
}

// hgTokenFile is where the instance's token file lives.
func (d *deps) hgTokenFile(in rhoderc.Instance) (string, error) {
	dir := d.getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := d.cfg.Home()
		if err != nil {
			return "", fmt.Errorf("finding your home directory for hg's token file: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "rhodecode", "hg", strings.TrimPrefix(hgEntry(in), "rhodecode_")+".rc"), nil
}

// tokenFileIn is the token file the instance's entry in f includes, or
// where it would be.
func (c hgCopy) tokenFileIn(f *hgrc.File, in rhoderc.Instance) (string, error) {
	if _, ours, inc := hgOwnEntry(f, in); ours && inc != "" {
		return inc, nil
	}
	return c.d.hgTokenFile(in)
}

// dropTokenFileUnlessIncluded removes the token file when ~/.hgrc does
// not include it.
func (c hgCopy) dropTokenFileUnlessIncluded(tokenFile string) error {
	user, err := c.d.hgUserConfig()
	if err != nil {
		return err
	}
	if f, err := hgrc.Load(user); err == nil && f.HasInclude(tokenFile) {
		return nil
	}
	return hgrc.RemoveSecret(tokenFile)
}

// hgUserConfig is the hgrc setup-hg writes without --local: ~/.hgrc.
func (d *deps) hgUserConfig() (string, error) {
	home, err := d.cfg.Home()
	if err != nil {
		return "", fmt.Errorf("finding your home directory for ~/.hgrc: %w", err)
	}
	return filepath.Join(home, ".hgrc"), nil
}

// hgAuthAttrs is the instance's [auth] entry: the URL with its path as
// the prefix (a trailing slash, so /rc does not match /rcx), the exact
// user name, and the scheme.
func hgAuthAttrs(in rhoderc.Instance) ([]hgrc.Attr, error) {
	prefix, err := hgPrefix(in)
	if err != nil {
		return nil, err
	}
	if in.Username == "" || strings.ContainsAny(in.Username, "\r\n") {
		return nil, unknownUsername(in.Name)
	}
	u, _ := url.Parse(in.URL)
	return []hgrc.Attr{{Name: "prefix", Value: prefix}, {Name: "username", Value: in.Username}, {Name: "schemes", Value: u.Scheme}}, nil
}

// hgPrefix is the prefix of the instance's [auth] entry.
func hgPrefix(in rhoderc.Instance) (string, error) {
	u, err := url.Parse(in.URL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("instance %q: bad URL %q", in.Name, secret.StripUserinfo(in.URL))
	}
	u.User = nil
	return strings.TrimSuffix(u.String(), "/") + "/", nil
}

// hgOwnEntry looks for the instance's entry in f: present when an entry
// of its name is there, ours when that entry's prefix is the instance's
// (else it is another server's, and nothing of it is touched); include
// is the token file its %include line names ("" for none).
func hgOwnEntry(f *hgrc.File, in rhoderc.Instance) (present, ours bool, include string) {
	prefix := f.Auth(hgEntry(in))["prefix"]
	if prefix == "" {
		return false, false, ""
	}
	want, err := hgPrefix(in)
	if err != nil || prefix != want {
		return true, false, ""
	}
	return true, true, f.AuthInclude(hgEntry(in))
}

// hgKeyringAccount is mercurial_keyring's key for the entry's password.
func hgKeyringAccount(in rhoderc.Instance) (string, bool) {
	attrs, err := hgAuthAttrs(in)
	if err != nil {
		return "", false
	}
	return in.Username + "@@" + attrs[0].Value, true
}

// keyringMode says whether the token for the hgrc at path goes into the
// OS keyring for mercurial_keyring rather than into the token file.
func (c hgCopy) keyringMode(in rhoderc.Instance, path string) bool {
	if c.d.secrets.Storage(in) != rhoderc.StorageKeyring {
		return false
	}
	paths := []string{path}
	if user, err := c.d.hgUserConfig(); err == nil && user != path {
		paths = append(paths, user)
	}
	for _, p := range paths {
		if f, err := hgrc.Load(p); err == nil && f.ExtensionEnabled("mercurial_keyring") {
			return true
		}
	}
	return false
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
