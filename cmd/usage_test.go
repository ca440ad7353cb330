package cmd

import (
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// Command-line mistakes get one line in the tool's voice, a hint at the
// help, and exit 2; cobra's own wording never reaches the user.
func TestUsageMessages(t *testing.T) {
	e := newTestEnv(t)
	for _, tc := range []struct {
		args []string
		want string // the first line of stderr
		help string // the command whose help the second line names
	}{
		{[]string{"tokn"}, `rhodecode: unknown command "tokn" for "rhodecode"; did you mean rhodecode token?`, "rhodecode"},
		{[]string{"token", "lst"}, `rhodecode: unknown command "lst" for "rhodecode token"; did you mean rhodecode token list?`, "rhodecode token"},
		{[]string{"auth", "stat"}, `rhodecode: unknown command "stat" for "rhodecode auth"; did you mean rhodecode auth status?`, "rhodecode auth"},
		{[]string{"login"}, `rhodecode: unknown command "login" for "rhodecode"; did you mean rhodecode auth login?`, "rhodecode"},
		{[]string{"token", "setup-git"}, `rhodecode: unknown command "setup-git" for "rhodecode token"; did you mean rhodecode setup-git?`, "rhodecode token"},
		{[]string{"zzz"}, `rhodecode: unknown command "zzz" for "rhodecode"`, "rhodecode"},
		{[]string{"help", "tokn"}, `rhodecode: unknown command "tokn" for "rhodecode"; did you mean rhodecode token?`, "rhodecode"},
		{[]string{"help", "token", "lst"}, `rhodecode: unknown command "lst" for "rhodecode token"; did you mean rhodecode token list?`, "rhodecode token"},
		{[]string{"token", "create", "--role", "vcs", "--lifetime", "3d", "--expires", "2027-01-01"},
			"rhodecode: --lifetime and --expires cannot be used together; give only one of them", "rhodecode token create"},
		{[]string{"token", "list", "--active", "--expired"},
			"rhodecode: --expired and --active cannot be used together; give only one of them", "rhodecode token list"},
		{[]string{"token", "create"}, "rhodecode: --role is required", "rhodecode token create"},
		{[]string{"auth", "login", "--with-token", "--username", "a"},
			"rhodecode: --with-token and --username cannot be used together; give only one of them", "rhodecode auth login"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := e.run(tc.args...)
			want := tc.want + "\nRun '" + tc.help + " --help' for usage.\n"
			if r.code != 2 || r.stderr != want || r.stdout != "" {
				t.Errorf("exit %d\nstderr %q\nwant   %q\nstdout %q", r.code, r.stderr, want, r.stdout)
			}
		})
	}
}

func TestCobraUsageMessage(t *testing.T) {
	for in, want := range map[string]string{
		"at least one of the flags in the group [a b c] is required":                              "give --a, --b or --c",
		"if any flags in the group [a b] are set they must all be set; missing [b]":               "--a and --b go together; add --b",
		`required flag(s) "role", "url" not set`:                                                  "--role and --url are required",
		"if any flags in the group [x y z] are set none of the others can be; [x z] were all set": "--x and --z cannot be used together; give only one of them",
	} {
		if got, ok := cobraUsageMessage(in); !ok || got != want {
			t.Errorf("%q:\n got %q\nwant %q", in, got, want)
		}
	}
	if _, ok := cobraUsageMessage("connection refused"); ok {
		t.Error("rewrote an error that is not cobra's")
	}
}

// rhodecode --version prints what rhodecode version prints, also as JSON.
func TestVersionFlag(t *testing.T) {
	e := newTestEnv(t)
	for _, json := range []bool{false, true} {
		var extra []string
		if json {
			extra = []string{"--json"}
		}
		want := e.mustRun(append([]string{"version"}, extra...)...)
		got := e.mustRun(append([]string{"--version"}, extra...)...)
		if got.stdout != want.stdout || got.stderr != "" || !strings.HasPrefix(got.stdout, "rhodecode 1.2.3") && !json {
			t.Errorf("--version %q, version %q", got.stdout, want.stdout)
		}
	}
	// help of a real command still works.
	if r := e.mustRun("help", "token", "list"); !strings.Contains(r.stdout, "rhodecode token list [--role <role>]") {
		t.Errorf("help token list: %q", r.stdout)
	}
	// With no flag, the root still shows its help.
	if r := e.mustRun(); !strings.Contains(r.stdout, "Available Commands") {
		t.Errorf("root without arguments: %q", r.stdout)
	}
}

// auth setup-git is setup-git, where gh users look for it.
func TestAuthSetupGitAlias(t *testing.T) {
	srv := gitServer(t)
	u := srv.AddToken("alice", fakerc.RoleVCS, "ci", -1)
	e := newTestEnv(t)
	e.env["RHODECODE_HOST"] = srv.URL
	e.env["RHODECODE_USERNAME"] = "alice"
	e.env["RHODECODE_VCS_TOKEN"] = u.Secret
	e.mustRun("auth", "setup-git")
	out, err := e.git(t.TempDir(), "config", "--global", "--get-all", "credential."+srv.URL+".helper")
	if err != nil || !strings.Contains(out, "git-credential-rhodecode") {
		t.Fatalf("git config after auth setup-git: %v %q", err, out)
	}
	if out, err := e.git(t.TempDir(), "clone", "-q", srv.RepoCloneURL("team/app")); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	e.mustRun("auth", "setup-git", "--remove")
	if out, _ := e.git(t.TempDir(), "config", "--global", "--get-all", "credential."+srv.URL+".helper"); strings.Contains(out, "credential-") {
		t.Errorf("auth setup-git --remove left %q", out)
	}
}

// Every setup-VCS command is also under auth, with the same flags.
func TestAuthSetupAliases(t *testing.T) {
	root := NewRootCmd(&Factory{})
	for _, name := range []string{"setup-git", "setup-hg", "setup-svn"} {
		top, _, err := root.Find([]string{name})
		if err != nil || top.Name() != name {
			t.Fatalf("%s: %v", name, err)
		}
		under, _, err := root.Find([]string{"auth", name})
		if err != nil || under.Name() != name || under.Parent().Name() != "auth" {
			t.Fatalf("auth %s: %v", name, err)
		}
		if a, b := top.Flags().FlagUsages(), under.Flags().FlagUsages(); a != b {
			t.Errorf("auth %s has other flags than %s:\n%s\n%s", name, name, b, a)
		}
	}
}
