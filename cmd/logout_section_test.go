package cmd

import (
	"os"
	"strings"
	"testing"
)

// auth logout --remove-section drops rhodecode-tools' whole INI section;
// --all, its old name, still does and says it was renamed (setup-git's
// --all means every instance).
func TestLogoutRemoveSection(t *testing.T) {
	ini := "[instance:legacy]\napi_host = http://127.0.0.1:1\napi_key = 91fdbdc257289c46633ef5aab274412911de1ba9\nrepo_dir = /home/brian/repos\n\n[instance:other]\napi_host = https://code.example.com\napi_key = 5a925f65438d29f8d6ced8ab8e8c3d305998d1d9\n"
	for _, tc := range []struct {
		flag        string
		sectionGone bool
		notice      bool
	}{
		{"", false, false},
		{"--remove-section", true, false},
		{"--all", true, true},
	} {
		t.Run("logout "+tc.flag, func(t *testing.T) {
			e := newTestEnv(t)
			if err := os.WriteFile(e.config, []byte(ini), 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"auth", "logout", "legacy"}
			if tc.flag != "" {
				args = append(args, tc.flag)
			}
			r := e.mustRun(args...)
			b, _ := os.ReadFile(e.config)
			if got := !strings.Contains(string(b), "[instance:legacy]"); got != tc.sectionGone {
				t.Errorf("section removed = %v, want %v:\n%s", got, tc.sectionGone, b)
			}
			if !strings.Contains(string(b), "[instance:other]") {
				t.Errorf("the other instance went too:\n%s", b)
			}
			notice := strings.Contains(r.stderr, "auth logout --all is now --remove-section")
			if notice != tc.notice {
				t.Errorf("rename notice = %v, want %v; stderr %q", notice, tc.notice, r.stderr)
			}
		})
	}
	// The old name stays out of the help.
	e := newTestEnv(t)
	if r := e.mustRun("auth", "logout", "--help"); strings.Contains(r.stdout, "      --all ") || !strings.Contains(r.stdout, "      --remove-section ") {
		t.Errorf("help:\n%s", r.stdout)
	}
}
