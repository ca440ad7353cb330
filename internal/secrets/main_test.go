package secrets

import (
	"os"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/tomlcodec"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// The rhodecode command installs the TOML library (main.go); these tests
// write TOML config files as it does.
func TestMain(m *testing.M) {
	rhoderc.UseTOMLLibrary(tomlcodec.Library{})
	os.Exit(m.Run())
}
