package rhoderc

import (
	"os"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/tomlcodec"
)

// The rhodecode command installs the TOML library; these tests read and
// write TOML as it does. (git-credential-rhodecode's tests cover the
// program without it.)
func TestMain(m *testing.M) {
	UseTOMLLibrary(tomlcodec.Library{})
	os.Exit(m.Run())
}
