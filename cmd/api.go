package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/spf13/cobra"
)

type apiOptions struct {
	*deps

	Method string
	Args   apiArgs
	Raw    bool
}

func newAPICmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &apiOptions{}
	c := &cobra.Command{
		Use:   "api <method> [-f key=value]... [-F key=value]... [--input file] [--raw]",
		Short: "Call any RhodeCode API method",
		Long: `Call a method of the RhodeCode JSON-RPC API (<instance>/_admin/api) with the
selected instance's API token, and print its result as JSON: indented on a
terminal, on one line when piped. The token is never printed, not even
where the result lists it (get_user's auth_tokens): it reads [REDACTED].

Arguments:
  -f key=value    a string
  -F key=value    typed: a number, true, false, null, a JSON [array] or
                  {object}; @file is that file's contents and @- standard
                  input, as a string; anything else is a string
  key[]=value     (with -f or -F) appends to the list key
  --input file    a JSON object of arguments (- for standard input);
                  -f and -F set keys on top of it
  key:value       rhodecode-api's form, a string, as -f

An error answer is one line on standard error: exit status 4 when the
server rejected the token, 1 for any other error. --raw prints the whole
JSON-RPC answer (id, result, error) instead of the result, errors too.
Method names complete in the shell; get_method lists a server's own
(super-admins only).`,
		Example: `  $ rhodecode api get_user
  $ rhodecode api get_repos -F traverse=false --jq '.[].repo_name'
  $ rhodecode api get_repo -f repoid=team/app --template '{{.clone_uri}}'
  $ rhodecode api create_gist -f description=log -F 'files={"log.txt":{"content":"x"}}'
  $ rhodecode api comment_commit -f repoid=team/app -f commit_id=abc123 -F message=@notes.md
  $ rhodecode api get_user --raw
  # rhodecode-tools: rhodecode-api --instance-name=work get_repo repoid:team/app
  $ rhodecode api -i work get_repo repoid:team/app`,
		Args:              apiArgsCheck,
		ValidArgsFunction: apiMethodCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Method = args[0]
			opts.Args.positional(args[1:])
			opts.deps = f.deps(g)
			// Arguments are read (files, stdin) before the token is, so
			// a mistake in them costs no keyring prompt.
			params, err := opts.Args.build(opts.io)
			if err != nil {
				return err
			}
			return apiRun(cmd.Context(), opts, params)
		},
	}
	opts.Args.fields = fieldFlag{args: &opts.Args}
	opts.Args.typed = fieldFlag{args: &opts.Args, typed: true}
	fl := c.Flags()
	fl.VarP(&opts.Args.fields, "raw-field", "f", "Add a string argument `key=value`")
	fl.VarP(&opts.Args.typed, "field", "F", "Add a typed argument `key=value` (number, true, false, null, JSON, @file, @-)")
	fl.StringVar(&opts.Args.input, "input", "", "Read a JSON object of arguments from `file` (- for standard input)")
	fl.BoolVar(&opts.Raw, "raw", false, "Print the whole JSON-RPC answer, not only its result")
	return c
}

func apiRun(ctx context.Context, opts *apiOptions, params json.RawMessage) error {
	t, err := opts.target()
	if err != nil {
		return err
	}
	token, err := opts.targetToken(ctx, t)
	if err != nil {
		return err
	}
	c, err := opts.newClient(t.Instance, token)
	if err != nil {
		return err
	}
	// The tool's own VCS token is redacted like its API token; other
	// tokens print as sent: the user asked for them.
	vcs := opts.getenv("RHODECODE_VCS_TOKEN")
	if !t.Env {
		if vcs, err = storedVCSToken(ctx, opts.deps, t.Instance); err != nil {
			return err
		}
	}
	if vcs != "" {
		c.Redact(vcs)
	}
	reply, callErr := c.CallRaw(ctx, opts.Method, params)
	var apiErr *client.APIError
	if callErr != nil && !errors.As(callErr, &apiErr) {
		return callErr
	}
	if apiErr != nil && apiErr.Kind == client.KindNoSuchMethod {
		callErr = &noSuchMethodError{apiErr}
	}
	if reply.Deprecation != "" {
		termPrintf(opts.io.ErrOut, "%s %s: %s\n", opts.io.WarningIcon(), opts.Method, reply.Deprecation)
	}
	out := reply.Result
	if opts.Raw {
		out = reply.Envelope
	}
	// An error answer prints nothing but with --raw, which asks for it.
	if callErr == nil || opts.Raw {
		if err := opts.printResult(out); err != nil {
			return err
		}
	}
	return callErr
}

// printResult writes what the server answered: through --jq or
// --template when given, else as JSON in the server's key order,
// indented on a terminal and on one line when piped.
func (opts *apiOptions) printResult(raw json.RawMessage) error {
	switch _, filtered := opts.io.Out.(*filterOut); {
	case filtered:
		return writeJSON(opts.io.Out, raw)
	case opts.io.IsStdoutTTY():
		return encodeJSON(opts.io.Out, raw, "  ")
	}
	return encodeJSON(opts.io.Out, raw, "")
}

// noSuchMethodError words the server's "No such method" for a name typed
// on the command line, where a typo is likelier than an old server.
type noSuchMethodError struct{ *client.APIError }

func (e *noSuchMethodError) Error() string {
	return fmt.Sprintf("%s has no API method %q (%s); rhodecode api <Tab> completes the documented names", e.Host, e.Method, e.Message)
}

func (e *noSuchMethodError) Unwrap() error { return e.APIError }
