package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

type doctorReport struct {
	OK     bool    `json:"ok"`
	Checks []check `json:"checks"`
}

func runDoctor(t *testing.T, e *testEnv, args ...string) (doctorReport, result) {
	t.Helper()
	r := e.run(append([]string{"doctor", "--json"}, args...)...)
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return rep, r
}

// status finds a check's outcome, "" when the report lacks it.
func (r doctorReport) status(section, name string) (check, bool) {
	for _, c := range r.Checks {
		if c.Section == section && c.Name == name {
			return c, true
		}
	}
	return check{}, false
}

func (r doctorReport) want(t *testing.T, section, name, status, fixHas string) {
	t.Helper()
	c, ok := r.status(section, name)
	if !ok {
		t.Errorf("no check %s/%s in %+v", section, name, r.Checks)
		return
	}
	if c.Status != status || !strings.Contains(c.Fix, fixHas) {
		t.Errorf("%s/%s = %s %q (fix %q), want %s with a fix naming %q", section, name, c.Status, c.Detail, c.Fix, status, fixHas)
	}
}

func TestDoctorHealthy(t *testing.T) {
	for _, storage := range []string{"file", "keyring"} {
		t.Run(storage, func(t *testing.T) {
			srv := gitServer(t, fakerc.WithClock(func() time.Time { return testNow }))
			e := newTestEnv(t)
			passwordLoginEnv(t, e, srv, "--storage", storage)
			e.mustRun("setup-git")
			rep, r := runDoctor(t, e)
			if r.code != 0 || !rep.OK {
				t.Fatalf("exit %d, report %+v\n%s", r.code, rep.Checks, r.stderr)
			}
			for _, c := range rep.Checks {
				if c.Status != checkOK {
					t.Errorf("%s/%s: %s %s", c.Section, c.Name, c.Status, c.Detail)
				}
			}
			rep.want(t, "instance work", "VCS token", checkOK, "")
			rep.want(t, "instance work", "git helpers", checkOK, "")
			rep.want(t, "instance work", "helper program", checkOK, "")
			rep.want(t, "instance work", "web session", checkOK, "")
			// Nothing secret in either form.
			human := e.mustRun("doctor")
			for _, out := range []string{r.stdout, r.stderr, human.stdout, human.stderr} {
				for _, tk := range srv.Tokens("alice") {
					if strings.Contains(out, tk.Secret) {
						t.Errorf("token %d printed:\n%s", tk.ID, out)
					}
				}
				if strings.Contains(out, "wonderland") || strings.Contains(out, "rhodecode=") {
					t.Errorf("password or session cookie printed:\n%s", out)
				}
			}
			if !strings.Contains(human.stdout, "Instance work\n") || !strings.Contains(human.stdout, "  OK    API token: accepted") {
				t.Errorf("report for a person:\n%s", human.stdout)
			}
		})
	}
}

func TestDoctorFindsProblems(t *testing.T) {
	srv := gitServer(t, fakerc.WithClock(func() time.Time { return testNow.Add(time.Hour) }))
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	e.mustRun("setup-git")

	// A world-readable file with tokens, a temporary file a killed write
	// left, the API token revoked, the VCS token rejected by git.
	if runtime.GOOS != "windows" {
		if err := os.Chmod(e.config, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(filepath.Dir(e.config), "..rhoderc.123.tmp")
	if err := os.WriteFile(stale, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	in, _ := readConfig(t, e).Instance("work")
	srv.RevokeToken(in.VCSTokenID)

	rep, r := runDoctor(t, e)
	if r.code != ExitError || rep.OK {
		t.Fatalf("exit %d, ok %v, want 1 and false", r.code, rep.OK)
	}
	if runtime.GOOS != "windows" {
		rep.want(t, "config file", "mode", checkFail, "chmod 600 "+e.config)
	}
	rep.want(t, "config file", "temporary files", checkWarn, stale)
	rep.want(t, "instance work", "clock", checkWarn, "synchronise")
	rep.want(t, "instance work", "API token", checkOK, "")
	rep.want(t, "instance work", "VCS token", checkFail, "rhodecode setup-git -i work")

	srv.RevokeToken(in.TokenID)
	rep, _ = runDoctor(t, e)
	rep.want(t, "instance work", "API token", checkFail, "rhodecode auth login -i work")
	if _, ok := rep.status("instance work", "API token expiry"); ok {
		t.Error("the expiry of a rejected API token was checked")
	}

	// The human form says the same, with the fixes.
	human := e.run("doctor")
	for _, want := range []string{"FAIL  API token:", "fix: rhodecode auth login -i work", "FAIL  mode: "} {
		if !strings.Contains(human.stdout, want) {
			t.Errorf("missing %q in\n%s", want, human.stdout)
		}
	}
}

func TestDoctorUnreachableAndLockedKeyring(t *testing.T) {
	srv := gitServer(t)
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv) // keyring storage
	srv.Close()
	mem := e.secrets.(*keyringtest.Mem)
	mem.Err = errKeyringLocked
	rep, r := runDoctor(t, e, "-i", "work")
	if r.code != ExitError {
		t.Fatalf("exit %d", r.code)
	}
	rep.want(t, "keyring", "round trip", checkFail, "unlock the keyring")
	rep.want(t, "instance work", "API token", checkFail, "rhodecode auth login -i work")

	mem.Err = nil
	rep, _ = runDoctor(t, e, "-i", "work")
	rep.want(t, "instance work", "server", checkFail, "check the URL")
	if _, ok := rep.status("instance work", "VCS token"); ok {
		t.Error("checks that need the server ran against an unreachable one")
	}

}

func TestDoctorGitShadowedAndMissingBinary(t *testing.T) {
	srv := gitServer(t, fakerc.WithPathPrefix("/rc"))
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv, "--storage", "file")
	e.mustRun("setup-git")
	base := readConfigURL(t, e)
	// Another helper after our reset, before ours; useHttpPath removed.
	if out, err := e.git(e.home, "config", "--global", "--unset-all", "credential."+base+".helper"); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	for _, v := range []string{"", "store", "!'/nonexistent/rhodecode' credential-helper"} {
		if out, err := e.git(e.home, "config", "--global", "--add", "credential."+base+".helper", v); err != nil {
			t.Fatalf("%v %s", err, out)
		}
	}
	if out, err := e.git(e.home, "config", "--global", "--unset", "credential."+base+".useHttpPath"); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	rep, _ := runDoctor(t, e)
	rep.want(t, "instance work", "git helpers", checkWarn, "setup-git -i work")
	rep.want(t, "instance work", "helper program", checkFail, "setup-git -i work")
	rep.want(t, "instance work", "useHttpPath", checkFail, "setup-git -i work")
}

func readConfigURL(t *testing.T, e *testEnv) string {
	t.Helper()
	in, _ := readConfig(t, e).Instance("work")
	return in.URL
}
