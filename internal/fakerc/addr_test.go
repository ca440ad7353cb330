package fakerc

import (
	"net"
	"net/http"
	"strings"
	"testing"
)

// WithAddr serves on the given address (the playground's -addr), and an
// address that is taken is an error from Start, not a server elsewhere.
func TestWithAddr(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()

	if s, err := Start(WithAddr(addr)); err == nil {
		s.Close()
		t.Fatalf("Start(WithAddr(%s)) on a taken port: no error", addr)
	} else if !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("Start on a taken port: %v, want \"address already in use\"", err)
	}

	l.Close()
	s := New(t, WithAddr(addr))
	if s.Host() != addr || s.URL != "http://"+addr {
		t.Fatalf("Host() = %q, URL = %q; want %s", s.Host(), s.URL, addr)
	}
	resp, err := http.Get(s.URL + "/_admin/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /_admin/login: %s", resp.Status)
	}
}
