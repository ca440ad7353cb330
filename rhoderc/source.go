package rhoderc

import (
	"context"
	"fmt"
	"io"
)

// Source is the config file a program uses: --config (Flag) > RHODERC >
// ~/.rhoderc, as Locate finds it, read with Load and written with Update.
// The rhodecode command and the git credential helper both use it.
type Source struct {
	Flag   string
	Getenv func(string) string
	Home   func() (string, error)
	// Warn, when set, gets Load's warning about a file others can read:
	// stderr, as the credential helper's stdout is git's.
	Warn io.Writer
}

// Path is where the file is.
func (s Source) Path() (string, error) { return Locate(s.Flag, s.Getenv, s.Home) }

// Load reads the file (see the package Load); a file with secrets that
// others can read gets a warning naming the fix.
func (s Source) Load() (*File, error) {
	p, err := s.Path()
	if err != nil {
		return nil, err
	}
	f, err := Load(p)
	if err != nil {
		return nil, err
	}
	if perr := f.Permissions(); perr != nil && s.Warn != nil {
		fmt.Fprintf(s.Warn, "rhodecode: warning: %v\n", perr)
	}
	return f, nil
}

// Update runs fn under the file's lock and saves atomically (see the
// package Update).
func (s Source) Update(ctx context.Context, fn func(*File) error) error {
	p, err := s.Path()
	if err != nil {
		return err
	}
	return Update(ctx, p, fn)
}
