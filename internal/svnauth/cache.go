package svnauth

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/atomicfile"
	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// The keys of an svn.simple entry (libsvn_subr/simple_providers.c and
// config_auth.c).
const (
	keyRealm    = "svn:realmstring"
	keyUsername = "username"
	keyPassword = "password"
	keyPasstype = "passtype"
	// passtypeSimple marks a plain-text password, read by svn's
	// plaintext provider.
	passtypeSimple = "simple"
)

// ErrUnparseable: a cache file that is not in svn's hash-dump format. It
// is never overwritten or removed.
var ErrUnparseable = errors.New("not an svn credentials file")

// ErrOtherUser: the realm's entry holds another user name (perhaps the
// user's own svn password). Write never replaces it.
var ErrOtherUser = errors.New("svn's entry for the realm holds another user name")

// Entry is one svn.simple credential: what svn sends to the server of
// RealmString.
type Entry struct {
	RealmString string
	Username    string
	Password    secret.Value
	// Passtype is where the password is: "simple" (in the file, plain
	// text) for entries Write makes; svn writes others, e.g.
	// "gnome-keyring", whose password is not in the file.
	Passtype string
}

// DefaultConfigDir is the directory svn uses without --config-dir:
// $HOME/.subversion, or %APPDATA%\Subversion on Windows.
func DefaultConfigDir() (string, error) {
	if runtime.GOOS == "windows" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "Subversion"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".subversion"), nil
}

// Path is the file svn reads for realmstring: <configDir>/auth/svn.simple/
// <md5 hex of the realm string>.
func Path(configDir, realmstring string) string {
	sum := md5.Sum([]byte(realmstring))
	return filepath.Join(configDir, "auth", "svn.simple", hex.EncodeToString(sum[:]))
}

// Read returns the entry for realmstring. A missing file is an error
// that matches fs.ErrNotExist; a file svn could not read either,
// ErrUnparseable.
func Read(configDir, realmstring string) (Entry, error) {
	path := Path(configDir, realmstring)
	b, err := os.ReadFile(path)
	if err != nil {
		return Entry{}, err
	}
	h, err := parseHash(b)
	if err != nil {
		return Entry{}, fmt.Errorf("%s: %w", path, err)
	}
	e := Entry{RealmString: h[keyRealm], Username: h[keyUsername], Passtype: h[keyPasstype]}
	if p, ok := h[keyPassword]; ok {
		e.Password = secret.New(p)
	}
	return e, nil
}

// Write stores e as a plain-text ("simple") entry, the file svn reads for
// e.RealmString: mode 0600, written atomically, the directories created
// 0700 when missing; nothing else in configDir is touched. It replaces an
// entry for that realm and e.Username, but not one for another user name
// (ErrOtherUser) nor a file it cannot parse (ErrUnparseable).
func Write(configDir string, e Entry) error {
	switch {
	case e.RealmString == "":
		return errors.New("svn credentials need a realm")
	case e.Username == "":
		return errors.New("svn credentials need a username")
	case e.Password.IsZero() || e.Password.Reveal() == "":
		return errors.New("svn credentials need a password")
	}
	path := Path(configDir, e.RealmString)
	if err := CheckReplace(configDir, e.RealmString, e.Username); err != nil {
		return err
	}
	data := formatHash(map[string]string{
		keyPasstype: passtypeSimple,
		keyPassword: e.Password.Reveal(),
		keyRealm:    e.RealmString,
		keyUsername: e.Username,
	})
	// svn reads either the old entry or the new one.
	return atomicfile.Write(path, data, 0o600)
}

// CheckReplace says whether Write may write username's entry for
// realmstring: nil when there is none or it holds username; an error
// matching ErrOtherUser (naming the file and the user it holds) or
// ErrUnparseable otherwise.
func CheckReplace(configDir, realmstring, username string) error {
	old, err := Read(configDir, realmstring)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case old.Username != username:
		return &otherUserError{path: Path(configDir, realmstring), held: old.Username, want: username}
	}
	return nil
}

type otherUserError struct{ path, held, want string }

func (e *otherUserError) Error() string {
	return fmt.Sprintf("%s holds svn's credentials for user %q, not %q (your own svn password?), and is left as it was; delete that file if you no longer need it, then run the setup again", e.path, e.held, e.want)
}
func (e *otherUserError) Is(target error) bool { return target == ErrOtherUser }

// Remove deletes the entry for realmstring if it is ours: the same realm
// string and username. It reports whether it removed a file; a missing
// file, another user's entry or an unparseable file (ErrUnparseable) is
// left alone.
func Remove(configDir, realmstring, username string) (bool, error) {
	e, err := Read(configDir, realmstring)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case e.RealmString != realmstring || e.Username != username:
		return false, nil
	}
	if err := os.Remove(Path(configDir, realmstring)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return true, nil
}

// Holds reports whether svn would send username and token for
// realmstring: the entry exists, is for that realm and user, and holds
// token in plain text. A missing entry is false without an error.
func Holds(configDir, realmstring, username, token string) (bool, error) {
	e, err := Read(configDir, realmstring)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	}
	if e.RealmString != realmstring || e.Username != username || e.Password.IsZero() {
		return false, nil
	}
	// Without a passtype svn's plaintext provider reads the password too.
	if e.Passtype != passtypeSimple && e.Passtype != "" {
		return false, nil
	}
	return subtle.ConstantTimeCompare([]byte(e.Password.Reveal()), []byte(token)) == 1, nil
}

// formatHash is svn_hash_write2: "K <len>\n<key>\nV <len>\n<value>\n" per
// pair, keys in byte order, then "END\n". Lengths count bytes.
func formatHash(h map[string]string) []byte {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&b, "K %d\n%s\nV %d\n%s\n", len(k), k, len(h[k]), h[k])
	}
	b.WriteString("END\n")
	return b.Bytes()
}

// parseHash is svn_hash_read2 for a whole file: pairs until "END".
func parseHash(data []byte) (map[string]string, error) {
	r := bufio.NewReader(bytes.NewReader(data))
	h := map[string]string{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, ErrUnparseable
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "END" {
			return h, nil
		}
		key, err := readItem(r, line, "K ")
		if err != nil {
			return nil, err
		}
		line, err = r.ReadString('\n')
		if err != nil {
			return nil, ErrUnparseable
		}
		val, err := readItem(r, strings.TrimSuffix(line, "\n"), "V ")
		if err != nil {
			return nil, err
		}
		h[key] = val
	}
}

// readItem reads the <len> bytes and the newline announced by header
// ("K <len>" or "V <len>").
func readItem(r *bufio.Reader, header, prefix string) (string, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(header, prefix))
	if !strings.HasPrefix(header, prefix) || err != nil || n < 0 || n > 1<<20 {
		return "", ErrUnparseable
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil || buf[n] != '\n' {
		return "", ErrUnparseable
	}
	return string(buf[:n]), nil
}
