package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// The playground (-serve): the fake server and a rhodecode built from this
// checkout, left running for a newcomer to try every command by hand.

// playUser is an account on the playground's server and its permission on
// every playground repository.
type playUser struct {
	user fakerc.User
	perm string
}

var playgroundUsers = []playUser{
	{fakerc.User{Username: demoUser, Password: demoPassword, Active: true,
		Email: "alice@example.com", FirstName: "Alice", LastName: "Liddell"}, "write"},
	// Throw-away, like alice's: only ever used against the fake.
	{fakerc.User{Username: "bob", Password: "builder", Active: true,
		Email: "bob@example.com", FirstName: "Bob", LastName: "Builder"}, "read"},
}

// playRepo is a repository of the playground: the tools its VCS needs
// (it is skipped without), the rhodecode command that sets that VCS up,
// the command that clones it, and how the fake server makes it with files.
type playRepo struct {
	name  string
	tool  string
	setup string // "" for git: setup-git is always printed
	clone string
	ready func() error // the tools are there
	seed  func(s *fakerc.Server, name string, files map[string]string) (cloneURL string)
}

// playgroundRepos, one line per VCS the fake serves.
var playgroundRepos = []playRepo{
	{demoRepo, "git", "", "git clone", lookPath("git"), func(s *fakerc.Server, name string, files map[string]string) string {
		s.SeedRepo(name, files)
		return s.RepoCloneURL(name)
	}},
	{demoHgRepo, "hg", "rhodecode setup-hg", "hg clone", lookPath("hg"), func(s *fakerc.Server, name string, files map[string]string) string {
		s.SeedHgRepo(name, files)
		return s.RepoCloneURL(name)
	}},
	// svn needs Apache with mod_dav_svn too; a checkout of trunk.
	{demoSvnRepo, "svn", "rhodecode setup-svn", "svn checkout", fakerc.SVNAvailable, func(s *fakerc.Server, name string, _ map[string]string) string {
		return s.ServeSVN(name) + "/trunk"
	}},
}

func lookPath(tool string) func() error {
	return func() error { _, err := exec.LookPath(tool); return err }
}

// playground is one run of -serve.
type playground struct {
	out  io.Writer
	addr string
	keep bool

	tmp string // bin/rhodecode, rhoderc and gitconfig live here
	srv *fakerc.Server
}

// serve builds rhodecode, starts the server, prints how to use both and
// waits for ctx to end (Ctrl-C): that is a clean stop, not an error.
func (p *playground) serve(ctx context.Context) error {
	if err := p.start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	fmt.Fprintln(p.out, "\nStopping the playground.")
	return nil
}

func (p *playground) start(ctx context.Context) error {
	for _, tool := range []string{"go", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("the playground needs %s on PATH: %v", tool, err)
		}
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	// The server first: a taken -addr fails before the build.
	if p.srv, err = fakerc.Start(fakerc.WithAddr(p.addr)); err != nil {
		return fmt.Errorf("cannot start the fake server on %s (choose another -addr): %w", p.addr, err)
	}
	var repos, skipped []playRepo
	for _, r := range playgroundRepos {
		if r.ready() != nil {
			skipped = append(skipped, r)
		} else {
			repos = append(repos, r)
		}
	}
	var urls map[string]string
	if err := fakerc.Do(func() { urls = seedPlayground(p.srv, repos) }); err != nil {
		return fmt.Errorf("setting up the fake server: %w", err)
	}

	if p.tmp, err = os.MkdirTemp("", "rhodecode-playground-"); err != nil {
		return err
	}
	bin := filepath.Join(p.tmp, "bin", "rhodecode")
	fmt.Fprintln(p.out, "Building rhodecode from this checkout...")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building rhodecode: %v\n%s", err, out)
	}
	// Git identity for commits in clones: GIT_CONFIG_GLOBAL hides the
	// user's own ~/.gitconfig in the shell the lines below are pasted into.
	gitconfig := filepath.Join(p.tmp, "gitconfig")
	if err := os.WriteFile(gitconfig, []byte("[user]\n\tname = Alice Liddell\n\temail = alice@example.com\n"), 0o600); err != nil {
		return err
	}

	// hg and svn keep their credentials under HOME (~/.hgrc,
	// ~/.subversion): the pasted lines get a HOME of their own.
	if err := os.Mkdir(filepath.Join(p.tmp, "home"), 0o700); err != nil {
		return err
	}

	p.print(filepath.Dir(bin), gitconfig, repos, skipped, urls)
	return nil
}

