package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/hgtest"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/internal/svnauth"
)

// TestDoctorCopies: doctor checks hg's and svn's copies of the VCS token
// only where they are set up: OK when current, WARN with the fix when
// stale, missing or not used.
func TestDoctorCopies(t *testing.T) {
	hgtest.Require(t)
	srv, _ := svnServer(t)
	srv.SeedHgRepo("team/hgapp", map[string]string{"README": "hello hg\n"})
	srv.GrantRepo("alice", "team/hgapp", "write")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	e.mustRun("setup-git")
	sec := "instance work"

	// Neither set up: no check.
	rep, _ := runDoctor(t, e)
	for _, name := range []string{"hg set-up", "svn set-up"} {
		if c, ok := rep.status(sec, name); ok {
			t.Errorf("%s without setup: %+v", name, c)
		}
	}

	e.mustRun("setup-hg")
	e.mustRun("setup-svn")
	rep, r := runDoctor(t, e)
	if r.code != 0 {
		t.Fatalf("doctor: %d %s", r.code, r.stdout)
	}
	rep.want(t, sec, "hg set-up", checkOK, "")
	rep.want(t, sec, "svn set-up", checkOK, "")

	// Stale copies: WARN, and the fix is setup-<vcs>.
	if err := os.WriteFile(filepath.Join(e.home, hgTokenRel), []byte("[auth]\nrhodecode_work.password = old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	realm := "<http://" + srv.Host() + "> RhodeCode"
	dir := filepath.Join(e.home, ".subversion")
	if err := svnauth.Write(dir, svnauth.Entry{RealmString: realm, Username: "alice", Password: secret.New("old")}); err != nil {
		t.Fatal(err)
	}
	rep, _ = runDoctor(t, e)
	rep.want(t, sec, "hg set-up", checkWarn, "rhodecode setup-hg -i work")
	rep.want(t, sec, "svn set-up", checkWarn, "rhodecode setup-svn -i work")

	// Missing copies: WARN too.
	if err := os.Remove(filepath.Join(e.home, hgTokenRel)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(svnauth.Path(dir, realm)); err != nil {
		t.Fatal(err)
	}
	rep, _ = runDoctor(t, e)
	rep.want(t, sec, "hg set-up", checkWarn, "rhodecode setup-hg -i work")
	rep.want(t, sec, "svn set-up", checkWarn, "rhodecode setup-svn -i work")

	// The fix fixes it; the text report shows the same.
	e.mustRun("setup-hg")
	e.mustRun("setup-svn")
	rep, _ = runDoctor(t, e)
	rep.want(t, sec, "hg set-up", checkOK, "")
	rep.want(t, sec, "svn set-up", checkOK, "")
	if r := e.mustRun("doctor"); !strings.Contains(r.stdout, "OK    svn set-up: svn uses the current VCS token ("+svnauth.Path(dir, realm)+")") {
		t.Errorf("doctor:\n%s", r.stdout)
	}
}
