package client

import (
	"bufio"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrivateCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	// Without the CA: not trusted, and the message says how to trust it.
	c, err := New(srv.URL, "tok", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ServerTime(t.Context())
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "--ca-cert FILE") || !strings.Contains(err.Error(), "SSL_CERT_FILE") {
		t.Fatalf("without the CA: %v", err)
	}
	// With it.
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = New(srv.URL, "tok", Options{CACertFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ServerTime(t.Context()); err != nil {
		t.Errorf("with the CA: %v", err)
	}
	// A file without a certificate is refused up front.
	bad := filepath.Join(t.TempDir(), "bad.pem")
	_ = os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := New(srv.URL, "tok", Options{CACertFile: bad}); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("bad CA file: %v", err)
	}
}

// A failing proxy is named as the culprit, without its credentials.
func TestProxyFailures(t *testing.T) {
	target := "https://code.example.com"
	// A proxy that refuses every CONNECT.
	refusing, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer refusing.Close()
	go func() {
		for {
			conn, err := refusing.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = http.ReadRequest(bufio.NewReader(conn))
				_, _ = conn.Write([]byte("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"))
			}()
		}
	}()
	// A proxy that is not there.
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()

	for _, tc := range []struct {
		name, proxy, want string
	}{
		{"refuses", refusing.Addr().String(), "the proxy " + refusing.Addr().String() + " answered 407 Proxy Authentication Required"},
		{"down", deadAddr, "the proxy " + deadAddr + " failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pu := &url.URL{Scheme: "http", User: url.UserPassword("proxyuser", "proxysecret"), Host: tc.proxy}
			c, err := New(target, "tok", Options{Proxy: http.ProxyURL(pu)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.GetUser(t.Context())
			if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "proxysecret") || strings.Contains(err.Error(), "proxyuser") {
				t.Errorf("proxy credentials in %q", err)
			}
		})
	}
}