// seedPlayground adds the users and repositories; fakerc panics on a
// problem (see fakeDo).
func seedPlayground(s *fakerc.Server, repos []playRepo) (cloneURLs map[string]string) {
	for _, u := range playgroundUsers {
		s.AddUser(u.user)
	}
	cloneURLs = map[string]string{}
	for _, r := range repos {
		cloneURLs[r.name] = r.seed(s, r.name, map[string]string{
			"README.md": "# " + cloneDir(r.name) + "\n\nA " + r.tool + " repository on the rhodecode playground's fake RhodeCode server.\n",
		})
		for _, u := range playgroundUsers {
			s.GrantRepo(u.user.Username, r.name, u.perm)
		}
	}
	return cloneURLs
}

// cloneDir is the last element of a repository name: what a clone is called.
func cloneDir(name string) string { return name[strings.LastIndex(name, "/")+1:] }

func (p *playground) print(binDir, gitconfig string, repos, skipped []playRepo, urls map[string]string) {
	w, url := p.out, p.srv.URL
	fmt.Fprintf(w, "\nFake RhodeCode %s listening at %s\n", p.srv.Version(), url)
	if host, _, err := net.SplitHostPort(p.srv.Host()); err == nil && !net.ParseIP(host).IsLoopback() {
		fmt.Fprintln(w, "WARNING: not on a loopback address: anyone who can reach it can log in with the passwords below.")
	}
	fmt.Fprintln(w, "\nUsers (throw-away passwords, good only on this server):")
	for _, u := range playgroundUsers {
		fmt.Fprintf(w, "  %-6s password %-11s %s access to every repository\n", u.user.Username, u.user.Password, u.perm)
	}
	fmt.Fprintln(w, "\nRepositories:")
	for _, r := range repos {
		fmt.Fprintf(w, "  %-16s %-4s %s\n", r.name, r.tool, urls[r.name])
	}
	for _, r := range skipped {
		fmt.Fprintf(w, "  (%s: skipped: %v)\n", r.name, r.ready())
	}

	fmt.Fprintln(w, "\nIn another terminal, paste:")
	fmt.Fprintln(w)
	if unset := rhodecodeVars(); len(unset) > 0 {
		fmt.Fprintln(w, "  unset "+strings.Join(unset, " "))
	}
	home := filepath.Join(p.tmp, "home")
	fmt.Fprintf(w, "  export HOME=%s XDG_CONFIG_HOME=%s XDG_STATE_HOME=%s RHODERC=%s GIT_CONFIG_GLOBAL=%s PATH=%s\n",
		shellQuote(home), shellQuote(filepath.Join(home, ".config")), shellQuote(filepath.Join(home, ".local", "state")),
		shellQuote(filepath.Join(p.tmp, "rhoderc")), shellQuote(gitconfig), shellQuote(binDir)+`:"$PATH"`)
	fmt.Fprintf(w, "  rhodecode auth login --url %s --username %s --storage file\n", url, demoUser)
	fmt.Fprintln(w, "  rhodecode auth status")
	fmt.Fprintln(w, "  rhodecode setup-git")
	for _, r := range repos {
		if r.setup != "" {
			fmt.Fprintf(w, "  %s\n", r.setup)
		}
	}
	for _, r := range repos {
		fmt.Fprintf(w, "  %s %s\n", r.clone, urls[r.name])
	}
	fmt.Fprintln(w)
	for _, l := range []string{
		"auth login asks for alice's password (" + demoPassword + ") at a masked prompt.",
		"The export line gives that terminal a throw-away HOME, so your own ~/.rhoderc,",
		"~/.gitconfig, ~/.hgrc and ~/.subversion stay untouched; --storage file keeps the",
		"tokens out of your keyring, and PATH picks the rhodecode built from this",
		"checkout. Then try token create,",
		"token list, doctor, a push to " + demoRepo + ", or logging in as bob (read only).",
	} {
		fmt.Fprintln(w, l)
	}
	where := "Everything is deleted when the playground stops."
	if p.keep {
		where = "The files are kept (-keep): " + p.tmp
	}
	fmt.Fprintln(w, where)
	fmt.Fprintln(w, "\nPress Ctrl-C to stop the server.")
}

// rhodecodeVars are the caller's RHODECODE_* variables, which would point
// the pasted commands somewhere else.
func rhodecodeVars() []string {
	var names []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "RHODECODE_") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func (p *playground) cleanup() {
	if p.srv != nil {
		p.srv.Close() // also removes the fake's repositories
	}
	if p.tmp != "" && !p.keep {
		_ = os.RemoveAll(p.tmp)
	}
}
