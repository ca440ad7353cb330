package cmd

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// A server behind a private CA: refused with a hint, then trusted with
// --ca-cert, which the instance remembers; RHODECODE_CA_CERT serves the
// environment's instance.
func TestCACert(t *testing.T) {
	srv, tok := fakeWithAlice(t, fakerc.WithTLS())
	e := newTestEnv(t)
	e.stdin = tok
	r := e.run("auth", "login", "--url", srv.URL, "--with-token", "--name", "work")
	if r.code != ExitUnreachable || !strings.Contains(r.stderr, "--ca-cert FILE") {
		t.Fatalf("untrusted server: exit %d, %s", r.code, r.stderr)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	e.stdin = tok
	e.mustRun("auth", "login", "--url", srv.URL, "--with-token", "--name", "work", "--ca-cert", ca)
	if in, _ := readConfig(t, e).Instance("work"); in.CACert != ca {
		t.Errorf("ca_cert = %q, want %q", in.CACert, ca)
	}
	e.stdin = ""
	if r := e.run("auth", "status"); r.code != 0 {
		t.Errorf("status with the remembered CA: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	env := newTestEnv(t)
	env.env["RHODECODE_HOST"], env.env["RHODECODE_TOKEN"] = srv.URL, tok
	if r := env.run("auth", "status"); r.code == 0 {
		t.Errorf("env instance without a CA: exit 0")
	}
	env.env["RHODECODE_CA_CERT"] = ca
	if r := env.run("auth", "status"); r.code != 0 {
		t.Errorf("env instance with RHODECODE_CA_CERT: exit %d\n%s", r.code, r.stderr)
	}
	if r := e.run("auth", "login", "--url", srv.URL, "--with-token", "--ca-cert", "/nonexistent.pem"); r.code != ExitUsage {
		t.Errorf("missing --ca-cert file: exit %d", r.code)
	}
}
