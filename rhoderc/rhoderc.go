// Package rhoderc reads and writes ~/.rhoderc, the file that lists RhodeCode
// instances and, optionally, their API tokens.
//
// The file comes in two dialects, told apart by content rather than name:
//
//   - INI, as written by rhodecode-tools: one [instance:NAME] section per
//     server with api_host, api_key and repo_dir. A file is INI when any line
//     starts (after blanks) with "[instance:". INI files are edited in place:
//     comments, blank lines, key order, spacing, unknown keys and sections
//     survive byte for byte, and only changed lines are rewritten. Keys this
//     tool adds are listed in a per-section cli_added key so that a logout can
//     remove exactly them. The default instance lives in [rhodecode-cli].
//   - TOML, which this tool writes for new files: a top-level "default" and
//     one [instances.NAME] table per server. Unknown keys survive a rewrite,
//     but comments and formatting do not, because the file is decoded into
//     maps and re-encoded (deterministically, keys sorted, instances in file
//     order).
//
// Commands change the file only through Update, which serialises writers
// across processes with a lock file and replaces the file atomically.
package rhoderc

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Dialect is the syntax of a ~/.rhoderc file.
type Dialect string

// The two dialects. Files this tool creates are TOML; INI files written by
// rhodecode-tools stay INI.
const (
	DialectTOML Dialect = "toml"
	DialectINI  Dialect = "ini"
)

// Storage says where an instance's API token lives.
const (
	StorageKeyring = "keyring"
	StorageFile    = "file"
)

// Key names of an instance entry, as used by InstanceValue and friends and
// as they appear in a TOML file. The INI dialect maps the first three to
// the names rhodecode-tools uses (see iniKeyName). Values are strings in
// both dialects, so files written by older versions read the same.
const (
	KeyURL              = "url"
	KeyToken            = "token"
	KeyStorage          = "storage"
	KeyUsername         = "username"
	KeyRepoDir          = "repo_dir"
	KeyTokenID          = "token_id"
	KeyTokenExpires     = "token_expires"
	KeySessionCookie    = "session_cookie"
	KeyVCSToken         = "vcs_token"
	KeyVCSTokenID       = "vcs_token_id"
	KeyVCSTokenExpires  = "vcs_token_expires"
	KeyVCSTokenRejected = "vcs_token_rejected"
	KeyCACert           = "ca_cert"
	KeySVNRealm         = "svn_realm"
	KeySVNConfigDir     = "svn_config_dir"
)

// Instance is the tool's view of one RhodeCode server entry. The secrets
// (Token, SessionCookie, VCSToken) are set only for file storage; with the
// keyring they live there and these fields stay empty.
type Instance struct {
	Name     string // section/table name
	URL      string // base URL, as stored (INI: api_host; TOML: url)
	Username string // RhodeCode username recorded at login ("" if unknown)
	Storage  string // StorageKeyring or StorageFile; "" is resolved by EffectiveStorage
	Token    string // API token when stored in the file (INI: api_key; TOML: token), else ""
	RepoDir  string // INI repo_dir / TOML repo_dir (kept, never required)

	// TokenID is the server id of the tool's API token, 0 when unknown.
	TokenID int
	// TokenExpires is the API token's expiry in unix seconds, -1 for
	// never, 0 when unknown (a token pasted with --with-token).
	TokenExpires int64
	// SessionCookie is the web session of the token commands.
	SessionCookie string
	// VCSToken is the managed VCS token that git gets.
	VCSToken string
	// VCSTokenID is the server id of the managed VCS token, 0 when unknown.
	VCSTokenID int
	// VCSTokenExpires is the managed VCS token's expiry in unix seconds,
	// -1 for never, 0 when nothing is recorded.
	VCSTokenExpires int64
	// VCSTokenRejected is set when git reported the VCS token rejected.
	VCSTokenRejected bool
	// CACert is a PEM file of CA certificates the instance's TLS
	// certificate is checked against, besides the system's.
	CACert string
	// SVNRealm is the realm string setup-svn wrote svn's credentials
	// under ("<https://host:443> RhodeCode"), "" when svn is not set up.
	SVNRealm string
	// SVNConfigDir is the svn configuration directory setup-svn wrote
	// to, "" for svn's default (~/.subversion).
	SVNConfigDir string
}

