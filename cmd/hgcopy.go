package cmd

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/hgrc"
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
	attrs, err := hgAuthAttrs(in, in.Username)
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
		w = hgWritten{In: "keyring", KeyringUser: in.Username + "@@" + attrs[0].Value}
		include = ""
		if err := c.d.keyring.Set(ctx, hgKeyringService, w.KeyringUser, token); err != nil {
			return hgWritten{}, fmt.Errorf("storing the VCS token for mercurial_keyring: %w", err)
		}
	} else if err := hgrc.WriteSecret(tokenFile, hgEntry(in), "the VCS token of instance "+in.Name, token); err != nil {
		return hgWritten{}, fmt.Errorf("writing hg's token file: %w", err)
	}
	_, err = hgrc.Edit(path, func(f *hgrc.File) {
		f.RemoveAuth(hgEntry(in), tokenFile) // the other path's line, if any
		f.SetAuth(hgEntry(in), attrs, include)
	})
	if err != nil {
		return hgWritten{}, err
	}
	// A copy the other path left is no longer read.
	if w.In == "keyring" {
		c.dropTokenFileUnlessIncluded(tokenFile)
	} else if acct, ok := hgKeyringAccount(in); ok && c.d.secrets.Storage(in) == rhoderc.StorageKeyring {
		_ = c.d.keyring.Delete(ctx, hgKeyringService, acct)
	}
	return w, nil
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

// unwrite removes the [auth] entry from the hgrc at path; the token file
// and the keyring entry go too when ~/.hgrc no longer uses them (other
// repositories set up with --local then prompt again).
func (c hgCopy) unwrite(ctx context.Context, in rhoderc.Instance, path string) error {
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
	if f, err := hgrc.Load(user); err == nil && f.Auth(hgEntry(in))["prefix"] != "" {
		return nil // ~/.hgrc still uses the copy
	}
	if acct, ok := hgKeyringAccount(in); ok && c.d.secrets.Storage(in) == rhoderc.StorageKeyring {
		if err := c.d.keyring.Delete(ctx, hgKeyringService, acct); err != nil && !keyring.IsNotFound(err) {
			return fmt.Errorf("removing the mercurial_keyring entry: %w", err)
		}
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
	inKeyring := false
	for _, p := range paths {
		f, err := hgrc.Load(p)
		if err != nil {
			st.Error = err.Error()
			continue
		}
		if f.Auth(hgEntry(in))["prefix"] == "" {
			continue
		}
		switch {
		case f.HasInclude(tokenFile):
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

func (c hgCopy) refresh(ctx context.Context, in rhoderc.Instance, token string) error {
	tokenFile, err := c.d.hgTokenFile(in)
	if err != nil {
		return err
	}
	if _, err := os.Stat(tokenFile); err == nil {
		if err := hgrc.WriteSecret(tokenFile, hgEntry(in), "the VCS token of instance "+in.Name, token); err != nil {
			return err
		}
	}
	if acct, ok := hgKeyringAccount(in); ok && c.d.secrets.Storage(in) == rhoderc.StorageKeyring {
		if _, err := c.d.keyring.Get(ctx, hgKeyringService, acct); err == nil {
			return c.d.keyring.Set(ctx, hgKeyringService, acct, token)
		}
	}
	return nil
}

func (c hgCopy) remove(ctx context.Context, in rhoderc.Instance) error {
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
	if acct, ok := hgKeyringAccount(in); ok && c.d.secrets.Storage(in) == rhoderc.StorageKeyring {
		if err := c.d.keyring.Delete(ctx, hgKeyringService, acct); err != nil && !keyring.IsNotFound(err) {
			return fmt.Errorf("removing the mercurial_keyring entry: %w", err)
		}
	}
	_, err = hgrc.Edit(user, func(f *hgrc.File) { f.RemoveAuth(hgEntry(in), tokenFile) })
	return err
}
