package rhoderc

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestUpdateDanglingSymlink: a ~/.rhoderc link whose target does not exist
// yet (a fresh dotfiles checkout) is written through: the target is
// created and the link stays a link.
func TestUpdateDanglingSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	tests := []struct {
		name   string
		target func(home, dotfiles string) string // what the link says
	}{
		{"absolute", func(home, dotfiles string) string { return filepath.Join(dotfiles, "rhoderc") }},
		{"relative", func(home, dotfiles string) string { return filepath.Join("dotfiles", "rhoderc") }},
		{"relative with ..", func(home, dotfiles string) string {
			return filepath.Join("..", filepath.Base(home), "dotfiles", "rhoderc")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			dotfiles := filepath.Join(home, "dotfiles")
			if err := os.Mkdir(dotfiles, 0o700); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(home, ".rhoderc")
			if err := os.Symlink(tc.target(home, dotfiles), link); err != nil {
				t.Fatal(err)
			}
			// The file is named through a symlinked directory elsewhere,
			// so a ".." in the link target must be taken from the real
			// directory, as the kernel does, not lexically.
			via := filepath.Join(t.TempDir(), "home")
			if err := os.Symlink(home, via); err != nil {
				t.Fatal(err)
			}
			if err := Update(context.Background(), filepath.Join(via, ".rhoderc"), func(f *File) error {
				f.SetInstance(Instance{Name: "x", URL: "https://x"})
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("link replaced by a regular file (%v)", err)
			}
			got := string(readFile(t, filepath.Join(dotfiles, "rhoderc")))
			if !strings.Contains(got, "https://x") {
				t.Errorf("target = %q", got)
			}
			f, err := Load(link)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := f.Instance("x"); !ok {
				t.Error("instance x not read back through the link")
			}
			entries, _ := os.ReadDir(home)
			for _, e := range entries {
				if e.Name() != ".rhoderc" && e.Name() != ".rhoderc.lock" && e.Name() != "dotfiles" {
					t.Errorf("unexpected file %s in home", e.Name())
				}
			}
		})
	}
}

// TestSymlinkTargetDirMissing: a link into a directory that does not
// exist (an unmounted or not yet cloned dotfiles directory) is an error
// for Load and Update that names both, and nothing is replaced.
func TestSymlinkTargetDirMissing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	home := t.TempDir()
	target := filepath.Join(home, "dotfiles", "rhoderc")
	link := filepath.Join(home, ".rhoderc")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(link); err == nil || !strings.Contains(err.Error(), link) || !strings.Contains(err.Error(), target) {
		t.Errorf("Load err = %v, want an error naming link and target", err)
	}
	called := false
	err := Update(context.Background(), link, func(f *File) error {
		called = true
		f.SetInstance(Instance{Name: "x", URL: "https://x"})
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), link) || !strings.Contains(err.Error(), target) {
		t.Errorf("Update err = %v, want an error naming link and target", err)
	}
	if called {
		t.Error("fn was called")
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("link replaced (%v)", err)
	}
	if got, _ := os.Readlink(link); got != target {
		t.Errorf("link now points to %q", got)
	}
}

// TestUpdateSymlinkLoop: a link loop is an error, not a file in its place.
func TestUpdateSymlinkLoop(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, ".rhoderc"), filepath.Join(dir, "other")
	if err := os.Symlink(b, a); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, b); err != nil {
		t.Fatal(err)
	}
	err := Update(context.Background(), a, func(f *File) error {
		f.SetInstance(Instance{Name: "x", URL: "https://x"})
		return nil
	})
	if err == nil {
		t.Error("Update through a link loop succeeded")
	}
	for _, p := range []string{a, b} {
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s replaced (%v)", p, err)
		}
	}
}
