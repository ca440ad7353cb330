// Command demo is the newcomer's tour of rhodecode: it builds the tool and
// runs the whole job (log in, check, create and list tokens, set up git,
// clone through the credential helper, revoke) against the in-repo fake
// RhodeCode server, printing every command as you would type it followed by
// its real output.
//
// Run it from the repository root:
//
//	go run ./internal/demo          # the tour
//	go run ./internal/demo -v       # plus config files and what the server saw
//	go run ./internal/demo -keep    # keep the throw-away HOME afterwards
//	go run ./internal/demo -serve   # the playground: the fake server and a
//	                                # rhodecode build, to try commands by hand
//
// Nothing outside a temporary directory is touched: the commands get a
// throw-away HOME, no system git config, no keyring (tokens are stored in
// the file ~/.rhoderc) and none of the caller's RHODERC/RHODECODE_*
// variables. The exit status is non-zero if any step fails, so CI can run
// it (.ci/demo-check.sh).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// The demo account and repository on the fake server.
const (
	demoUser     = "alice"
	demoPassword = "wonderland" // throw-away: only ever used against the fake
	demoRepo     = "demo/hello"
	demoHgRepo   = "demo/hello-hg"  // served when hg is installed
	demoSvnRepo  = "demo/hello-svn" // served when svn and Apache are installed
	demoTokenDes = "demo laptop"
)

func main() {
	keep := flag.Bool("keep", false, "keep the temporary directory (throw-away HOME, binary, clone) after the demo")
	verbose := flag.Bool("v", false, "more detail: exit codes and timings, config files, what the fake server saw")
	serve := flag.Bool("serve", false, "the playground: start the fake server, print how to log in and wait for Ctrl-C")
	addr := flag.String("addr", "127.0.0.1:0", "with -serve: the `host:port` the fake server listens on (port 0: any free port)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: go run ./internal/demo [-keep] [-v]\n"+
			"       go run ./internal/demo -serve [-addr host:port] [-keep]\n\n"+
			"Builds rhodecode and walks through login, tokens, setup-git and a git clone\n"+
			"against an in-process fake RhodeCode server, with a throw-away HOME.\n"+
			"With -serve, starts that server with demo users and repositories instead and\n"+
			"prints the commands to try by hand, until Ctrl-C.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	addrSet := false
	flag.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
	switch {
	case flag.NArg() > 0:
		flag.Usage()
		os.Exit(2)
	case addrSet && !*serve:
		fmt.Fprintln(os.Stderr, "-addr sets where the playground listens: add -serve")
		os.Exit(2)
	case *serve && *verbose:
		fmt.Fprintln(os.Stderr, "-v is for the demo, not the playground (-serve): leave one out")
		os.Exit(2)
	}

	// Ctrl-C stops the running command and still cleans up.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *serve {
		p := &playground{out: os.Stdout, addr: *addr, keep: *keep}
		err := p.serve(ctx)
		p.cleanup()
		if err != nil {
			fmt.Fprintf(os.Stderr, "playground: %v\n", err)
			if ctx.Err() != nil {
				os.Exit(130) // interrupted before it was up
			}
			os.Exit(1)
		}
		return // stopped with Ctrl-C or SIGTERM: a clean exit
	}

	d := &demo{out: newPrinter(os.Stdout), verbose: *verbose, keep: *keep}
	err := d.run(ctx)
	d.cleanup()
	if err != nil && ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "\ndemo interrupted; the temporary files are removed")
		os.Exit(130)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo FAILED: %v\n", err)
		if !*verbose || !*keep {
			fmt.Fprintln(os.Stderr, "Rerun with -v -keep to see more and keep the files.")
		}
		os.Exit(1)
	}
}

// demo holds the state of one run.
type demo struct {
	out     *printer
	verbose bool
	keep    bool

	tmp    string // everything lives below here
	bin    string // tmp/bin/rhodecode
	home   string // tmp/home, the throw-away HOME
	work   string // tmp/work, the current directory of every command
	env    []string
	srv    *fakerc.Server
	hasHg  bool // hg is installed: step 7b clones with it
	hasSvn bool // svn and Apache with mod_dav_svn are: step 7c checks out
}

