//go:build linux

package keyring

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/testenv"
)

// Tests in this file talk to a real D-Bus and, when RHODECODE_TEST_KEYRING=1,
// to a real gnome-keyring (CI starts one with .ci/keyring.sh). With the
// variable set they must not skip: a broken keyring setup is a failure.

const (
	envRealKeyring = testenv.Keyring

	// Environment of the helper process (see TestHelperProcess).
	envHelperOp      = "RHODECODE_KEYRING_HELPER_OP" // get, set or delete
	envHelperService = "RHODECODE_KEYRING_HELPER_SERVICE"
	envHelperTimeout = "RHODECODE_KEYRING_HELPER_TIMEOUT"
	helperResultTag  = "HELPER-RESULT "
)

// requireRealKeyring skips unless real-keyring tests were asked for, and
// fails if they were asked for but cannot work.
func requireRealKeyring(t *testing.T) {
	t.Helper()
	if !testenv.Required(envRealKeyring) {
		t.Skipf("set %s=1 (after sourcing .ci/keyring.sh) to test against a real Secret Service", envRealKeyring)
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatalf("%s=1 but DBUS_SESSION_BUS_ADDRESS is empty; source .ci/keyring.sh first", envRealKeyring)
	}
	for _, tool := range []string{"secret-tool", "dbus-send", "dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s=1 but %s is missing; source .ci/keyring.sh first", envRealKeyring, tool)
		}
	}
}

// uniqueService returns a service name no other test run uses, so runs on a
// shared keyring cannot see each other's items.
func uniqueService(t *testing.T) string {
	t.Helper()
	return baseurl.KeyringService(fmt.Sprintf("https://keyring-test.invalid/%s/%d-%s/", t.Name(), os.Getpid(), randHex(t)))
}

func randHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// secretToolLookup asks the Secret Service directly, bypassing go-keyring.
// go-keyring stores items with the attributes service and username.
func secretToolLookup(t *testing.T, service, account string) (secret string, found bool) {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", service, "username", account).Output()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return string(out), true
	case errors.As(err, &exitErr) && exitErr.ExitCode() == 1:
		return "", false
	default:
		t.Fatalf("secret-tool lookup: %v", err)
		return "", false
	}
}

func TestRealKeyringRoundTrip(t *testing.T) {
	requireRealKeyring(t)
	ctx := context.Background()
	s := New(0)
	svc := uniqueService(t)
	secret := "tok-" + randHex(t) + "-ünï €"
	t.Cleanup(func() { _ = exec.Command("secret-tool", "clear", "service", svc, "username", AccountAPIToken).Run() })

	if _, err := s.Get(ctx, svc, AccountAPIToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before Set: err = %v, want ErrNotFound", err)
	}
	if err := s.Set(ctx, svc, AccountAPIToken, secret); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if got, found := secretToolLookup(t, svc, AccountAPIToken); !found || got != secret {
		t.Fatalf("secret-tool lookup = %q, found=%v; want %q", got, found, secret)
	}
	if got, err := s.Get(ctx, svc, AccountAPIToken); err != nil || got != secret {
		t.Fatalf("Get = %q, %v; want the stored secret", got, err)
	}

	// Set again replaces rather than adding a second item.
	secret2 := "tok2-" + randHex(t)
	if err := s.Set(ctx, svc, AccountAPIToken, secret2); err != nil {
		t.Fatalf("second Set: %v", err)
	}
	if got, err := s.Get(ctx, svc, AccountAPIToken); err != nil || got != secret2 {
		t.Fatalf("Get after second Set = %q, %v; want the new secret", got, err)
	}
	if got, _ := secretToolLookup(t, svc, AccountAPIToken); got != secret2 {
		t.Fatalf("secret-tool lookup after second Set = %q, want the new secret", got)
	}

	// Another process (fresh D-Bus connection) sees the same item.
	res := runHelper(t, helperEnv(nil), "get", svc, DefaultTimeout)
	if res.Err != "" {
		t.Fatalf("helper Get: %s", res.Err)
	}
	t.Logf("first Get in a new process (connect + get): %.1f ms", res.Millis)

	if err := s.Delete(ctx, svc, AccountAPIToken); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, found := secretToolLookup(t, svc, AccountAPIToken); found {
		t.Fatal("secret-tool still finds the item after Delete")
	}
	if _, err := s.Get(ctx, svc, AccountAPIToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, svc, AccountAPIToken); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete of missing item: err = %v, want ErrNotFound", err)
	}
}

