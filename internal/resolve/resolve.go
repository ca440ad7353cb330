// Package resolve decides which RhodeCode instance a command works on,
// from the -i flag, the environment and the config file, and which
// instance serves a git credential request. Its functions are pure: the
// caller passes the environment and the file in, so the precedence is
// table-tested in one place.
package resolve

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// EnvName names the instance given by RHODECODE_HOST and RHODECODE_TOKEN;
// -i (env) picks it explicitly.
const EnvName = "(env)"

// ErrUsage is matched by the errors that mean the user must say, or fix,
// which instance (exit status 2).
var ErrUsage = errors.New("instance choice")

// ErrNotLoggedIn means the config file has no instance at all.
var ErrNotLoggedIn = errors.New("not logged in to any RhodeCode instance; run: rhodecode auth login")

// Target is the instance a command works on.
type Target struct {
	rhoderc.Instance
	// Env is set for the instance RHODECODE_HOST describes: nothing is
	// read from or stored in the config file or keyring for it.
	Env bool
	// EnvToken is the API token from RHODECODE_TOKEN (Env targets only;
	// a config instance's token is the secret store's business).
	EnvToken string
}

// usageError is a mistake in the instance choice.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == ErrUsage }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// UnknownInstanceError is a name that is not in the config file.
type UnknownInstanceError struct {
	Name  string
	Path  string
	Known []string
}

func (e *UnknownInstanceError) Error() string {
	known := "none"
	if len(e.Known) > 0 {
		known = strings.Join(e.Known, ", ")
	}
	return fmt.Sprintf("no instance %q in %s (known: %s)", e.Name, e.Path, known)
}

// Is makes an unknown name a usage error: it is a name the user typed.
func (e *UnknownInstanceError) Is(target error) bool { return target == ErrUsage }

// Name is the instance name a command was given: -i when the flag was
// set, else RHODECODE_INSTANCE, except that RHODECODE_HOST with
// RHODECODE_TOKEN beats RHODECODE_INSTANCE. "" means none was given.
func Name(flag string, flagSet bool, getenv func(string) string) string {
	if flagSet {
		return flag
	}
	if getenv("RHODECODE_HOST") != "" && getenv("RHODECODE_TOKEN") != "" {
		return ""
	}
	return getenv("RHODECODE_INSTANCE")
}

// Env returns the instance RHODECODE_HOST and RHODECODE_TOKEN describe,
// nil when neither is set, and a usage error when only one is.
func Env(getenv func(string) string) (*Target, error) {
	host, tok := getenv("RHODECODE_HOST"), strings.TrimSpace(getenv("RHODECODE_TOKEN"))
	switch {
	case host == "" && tok == "":
		return nil, nil
	case host == "":
		// A token without its server could be sent to the wrong instance.
		return nil, usagef("RHODECODE_TOKEN is set but RHODECODE_HOST is not; set both, or neither")
	case tok == "":
		return nil, usagef("RHODECODE_HOST is set but RHODECODE_TOKEN is not; set both, or neither")
	}
	u, err := baseurl.Normalize(host)
	if err != nil {
		return nil, usagef("RHODECODE_HOST: %v", err)
	}
	return &Target{
		Instance: rhoderc.Instance{Name: EnvName, URL: u, Username: getenv("RHODECODE_USERNAME")},
		Env:      true,
		EnvToken: tok,
	}, nil
}

// Instance picks the instance for name (from Name): the environment's
// when no name is given (or name is EnvName) and RHODECODE_HOST is set,
// else the config file's instance of that name, its default, or its only
// instance. load is called only when the file is needed, so a broken
// file does not stop a CI job that works from the environment.
func Instance(name string, getenv func(string) string, load func() (*rhoderc.File, error)) (Target, error) {
	if name == "" || name == EnvName {
		env, err := Env(getenv)
		if err != nil {
			return Target{}, err
		}
		if env != nil {
			return *env, nil
		}
	}
	cfg, err := load()
	if err != nil {
		return Target{}, err
	}
	in, err := Select(cfg, name)
	return Target{Instance: in}, err
}

// All lists the instances a command about every instance works on (auth
// status, doctor): with no name, the environment's instance (if
// RHODECODE_HOST is set) and every instance of the config file; with a
// name, that instance only. The file is returned when it was read.
func All(name string, getenv func(string) string, load func() (*rhoderc.File, error)) ([]Target, *rhoderc.File, error) {
	var out []Target
	if name == "" || name == EnvName {
		env, err := Env(getenv)
		if err != nil {
			return nil, nil, err
		}
		if env != nil {
			out = append(out, *env)
		}
		if name == EnvName {
			if env == nil {
				return nil, nil, usagef("-i %s needs RHODECODE_HOST and RHODECODE_TOKEN", EnvName)
			}
			return out, nil, nil
		}
	}
	cfg, err := load()
	if err != nil {
		return nil, nil, err
	}
	if name != "" {
		in, err := Named(cfg, name)
		if err != nil {
			return nil, nil, err
		}
		return append(out, Target{Instance: in}), cfg, nil
	}
	for _, in := range cfg.Instances() {
		out = append(out, Target{Instance: in})
	}
	return out, cfg, nil
}

// Select picks from the config file: the named instance, else the
// file's default, else its only instance.
func Select(cfg *rhoderc.File, name string) (rhoderc.Instance, error) {
	if name != "" {
		return Named(cfg, name)
	}
	if d := cfg.DefaultInstance(); d != "" {
		if in, ok := cfg.Instance(d); ok {
			return in, nil
		}
	}
	all := cfg.Instances()
	switch len(all) {
	case 0:
		return rhoderc.Instance{}, ErrNotLoggedIn
	case 1:
		return all[0], nil
	}
	return rhoderc.Instance{}, usagef("several instances in %s (%s) and no default; pass -i NAME or run: rhodecode auth switch NAME", cfg.Path(), strings.Join(Names(cfg), ", "))
}

// Named returns the instance called name, or an *UnknownInstanceError.
func Named(cfg *rhoderc.File, name string) (rhoderc.Instance, error) {
	if in, ok := cfg.Instance(name); ok {
		return in, nil
	}
	return rhoderc.Instance{}, &UnknownInstanceError{Name: name, Path: cfg.Path(), Known: Names(cfg)}
}

// Names lists the instance names of the file in file order.
func Names(cfg *rhoderc.File) []string {
	var names []string
	for _, in := range cfg.Instances() {
		names = append(names, in.Name)
	}
	return names
}
