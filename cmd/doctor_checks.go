package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/filelock"
	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// expiringSoon is when a token's expiry becomes a warning.
const expiringSoon = 7 * 24 * time.Hour

// maxSkew is the clock difference to the server worth a warning: token
// expiry is the server's clock.
const maxSkew = 2 * time.Minute

// checkConfig checks the config file and returns it (empty when it is
// missing or broken, so the other checks still run).
func (d *doctor) checkConfig(ctx context.Context) *rhoderc.File {
	empty, _ := rhoderc.Parse("", nil)
	p, err := d.cfg.Path()
	if err != nil {
		d.add("path", checkFail, err.Error(), "set HOME, RHODERC or --config")
		return empty
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if env, _ := resolve.Env(d.getenv); env != nil {
			d.ok("file", "%s does not exist; RHODECODE_HOST and RHODECODE_TOKEN are used", p)
		} else {
			d.add("file", checkWarn, p+" does not exist: not logged in", "rhodecode auth login")
		}
		return empty
	case err != nil:
		d.add("file", checkFail, err.Error(), "check the path and its permissions")
		return empty
	}
	cfg, err := rhoderc.Load(p)
	if err != nil {
		d.add("parse", checkFail, err.Error(), "fix or move the file; rhodecode never overwrites a file it cannot parse")
		return empty
	}
	d.ok("file", "%s: %s, %d instance(s)", p, cfg.Dialect(), len(cfg.Instances()))

	if perr := cfg.Permissions(); perr != nil {
		d.add("mode", checkFail, perr.Error(), "chmod 600 "+p)
	} else if runtime.GOOS != "windows" {
		if mode := fi.Mode().Perm(); mode&0o077 != 0 {
			d.add("mode", checkWarn, fmt.Sprintf("%04o: others can read it (it holds no secret now)", mode), "chmod 600 "+p)
		} else {
			d.ok("mode", "%04o", mode)
		}
	}

	// Temporaries a killed write left behind; they may hold tokens.
	var stale []string
	for _, pattern := range []string{"." + filepath.Base(p) + ".*.tmp", filepath.Base(p) + ".*.tmp"} {
		m, _ := filepath.Glob(filepath.Join(filepath.Dir(p), pattern))
		stale = append(stale, m...)
	}
	if len(stale) > 0 {
		d.add("temporary files", checkWarn, fmt.Sprintf("%d left by an interrupted write (they may hold tokens); the next change to the file removes them", len(stale)), "rm "+strings.Join(stale, " "))
	} else {
		d.ok("temporary files", "none")
	}

	d.checkLock(ctx, "config lock", p+".lock")
	creds := filepath.Join(filepath.Dir(p), gitCredentialsFile)
	d.checkLock(ctx, "git credentials lock", creds+".flock")
	// Versions before the kernel lock created <file>.lock exclusively; a
	// killed one left it behind, with a copy of the credentials in it.
	if _, err := os.Stat(creds + ".lock"); err == nil {
		d.add("old git credentials lock", checkWarn, creds+".lock was left by an older rhodecode and may hold a copy of stored credentials", "rm "+creds+".lock")
	}
	return cfg
}

// checkLock reports a kernel lock (internal/filelock) another process
// holds. A lock file that exists but is free is normal: it is left in
// place on purpose. A missing one is not created.
func (d *doctor) checkLock(ctx context.Context, name, path string) {
	if _, err := os.Stat(path); err != nil {
		d.ok(name, "free")
		return
	}
	unlock, err := filelock.Lock(ctx, path, 0, 0)
	switch {
	case err == nil:
		unlock()
		d.ok(name, "free")
	case errors.Is(err, filelock.ErrTimeout):
		d.add(name, checkWarn, path+" is held by another process (a running or hung rhodecode or git)", "wait for it, or find it with: fuser "+path)
	default:
		d.add(name, checkWarn, err.Error(), "check the permissions of "+filepath.Dir(path))
	}
}

// checkKeyring stores, reads and deletes a probe entry.
func (d *doctor) checkKeyring(ctx context.Context, cfg *rhoderc.File) {
	users := 0
	for _, in := range cfg.Instances() {
		if d.secrets.Storage(in) == rhoderc.StorageKeyring {
			users++
		}
	}
	host, _ := d.hostname()
	svc, acct := "rhodecode:doctor", fmt.Sprintf("probe:%s:%d", host, os.Getpid())
	start := time.Now()
	err := d.keyring.Set(ctx, svc, acct, "probe")
	if err == nil {
		var got string
		if got, err = d.keyring.Get(ctx, svc, acct); err == nil && got != "probe" {
			err = errors.New("the keyring returned another value than was stored")
		}
		if derr := d.keyring.Delete(ctx, svc, acct); err == nil {
			err = derr
		}
	}
	switch {
	case err == nil:
		d.ok("round trip", "set, get and delete in %d ms", time.Since(start).Milliseconds())
	case users > 0:
		d.add("round trip", checkFail, fmt.Sprintf("%v (%d instance(s) keep their tokens there)", err, users), "unlock the keyring or start a Secret Service; or move the tokens to the file: rhodecode auth login -i NAME --storage file")
	default:
		d.add("round trip", checkWarn, fmt.Sprintf("%v (no instance uses it)", err), "only needed for --storage keyring")
	}
}