// TestRealKeyringSeededBySecretTool checks the attribute contract from the
// other side: an item written by secret-tool is found by Get.
func TestRealKeyringSeededBySecretTool(t *testing.T) {
	requireRealKeyring(t)
	svc := uniqueService(t)
	cmd := exec.Command("secret-tool", "store", "--label=rhodecode test seed", "service", svc, "username", AccountAPIToken)
	cmd.Stdin = strings.NewReader("seeded")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("secret-tool store: %v: %s", err, out)
	}
	s := New(0)
	if got, err := s.Get(context.Background(), svc, AccountAPIToken); err != nil || got != "seeded" {
		t.Fatalf("Get = %q, %v; want %q", got, err, "seeded")
	}
	if err := s.Delete(context.Background(), svc, AccountAPIToken); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

// TestRealKeyringLatency logs average call times; it fails only if a call
// errors, since timings vary by machine.
func TestRealKeyringLatency(t *testing.T) {
	requireRealKeyring(t)
	const n = 20
	ctx := context.Background()
	s := New(0)
	svc := uniqueService(t)
	var set, get, del, miss time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := s.Set(ctx, svc, AccountAPIToken, "v"); err != nil {
			t.Fatal(err)
		}
		set += time.Since(start)
		start = time.Now()
		if _, err := s.Get(ctx, svc, AccountAPIToken); err != nil {
			t.Fatal(err)
		}
		get += time.Since(start)
		start = time.Now()
		if err := s.Delete(ctx, svc, AccountAPIToken); err != nil {
			t.Fatal(err)
		}
		del += time.Since(start)
		start = time.Now()
		if _, err := s.Get(ctx, svc, AccountAPIToken); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get of missing: %v", err)
		}
		miss += time.Since(start)
	}
	t.Logf("avg of %d: Set %v, Get %v, Delete %v, Get missing %v", n, set/n, get/n, del/n, miss/n)
}

// The tests below run Store in a child process because godbus caches the
// session-bus connection per process: once this process has talked to the
// real bus, changing DBUS_SESSION_BUS_ADDRESS here would have no effect.

func TestNoSessionBus(t *testing.T) {
	// godbus falls back to /run/user/<uid>/bus, which no environment variable
	// can hide; a desktop session has one.
	if p := fmt.Sprintf("/run/user/%d/bus", os.Getuid()); fileExists(p) {
		t.Skipf("%s exists, so godbus would find a bus anyway", p)
	}
	// PATH is an empty directory so dbus-launch cannot be found (and could
	// not leak a bus if it were installed).
	env := helperEnv([]string{"DBUS_SESSION_BUS_ADDRESS", "PATH"}, "PATH="+t.TempDir())
	for _, op := range []string{"get", "set", "delete"} {
		t.Run(op, func(t *testing.T) {
			res := runHelper(t, env, op, "", DefaultTimeout)
			res.assertUnavailable(t, "no D-Bus session bus", DefaultTimeout)
			if res.Err != "OS keyring unavailable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset)" {
				t.Errorf("message = %q", res.Err)
			}
		})
	}
}

