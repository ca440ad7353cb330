package svnauth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

const testRealm = "<https://code.example.com:443> RhodeCode"

func TestPath(t *testing.T) {
	// md5("<https://code.example.com:443> RhodeCode"), from md5sum(1).
	want := filepath.Join("cfg", "auth", "svn.simple", "c1067e05119773c5fac8ec30d5d39513")
	if got := Path("cfg", testRealm); got != want {
		t.Errorf("Path = %s, want %s", got, want)
	}
}

func TestWriteFormat(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".subversion")
	e := Entry{RealmString: testRealm, Username: "alice", Password: secret.New("0123456789abcdef")}
	if err := Write(dir, e); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(Path(dir, testRealm))
	if err != nil {
		t.Fatal(err)
	}
	want := "K 8\npasstype\nV 6\nsimple\n" +
		"K 8\npassword\nV 16\n0123456789abcdef\n" +
		"K 15\nsvn:realmstring\nV 40\n" + testRealm + "\n" +
		"K 8\nusername\nV 5\nalice\nEND\n"
	if string(got) != want {
		t.Errorf("entry:\n%s\nwant:\n%s", got, want)
	}
	if runtime.GOOS != "windows" {
		for path, mode := range map[string]os.FileMode{
			Path(dir, testRealm):               0o600,
			filepath.Dir(Path(dir, testRealm)): 0o700 | os.ModeDir,
			dir:                                0o700 | os.ModeDir,
		} {
			if fi, err := os.Stat(path); err != nil || fi.Mode() != mode {
				t.Errorf("%s: mode %v, want %v (%v)", path, fi.Mode(), mode, err)
			}
		}
	}
	// No temporary file is left behind.
	names, _ := os.ReadDir(filepath.Dir(Path(dir, testRealm)))
	if len(names) != 1 {
		t.Errorf("svn.simple holds %v", names)
	}
	back, err := Read(dir, testRealm)
	if err != nil || back.RealmString != testRealm || back.Username != "alice" ||
		back.Password.Reveal() != "0123456789abcdef" || back.Passtype != "simple" {
		t.Errorf("Read = %+v, %v", back, err)
	}
	if s := fmt.Sprintf("%v %+v", back, back); !strings.Contains(s, secret.Redacted) || strings.Contains(s, "0123456789abcdef") {
		t.Errorf("an Entry prints its password: %s", s)
	}
}

func TestWriteKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	others := map[string]string{
		"config":  "[auth]\npassword-stores = gnome-keyring\n",
		"servers": "[global]\nstore-plaintext-passwords = no\n",
		"auth/svn.simple/00000000000000000000000000000000":     "K 8\nusername\nV 3\nbob\nEND\n",
		"auth/svn.ssl.server/11111111111111111111111111111111": "K 10\nascii_cert\nV 1\nx\nEND\n",
	}
	for name, content := range others {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// svn's own entry for the realm (a keyring one) is replaced.
	if err := os.WriteFile(Path(dir, testRealm), []byte("K 8\npasstype\nV 13\ngnome-keyring\nK 8\nusername\nV 5\nalice\nEND\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, Entry{RealmString: testRealm, Username: "alice", Password: secret.New("tok")}); err != nil {
		t.Fatal(err)
	}
	for name, content := range others {
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); err != nil || string(b) != content {
			t.Errorf("%s changed: %q, %v", name, b, err)
		}
	}
	if ok, err := Holds(dir, testRealm, "alice", "tok"); !ok || err != nil {
		t.Errorf("Holds after Write = %v, %v", ok, err)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(Path(dir, testRealm)); fi.Mode().Perm() != 0o600 {
			t.Errorf("replaced entry mode %v", fi.Mode())
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, e := range []Entry{
		{Username: "alice", Password: secret.New("tok")},
		{RealmString: testRealm, Password: secret.New("tok")},
		{RealmString: testRealm, Username: "alice"},
		{RealmString: testRealm, Username: "alice", Password: secret.New("")},
	} {
		if err := Write(dir, e); err == nil {
			t.Errorf("Write(%+v) succeeded", e)
		}
	}
	// A file that is not svn's format is never overwritten.
	p := Path(dir, testRealm)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	junk := "my notes\n"
	if err := os.WriteFile(p, []byte(junk), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, Entry{RealmString: testRealm, Username: "alice", Password: secret.New("tok")})
	if !errors.Is(err, ErrUnparseable) {
		t.Errorf("Write over junk: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != junk {
		t.Errorf("junk overwritten: %q", b)
	}
	if removed, err := Remove(dir, testRealm, "alice"); removed || !errors.Is(err, ErrUnparseable) {
		t.Errorf("Remove of junk = %v, %v", removed, err)
	}
	if ok, err := Holds(dir, testRealm, "alice", "tok"); ok || !errors.Is(err, ErrUnparseable) {
		t.Errorf("Holds on junk = %v, %v", ok, err)
	}
}

func TestParseHash(t *testing.T) {
	good := map[string]map[string]string{
		"END\n":                             {},
		"K 1\na\nV 3\nx\ny\nEND\n":          {"a": "x\ny"},
		"K 1\na\nV 0\n\nEND\ntrailing junk": {"a": ""},
	}
	for in, want := range good {
		got, err := parseHash([]byte(in))
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("parseHash(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "K 1\na\nV 1\nb\n", "K 2\na\nV 1\nb\nEND\n", "K x\n", "K -1\n\nEND\n",
		"V 1\na\nEND\n", "K 1\na\nK 1\nb\nEND\n", "K 1\na\nV 5\nb\nEND\n", "{\"json\": 1}"} {
		if got, err := parseHash([]byte(in)); !errors.Is(err, ErrUnparseable) {
			t.Errorf("parseHash(%q) = %v, %v", in, got, err)
		}
	}
	// Round trip, keys and values with newlines included.
	h := map[string]string{"k\n1": "v\nv", "password": "", "z": "END"}
	if got, err := parseHash(formatHash(h)); err != nil || fmt.Sprint(got) != fmt.Sprint(h) {
		t.Errorf("round trip = %v, %v", got, err)
	}
}

func TestRemoveAndHolds(t *testing.T) {
	dir := t.TempDir()
	if removed, err := Remove(dir, testRealm, "alice"); removed || err != nil {
		t.Errorf("Remove of nothing = %v, %v", removed, err)
	}
	if ok, err := Holds(dir, testRealm, "alice", "tok"); ok || err != nil {
		t.Errorf("Holds of nothing = %v, %v", ok, err)
	}
	if _, err := Read(dir, testRealm); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read of nothing: %v", err)
	}

	write := func(content string) {
		t.Helper()
		p := Path(dir, testRealm)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	entry := func(user, pass, passtype, realm string) string {
		h := map[string]string{"username": user, "svn:realmstring": realm}
		if pass != "" {
			h["password"] = pass
		}
		if passtype != "" {
			h["passtype"] = passtype
		}
		return string(formatHash(h))
	}
	for _, tc := range []struct {
		name, content string
		holds         bool
	}{
		{"ours", entry("alice", "tok", "simple", testRealm), true},
		{"no passtype (svn reads it too)", entry("alice", "tok", "", testRealm), true},
		{"old token", entry("alice", "old", "simple", testRealm), false},
		{"other user", entry("bob", "tok", "simple", testRealm), false},
		{"other case", entry("Alice", "tok", "simple", testRealm), false},
		{"keyring entry", entry("alice", "", "gnome-keyring", testRealm), false},
		{"keyring passtype with a password", entry("alice", "tok", "kwallet", testRealm), false},
		{"another realm in the file", entry("alice", "tok", "simple", "<https://other:443> RhodeCode"), false},
	} {
		write(tc.content)
		if ok, err := Holds(dir, testRealm, "alice", "tok"); ok != tc.holds || err != nil {
			t.Errorf("%s: Holds = %v, %v", tc.name, ok, err)
		}
	}

	// Remove takes only our entry: same realm string and username.
	for _, tc := range []struct {
		name, content string
		removed       bool
	}{
		{"other user", entry("bob", "tok", "simple", testRealm), false},
		{"another realm in the file", entry("alice", "tok", "simple", "<https://other:443> RhodeCode"), false},
		{"ours, old token", entry("alice", "old", "simple", testRealm), true},
	} {
		write(tc.content)
		removed, err := Remove(dir, testRealm, "alice")
		_, statErr := os.Stat(Path(dir, testRealm))
		if removed != tc.removed || err != nil || (statErr == nil) == tc.removed {
			t.Errorf("%s: Remove = %v, %v; file exists: %v", tc.name, removed, err, statErr == nil)
		}
	}
	// The directories stay: svn made them, or will use them again.
	if _, err := os.Stat(filepath.Dir(Path(dir, testRealm))); err != nil {
		t.Errorf("svn.simple removed: %v", err)
	}
}

// TestWriteKeepsOtherUsersEntry: an entry for another user name is never
// replaced (ErrOtherUser, naming the file); the same user's is.
func TestWriteKeepsOtherUsersEntry(t *testing.T) {
	dir := t.TempDir()
	realm := "<https://code.example.com:443> RhodeCode"
	if err := Write(dir, Entry{RealmString: realm, Username: "bob", Password: secret.New("bobs-password")}); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, Entry{RealmString: realm, Username: "alice", Password: secret.New("alices-token")})
	if !errors.Is(err, ErrOtherUser) || !strings.Contains(err.Error(), Path(dir, realm)) {
		t.Fatalf("Write over bob's entry: %v", err)
	}
	if e, err := Read(dir, realm); err != nil || e.Username != "bob" || e.Password.Reveal() != "bobs-password" {
		t.Fatalf("bob's entry changed: %+v %v", e, err)
	}
	if err := Write(dir, Entry{RealmString: realm, Username: "bob", Password: secret.New("bobs-token")}); err != nil {
		t.Fatalf("Write of bob's own entry: %v", err)
	}
}
