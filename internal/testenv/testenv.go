// Package testenv says whether a test run must have a real part (a
// keyring, hg, svn and Apache). Locally a test whose part is missing
// skips and says what to install; in CI it fails, so that a missing
// install step cannot pass as green. CI is .ci/run, which sets the
// part's variable to 1, or any CI system, which sets CI=true.
package testenv

import "os"

// Variables .ci/run sets to 1.
const (
	Keyring = "RHODECODE_TEST_KEYRING" // a real Secret Service on D-Bus
	Hg      = "RHODECODE_TEST_HG"      // the hg client (and mercurial_keyring)
	SVN     = "RHODECODE_TEST_SVN"     // svn, svnadmin, Apache with mod_dav_svn
)

// Required reports whether the part named by variable must be there:
// the variable is 1, or CI is true.
func Required(variable string) bool {
	return os.Getenv(variable) == "1" || os.Getenv("CI") == "true"
}
