package cmd

import (
	"strings"
	"testing"
)

// CI mode needs RHODECODE_HOST: without it the token would go to whatever
// host git asks about, evil.example included. The helper answers nothing
// and says once why.
func TestHelperCIModeNeedsHost(t *testing.T) {
	const token = "CITOKEN0123456789abcdef0123456789abcdef"
	e := newTestEnv(t)
	e.env["RHODECODE_USERNAME"] = "ci-bot"
	e.env["RHODECODE_VCS_TOKEN"] = token
	for _, req := range []string{
		"protocol=https\nhost=evil.example\n\n",
		"protocol=https\nhost=evil.example\nusername=ci-bot\n\n",
		"protocol=http\nhost=code.example.com\npath=team/app.git\n\n",
	} {
		// --storage file: no keyring here to complain about.
		out, errOut, code := e.helper(req, "--storage", "file", "get")
		if out != "" || code != 0 {
			t.Errorf("get %q without RHODECODE_HOST: exit %d stdout %q, want nothing", req, code, out)
		}
		if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "RHODECODE_HOST") || strings.Contains(errOut, token) {
			t.Errorf("get %q: stderr %q, want one line naming RHODECODE_HOST", req, errOut)
		}
	}
}
