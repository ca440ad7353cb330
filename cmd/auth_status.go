package cmd

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/keyring"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
	"github.com/spf13/cobra"
)

type authStatusOptions struct {
	f *Factory
	g *globalOptions

	ShowToken bool
	Offline   bool
}

// statusTimeout bounds the whole parallel check, however many instances.
const statusTimeout = 10 * time.Second

func newAuthStatusCmd(f *Factory, g *globalOptions, runF func(context.Context, *authStatusOptions) error) *cobra.Command {
	opts := &authStatusOptions{f: f, g: g}
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the instances you are logged in to and whether their tokens work",
		Long: `Show every instance in the config file (or only the one given with -i):
its name, URL, user, where the token is stored, which one is the default,
and whether the server accepts the token right now. The servers are asked
in parallel, at most 10 seconds in all; --offline skips them.

Tokens are masked unless --show-token is given. The exit status is 1 when
any instance is not OK.`,
		Example: `  $ rhodecode auth status
  $ rhodecode auth status --offline --json
  $ rhodecode auth status -i work --show-token`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return authStatusRun(cmd.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.ShowToken, "show-token", false, "Show the API tokens in full")
	c.Flags().BoolVar(&opts.Offline, "offline", false, "Do not contact the servers")
	return c
}

// instanceStatus is one row of `auth status`, and its JSON form.
type instanceStatus struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	Username string `json:"username"`
	Storage  string `json:"storage"`
	Default  bool   `json:"default"`
	Token    string `json:"token,omitempty"`
	// State is ok, offline, no-token, keyring-unavailable, token-rejected,
	// unreachable, not-rhodecode or error.
	State string `json:"state"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// ServerUsername is who the server says the token belongs to.
	ServerUsername string `json:"server_username,omitempty"`

	token string
}

func authStatusRun(ctx context.Context, opts *authStatusOptions) error {
	f, io := opts.f, opts.f.IO
	var rows []*instanceStatus

	env, err := f.envTarget()
	if err != nil {
		return err
	}
	if env != nil && (opts.g.Instance == "" || opts.g.Instance == envInstanceName) {
		rows = append(rows, &instanceStatus{Name: env.Name, URL: env.URL, Username: env.Username, Storage: "env", Default: true, token: env.Token})
	}
	if env == nil || opts.g.Instance != envInstanceName {
		cfg, err := f.loadConfig(opts.g)
		if err != nil {
			return err
		}
		instances := cfg.Instances()
		if opts.g.Instance != "" && opts.g.Instance != envInstanceName {
			in, err := selectInstance(cfg, opts.g.Instance)
			if err != nil {
				return err
			}
			instances = []rhoderc.Instance{in}
		}
		for _, in := range instances {
			r := &instanceStatus{Name: in.Name, URL: in.URL, Username: in.Username, Storage: storageOf(in), Default: env == nil && cfg.DefaultInstance() == in.Name}
			tok, err := f.instanceToken(ctx, in)
			switch {
			case errors.Is(err, keyring.ErrUnavailable):
				r.State, r.Error = "keyring-unavailable", err.Error()
			case err != nil:
				r.State, r.Error = "no-token", err.Error()
			default:
				r.token = tok
			}
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return authRequiredf("not logged in to any RhodeCode instance; run: rhodecode auth login")
	}

	checkAll(ctx, f, opts, rows)

	allOK := true
	for _, r := range rows {
		if r.token != "" {
			r.Token = maskToken(r.token)
			if opts.ShowToken {
				r.Token = r.token
			}
		}
		allOK = allOK && r.OK
	}

	if opts.g.JSON {
		if err := writeJSON(io.Out, map[string]any{"instances": rows}); err != nil {
			return err
		}
	} else {
		tp := newTablePrinter(io.Out, io.IsStdoutTTY(), "NAME", "URL", "USER", "STORAGE", "TOKEN", "STATUS")
		for _, r := range rows {
			name := r.Name
			if r.Default && io.IsStdoutTTY() {
				name += " *"
			}
			status := r.State
			if r.Error != "" && !r.OK {
				status += ": " + r.Error
			}
			tok := r.Token
			if tok == "" {
				tok = "-"
			}
			tp.addRow(name, r.URL, r.Username, r.Storage, tok, status)
		}
		if err := tp.render(); err != nil {
			return err
		}
	}
	if !allOK {
		return errSilent
	}
	return nil
}

// checkAll asks every server about its token in parallel, within one
// overall deadline.
func checkAll(ctx context.Context, f *Factory, opts *authStatusOptions, rows []*instanceStatus) {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range rows {
		if r.State != "" {
			continue // no token to check
		}
		if opts.Offline {
			r.State, r.OK = "offline", true
			continue
		}
		wg.Add(1)
		go func(r *instanceStatus) {
			defer wg.Done()
			checkOne(ctx, f, opts, r)
		}(r)
	}
	wg.Wait()
}

func checkOne(ctx context.Context, f *Factory, opts *authStatusOptions, r *instanceStatus) {
	c, err := f.newClient(r.URL, r.token, f.debugWriter(opts.g))
	if err != nil {
		r.State, r.Error = "error", err.Error()
		return
	}
	u, err := c.GetUser(ctx)
	switch {
	case err == nil:
		r.State, r.OK, r.ServerUsername = "ok", true, u.Username
		if r.Username == "" {
			r.Username = u.Username
		} else if r.Username != u.Username {
			r.State, r.OK = "user-mismatch", false
			r.Error = fmt.Sprintf("the token belongs to %s, not %s; log in again", u.Username, r.Username)
		}
	case errors.Is(err, client.ErrAuth):
		r.State, r.Error = "token-rejected", err.Error()
	case errors.Is(err, client.ErrUnreachable):
		r.State, r.Error = "unreachable", err.Error()
	case errors.Is(err, client.ErrNotRhodeCode):
		r.State, r.Error = "not-rhodecode", err.Error()
	default:
		r.State, r.Error = "error", err.Error()
	}
}
