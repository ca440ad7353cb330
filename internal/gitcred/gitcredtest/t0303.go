// Package gitcredtest helps test git credential helpers: it runs git's own
// helper conformance test t0303 (vendored in ../testdata/git-t0303) against
// any helper command, and provides fakes of gitcred.Secrets.
//
// It is meant for tests only, but lives in a normal package so that the
// tests of other packages (cmd, for the real binary) can use it.
package gitcredtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// T0303Tests is how many tests the vendored t0303 (git v2.39.5) runs without
// GIT_TEST_CREDENTIAL_HELPER_TIMEOUT. Fewer means the script stopped early.
const T0303Tests = 12

// T0303Dir returns the directory with run.sh and the vendored scripts:
// $GITCRED_T0303_DIR if set, else the one next to this package's source.
func T0303Dir() (string, error) {
	if d := os.Getenv("GITCRED_T0303_DIR"); d != "" {
		return d, nil
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("gitcredtest: cannot locate the package source; set GITCRED_T0303_DIR")
	}
	d := filepath.Join(filepath.Dir(file), "..", "testdata", "git-t0303")
	if _, err := os.Stat(filepath.Join(d, "run.sh")); err != nil {
		return "", fmt.Errorf("gitcredtest: %w (set GITCRED_T0303_DIR)", err)
	}
	return d, nil
}

// TAPTest is one test result of a t0303 run.
type TAPTest struct {
	Num    int
	Name   string
	OK     bool
	Detail string // the "#" lines after a failure: body and output
}

// T0303Result is the outcome of one t0303 run.
type T0303Result struct {
	Tests    []TAPTest
	Planned  int    // from the "1..N" line; -1 if there was none
	Skip     string // reason, if the script skipped everything
	ExitCode int
	Output   string // all of stdout and stderr
}

// Failed returns the tests that did not pass.
func (r *T0303Result) Failed() []TAPTest {
	var f []TAPTest
	for _, t := range r.Tests {
		if !t.OK {
			f = append(f, t)
		}
	}
	return f
}

// Passed reports whether the run completed every planned test (at least
// T0303Tests) and all passed.
func (r *T0303Result) Passed() bool {
	return r.ExitCode == 0 && r.Skip == "" && r.Planned == len(r.Tests) &&
		len(r.Tests) >= T0303Tests && len(r.Failed()) == 0
}

// CheckHelperCmd rejects helper commands that lib-credential.sh cannot pass
// through intact: it expands the helper unquoted and wraps it in '...'.
func CheckHelperCmd(helperCmd string) error {
	if helperCmd == "" || strings.ContainsAny(helperCmd, " \t\n'") {
		return fmt.Errorf("gitcredtest: helper command %q must be one word without quotes; wrap a command with arguments in a script", helperCmd)
	}
	return nil
}

// Run runs t0303 against helperCmd (a credential.helper value: a name X for
// git-credential-X, or an absolute path) in the empty or missing directory
// trash, which becomes $HOME. env is added to the environment; the harness
// drops GIT_* variables other than GIT_EXEC_PATH and GIT_TRACE*. A test
// failure is reported in the result, not as an error.
func Run(ctx context.Context, helperCmd string, env []string, trash string) (*T0303Result, error) {
	if err := CheckHelperCmd(helperCmd); err != nil {
		return nil, err
	}
	dir, err := T0303Dir()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "/bin/sh", filepath.Join(dir, "run.sh"))
	cmd.Env = append(append(os.Environ(), env...),
		"GIT_TEST_CREDENTIAL_HELPER="+helperCmd,
		"TRASH_DIRECTORY="+trash)
	out, err := cmd.CombinedOutput()
	res := parseTAP(string(out))
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && ctx.Err() == nil:
		res.ExitCode = ee.ExitCode()
	case err != nil:
		return res, fmt.Errorf("gitcredtest: running t0303: %w\n%s", err, out)
	}
	return res, nil
}

var (
	tapResult = regexp.MustCompile(`^(ok|not ok) (\d+)(?: - (.*)| # (?i:skip) (.*))$`)
	tapPlan   = regexp.MustCompile(`^1\.\.(\d+)(?: # SKIP (.*))?$`)
)

func parseTAP(out string) *T0303Result {
	res := &T0303Result{Planned: -1, Output: out}
	var cur *TAPTest
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := tapResult.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[2])
			res.Tests = append(res.Tests, TAPTest{Num: n, Name: m[3] + m[4], OK: m[1] == "ok"})
			cur = &res.Tests[len(res.Tests)-1]
			continue
		}
		if m := tapPlan.FindStringSubmatch(line); m != nil {
			res.Planned, _ = strconv.Atoi(m[1])
			res.Skip = m[2]
			cur = nil
			continue
		}
		if cur != nil && !cur.OK && strings.HasPrefix(line, "#") {
			cur.Detail += line + "\n"
		}
	}
	return res
}

// RunT0303 runs git's t0303 against helperCmd (see Run) in a fresh
// directory and reports each of its tests as a subtest of t. A skipped or
// truncated run fails t. It skips t if git or /bin/sh is missing.
//
// helperCmd must be one word (CheckHelperCmd): to test, say,
// "rhodecode credential-helper", write a script that execs it with "$@"
// and pass the script's absolute path; configure it through env.
func RunT0303(t *testing.T, helperCmd string, env []string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("/bin/sh is missing")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	res, err := Run(ctx, helperCmd, env, filepath.Join(t.TempDir(), "trash"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Skip != "" {
		t.Fatalf("t0303 skipped everything (%s):\n%s", res.Skip, res.Output)
	}
	for _, tt := range res.Tests {
		t.Run(shortName(tt.Name), func(t *testing.T) {
			if !tt.OK {
				t.Errorf("t0303 test %d %q failed:\n%s", tt.Num, tt.Name, tt.Detail)
			}
		})
	}
	if len(res.Tests) < T0303Tests || res.Planned != len(res.Tests) {
		t.Errorf("t0303 ran %d tests (plan %d, want %d):\n%s", len(res.Tests), res.Planned, T0303Tests, res.Output)
	}
	if res.ExitCode != 0 && len(res.Failed()) == 0 {
		t.Errorf("t0303 exited with %d:\n%s", res.ExitCode, res.Output)
	}
}

// shortName drops the "helper (<command>) " prefix, which repeats a temp path.
func shortName(name string) string {
	if rest, ok := strings.CutPrefix(name, "helper ("); ok {
		if i := strings.Index(rest, ") "); i >= 0 {
			return rest[i+2:]
		}
	}
	return name
}
