package rhoderc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestUpdateBrokenFileUntouched(t *testing.T) {
	tests := []struct {
		name, content string
		line          int
	}{
		{"ini", "[instance:a]\napi_host = h\n\nnot a key\n", 4},
		{"toml", "default = \"a\"\n[instances.a]\nurl = https://x\n", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".rhoderc")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			called := false
			err := Update(context.Background(), path, func(f *File) error {
				called = true
				f.SetInstance(Instance{Name: "b", URL: "u"})
				return nil
			})
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tc.line || pe.Path != path {
				t.Fatalf("err = %#v, want *ParseError at line %d", err, tc.line)
			}
			if want := fmt.Sprintf("%s:%d: ", path, tc.line); !strings.HasPrefix(err.Error(), want) ||
				!strings.HasSuffix(err.Error(), "; fix or move the file, it was not changed") {
				t.Errorf("message = %q", err.Error())
			}
			if called {
				t.Error("fn was called for a broken file")
			}
			if got := string(readFile(t, path)); got != tc.content {
				t.Errorf("content changed to %q", got)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.ModTime().Equal(old) {
				t.Errorf("mtime changed: %v, want %v", fi.ModTime(), old)
			}
		})
	}
}

func TestUpdateDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".rhoderc")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	err := Update(context.Background(), path, func(f *File) error {
		t.Error("fn called")
		return nil
	})
	if !errors.Is(err, ErrIsDirectory) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want ErrIsDirectory naming the path", err)
	}
	if _, err := Load(path); !errors.Is(err, ErrIsDirectory) {
		t.Errorf("Load err = %v, want ErrIsDirectory", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != ".rhoderc" {
		t.Errorf("directory contents changed: %v", entries)
	}
	if sub, _ := os.ReadDir(path); len(sub) != 0 {
		t.Errorf("something was created inside %s: %v", path, sub)
	}
}

func TestUpdateMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	tests := []struct {
		name     string
		existing string // "" means no file
		mode     os.FileMode
	}{
		{name: "new file"},
		{name: "0644 toml", existing: "[instances.x]\nurl = \"u\"\n", mode: 0o644},
		{name: "0644 ini", existing: "[instance:x]\napi_host = u\n", mode: 0o644},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".rhoderc")
			if tc.existing != "" {
				if err := os.WriteFile(path, []byte(tc.existing), tc.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.mode); err != nil {
					t.Fatal(err)
				}
			}
			err := Update(context.Background(), path, func(f *File) error {
				f.SetInstance(Instance{Name: "y", URL: "https://y", Storage: StorageFile, Token: "t"})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + ".lock"} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o600 {
					t.Errorf("%s mode = %v, want 0600", filepath.Base(p), fi.Mode().Perm())
				}
			}
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if in, ok := f.Instance("y"); !ok || in.Token != "t" {
				t.Errorf("instance y = %+v, %v", in, ok)
			}
		})
	}
}

func TestUpdateNoChangeNoWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".rhoderc")
	// fn errors and no-op changes leave a missing file missing.
	wantErr := errors.New("boom")
	if err := Update(context.Background(), path, func(f *File) error {
		f.SetDefault("x")
		return wantErr
	}); !errors.Is(err, wantErr) {
		t.Fatalf("err = %v", err)
	}
	if err := Update(context.Background(), path, func(f *File) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file created without a change: %v", err)
	}
	// A TOML file with comments is not rewritten (and its comments not
	// lost) by an update that changes nothing.
	content := "# keep me\n[instances.x]\nurl = \"u\"\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Update(context.Background(), path, func(f *File) error {
		in, _ := f.Instance("x")
		f.SetInstance(in)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := string(readFile(t, path)); got != content {
		t.Errorf("file rewritten: %q", got)
	}
}

func TestUpdateFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles-rhoderc")
	if err := os.WriteFile(target, []byte("[instance:x]\napi_host = u\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, ".rhoderc")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Update(context.Background(), link, func(f *File) error {
		f.SetDefault("x")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("symlink replaced: %v", err)
	}
	if got := string(readFile(t, target)); !strings.Contains(got, "default_instance = x") {
		t.Errorf("target not updated: %q", got)
	}
}

func TestUpdateLockHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".rhoderc")
	unlock, err := lock(context.Background(), path+".lock")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = Update(ctx, path, func(f *File) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
}

const helperEnv = "RHODERC_TEST_HELPER"

