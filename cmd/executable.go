package cmd

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/gitconfig"
)

// executable is the path of this binary for git config. Package managers
// install into versioned directories (Homebrew's
// /opt/homebrew/Cellar/rhodecode/1.2.0/bin/rhodecode) and put a stable
// link on PATH (/opt/homebrew/bin/rhodecode); the versioned path is gone
// after an upgrade. So the first PATH entry that is this very file wins;
// otherwise the resolved absolute path.
func executable(pathEnv string) (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", err
	}
	return preferOnPath(resolved, []string{filepath.Base(p), filepath.Base(resolved)}, pathEnv), nil
}

// preferOnPath returns the first absolute PATH entry dir/name (for the
// names given) that is the same file as exe, or exe. Relative PATH
// entries are skipped: git runs the helper from other directories.
func preferOnPath(exe string, names []string, pathEnv string) string {
	want, err := os.Stat(exe)
	if err != nil {
		return exe
	}
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		for _, name := range names {
			cand := filepath.Join(dir, name)
			if fi, err := os.Stat(cand); err == nil && fi.Mode().IsRegular() && os.SameFile(fi, want) {
				return cand
			}
		}
	}
	return exe
}

// helperProgram is what setup-git makes git run for exe (this binary, as
// executable found it): git-credential-rhodecode when it is installed
// beside exe (go install, the release archives and package managers put
// the two together), named through PATH like exe; else exe itself, whose
// credential-helper answers the same way, only slower to start.
func helperProgram(exe, pathEnv string) string {
	resolved, err := filepath.EvalSymlinks(exe)
	if err != nil {
		return exe
	}
	name := gitconfig.HelperProgram
	if strings.HasSuffix(resolved, ".exe") {
		name += ".exe"
	}
	h := filepath.Join(filepath.Dir(resolved), name)
	if fi, err := os.Stat(h); err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 && !strings.HasSuffix(name, ".exe") {
		return exe
	}
	p := preferOnPath(h, []string{name}, pathEnv)
	if p == h && resolved != filepath.Clean(exe) {
		// exe is a stable link (say /opt/homebrew/bin/rhodecode) but no
		// such link names the helper: its versioned path would be gone
		// after an upgrade, exe's link stays.
		return exe
	}
	return p
}