// HasVCSToken reports whether a managed VCS token is recorded for the
// instance, rejected or not: its secret in the file, or its id or expiry
// beside a copy in the keyring. Where none is, the keyring is not asked.
func (in Instance) HasVCSToken() bool {
	return in.VCSToken != "" || in.VCSTokenID != 0 || in.VCSTokenExpires != 0
}

// VCSTokenExpiry is the managed VCS token's expiry in unix seconds, -1
// for never (vcs_token_expires absent or 0).
func (in Instance) VCSTokenExpiry() int64 {
	if in.VCSTokenExpires == 0 {
		return -1
	}
	return in.VCSTokenExpires
}

// EffectiveStorage says where the instance keeps its secrets. An explicit
// storage wins; without one, a token in the file means the file (what
// rhodecode-tools writes in INI, and what a hand-written TOML entry with
// a token means), and anything else the OS keyring. This is the only
// place the rule is written.
func (in Instance) EffectiveStorage() string {
	if in.Storage != "" {
		return in.Storage
	}
	if in.Token != "" {
		return StorageFile
	}
	return StorageKeyring
}

// ErrIsDirectory is returned (wrapped, with the path) when ~/.rhoderc is a
// directory. Docker creates one when a not-yet-existing ~/.rhoderc is
// bind-mounted, as in some RhodeCode Docker setups.
var ErrIsDirectory = errors.New("is a directory, not a file " +
	"(Docker creates one when ~/.rhoderc is bind-mounted before it exists, e.g. with the RhodeCode Docker image); " +
	"remove it if it is empty, or set RHODERC to the path of a file")

// ErrLockTimeout is returned (wrapped) by Update when another process held
// the lock file for longer than the bounded wait.
var ErrLockTimeout = errors.New("timed out waiting for the lock; is another rhodecode command running?")

// ParseError reports a file that could not be parsed. Such a file is never
// overwritten, so the message says so.
type ParseError struct {
	Path string
	Line int // 1-based; 0 if the problem has no single line
	Msg  string
}

// Error implements error.
func (e *ParseError) Error() string {
	if e.Line <= 0 {
		return fmt.Sprintf("%s: %s; fix or move the file, it was not changed", e.Path, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s; fix or move the file, it was not changed", e.Path, e.Line, e.Msg)
}

// backend is what each dialect implements; File adds the shared semantics.
// Keys are the tool's key names.
type backend interface {
	names() []string
	has(name string) bool
	get(name, key string) (string, bool)
	set(name, key, value string) error
	del(name, key string)
	ensure(name string) error
	remove(name string, all bool)
	defaultName() string
	setDefault(name string) error
	render() ([]byte, error)
}

// File is a parsed ~/.rhoderc that renders back in its own dialect.
type File struct {
	path    string
	dialect Dialect
	b       backend
	err     error       // first error from a setter, reported by Bytes
	mode    fs.FileMode // permission bits when read from disk, for Permissions
}

// DefaultPath returns $RHODERC if set via the getenv passed in, else
// filepath.Join(home, ".rhoderc"). getenv is passed in so tests need not
// touch the process environment.
func DefaultPath(getenv func(string) string, home string) string {
	p, _ := Locate("", getenv, func() (string, error) { return home, nil })
	return p
}

// Locate finds the config file: flag (--config) > $RHODERC > ~/.rhoderc.
// It is the only reader of RHODERC. home is asked only when needed, so a
// machine without a home directory works with either of the others.
func Locate(flag string, getenv func(string) string, home func() (string, error)) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if getenv != nil {
		if p := getenv("RHODERC"); p != "" {
			return p, nil
		}
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory (set HOME or pass --config): %w", err)
	}
	return filepath.Join(h, ".rhoderc"), nil
}

// Load reads path. A missing file gives an empty TOML *File and no error;
// so does a symlink whose target does not exist yet, but one whose
// target's directory is missing is an error (see writeTarget).
// A directory gives an error wrapping ErrIsDirectory, unparsable content a
// *ParseError, and a read failure the *fs.PathError from the OS.
func Load(path string) (*File, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, err := writeTarget(path); err != nil {
			return nil, err
		}
		return Parse(path, nil)
	case err != nil:
		return nil, fmt.Errorf("reading config: %w", err)
	case fi.IsDir():
		return nil, fmt.Errorf("%s: %w", path, ErrIsDirectory)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	f, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	f.mode = fi.Mode().Perm()
	return f, nil
}

// Parse parses data as the content of the file at path (used only in
// messages). It detects the dialect like Load.
func Parse(path string, data []byte) (*File, error) {
	f := &File{path: path, dialect: DetectDialect(data)}
	var err error
	if f.dialect == DialectINI {
		f.b, err = parseINI(path, data)
	} else {
		f.b, err = parseTOML(path, data)
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// DetectDialect returns DialectINI if any line's first non-blank characters
// are "[instance:", else DialectTOML (also for empty content).
func DetectDialect(data []byte) Dialect {
	data = bytes.TrimPrefix(data, []byte(utf8BOM))
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("[instance:")) {
			return DialectINI
		}
	}
	return DialectTOML
}

// PermissionError reports a file that holds secrets while users other
// than its owner have access to it. Its message names the fix and never
// a secret.
type PermissionError struct {
	Path string
	Mode fs.FileMode // permission bits
}

// Error implements error.
func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s holds secrets but other users can access it (mode %04o); fix with: chmod 600 %s",
		e.Path, e.Mode, shellQuote(e.Path))
}

