package fakerc

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/testenv"
)

// A real Apache httpd with mod_dav_svn, the server RhodeCode proxies
// Subversion to (protocol §6.5): a private ServerRoot in a temporary
// directory with its own config file, listening on 127.0.0.1, run in the
// foreground as the current user (-X: one process, no privilege drop) and
// stopped when the test ends.

// TestSVNEnv is the variable CI sets to 1: a test that needs svn or
// Apache then fails instead of skipping when they are missing.
const TestSVNEnv = testenv.SVN

// svnTools are the programs and modules found by RequireSVN.
type svnTools struct {
	svn, svnadmin, httpd string
	modDir               string // holds mod_dav.so and mod_dav_svn.so
}

// RequireSVN finds svn, svnadmin and an Apache httpd with mod_dav and
// mod_dav_svn. When one is missing it fails the test if RHODECODE_TEST_SVN
// is 1 (CI installs them) and skips it otherwise, saying what to install.
func RequireSVN(tb testing.TB) {
	tb.Helper()
	requireSVNTools(tb)
}

func requireSVNTools(tb testing.TB) svnTools {
	tb.Helper()
	t, err := findSVNTools()
	if err != nil {
		msg := fmt.Sprintf("fakerc: %v (Debian: apt-get install subversion apache2 libapache2-mod-svn)", err)
		if testenv.Required(TestSVNEnv) {
			tb.Fatal(msg)
		}
		tb.Skip(msg + "; set " + TestSVNEnv + "=1 to make this a failure")
	}
	return t
}

// apacheModuleDirs are where distributions keep Apache's modules.
var apacheModuleDirs = []string{
	"/usr/lib/apache2/modules",        // Debian, Ubuntu
	"/usr/lib64/httpd/modules",        // Fedora, RHEL
	"/usr/lib/httpd/modules",          // Arch, 32-bit RHEL
	"/usr/lib64/apache2",              // openSUSE
	"/usr/libexec/apache2",            // macOS, FreeBSD
	"/opt/homebrew/lib/httpd/modules", // Homebrew
	"/usr/local/lib/httpd/modules",
}

