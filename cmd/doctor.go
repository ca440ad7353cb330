package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/resolve"
	"github.com/spf13/cobra"
)

type doctorOptions struct {
	*deps
	build BuildInfo
}

func newDoctorCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &doctorOptions{build: f.Build}
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check the set-up and say what to fix",
		Long: `Check everything the tool depends on and print, per check, OK, WARN or
FAIL with the command or setting that fixes it:

  the config file   path, dialect, that it parses, its mode, temporary files
                    an interrupted write left, locks held by another process
  the OS keyring    a set/get/delete round trip of a probe entry
  each instance     the server answers as RhodeCode, the API token is
                    accepted (and when it expires), the clock agrees with
                    the server's, the stored web session, the managed VCS
                    token over git's protocol (and the server's auth-token
                    plugin), git's credential helpers for its URL, and
                    where hg or svn is set up for it, that their copy of
                    the VCS token (hg: the token file or mercurial_keyring
                    entry; svn: its credentials cache) is there and current

With -i only that instance is checked. --json prints the checks for a
support ticket; secrets are never printed, in either form. The exit status
is 1 when any check fails.`,
		Example: `  $ rhodecode doctor
  $ rhodecode doctor -i work --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.deps = f.deps(g)
			return doctorRun(cmd.Context(), opts)
		},
	}
}

// Check outcomes.
const (
	checkOK   = "ok"
	checkWarn = "warn"
	checkFail = "fail"
)

// check is one line of the report, and its JSON form.
type check struct {
	Section string `json:"section"` // "config file", "keyring", "instance NAME"
	Name    string `json:"check"`
	Status  string `json:"status"`
	Detail  string `json:"detail"`
	Fix     string `json:"fix,omitempty"`
}

// doctor collects the checks of one run.
type doctor struct {
	*doctorOptions
	section string
	checks  []check
}

func (d *doctor) add(name, status, detail, fix string) {
	d.checks = append(d.checks, check{Section: d.section, Name: name, Status: status, Detail: detail, Fix: fix})
}

func (d *doctor) ok(name, format string, a ...any) {
	d.add(name, checkOK, fmt.Sprintf(format, a...), "")
}

func doctorRun(ctx context.Context, opts *doctorOptions) error {
	d := &doctor{doctorOptions: opts}
	d.section = "config file"
	cfg := d.checkConfig(ctx)
	if n := opts.g.Instance; n != "" && n != resolve.EnvName {
		// A name the user typed that is not there is a usage error, as
		// for every other command, not a failed check.
		if _, err := resolve.Named(cfg, n); err != nil {
			return err
		}
	}
	d.section = "keyring"
	d.checkKeyring(ctx, cfg)
	for _, t := range d.targets(cfg) {
		d.section = "instance " + t.Name
		d.checkInstance(ctx, t)
	}

	failed := false
	for _, c := range d.checks {
		failed = failed || c.Status == checkFail
	}
	if opts.g.JSON {
		if err := writeJSON(opts.io.Out, map[string]any{"ok": !failed, "checks": d.checks}); err != nil {
			return err
		}
	} else if err := d.print(); err != nil {
		return err
	}
	if failed {
		return errSilent
	}
	return nil
}

// print writes the report for a person: a heading per section, one line
// per check, the fix indented below a WARN or FAIL.
func (d *doctor) print() error {
	io := d.io
	paint := func(code, s string) string {
		if io.IsStdoutTTY() && io.ColorEnabled() {
			return "\x1b[" + code + "m" + s + "\x1b[0m"
		}
		return s
	}
	word := map[string]string{
		checkOK:   paint("32", "OK  "),
		checkWarn: paint("33", "WARN"),
		checkFail: paint("31", "FAIL"),
	}
	var b strings.Builder
	section := ""
	for _, c := range d.checks {
		if c.Section != section {
			if section != "" {
				b.WriteByte('\n')
			}
			section = c.Section
			fmt.Fprintf(&b, "%s\n", strings.ToUpper(section[:1])+section[1:])
		}
		fmt.Fprintf(&b, "  %s  %s: %s\n", word[c.Status], c.Name, oneLine(c.Detail))
		if c.Fix != "" && c.Status != checkOK {
			fmt.Fprintf(&b, "        fix: %s\n", oneLine(c.Fix))
		}
	}
	_, err := fmt.Fprint(io.Out, b.String())
	return err
}
