package cmd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/hgrc"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// hgCopy is hg's copy of the managed VCS token.
type hgCopy struct{ d *deps }

func (hgCopy) vcs() string { return "hg" }

// hgWritten says where setup-hg put the token.
type hgWritten struct {
	// In is "file" (TokenFile) or "keyring" (KeyringUser of service
	// Mercurial).
	In          string
	TokenFile   string
	KeyringUser string
}

func (w hgWritten) String() string {
	if w.In == "keyring" {
		return "the OS keyring for mercurial_keyring (service " + hgKeyringService + ", user " + w.KeyringUser + ")"
	}
	return "the token file " + w.TokenFile
}

// write puts the token where hg will read it and the [auth] entry into
// the hgrc at path.
func (c hgCopy) write(ctx context.Context, in rhoderc.Instance, token, path string) (hgWritten, error) {
	attrs, err := hgAuthAttrs(in)
	if err != nil {
		return hgWritten{}, err
	}
	tokenFile, err := c.d.hgTokenFile(in)
	if err != nil {
		return hgWritten{}, err
	}
	// Parse the hgrc first: a file hg would refuse stops everything.
	if _, err := hgrc.Load(path); err != nil {
		return hgWritten{}, err
	}
	w := hgWritten{In: "file", TokenFile: tokenFile}
	include := tokenFile
	if c.keyringMode(in, path) {
		acct, _ := hgKeyringAccount(in) // attrs above: the entry is valid
		w = hgWritten{In: "keyring", KeyringUser: acct}
		include = ""
		if err := c.d.keyring.Set(ctx, hgKeyringService, w.KeyringUser, token); err != nil {
			return hgWritten{}, fmt.Errorf("storing the VCS token for mercurial_keyring: %w", err)
		}
	} else if err := hgrc.WriteSecret(tokenFile, hgEntry(in), "the VCS token of instance "+in.Name, token); err != nil {
		return hgWritten{}, fmt.Errorf("writing hg's token file: %w", err)
	}
	var moved string
	_, err = hgrc.Edit(path, func(f *hgrc.File) {
		// The include of another path ($XDG_CONFIG_HOME changed), or
		// the other storage's line, if any.
		if inc := f.AuthInclude(hgEntry(in)); inc != "" {
			f.RemoveAuth(hgEntry(in), inc)
			if inc != tokenFile && filepath.Base(inc) == filepath.Base(tokenFile) {
				moved = inc
			}
		}
		f.RemoveAuth(hgEntry(in), tokenFile)
		f.SetAuth(hgEntry(in), attrs, include)
	})
	if err != nil {
		return hgWritten{}, err
	}
	// A copy the other path left is no longer read.
	if moved != "" {
		_ = c.dropTokenFileUnlessIncluded(moved)
	}
	if w.In == "keyring" {
		c.dropTokenFileUnlessIncluded(tokenFile)
	} else {
		_ = c.dropKeyringCopy(ctx, in, token)
	}
	return w, nil
}

// dropKeyringCopy deletes mercurial_keyring's entry for the instance's
// prefix only when it holds token, the tool's VCS token: otherwise it is
// the user's own password for that server.
func (c hgCopy) dropKeyringCopy(ctx context.Context, in rhoderc.Instance, token string) error {
	acct, ok := hgKeyringAccount(in)
	if !ok || token == "" || c.d.secrets.Storage(in) != rhoderc.StorageKeyring {
		return nil
	}
	have, err := c.d.keyring.Get(ctx, hgKeyringService, acct)
	if keyring.IsNotFound(err) || err == nil && have != token {
		return nil
	}
	if err == nil {
		err = c.d.keyring.Delete(ctx, hgKeyringService, acct)
	}
	if err != nil && !keyring.IsNotFound(err) {
		return fmt.Errorf("removing the mercurial_keyring entry: %w", err)
	}
	return nil
}

// storedVCSToken is the managed VCS token, "" when there is none.
func (c hgCopy) storedVCSToken(ctx context.Context, in rhoderc.Instance) string {
	tok, err := c.d.secrets.Get(ctx, in, secrets.VCSToken)
	if err != nil {
		return ""
	}
	return tok
}