// targets are the instances to check (resolve.All); a half-set
// environment is a finding, and the config file's instances are checked
// all the same.
func (d *doctor) targets(cfg *rhoderc.File) []resolve.Target {
	fromFile := func() (*rhoderc.File, error) { return cfg, nil }
	out, _, err := resolve.All(d.g.Instance, d.getenv, fromFile)
	if err != nil {
		d.section = "environment"
		d.add("RHODECODE_HOST", checkFail, err.Error(), "set both RHODECODE_HOST and RHODECODE_TOKEN, or neither")
		out, _, _ = resolve.All(d.g.Instance, func(string) string { return "" }, fromFile)
	}
	return out
}

// checkInstance asks the server what it thinks of the stored tokens.
func (d *doctor) checkInstance(ctx context.Context, t resolve.Target) {
	in := t.Instance
	login := "rhodecode auth login -i " + in.Name
	tok, err := d.targetToken(ctx, t)
	if err != nil {
		d.add("API token", checkFail, err.Error(), login)
	}
	c, err := d.newClient(in, tok)
	if err != nil {
		d.add("URL", checkFail, err.Error(), "rhodecode auth logout "+in.Name+" and log in with the right URL")
		return
	}
	apiOK := false
	if tok != "" {
		u, err := c.GetUser(ctx)
		switch {
		case err == nil && in.Username != "" && u.Username != in.Username:
			d.add("API token", checkFail, fmt.Sprintf("it belongs to %s, not %s", u.Username, in.Username), login)
		case err == nil:
			apiOK = true
			d.ok("API token", "accepted by %s as %s", client.StripUserinfo(in.URL), u.Username)
		case errors.Is(err, client.ErrAuth):
			d.add("API token", checkFail, err.Error(), login)
		default:
			fix := "check the URL, your network and proxy (HTTPS_PROXY), or whether the server is up"
			if errors.Is(err, client.ErrNotRhodeCode) {
				fix = "check that " + in.URL + " is the RhodeCode base URL"
			}
			d.add("server", checkFail, err.Error(), fix)
			return // nothing else can be asked
		}
	}
	if st, err := c.ServerTime(ctx); err == nil {
		skew := d.now().Sub(st).Round(time.Second)
		if skew > maxSkew || skew < -maxSkew {
			d.add("clock", checkWarn, fmt.Sprintf("this machine's clock is %s off the server's; token expiry follows the server", skew.Abs()), "synchronise the clock (NTP)")
		} else {
			d.ok("clock", "within %s of the server's", maxSkew)
		}
	}
	if t.Env {
		return // nothing is stored for it
	}
	if !apiOK {
		tok = "" // its expiry is not worth a line
	}
	d.checkSession(ctx, in, tok)
	vcsTok := d.checkVCS(ctx, in, apiOK)
	d.checkCopies(ctx, in, vcsTok)
}

// checkSession tries the stored web session, without asking for a
// password, and reads the API token's expiry from the token list.
func (d *doctor) checkSession(ctx context.Context, in rhoderc.Instance, apiToken string) {
	if _, err := d.secrets.Get(ctx, in, secrets.WebSession); errors.Is(err, secrets.ErrNotFound) {
		d.ok("web session", "none stored; the next token command asks for the password")
		return
	} else if err != nil {
		d.add("web session", checkFail, err.Error(), "unlock the keyring")
		return
	}
	wt := &webTarget{Instance: in, apiToken: apiToken}
	ws, err := d.sessions.open(ctx, wt)
	if err == nil {
		var page *client.TokenPage
		if page, err = ws.TokenPage(ctx); err == nil {
			d.ok("web session", "valid")
			if apiToken != "" {
				d.checkExpiry("API token expiry", page.FindToken(ownTokenID(page, wt)), "rhodecode token rotate ID -i "+in.Name)
			}
			return
		}
	}
	if errors.Is(err, client.ErrSessionExpired) {
		d.add("web session", checkWarn, "expired; the next token command asks for the password", "rhodecode token list -i "+in.Name)
		return
	}
	d.add("web session", checkFail, err.Error(), "rhodecode token list -i "+in.Name+" --debug")
}

// checkExpiry warns about a listed token that expires soon.
func (d *doctor) checkExpiry(name string, t *client.AuthToken, fix string) {
	switch {
	case t == nil:
		d.add(name, checkWarn, "the token is not in the token list (created by another account?)", "rhodecode auth status")
	case t.Expires == nil:
		d.ok(name, "never")
	case t.Expired || !t.Expires.After(d.now()):
		d.add(name, checkFail, fmt.Sprintf("token %d expired on %s", t.ID, t.Expires.UTC().Format(time.DateOnly)), strings.Replace(fix, "ID", fmt.Sprint(t.ID), 1))
	case t.Expires.Sub(d.now()) < expiringSoon:
		d.add(name, checkWarn, fmt.Sprintf("token %d expires %s", t.ID, relativeExpiry(t.Expires, d.now())), strings.Replace(fix, "ID", fmt.Sprint(t.ID), 1))
	default:
		d.ok(name, "token %d expires %s", t.ID, relativeExpiry(t.Expires, d.now()))
	}
}
