package gitcredtest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/keyring/keyringtest"
)

// DirSecrets is a gitcred.Secrets keeping one file per item in a
// directory, so that several processes (a helper run by git, parallel test
// processes) share one fake keyring; keyringtest.Mem is the in-process one.
// Each call is atomic (temp file and rename), none spans calls. Like the
// real keyring it returns keyring.ErrNotFound for a missing secret, so
// gitcred.NewKeyringStore takes keyringtest.IsNotFound with it.
type DirSecrets struct {
	Dir string
}

func (d DirSecrets) file(service, account string) string {
	return filepath.Join(d.Dir, "item-"+hex.EncodeToString([]byte(keyringtest.Key(service, account))))
}

// Get implements gitcred.Secrets.
func (d DirSecrets) Get(_ context.Context, service, account string) (string, error) {
	b, err := os.ReadFile(d.file(service, account))
	if errors.Is(err, fs.ErrNotExist) {
		return "", keyring.ErrNotFound
	}
	return string(b), err
}

// Set implements gitcred.Secrets.
func (d DirSecrets) Set(_ context.Context, service, account, secret string) error {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(d.Dir, "tmp-")
	if err != nil {
		return err
	}
	_, werr := f.WriteString(secret)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), d.file(service, account))
}

// Delete implements gitcred.Secrets.
func (d DirSecrets) Delete(_ context.Context, service, account string) error {
	err := os.Remove(d.file(service, account))
	if errors.Is(err, fs.ErrNotExist) {
		return keyring.ErrNotFound
	}
	return err
}

// Items returns all secrets, keyed by keyringtest.Key(service, account).
func (d DirSecrets) Items() (map[string]string, error) {
	ents, err := os.ReadDir(d.Dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range ents {
		name, ok := cutItem(e.Name())
		if !ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(d.Dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out[name] = string(b)
	}
	return out, nil
}

func cutItem(file string) (string, bool) {
	const prefix = "item-"
	if len(file) <= len(prefix) || file[:len(prefix)] != prefix {
		return "", false
	}
	b, err := hex.DecodeString(file[len(prefix):])
	if err != nil {
		return "", false
	}
	return string(b), true
}

// String describes the fake for test messages.
func (d DirSecrets) String() string { return fmt.Sprintf("DirSecrets(%s)", d.Dir) }
