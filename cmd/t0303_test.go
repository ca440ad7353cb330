package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred/gitcredtest"
)

// TestT0303 runs git's own conformance test for storage helpers,
// t/t0303-credential-external.sh, against `rhodecode credential-helper`,
// with file storage always and with the real keyring when
// RHODECODE_TEST_KEYRING=1.
func TestT0303(t *testing.T) {
	for _, storage := range []string{"file", "keyring"} {
		t.Run(storage, func(t *testing.T) {
			if storage == "keyring" && os.Getenv("RHODECODE_TEST_KEYRING") != "1" {
				t.Skip("set RHODECODE_TEST_KEYRING=1 with a Secret Service running (.ci/keyring.sh)")
			}
			// lib-credential.sh passes the helper as one unquoted word.
			wrapper := filepath.Join(t.TempDir(), "rhodecode-helper")
			script := "#!/bin/sh\nexec " + shellQuote(testBinary(t)) + " credential-helper --storage " + storage + " \"$@\"\n"
			if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			// The harness makes its trash directory HOME; an empty RHODERC
			// keeps the config (none) there too.
			gitcredtest.RunT0303(t, wrapper, []string{"RHODERC=", "RHODECODE_USERNAME=", "RHODECODE_VCS_TOKEN=", "RHODECODE_HOST=", "GORACE=atexit_sleep_ms=0"})
		})
	}
}