func findSVNTools() (svnTools, error) {
	var t svnTools
	var missing []string
	var err error
	if t.svn, err = exec.LookPath("svn"); err != nil {
		missing = append(missing, "svn")
	}
	if t.svnadmin, err = exec.LookPath("svnadmin"); err != nil {
		missing = append(missing, "svnadmin")
	}
	for _, name := range []string{"apache2", "httpd", "/usr/sbin/apache2", "/usr/sbin/httpd"} {
		if p, err := exec.LookPath(name); err == nil {
			t.httpd = p
			break
		}
	}
	if t.httpd == "" {
		missing = append(missing, "Apache httpd (apache2)")
	}
	for _, dir := range apacheModuleDirs {
		if fileExists(filepath.Join(dir, "mod_dav.so")) && fileExists(filepath.Join(dir, "mod_dav_svn.so")) {
			t.modDir = dir
			break
		}
	}
	if t.modDir == "" {
		missing = append(missing, "Apache mod_dav_svn")
	}
	if len(missing) > 0 {
		return svnTools{}, fmt.Errorf("Subversion tests need %s", strings.Join(missing, ", "))
	}
	return t, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// apache is one running httpd.
type apache struct {
	addr string // 127.0.0.1:port
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	root string        // ServerRoot, holding error.log
}

// location is one <Location> served by mod_dav_svn.
type location struct {
	path    string // URL path, e.g. /code/group/repo
	svnPath string // the repository on disk
}

// startApache starts httpd serving loc and waits until it accepts
// connections. The port is picked by binding :0 and closing it again, so
// another process may take it in between: a failed start is retried.
func startApache(tb tbLike, t svnTools, loc location) (*apache, error) {
	tb.Helper()
	root := tb.TempDir()
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		a, err := runApache(t, root, port, loc)
		if err == nil {
			tb.Cleanup(a.stop)
			return a, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func runApache(t svnTools, root string, port int, loc location) (*apache, error) {
	a := &apache{addr: "127.0.0.1:" + strconv.Itoa(port), root: root, done: make(chan struct{})}
	logPath := filepath.Join(root, "error.log")
	_ = os.Remove(logPath)
	_ = os.Remove(filepath.Join(root, "httpd.pid"))
	conf := filepath.Join(root, "httpd.conf")
	if err := os.WriteFile(conf, []byte(apacheConfig(t, root, a.addr, loc)), 0o600); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	a.cmd = exec.Command(t.httpd, "-X", "-d", root, "-f", conf)
	a.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root, "LANG=C"}
	a.cmd.Stdout, a.cmd.Stderr = &out, &out
	if err := a.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", t.httpd, err)
	}
	go func() { _ = a.cmd.Wait(); close(a.done) }()

	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case <-a.done:
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("apache exited at start: %s\n%s%s", a.cmd.ProcessState, out.String(), log)
		default:
		}
		if c, err := net.DialTimeout("tcp", a.addr, time.Second); err == nil {
			_ = c.Close()
			return a, nil
		}
		if time.Now().After(deadline) {
			a.stop()
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("apache did not listen on %s within 15s\n%s%s", a.addr, out.String(), log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends httpd: SIGTERM, then SIGKILL if it lingers.
func (a *apache) stop() {
	select {
	case <-a.done:
		return
	default:
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(5 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.done
	}
}

// errorLog returns httpd's error log, for failure messages.
func (a *apache) errorLog() string {
	b, err := os.ReadFile(filepath.Join(a.root, "error.log"))
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	return string(b)
}

// apacheConfig is a complete httpd.conf: nothing of the system's
// configuration is read. Modules that a build may have compiled in are
// loaded only when they are not there yet. Like RhodeCode's generated
// mod_dav_svn.conf there is no authentication in Apache: RhodeCode has
// checked the credentials before it proxies.
func apacheConfig(t svnTools, root, addr string, loc location) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	mod := func(name, file string) {
		path := filepath.Join(t.modDir, file)
		if fileExists(path) {
			p("<IfModule !%s>\n  LoadModule %s %q\n</IfModule>", name, name, path)
		}
	}
	p("ServerRoot %q", root)
	p("ServerName 127.0.0.1")
	p("Listen %s", addr)
	p("PidFile %q", filepath.Join(root, "httpd.pid"))
	p("DefaultRuntimeDir %q", root)
	p("ErrorLog %q", filepath.Join(root, "error.log"))
	p("LogLevel warn")
	// One MPM, unless the build has one compiled in; a threaded one, as
	// -X runs a single process and svn opens several connections at
	// once (prefork would serve them one after the other, each waiting
	// out the keep-alive of the one before).
	for _, mpm := range []string{"event", "worker", "prefork"} {
		if path := filepath.Join(t.modDir, "mod_mpm_"+mpm+".so"); fileExists(path) {
			p("<IfModule !mpm_prefork_module>\n<IfModule !mpm_event_module>\n<IfModule !mpm_worker_module>")
			p("  LoadModule mpm_%s_module %q", mpm, path)
			p("</IfModule>\n</IfModule>\n</IfModule>")
			break
		}
	}
	mod("unixd_module", "mod_unixd.so")
	mod("authz_core_module", "mod_authz_core.so")
	p("LoadModule dav_module %q", filepath.Join(t.modDir, "mod_dav.so"))
	p("LoadModule dav_svn_module %q", filepath.Join(t.modDir, "mod_dav_svn.so"))
	// Run as the current user. Apache refuses User root; as root, -X
	// keeps the process's own user anyway.
	if uid := os.Getuid(); uid > 0 {
		p("<IfModule unixd_module>\n  User #%d\n  Group #%d\n</IfModule>", uid, os.Getgid())
	}
	p("<Location %q>", loc.path)
	p("  DAV svn")
	p("  SVNPath %q", loc.svnPath)
	p("  <IfModule authz_core_module>\n    Require all granted\n  </IfModule>")
	p("</Location>")
	return b.String()
}
