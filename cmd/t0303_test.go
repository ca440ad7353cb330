package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred/gitcredtest"
	"github.com/rhodecode-cli/rhodecode/internal/testenv"
)

// TestT0303 runs git's own conformance test for storage helpers,
// t/t0303-credential-external.sh, against `rhodecode credential-helper`
// and git-credential-rhodecode, with file storage always and with the real
// keyring when RHODECODE_TEST_KEYRING=1.
func TestT0303(t *testing.T) {
	for _, tc := range []struct{ name, prog, sub string }{
		{"file", "rhodecode", " credential-helper"}, {"keyring", "rhodecode", " credential-helper"},
		{"small/file", "git-credential-rhodecode", ""}, {"small/keyring", "git-credential-rhodecode", ""},
	} {
		storage := filepath.Base(tc.name)
		t.Run(tc.name, func(t *testing.T) {
			if storage == "keyring" && !testenv.Required(testenv.Keyring) {
				t.Skip("set RHODECODE_TEST_KEYRING=1 with a Secret Service running (.ci/keyring.sh)")
			}
			// lib-credential.sh passes the helper as one unquoted word.
			wrapper := filepath.Join(t.TempDir(), "rhodecode-helper")
			prog := filepath.Join(filepath.Dir(testBinary(t)), tc.prog)
			script := "#!/bin/sh\nexec " + shellQuote(prog) + tc.sub + " --storage " + storage + " \"$@\"\n"
			if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			// The harness makes its trash directory HOME; an empty RHODERC
			// keeps the config (none) there too.
			gitcredtest.RunT0303(t, wrapper, []string{"RHODERC=", "RHODECODE_USERNAME=", "RHODECODE_VCS_TOKEN=", "RHODECODE_HOST=", "GORACE=atexit_sleep_ms=0"})
		})
	}
}