func TestStaleSessionBus(t *testing.T) {
	env := helperEnv([]string{"DBUS_SESSION_BUS_ADDRESS"}, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/rhodecode-test-bus")
	res := runHelper(t, env, "get", "", DefaultTimeout)
	res.assertUnavailable(t, "cannot connect to the D-Bus session bus", DefaultTimeout)
}

// TestLockedKeyring runs against a second private gnome-keyring whose login
// collection has been locked through the Secret Service API. Unlocking then
// needs a password prompt, which cannot be shown here (no display), so
// go-keyring gets a dismissed prompt and Store must report a locked keyring
// promptly rather than hang.
func TestLockedKeyring(t *testing.T) {
	requireRealKeyring(t)
	addr := startPrivateKeyring(t)
	lockCollection(t, addr, "/org/freedesktop/secrets/collection/login")

	env := helperEnv([]string{"DBUS_SESSION_BUS_ADDRESS"}, "DBUS_SESSION_BUS_ADDRESS="+addr)
	for _, op := range []string{"get", "set", "delete"} {
		t.Run(op, func(t *testing.T) {
			res := runHelper(t, env, op, "", DefaultTimeout)
			res.assertUnavailable(t, "the keyring is locked", DefaultTimeout)
		})
	}
}

// helperResult is what TestHelperProcess reports on stdout.
type helperResult struct {
	Err         string  // error text, "" on success
	Unavailable bool    // errors.Is(err, ErrUnavailable)
	NotFound    bool    // errors.Is(err, ErrNotFound)
	Millis      float64 // duration of the Store call inside the child
}

func (r helperResult) assertUnavailable(t *testing.T, wantReason string, timeout time.Duration) {
	t.Helper()
	t.Logf("child: %.1f ms, err = %q", r.Millis, r.Err)
	if !r.Unavailable {
		t.Fatalf("err = %q, want one wrapping ErrUnavailable", r.Err)
	}
	if !strings.HasPrefix(r.Err, "OS keyring unavailable: ") || !strings.Contains(r.Err, wantReason) {
		t.Errorf("err = %q, want the ErrUnavailable text with reason %q", r.Err, wantReason)
	}
	if strings.Contains(r.Err, "\n") {
		t.Errorf("err spans several lines: %q", r.Err)
	}
	if strings.Contains(r.Err, helperSecret) {
		t.Errorf("err leaks the secret: %q", r.Err)
	}
	// "Well under the timeout": an answer, not the timeout firing.
	if d := time.Duration(r.Millis * float64(time.Millisecond)); d > timeout/3 {
		t.Errorf("call took %v, want well under the %v timeout", d, timeout)
	}
}

const helperSecret = "helper-secret-must-not-leak"

// TestHelperProcess is not a test: it is the child process body for the
// tests above, and does nothing unless envHelperOp is set.
func TestHelperProcess(t *testing.T) {
	op := os.Getenv(envHelperOp)
	if op == "" {
		return
	}
	timeout, err := time.ParseDuration(os.Getenv(envHelperTimeout))
	if err != nil {
		t.Fatal(err)
	}
	svc := os.Getenv(envHelperService)
	s := New(timeout)
	ctx := context.Background()
	start := time.Now()
	switch op {
	case "get":
		_, err = s.Get(ctx, svc, AccountAPIToken)
	case "set":
		err = s.Set(ctx, svc, AccountAPIToken, helperSecret)
	case "delete":
		err = s.Delete(ctx, svc, AccountAPIToken)
	default:
		t.Fatalf("unknown op %q", op)
	}
	res := helperResult{Millis: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		res.Err = err.Error()
		res.Unavailable = errors.Is(err, ErrUnavailable)
		res.NotFound = errors.Is(err, ErrNotFound)
	}
	b, _ := json.Marshal(res)
	fmt.Printf("\n%s%s\n", helperResultTag, b)
}

// helperEnv returns this process's environment without the drop keys and
// with add appended.
func helperEnv(drop []string, add ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		keep := !strings.HasPrefix(k, "RHODECODE_KEYRING_HELPER_")
		for _, d := range drop {
			keep = keep && k != d
		}
		if keep {
			env = append(env, kv)
		}
	}
	return append(env, add...)
}

// runHelper runs TestHelperProcess in a child with env and returns its result.
func runHelper(t *testing.T, env []string, op, service string, timeout time.Duration) helperResult {
	t.Helper()
	if service == "" {
		service = baseurl.KeyringService("https://keyring-test.invalid/absent-" + randHex(t))
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// A generous outer bound so a regression that hangs fails instead of
	// stalling the whole test run.
	ctx, cancel := context.WithTimeout(context.Background(), timeout+20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(env,
		envHelperOp+"="+op,
		envHelperService+"="+service,
		envHelperTimeout+"="+timeout.String(),
	)
	if os.Getenv("GORACE") == "" {
		// A -race child otherwise sleeps 1s at exit before reporting.
		cmd.Env = append(cmd.Env, "GORACE=atexit_sleep_ms=0")
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper %s: %v\nstdout:\n%s\nstderr:\n%s", op, err, stdout.String(), stderr.String())
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), helperResultTag); ok {
			var res helperResult
			if err := json.Unmarshal([]byte(line), &res); err != nil {
				t.Fatalf("helper result %q: %v", line, err)
			}
			return res
		}
	}
	t.Fatalf("helper %s printed no result\nstdout:\n%s\nstderr:\n%s", op, stdout.String(), stderr.String())
	return helperResult{}
}

