package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/internal/svnauth"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// svn cannot run a credential helper; it keeps credentials per server
// realm in its own cache, <config dir>/auth/svn.simple/<md5 of the realm
// string>, and setup-svn writes the entry svn looks for there (package
// svnauth). The realm string, which only the server can tell (a probe),
// and a config dir other than svn's default are remembered per instance
// in the config file (svn_realm, svn_config_dir), so that rotation,
// logout and status find the entry without a network round trip.

// svnCopy is svn's copy of the managed VCS token.
type svnCopy struct{ d *deps }

func (svnCopy) vcs() string { return "svn" }

// svnDefaultConfigDir is the directory svn uses without --config-dir:
// ~/.subversion (%APPDATA%\Subversion on Windows).
func (d *deps) svnDefaultConfigDir() (string, error) {
	if runtime.GOOS == "windows" {
		return svnauth.DefaultConfigDir()
	}
	home, err := d.cfg.Home()
	if err != nil {
		return "", fmt.Errorf("finding your home directory for ~/.subversion: %w", err)
	}
	return filepath.Join(home, ".subversion"), nil
}

// svnConfigDir is where the instance's svn entry lives.
func (d *deps) svnConfigDir(in rhoderc.Instance) (string, error) {
	if in.SVNConfigDir != "" {
		return in.SVNConfigDir, nil
	}
	return d.svnDefaultConfigDir()
}

// write stores username and token as svn's entry for realm in dir.
func (svnCopy) write(dir, realm, username, token string) error {
	err := svnauth.Write(dir, svnauth.Entry{RealmString: realm, Username: username, Password: secret.New(token)})
	if err != nil {
		return fmt.Errorf("writing svn's credentials: %w", err)
	}
	return nil
}

func (c svnCopy) state(ctx context.Context, in rhoderc.Instance, token string) copyState {
	if in.SVNRealm == "" {
		return copyState{Token: "none"}
	}
	st := copyState{Configured: true}
	dir, err := c.d.svnConfigDir(in)
	if err != nil {
		st.Error = err.Error()
		return st
	}
	st.Where = svnauth.Path(dir, in.SVNRealm)
	e, err := svnauth.Read(dir, in.SVNRealm)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		st.Token = "missing"
		return st
	case err != nil:
		st.Error, st.Token = err.Error(), "unreadable"
		return st
	case e.Username != in.Username || e.RealmString != in.SVNRealm:
		// svn would send someone else's credentials: not our copy.
		st.Token = "missing"
		return st
	}
	held, err := svnauth.Holds(dir, in.SVNRealm, in.Username, token)
	switch {
	case err != nil:
		st.Error, st.Token = err.Error(), "unreadable"
	case held && token != "":
		st.Token = "current"
	default:
		st.Token = "stale"
	}
	return st
}

// refresh rewrites the entry when it is there and ours (the instance's
// username for the recorded realm).
func (c svnCopy) refresh(ctx context.Context, in rhoderc.Instance, token string) error {
	if in.SVNRealm == "" {
		return nil
	}
	dir, err := c.d.svnConfigDir(in)
	if err != nil {
		return err
	}
	e, err := svnauth.Read(dir, in.SVNRealm)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case e.Username != in.Username || e.RealmString != in.SVNRealm:
		return nil
	}
	return c.write(dir, in.SVNRealm, in.Username, token)
}

// remove deletes the entry while it is still ours.
func (c svnCopy) remove(ctx context.Context, in rhoderc.Instance, _ string) error {
	if in.SVNRealm == "" {
		return nil
	}
	dir, err := c.d.svnConfigDir(in)
	if err != nil {
		return err
	}
	_, err = svnauth.Remove(dir, in.SVNRealm, in.Username)
	return err
}
