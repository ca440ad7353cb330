package cmd

import (
	"os"
	"path/filepath"
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
