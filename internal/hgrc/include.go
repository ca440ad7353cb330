package hgrc

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/atomicfile"
)

// The token file is an hgrc of its own that holds one [auth] entry's
// password, pulled in by a %include line beside the entry. The tool
// owns it whole: it is rewritten, never edited, and is 0600.

// WriteSecret writes the token file at path: entry's password.
func WriteSecret(path, entry, about, password string) error {
	if strings.ContainsAny(password, "\r\n") || strings.TrimSpace(password) != password {
		return errors.New("a token with spaces or line breaks cannot go into an hgrc")
	}
	data := "# Written by rhodecode setup-hg: " + about + ".\n" +
		"# rhodecode token rotate and auth logout rewrite or remove this file.\n" +
		"[auth]\n" + entry + ".password = " + password + "\n"
	return atomicfile.Write(path, []byte(data), 0o600)
}

// ReadSecret returns entry's password from the token file at path; ""
// without error when the file does not exist.
func ReadSecret(path, entry string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	f, err := Parse(data)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return f.Auth(entry)["password"], nil
}

// RemoveSecret deletes the token file; a missing one is no error.
func RemoveSecret(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
