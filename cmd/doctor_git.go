package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/gitconfig"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// checkVCS checks the managed VCS token (as git will use it) and git's
// credential helpers for the instance URL. It returns the token it read
// ("" if none), for checkCopies.
func (d *doctor) checkVCS(ctx context.Context, in rhoderc.Instance, apiOK bool) (tok string) {
	setup := "rhodecode setup-git -i " + in.Name
	helpers, herr := d.git.Helpers(ctx, in.URL)
	ours := -1
	for i, h := range helpers {
		if _, ok := gitconfig.HelperPath(h.Value); ok {
			ours = i
			break
		}
	}

	var exp int64
	var err error
	tok, exp, err = managedVCSToken(ctx, d.secrets, in)
	switch {
	case errors.Is(err, errNoVCSToken) && in.VCSTokenRejected:
		d.add("VCS token", checkFail, "git reported it rejected (revoked, expired, or the auth-token plugin is off)", setup)
	case errors.Is(err, errNoVCSToken) && ours >= 0:
		d.add("VCS token", checkFail, "git asks rhodecode for "+in.URL+" but there is no VCS token", setup)
	case errors.Is(err, errNoVCSToken):
		d.ok("VCS token", "none; git is not set up for this instance (%s)", setup)
	case err != nil:
		d.add("VCS token", checkFail, err.Error(), "unlock the keyring")
	case exp > 0 && exp <= d.now().Unix():
		d.add("VCS token", checkFail, "expired on "+time.Unix(exp, 0).UTC().Format(time.DateOnly), setup)
	case !apiOK:
		// Without the API no repository can be found to try it on.
		d.add("VCS token", checkWarn, "not checked: the API token does not work", "fix the API token first")
	default:
		verified := verifyVCSToken(ctx, d.deps, in, tok, false, "git")
		status, fix := checkOK, ""
		switch {
		case strings.HasPrefix(verified, "skipped"):
			status = checkWarn
		case !strings.HasPrefix(verified, "ok"):
			status, fix = checkFail, setup
		}
		when := "never expires"
		if exp > 0 {
			t := time.Unix(exp, 0)
			when = "expires " + relativeExpiry(&t, d.now())
			if status == checkOK && t.Sub(d.now()) < expiringSoon {
				status, fix = checkWarn, "rhodecode token rotate "+fmt.Sprint(in.VCSTokenID)+" -i "+in.Name+" --lifetime 90d"
			}
		}
		d.add("VCS token", status, fmt.Sprintf("over git's protocol: %s; %s", verified, when), fix)
	}

	switch {
	case herr != nil:
		d.add("git helpers", checkWarn, herr.Error(), "check that git is installed")
		return
	case ours < 0:
		if tok != "" {
			d.add("git helpers", checkWarn, "git does not ask rhodecode for "+in.URL, setup)
		}
		return
	case ours > 0:
		d.add("git helpers", checkWarn, fmt.Sprintf("git asks %q (%s) before rhodecode for %s", helpers[0].Value, helpers[0].Origin, in.URL), setup+" (it writes an empty helper first, which clears the ones before it)")
	default:
		d.ok("git helpers", "rhodecode answers first for %s (%s)", in.URL, helpers[ours].Origin)
	}
	d.checkHelperBinary(ctx, helpers[ours].Value, setup)
	if baseurl.HasPath(in.URL) {
		v, _ := d.git.Git(ctx, "config", "credential."+in.URL+".useHttpPath")
		if strings.TrimSpace(v) != "true" {
			d.add("useHttpPath", checkFail, in.URL+" has a path, and git does not send paths to the helper", setup)
		} else {
			d.ok("useHttpPath", "true")
		}
	}
	return tok
}

// checkHelperBinary checks that the program git runs exists and is this
// version of rhodecode.
func (d *doctor) checkHelperBinary(ctx context.Context, value, setup string) {
	path, _ := gitconfig.HelperPath(value)
	fi, err := os.Stat(path)
	if err != nil {
		d.add("helper program", checkFail, "git runs "+path+", which does not exist", setup)
		return
	}
	if exe, err := d.exe(); err == nil {
		if self, err := os.Stat(exe); err == nil && os.SameFile(fi, self) {
			d.ok("helper program", "%s (this program)", path)
			return
		}
		if h, err := os.Stat(helperProgram(exe, d.getenv("PATH"))); err == nil && os.SameFile(fi, h) {
			d.ok("helper program", "%s (installed with this program)", path)
			return
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second) // a hung program is an answer too
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "version", "--json").Output()
	var v struct{ Version string }
	if err != nil || json.Unmarshal(out, &v) != nil {
		d.add("helper program", checkWarn, "git runs "+path+", which does not answer as rhodecode", setup)
		return
	}
	if mine := resolveBuild(d.build).Version; v.Version != mine {
		d.add("helper program", checkWarn, fmt.Sprintf("git runs %s, rhodecode %s; this is %s", path, v.Version, mine), setup)
		return
	}
	d.ok("helper program", "%s (rhodecode %s)", path, v.Version)
}