// Permissions returns a *PermissionError when the file, as Load read it,
// holds a secret (an instance's token, VCS token or session cookie) and
// its mode gives group or others any access; nil otherwise, for a file
// not read from disk, and on Windows, where the mode bits do not say who
// can read a file. Update makes the file 0600, so a later Load is clean.
func (f *File) Permissions() error {
	if runtime.GOOS == "windows" || f.mode&0o077 == 0 {
		return nil
	}
	for _, in := range f.Instances() {
		if in.Token != "" || in.VCSToken != "" || in.SessionCookie != "" {
			return &PermissionError{Path: f.path, Mode: f.mode}
		}
	}
	return nil
}

// shellQuote quotes p for a POSIX shell when it needs it, so the fix in a
// message can be pasted as it is; a leading "-" would be an option.
func shellQuote(p string) string {
	if strings.HasPrefix(p, "-") {
		p = "./" + p
	}
	if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:@%+=") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

// Path returns the path the file was loaded from.
func (f *File) Path() string { return f.path }

// Dialect returns the file's dialect.
func (f *File) Dialect() Dialect { return f.dialect }

// Instances returns all instances in file order.
func (f *File) Instances() []Instance {
	names := f.b.names()
	out := make([]Instance, 0, len(names))
	for _, n := range names {
		out = append(out, f.instance(n))
	}
	return out
}

// Instance returns the named instance.
func (f *File) Instance(name string) (Instance, bool) {
	if !f.b.has(name) {
		return Instance{}, false
	}
	return f.instance(name), true
}

func (f *File) instance(name string) Instance {
	v := func(k string) string { s, _ := f.b.get(name, k); return s }
	// Numbers a hand edit broke read as "not recorded", as before.
	n := func(k string) int64 { i, _ := strconv.ParseInt(v(k), 10, 64); return i }
	return Instance{
		Name:             name,
		URL:              v(KeyURL),
		Username:         v(KeyUsername),
		Storage:          v(KeyStorage),
		Token:            v(KeyToken),
		RepoDir:          v(KeyRepoDir),
		TokenID:          int(n(KeyTokenID)),
		TokenExpires:     n(KeyTokenExpires),
		SessionCookie:    v(KeySessionCookie),
		VCSToken:         v(KeyVCSToken),
		VCSTokenID:       int(n(KeyVCSTokenID)),
		VCSTokenExpires:  n(KeyVCSTokenExpires),
		VCSTokenRejected: v(KeyVCSTokenRejected) == "true",
		CACert:           v(KeyCACert),
		SVNRealm:         v(KeySVNRealm),
		SVNConfigDir:     v(KeySVNConfigDir),
	}
}

// fields lists an instance's keys with their values as written, in the
// order a new entry gets them; "" means the key is absent.
func (in Instance) fields() [15]struct{ k, v string } {
	num := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	rejected := ""
	if in.VCSTokenRejected {
		rejected = "true"
	}
	return [...]struct{ k, v string }{
		{KeyURL, in.URL},
		{KeyToken, in.Token},
		{KeyUsername, in.Username},
		{KeyStorage, in.Storage},
		{KeyRepoDir, in.RepoDir},
		{KeyTokenID, num(int64(in.TokenID))},
		{KeyTokenExpires, num(in.TokenExpires)},
		{KeySessionCookie, in.SessionCookie},
		{KeyVCSToken, in.VCSToken},
		{KeyVCSTokenID, num(int64(in.VCSTokenID))},
		{KeyVCSTokenExpires, num(in.VCSTokenExpires)},
		{KeyVCSTokenRejected, rejected},
		{KeyCACert, in.CACert},
		{KeySVNRealm, in.SVNRealm},
		{KeySVNConfigDir, in.SVNConfigDir},
	}
}

// DefaultInstance returns the default instance's name, "" if none is set.
func (f *File) DefaultInstance() string { return f.b.defaultName() }

// SetDefault makes name the default instance; "" clears it.
func (f *File) SetDefault(name string) {
	if name == f.b.defaultName() {
		return
	}
	f.fail(f.b.setDefault(name))
}

// SetInstance adds or updates an instance. Every field of in is applied and
// an empty field deletes its key, so start from Instance(name) to keep
// fields you do not mean to change. Only keys whose value changes are
// written; everything else stays untouched.
func (f *File) SetInstance(in Instance) {
	if err := validName(in.Name); err != nil {
		f.fail(err)
		return
	}
	if err := f.b.ensure(in.Name); err != nil {
		f.fail(err)
		return
	}
	for _, kv := range in.fields() {
		cur, ok := f.b.get(in.Name, kv.k)
		if canon := typedKeys[kv.k]; ok && canon != nil && canon(cur) == canon(kv.v) {
			// Same value as read ("0012" for 12, "-1 ; never" read as 0):
			// a hand edit stays as it was written.
			continue
		}
		switch {
		case kv.v == "" && ok:
			f.b.del(in.Name, kv.k)
		case kv.v != "" && cur != kv.v:
			f.fail(f.b.set(in.Name, kv.k, kv.v))
		}
	}
}

// typedKeys give the value a typed field reads from a raw one, so that
// SetInstance rewrites a key only when that value changes.
var typedKeys = map[string]func(string) string{
	KeyTokenID:          canonInt,
	KeyTokenExpires:     canonInt,
	KeyVCSTokenID:       canonInt,
	KeyVCSTokenExpires:  canonInt,
	KeyVCSTokenRejected: func(s string) string { return strconv.FormatBool(s == "true") },
}

func canonInt(s string) string {
	n, _ := strconv.ParseInt(s, 10, 64)
	return strconv.FormatInt(n, 10)
}

// RemoveInstance removes an instance. For INI with all=false only the keys
// this tool added or changed (cli_added) go, and the section only if no key
// remains, so a rhodecode-tools entry keeps working; all=true, and TOML
// always, remove the whole entry. A default pointing there is cleared.
func (f *File) RemoveInstance(name string, all bool) {
	f.b.remove(name, all)
	if f.b.defaultName() == name {
		f.fail(f.b.setDefault(""))
	}
}

// InstanceValue returns a per-instance string value by tool key name
// (url, token, username, storage, repo_dir or an extra key).
func (f *File) InstanceValue(name, key string) (string, bool) {
	return f.b.get(name, key)
}

// SetInstanceValue sets a per-instance string value, creating the instance
// if needed. Setting the current value changes nothing.
func (f *File) SetInstanceValue(name, key, value string) {
	if err := validName(name); err != nil {
		f.fail(err)
		return
	}
	if cur, ok := f.b.get(name, key); ok && cur == value {
		return
	}
	if err := f.b.ensure(name); err != nil {
		f.fail(err)
		return
	}
	f.fail(f.b.set(name, key, value))
}

// DeleteInstanceValue removes a per-instance key if present.
func (f *File) DeleteInstanceValue(name, key string) {
	f.b.del(name, key)
}

// Bytes renders the file. It fails if an earlier change could not be
// represented (e.g. a value with a newline in INI).
func (f *File) Bytes() ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	return f.b.render()
}

// fail records the first setter error; setters have no error result so
// that call sites stay simple, and Bytes/Update report it.
func (f *File) fail(err error) {
	if err != nil && f.err == nil {
		f.err = err
	}
}

func validName(name string) error {
	if name == "" {
		return errors.New("instance name must not be empty")
	}
	if strings.TrimSpace(name) != name || strings.ContainsAny(name, "[]\r\n") {
		return fmt.Errorf("invalid instance name %q: no brackets, line breaks or surrounding spaces", name)
	}
	return nil
}
