package cmd

import (
	"strings"
	"testing"
	"time"
)

// A lifetime a space split in two gets a usage error that says how to
// quote it, before anything is asked or sent.
func TestLifetimeSplitBySpace(t *testing.T) {
	e := newTestEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--role", "vcs", "--lifetime", "3", "weeks"}, `--lifetime 3 weeks is two words; quote it (--lifetime "3 weeks") or write 3w`},
		{[]string{"token", "rotate", "12", "--lifetime", "2", "days"}, `--lifetime 2 days is two words; quote it (--lifetime "2 days") or write 2d`},
		{[]string{"setup-git", "--lifetime", "1", "Week"}, `--lifetime 1 Week is two words; quote it (--lifetime "1 Week") or write 1W`},
		{[]string{"setup-hg", "--lifetime", "3", "weeks"}, `--lifetime 3 weeks is two words; quote it (--lifetime "3 weeks") or write 3w`},
		{[]string{"auth", "setup-svn", "--lifetime", "3", "weeks"}, `--lifetime 3 weeks is two words; quote it (--lifetime "3 weeks") or write 3w`},
		{[]string{"auth", "login", "--url", "http://127.0.0.1:1", "--username", "a", "--lifetime", "90", "minutes"}, `--lifetime 90 minutes is two words; quote it (--lifetime "90 minutes") or write 90m`},
		{[]string{"token", "create", "--role", "vcs", "--lifetime", "3"}, `lifetime "3" has no unit: write 3d for days, or 3w for weeks`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := e.run(tc.args...)
			if first, _, _ := strings.Cut(r.stderr, "\n"); r.code != 2 || first != "rhodecode: "+tc.want {
				t.Errorf("exit %d, stderr %q\nwant rhodecode: %s", r.code, r.stderr, tc.want)
			}
		})
	}
}

// Weeks reach the server as minutes, written either way.
func TestTokenCreateWeeks(t *testing.T) {
	srv := fakeTokenServer(t, "4.27.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	for _, lifetime := range []string{"4w", "4 weeks"} {
		e.mustRun("token", "create", "--role", "feed", "--lifetime", lifetime)
		tokens := srv.Tokens("alice")
		got := tokens[len(tokens)-1].Expires
		if want := float64(testNow.Add(28 * 24 * time.Hour).Unix()); got != want {
			t.Errorf("--lifetime %q: expires %v, want %v", lifetime, got, want)
		}
	}
}