// TestHelperProcess is not a real test: TestUpdateConcurrentProcesses runs
// the test binary with it selected, as a separate writer process.
func TestHelperProcess(t *testing.T) {
	spec := os.Getenv(helperEnv) // "<prefix>:<count>:<path>"
	if spec == "" {
		t.Skip("helper process only")
	}
	parts := strings.SplitN(spec, ":", 3)
	n, _ := strconv.Atoi(parts[1])
	for i := range n {
		name := fmt.Sprintf("%s-%d", parts[0], i)
		err := Update(context.Background(), parts[2], func(f *File) error {
			f.SetInstance(Instance{Name: name, URL: "https://" + name + ".example.com"})
			return nil
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(1)
		}
	}
}

func TestUpdateConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const n = 50
	tests := []struct {
		name, initial string
		dialect       Dialect
	}{
		{"toml new file", "", DialectTOML},
		{"ini", "# by rhodecode-tools\n[instance:seed]\napi_host = http://seed\n", DialectINI},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".rhoderc")
			if tc.initial != "" {
				if err := os.WriteFile(path, []byte(tc.initial), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var cmds []*exec.Cmd
			var outs []*strings.Builder
			for _, prefix := range []string{"a", "b"} {
				cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d:%s", helperEnv, prefix, n, path))
				out := &strings.Builder{}
				cmd.Stdout, cmd.Stderr = out, out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				cmds = append(cmds, cmd)
				outs = append(outs, out)
			}
			for i, cmd := range cmds {
				if err := cmd.Wait(); err != nil {
					t.Fatalf("helper %d: %v\n%s", i, err, outs[i])
				}
			}
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if f.Dialect() != tc.dialect {
				t.Errorf("dialect = %q, want %q", f.Dialect(), tc.dialect)
			}
			for _, prefix := range []string{"a", "b"} {
				for i := range n {
					name := fmt.Sprintf("%s-%d", prefix, i)
					if in, ok := f.Instance(name); !ok || in.URL != "https://"+name+".example.com" {
						t.Errorf("instance %s lost (%+v, %v)", name, in, ok)
					}
				}
			}
			want := 2 * n
			if tc.initial != "" {
				want++
			}
			if got := len(f.Instances()); got != want {
				t.Errorf("%d instances, want %d", got, want)
			}
		})
	}
}

// TestUpdateRemovesStaleTemps: temporary files a killed writer left
// behind (they may hold a token) go with the next Update, in the old
// two-dot and the new one-dot name; nothing that merely looks alike does.
func TestUpdateRemovesStaleTemps(t *testing.T) {
	tests := []struct {
		base        string
		stale, keep []string
	}{
		{
			base:  ".rhoderc",
			stale: []string{"..rhoderc.123.tmp", "..rhoderc.4294967295.tmp", ".rhoderc.7.tmp"},
			keep: []string{
				".rhoderc", ".rhoderc.lock", ".rhoderc.tmp", "..rhoderc.tmp", ".rhoderc..tmp",
				".rhoderc.12a.tmp", ".rhoderc.-1.tmp", ".rhoderc.123.tmp.bak", "x.rhoderc.123.tmp",
				"...rhoderc.123.tmp", ".other.123.tmp", "rhoderc.1.tmp",
			},
		},
		{
			base:  "dotfiles-rhoderc",
			stale: []string{".dotfiles-rhoderc.123.tmp", ".dotfiles-rhoderc.4294967295.tmp"},
			keep: []string{
				"dotfiles-rhoderc", "dotfiles-rhoderc.lock", "dotfiles-rhoderc.1.tmp",
				"..dotfiles-rhoderc.1.tmp", ".dotfiles-rhoderc.tmp", ".dotfiles-rhoderc.1a.tmp",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.base, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.base)
			for _, n := range append(slices.Clone(tc.stale), tc.keep...) {
				if err := os.WriteFile(filepath.Join(dir, n), []byte("[instances.x]\nurl = \"u\"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// A directory with a matching name is not a temporary file.
			dirLike := "." + strings.TrimPrefix(tc.base, ".") + ".55.tmp"
			if err := os.Mkdir(filepath.Join(dir, dirLike), 0o700); err != nil {
				t.Fatal(err)
			}
			want := append(slices.Clone(tc.keep), dirLike)

			// An Update that changes nothing cleans up too.
			if err := Update(context.Background(), path, func(*File) error { return nil }); err != nil {
				t.Fatal(err)
			}
			var got []string
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				got = append(got, e.Name())
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("directory holds\n  %q\nwant\n  %q", got, want)
			}
		})
	}
}

// TestUpdateModeWithoutChange: every Update makes an existing file 0600,
// also when it has nothing to write, through a symlink too; the content
// stays as it was.
func TestUpdateModeWithoutChange(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permissions")
	}
	for _, viaLink := range []bool{false, true} {
		t.Run(fmt.Sprintf("link=%v", viaLink), func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, ".rhoderc")
			content := "# keep me\n[instances.x]\nurl = \"u\"\ntoken = \"t\"\n"
			if err := os.WriteFile(target, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(target, 0o644); err != nil {
				t.Fatal(err)
			}
			path := target
			if viaLink {
				path = filepath.Join(dir, "link")
				if err := os.Symlink(".rhoderc", path); err != nil {
					t.Fatal(err)
				}
			}
			if err := Update(context.Background(), path, func(*File) error { return nil }); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(target)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
			}
			if got := string(readFile(t, target)); got != content {
				t.Errorf("content changed to %q", got)
			}
		})
	}
}