func (d *demo) run(ctx context.Context) error {
	p := d.out
	for _, tool := range []string{"go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("the demo needs %s on PATH: %v", tool, err)
		}
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if d.tmp, err = os.MkdirTemp("", "rhodecode-demo-"); err != nil {
		return err
	}
	d.bin = filepath.Join(d.tmp, "bin", "rhodecode")
	d.home = filepath.Join(d.tmp, "home")
	d.work = filepath.Join(d.tmp, "work")
	for _, dir := range []string{d.home, d.work} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	d.env = d.cleanEnv()

	p.intro("rhodecode demo")
	p.text("This builds rhodecode, starts a fake RhodeCode server on 127.0.0.1 and runs the",
		"commands a new user runs, with a throw-away HOME:",
		"  "+d.home,
		"Each command is shown as you would type it, followed by its real output.",
		"The output is piped, so lists are tab-separated; in a terminal they are tables.")

	// 0. Build the binary from this checkout.
	p.heading("0. Build rhodecode from this checkout")
	build := exec.CommandContext(ctx, "go", "build", "-o", d.bin, ".")
	build.Dir = root
	if _, err := d.runCmd(ctx, build, "go build -o "+d.bin+" .", ""); err != nil {
		return fmt.Errorf("building rhodecode: %w", err)
	}
	p.text("(Below, rhodecode means this binary; the commands run in " + d.work + ".)")

	// 1. The fake server, with one user and one git repository.
	p.heading("1. Start a fake RhodeCode server")
	if err := d.startServer(); err != nil {
		return fmt.Errorf("starting the fake server: %w", err)
	}
	url := d.srv.URL
	p.text("Fake RhodeCode "+d.srv.Version()+" listening at "+url,
		"  user "+demoUser+", password "+demoPassword+", git repository "+demoRepo+" (write access)")

	// 2. Log in with the password: the tool makes an API token for itself.
	p.heading("2. Log in")
	p.text("The password goes in through a pipe (--password-stdin) only because it is this",
		"demo's throw-away password; on your machine, leave the flag out and type it at",
		"the masked prompt. --storage file keeps the token in ~/.rhoderc, not the keyring.")
	if _, err := d.rc(ctx, "echo "+demoPassword+" | ", demoPassword+"\n",
		"auth", "login", "--url", url, "--username", demoUser, "--password-stdin", "--storage", "file"); err != nil {
		return err
	}

	// 3. Check.
	p.heading("3. Check the login")
	p.text("Columns: name, URL, user, storage, token (masked), status, git (\"-\" until step 6).")
	if _, err := d.rc(ctx, "", "", "auth", "status"); err != nil {
		return err
	}

	// 4. A token of our own: the secret is printed once, on stdout.
	p.heading("4. Create a VCS token (for git over HTTP), valid for 30 days")
	created, err := d.rc(ctx, "", "", "token", "create", "--role", "vcs", "--description", demoTokenDes, "--lifetime", "30d")
	if err != nil {
		return err
	}
	if !hasSecret(created) {
		return fmt.Errorf("token create printed no 40-hex secret:\n%s", created)
	}

	// 5. List: find the id of the token from step 4 for step 8.
	p.heading("5. List your tokens")
	p.text("Columns: id, description, role, scope, expires, expired, note. The API token",
		"the tool made for itself in step 2 is marked; the feed token comes with every account.")
	list, err := d.rc(ctx, "", "", "token", "list")
	if err != nil {
		return err
	}
	id := tokenID(list, demoTokenDes)
	if id == "" {
		return fmt.Errorf("token list shows no token %q", demoTokenDes)
	}

	// 6. git config for the instance, with a VCS token the tool manages.
	p.heading("6. Make git use rhodecode as its credential helper")
	p.text("setup-git makes its own VCS token for git (\"rhodecode-cli git ...\"), stores it",
		"next to the API token and writes ~/.gitconfig for this server's URL only.")
	if _, err := d.rc(ctx, "", "", "setup-git"); err != nil {
		return err
	}
	if d.verbose {
		d.showFile("~/.gitconfig", filepath.Join(d.home, ".gitconfig"))
	}

	// 7. Clone: git asks the helper, the helper answers with the VCS token.
	p.heading("7. Clone a repository: no password prompt, git asks rhodecode")
	if _, err := d.git(ctx, "clone", url+"/"+demoRepo); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(d.work, "hello", "README.md")); err != nil {
		return fmt.Errorf("the clone has no README.md: %v", err)
	}
	if _, err := d.git(ctx, "-C", "hello", "log", "--oneline"); err != nil {
		return err
	}

	// 7b. Mercurial, when hg is installed: the same VCS token.
	if d.hasHg {
		p.heading("7b. Mercurial: setup-hg, then hg clone with the same VCS token")
		p.text("setup-hg writes an [auth] entry for this server into ~/.hgrc that includes a",
			"0600 token file with the VCS token from step 6; hg has no credential helper.")
		if _, err := d.rc(ctx, "", "", "setup-hg"); err != nil {
			return err
		}
		if d.verbose {
			d.showFile("~/.hgrc", filepath.Join(d.home, ".hgrc"))
		}
		if _, err := d.hg(ctx, "clone", url+"/"+demoHgRepo); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(d.work, "hello-hg", "README.md")); err != nil {
			return fmt.Errorf("the hg clone has no README.md: %v", err)
		}
	}

	// 7c. Subversion, when svn and Apache are installed: the same token.
	if d.hasSvn {
		p.heading("7c. Subversion: setup-svn, then svn checkout with the same VCS token")
		p.text("setup-svn asks the server for its realm and writes svn's own credentials entry",
			"for it (~/.subversion/auth/svn.simple/, plain text, 0600); svn has no helper either.")
		if _, err := d.rc(ctx, "", "", "setup-svn"); err != nil {
			return err
		}
		if _, err := d.svn(ctx, "checkout", url+"/"+demoSvnRepo+"/trunk", "hello-svn"); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(d.work, "hello-svn", "README.txt")); err != nil {
			return fmt.Errorf("the svn checkout has no README.txt: %v", err)
		}
	}

	// 8. Revoke the token from step 4.
	p.heading("8. Revoke the token from step 4 (id " + id + ")")
	if _, err := d.rc(ctx, "", "", "token", "revoke", id, "--yes"); err != nil {
		return err
	}

	// 9. It is gone.
	p.heading("9. List again: token " + id + " is gone")
	list, err = d.rc(ctx, "", "", "token", "list")
	if err != nil {
		return err
	}
	if tokenID(list, demoTokenDes) != "" {
		return fmt.Errorf("token %s (%q) is still listed after revoke", id, demoTokenDes)
	}

	if d.verbose {
		d.showFile("~/.rhoderc", filepath.Join(d.home, ".rhoderc"))
		p.heading("What the fake server saw (git requests)")
		for _, r := range d.srv.VCSRequests() {
			fmt.Fprintf(p.w, "  %-4s %-40s user=%-6q authenticated=%-5v -> %d\n",
				r.Method, r.Path, r.Username, r.Authenticated, r.Status)
		}
	}
	d.closing(id)
	return nil
}

