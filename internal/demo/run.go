package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"golang.org/x/term"
)

// stepTimeout bounds each command, so a broken step fails CI instead of
// hanging it. (The build is bounded only by Ctrl-C: a cold module cache
// can take a while.)
const stepTimeout = 30 * time.Second

// rc runs the built rhodecode with args, shown as "<shownStdin>rhodecode
// args..." (shownStdin is e.g. "echo pw | "), with stdin as its input.
// It returns stdout and stderr as produced, interleaved.
func (d *demo) rc(ctx context.Context, shownStdin, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.bin, args...)
	cmd.Args[0] = "rhodecode" // argv[0] as when run from PATH
	cmd.Dir, cmd.Env = d.work, d.env
	return d.runCmd(ctx, cmd, shownStdin+"rhodecode "+shellJoin(args), stdin)
}

// git runs git in the work directory with the demo's environment.
func (d *demo) git(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir, cmd.Env = d.work, d.env
	return d.runCmd(ctx, cmd, "git "+shellJoin(args), "")
}

// hg runs hg in the work directory with the demo's environment, never
// prompting.
func (d *demo) hg(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "hg", append([]string{"--noninteractive"}, args...)...)
	cmd.Dir, cmd.Env = d.work, d.env
	return d.runCmd(ctx, cmd, "hg "+shellJoin(args), "")
}

// svn runs svn in the work directory with the demo's environment, never
// prompting.
func (d *demo) svn(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "svn", append([]string{"--non-interactive"}, args...)...)
	cmd.Dir, cmd.Env = d.work, d.env
	return d.runCmd(ctx, cmd, "svn "+shellJoin(args), "")
}

// runCmd prints "$ shown", runs cmd (made with ctx) with stdin (none when
// ""), streams its output as it comes and returns it. A non-zero exit is
// an error.
func (d *demo) runCmd(ctx context.Context, cmd *exec.Cmd, shown, stdin string) (string, error) {
	d.out.command(shown)
	var buf bytes.Buffer
	// One writer for both streams keeps their order as produced.
	w := io.MultiWriter(&buf, d.out.w)
	cmd.Stdout, cmd.Stderr = w, w
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	start := time.Now()
	err := cmd.Run()
	if d.verbose {
		code := 0
		if cmd.ProcessState != nil {
			code = cmd.ProcessState.ExitCode()
		}
		d.out.note(fmt.Sprintf("[exit %d, %s]", code, time.Since(start).Round(time.Millisecond)))
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && cmd.ProcessState != nil && cmd.ProcessState.ExitCode() >= 0 {
			return buf.String(), fmt.Errorf("`%s` exited with status %d", shown, ee.ExitCode())
		}
		if ctx.Err() != nil { // timed out or interrupted
			return buf.String(), fmt.Errorf("`%s`: %v", shown, ctx.Err())
		}
		return buf.String(), fmt.Errorf("`%s`: %v", shown, err)
	}
	return buf.String(), nil
}

// showFile prints a file of the throw-away HOME the way cat would.
func (d *demo) showFile(shown, path string) {
	d.out.command("cat " + shown)
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(d.out.w, "cat: %v\n", err)
		return
	}
	_, _ = d.out.w.Write(b)
}

// shellJoin quotes args the way a user would type them in a POSIX shell.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return s
	}
	if !strings.ContainsAny(s, "\"$`\\!") {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// printer writes the demo's own text; headings and commands are bold
// (headings also coloured) only when stdout is a terminal and NO_COLOR is
// unset.
type printer struct {
	w     io.Writer
	color bool
}

func newPrinter(f *os.File) *printer {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &printer{w: f, color: !noColor && term.IsTerminal(int(f.Fd()))}
}

func (p *printer) style(code, s string) string {
	if !p.color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p *printer) intro(s string)   { fmt.Fprintln(p.w, p.style("1", "== "+s+" ==")) }
func (p *printer) heading(s string) { fmt.Fprintln(p.w, "\n"+p.style("1;36", "## "+s)) }
func (p *printer) command(s string) { fmt.Fprintln(p.w, p.style("1", "$ "+s)) }
func (p *printer) note(s string)    { fmt.Fprintln(p.w, p.style("2", s)) }

func (p *printer) text(lines ...string) {
	for _, l := range lines {
		fmt.Fprintln(p.w, l)
	}
}