// startPrivateKeyring starts a dbus-daemon and an unlocked gnome-keyring in a
// throwaway HOME, separate from the one CI shares between tests, and returns
// the bus address. Both are stopped at cleanup.
func startPrivateKeyring(t *testing.T) string {
	t.Helper()
	// Not t.TempDir: a unix socket path must stay under ~108 bytes.
	dir, err := os.MkdirTemp("", "rhk")
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home") // must exist, or gnome-keyring never claims its name
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	addr := "unix:path=" + filepath.Join(dir, "bus")
	// No DISPLAY, so D-Bus-activated prompters fail fast; keyring files go
	// under home, not the real one.
	env := helperEnv([]string{"DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY"}, "HOME="+home)

	daemon := exec.Command("dbus-daemon", "--session", "--fork", "--nosyslog", "--address="+addr, "--print-pid=1")
	daemon.Env = env
	out, err := daemon.Output()
	if err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	busPID, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("dbus-daemon pid %q: %v", out, err)
	}
	var keyringPID int
	t.Cleanup(func() {
		// Killing the bus alone would do (gnome-keyring quits when its bus
		// goes), but do not rely on it.
		if keyringPID > 0 {
			_ = syscall.Kill(keyringPID, syscall.SIGTERM)
		}
		_ = syscall.Kill(busPID, syscall.SIGTERM)
		_ = os.RemoveAll(dir)
	})

	gkd := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets")
	gkd.Env = append(env, "DBUS_SESSION_BUS_ADDRESS="+addr)
	gkd.Stdin = strings.NewReader("first-password")
	if out, err := gkd.CombinedOutput(); err != nil {
		t.Fatalf("gnome-keyring-daemon: %v: %s", err, out)
	}

	// The daemon returns before it owns its name; ask the bus, not the name,
	// so polling does not D-Bus-activate a second daemon.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(dbusSend(t, addr, "org.freedesktop.DBus", "/org/freedesktop/DBus",
		"org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"), "boolean true") {
		if time.Now().After(deadline) {
			t.Fatal("gnome-keyring-daemon did not claim org.freedesktop.secrets within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	pidOut := dbusSend(t, addr, "org.freedesktop.DBus", "/org/freedesktop/DBus",
		"org.freedesktop.DBus.GetConnectionUnixProcessID", "string:org.freedesktop.secrets")
	if f := strings.Fields(pidOut); len(f) > 0 {
		keyringPID, _ = strconv.Atoi(f[len(f)-1])
	}
	return addr
}

// lockCollection locks a collection with Service.Lock (no prompt needed) and
// checks that it is locked.
func lockCollection(t *testing.T, addr, collection string) {
	t.Helper()
	dbusSend(t, addr, "org.freedesktop.secrets", "/org/freedesktop/secrets",
		"org.freedesktop.Secret.Service.Lock", "array:objpath:"+collection)
	locked := dbusSend(t, addr, "org.freedesktop.secrets", collection,
		"org.freedesktop.DBus.Properties.Get", "string:org.freedesktop.Secret.Collection", "string:Locked")
	if !strings.Contains(locked, "boolean true") {
		t.Fatalf("%s not locked after Lock: %s", collection, locked)
	}
}

// dbusSend calls a method on the bus at addr and returns dbus-send's reply.
func dbusSend(t *testing.T, addr, dest, path, method string, args ...string) string {
	t.Helper()
	argv := append([]string{"--bus=" + addr, "--print-reply", "--dest=" + dest, path, method}, args...)
	out, err := exec.Command("dbus-send", argv...).CombinedOutput()
	if err != nil {
		t.Fatalf("dbus-send %s: %v: %s", method, err, out)
	}
	return string(out)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