// startServer starts the fake with the demo user and repository.
func (d *demo) startServer() (err error) {
	if d.srv, err = fakerc.Start(); err != nil {
		return err
	}
	return fakerc.Do(func() {
		d.srv.AddUser(fakerc.User{
			Username: demoUser, Password: demoPassword, Active: true,
			Email: "alice@example.com", FirstName: "Alice", LastName: "Liddell",
		})
		d.srv.SeedRepo(demoRepo, map[string]string{
			"README.md": "# hello\n\nA repository on the fake RhodeCode server of the rhodecode demo.\n",
		})
		d.srv.GrantRepo(demoUser, demoRepo, "write")
		if _, err := exec.LookPath("hg"); err == nil {
			d.hasHg = true
			d.srv.SeedHgRepo(demoHgRepo, map[string]string{
				"README.md": "# hello\n\nA Mercurial repository on the fake RhodeCode server.\n",
			})
			d.srv.GrantRepo(demoUser, demoHgRepo, "write")
		}
		if fakerc.SVNAvailable() == nil {
			d.hasSvn = true
			d.srv.ServeSVN(demoSvnRepo)
			d.srv.GrantRepo(demoUser, demoSvnRepo, "write")
		}
	})
}

// closing explains what happened and what to try next.
func (d *demo) closing(id string) {
	p := d.out
	p.heading("Done")
	p.text("What happened:",
		"  2. auth login signed in to the web UI with the password, created an API token",
		"     for the tool, checked it with the get_user API call and saved it (the",
		"     password itself was not stored).",
		"  3. auth status asked the server whether that token still works.",
		"  4-5. token create/list used the web session kept from the login.",
		"  6. setup-git created a second VCS token for git, stored it like the API token",
		"     and pointed git's credential helper for this server at rhodecode.",
		"  7. git clone got its username and token from `rhodecode credential-helper`.",
		"  7b. (with hg installed) setup-hg gave hg the same VCS token through ~/.hgrc.",
		"  7c. (with svn and Apache installed) setup-svn put it in svn's credentials cache.",
		"  8-9. token revoke deleted token "+id+" on the server.",
		"")
	where := "They are deleted now (run with -keep to keep them)."
	if d.keep {
		where = "They are kept (-keep); look around with, e.g.,\n" +
			"  HOME=" + d.home + " " + d.bin + " auth status --offline\n" +
			"(the fake server has stopped, so commands that contact it fail as unreachable)\n" +
			"and delete them with: rm -rf " + d.tmp
	}
	p.text("Where the files were:",
		"  "+filepath.Join(d.home, ".rhoderc")+"    instances, usernames, tokens (mode 0600)",
		"  "+filepath.Join(d.home, ".gitconfig")+"  the credential helper for "+d.srv.URL,
		"  "+filepath.Join(d.work, "hello")+"       the clone",
		where,
		"",
		"On a real server (tokens go to the OS keyring unless you add --storage file):",
		"  rhodecode auth login --url https://code.example.com --username YOU",
		"  rhodecode auth status",
		"  rhodecode setup-git",
		"  git clone https://code.example.com/GROUP/REPO",
		"  rhodecode token list",
		"  rhodecode token create --role api --description \"CI\" --lifetime 90d",
		"See README.md and rhodecode --help for the rest.")
}