// unwrite removes the [auth] entry from the hgrc at path; the token file
// and the keyring entry go too when ~/.hgrc no longer uses them (other
// repositories set up with --local then prompt again). An entry of the
// instance's name for another server is left alone.
func (c hgCopy) unwrite(ctx context.Context, in rhoderc.Instance, path string) error {
	f, err := hgrc.Load(path)
	if err != nil {
		return err
	}
	if present, ours, _ := hgOwnEntry(f, in); present && !ours {
		return nil
	}
	tokenFile, err := c.tokenFileIn(f, in)
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
	if f, err := hgrc.Load(user); err == nil && f.Auth(hgEntry(in))["prefix"] != "" {
		return nil // ~/.hgrc still uses the copy (or the name is another's)
	}
	if err := c.dropKeyringCopy(ctx, in, c.storedVCSToken(ctx, in)); err != nil {
		return err
	}
	return hgrc.RemoveSecret(tokenFile)
}

func (c hgCopy) state(ctx context.Context, in rhoderc.Instance, token string) copyState {
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
	inKeyring, included := false, false
	for _, p := range paths {
		f, err := hgrc.Load(p)
		if err != nil {
			st.Error = err.Error()
			continue
		}
		_, ours, inc := hgOwnEntry(f, in)
		switch {
		case !ours:
			continue
		case inc != "":
			if !included {
				tokenFile, included = inc, true
			}
		case c.keyringMode(in, p):
			inKeyring = true
		default:
			continue
		}
		st.Configured = true
		where = append(where, p)
	}
	have, err := hgrc.ReadSecret(tokenFile, hgEntry(in))
	if have != "" {
		where = append(where, tokenFile)
	}
	if acct, ok := hgKeyringAccount(in); ok && inKeyring && have == "" && err == nil {
		have, err = c.d.keyring.Get(ctx, hgKeyringService, acct)
		if keyring.IsNotFound(err) {
			err = nil
		}
		where = append(where, "keyring "+hgKeyringService+" "+acct)
	}
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
	st.Where = strings.Join(where, ", ")
	return st
}

// refresh rewrites the token file the instance's entry in ~/.hgrc
// includes (or, without one there, the token file of --local set-ups),
// and mercurial_keyring's entry when an hgrc uses it for this instance.
// An entry of the instance's name for another server stops both: the
// token must not reach that server.
func (c hgCopy) refresh(ctx context.Context, in rhoderc.Instance, token string) error {
	user, err := c.d.hgUserConfig()
	if err != nil {
		return err
	}
	f, err := hgrc.Load(user)
	if err != nil {
		return err
	}
	present, ours, _ := hgOwnEntry(f, in)
	if present && !ours {
		return nil
	}
	tokenFile, err := c.tokenFileIn(f, in)
	if err != nil {
		return err
	}
	if _, err := os.Stat(tokenFile); err == nil {
		if err := hgrc.WriteSecret(tokenFile, hgEntry(in), "the VCS token of instance "+in.Name, token); err != nil {
			return err
		}
	}
	if !ours {
		if p := hgRepoConfig(); p != "" {
			if rf, err := hgrc.Load(p); err == nil {
				_, ours, _ = hgOwnEntry(rf, in)
			}
		}
	}
	if acct, ok := hgKeyringAccount(in); ok && ours && c.d.secrets.Storage(in) == rhoderc.StorageKeyring {
		if _, err := c.d.keyring.Get(ctx, hgKeyringService, acct); err == nil {
			return c.d.keyring.Set(ctx, hgKeyringService, acct, token)
		}
	}
	return nil
}

// remove deletes what setup-hg wrote to ~/.hgrc for the instance, the
// token file its entry includes, and mercurial_keyring's entry when it
// holds token (the VCS token the instance had).
func (c hgCopy) remove(ctx context.Context, in rhoderc.Instance, token string) error {
	user, err := c.d.hgUserConfig()
	if err != nil {
		return err
	}
	f, ferr := hgrc.Load(user)
	if f == nil {
		f = &hgrc.File{}
	}
	if present, ours, _ := hgOwnEntry(f, in); present && !ours {
		return nil
	}
	tokenFile, err := c.tokenFileIn(f, in)
	if err != nil {
		return err
	}
	// The token goes first: a broken ~/.hgrc must not keep it alive.
	if err := hgrc.RemoveSecret(tokenFile); err != nil {
		return err
	}
	if err := c.dropKeyringCopy(ctx, in, token); err != nil {
		return err
	}
	if ferr != nil {
		return ferr
	}
	_, err = hgrc.Edit(user, func(f *hgrc.File) { f.RemoveAuth(hgEntry(in), tokenFile) })
	return err
}
