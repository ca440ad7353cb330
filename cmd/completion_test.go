package cmd

import (
	"path/filepath"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/golden"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
)

// TestCompletionsUpToDate fails when the scripts committed under
// completions/ differ from what the command tree generates now. Regenerate
// with: go test ./cmd -run TestCompletionsUpToDate -update
func TestCompletionsUpToDate(t *testing.T) {
	for _, shell := range []struct{ name, file string }{
		{"bash", "rhodecode.bash"},
		{"zsh", "_rhodecode"},
		{"fish", "rhodecode.fish"},
		{"powershell", "rhodecode.ps1"},
	} {
		t.Run(shell.name, func(t *testing.T) {
			io, _, out, errOut := iostreams.Test()
			f := &Factory{IO: io, Getenv: func(string) string { return "" }, HomeDir: func() (string, error) { return t.TempDir(), nil }}
			if code := Main(t.Context(), []string{"completion", shell.name}, f); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			path := filepath.Join("..", "completions", shell.file)
			golden.AssertFile(t, path, out.Bytes())
		})
	}
}