func (d *demo) cleanup() {
	if d.srv != nil {
		d.srv.Close() // also removes the fake's bare repositories
	}
	if d.tmp != "" && !d.keep {
		_ = os.RemoveAll(d.tmp)
	}
}

// cleanEnv is the caller's environment without anything that could reach
// the caller's own config, keyring or instances, plus the throw-away HOME.
func (d *demo) cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "HOME", name == "RHODERC", name == "XDG_CONFIG_HOME",
			name == "DBUS_SESSION_BUS_ADDRESS", name == "SSH_ASKPASS", name == "PATH",
			strings.HasPrefix(name, "RHODECODE_"), strings.HasPrefix(name, "GIT_"), strings.HasPrefix(name, "HG"):
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PATH="+filepath.Dir(d.bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+d.home,
		"XDG_CONFIG_HOME="+filepath.Join(d.home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=", "SSH_ASKPASS=", // never a GUI password dialog
		"HGRCPATH="+filepath.Join(d.home, ".hgrc"), "HGPLAIN=1", // hg reads only the demo's ~/.hgrc
	)
}

// moduleRoot is the directory of this module's go.mod, so that the demo
// works from any directory inside the checkout.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the demo inside the rhodecode checkout: go run ./internal/demo")
	}
	return filepath.Dir(gomod), nil
}

// hasSecret reports whether out has a line that is a 40-hex token secret.
func hasSecret(out string) bool {
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		s := strings.TrimSpace(sc.Text())
		if len(s) == 40 && strings.Trim(s, "0123456789abcdef") == "" {
			return true
		}
	}
	return false
}

// tokenID finds the id of the token with that description in the piped
// (tab-separated: id, description, role, ...) output of token list.
func tokenID(list, description string) string {
	sc := bufio.NewScanner(strings.NewReader(list))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) >= 2 && f[1] == description {
			return f[0]
		}
	}
	return ""
}
