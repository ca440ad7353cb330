package cmd

import (
	"os"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/gitconfig"
	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/rhodecode-cli/rhodecode/internal/secrets"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// BuildInfo describes the binary; goreleaser sets it through ldflags.
type BuildInfo struct {
	Version string // release version; "" for a development build
	Commit  string // git commit the binary was built from
	Date    string // build time
}

// Factory holds the process's dependencies: each field is something a
// test may replace. It has no rules of its own; deps wires them into the
// small types the commands use.
type Factory struct {
	// IO is where commands read input and write output.
	IO *iostreams.IOStreams
	// Getenv reads the environment; commands never call os.Getenv.
	Getenv func(string) string
	// HomeDir locates the default config file ~/.rhoderc.
	HomeDir func() (string, error)
	// Build is what `rhodecode version` and the User-Agent report.
	Build BuildInfo
	// Secrets is the OS keyring (or a test double).
	Secrets secrets.Keyring
	// HTTPTimeout bounds each request to a RhodeCode server.
	HTTPTimeout time.Duration
	// Now is the clock, for relative times in tables.
	Now func() time.Time
	// Hostname names this machine in the descriptions of tokens the tool
	// creates.
	Hostname func() (string, error)
	// Git runs git with args and returns its stdout; setup-git and status
	// use it for git config.
	Git gitconfig.Runner
	// Executable is the absolute path of this binary, for git config.
	Executable func() (string, error)
}

// NewDefaultFactory returns the wiring used by the real binary.
func NewDefaultFactory(ios *iostreams.IOStreams, getenv func(string) string, home func() (string, error), build BuildInfo) *Factory {
	return &Factory{
		IO:          ios,
		Getenv:      getenv,
		HomeDir:     home,
		Build:       build,
		Secrets:     keyring.New(keyring.DefaultTimeout),
		HTTPTimeout: 15 * time.Second,
		Now:         time.Now,
		Hostname:    os.Hostname,
		Git:         gitconfig.Run,
		Executable:  func() (string, error) { return executable(getenv("PATH")) },
	}
}

// deps are what a command works with once the global flags are parsed:
// the config file, the secret store, the web-session opener, git config,
// and the API client constructor. Commands hold them in their options.
type deps struct {
	io       *iostreams.IOStreams
	g        *globalOptions
	getenv   func(string) string
	now      func() time.Time
	hostname func() (string, error)
	exe      func() (string, error)
	cfg      rhoderc.Source
	keyring  secrets.Keyring
	secrets  *secrets.Store
	git      gitconfig.Config
	sessions *sessionOpener
	http     client.Options
}

// deps wires the Factory's parts for one command run. It is called from
// RunE, after cobra has parsed the flags that g holds.
func (f *Factory) deps(g *globalOptions) *deps {
	cfg := rhoderc.Source{Flag: g.Config, Getenv: f.Getenv, Home: f.HomeDir, Warn: f.IO.ErrOut}
	st := secrets.New(f.Secrets, keyring.IsNotFound, cfg.Update)
	v := f.Build.Version
	if v == "" {
		v = "dev"
	}
	d := &deps{
		io: f.IO, g: g, getenv: f.Getenv, now: f.Now, hostname: f.Hostname, exe: f.Executable,
		cfg:     cfg,
		keyring: f.Secrets,
		secrets: st,
		git:     gitconfig.Config{Git: f.Git},
		// The User-Agent names the tool and its version, so server admins
		// can tell it apart in access logs.
		http: client.Options{Timeout: f.HTTPTimeout, UserAgent: "rhodecode-cli/" + v},
	}
	if g.Debug {
		d.http.Debug = f.IO.ErrOut
	}
	d.sessions = &sessionOpener{io: f.IO, secrets: st, http: d.httpFor}
	return d
}

// httpFor is how requests to an instance are made: RHODECODE_CA_CERT, or
// the CA certificate the instance was logged in with, is trusted besides
// the system's roots.
func (d *deps) httpFor(in rhoderc.Instance) client.Options {
	o := d.http
	o.CACertFile = in.CACert
	if env := d.getenv("RHODECODE_CA_CERT"); env != "" {
		o.CACertFile = env
	}
	return o
}

// newClient builds a JSON-RPC client for one instance.
func (d *deps) newClient(in rhoderc.Instance, token string) (*client.Client, error) {
	c, err := client.New(in.URL, token, d.httpFor(in))
	if err != nil {
		return nil, usageErrorf("instance %q: %v", in.Name, err)
	}
	return c, nil
}
