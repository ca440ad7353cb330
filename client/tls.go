package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
)

// Private CAs and proxies: what a company network puts between the tool
// and its RhodeCode.

// maxCACert bounds a CA file; a bundle of every public root is ~250 KiB.
const maxCACert = 4 << 20

// trustCA makes t trust the PEM certificates in file as well as the
// system's roots, for an instance behind a private CA.
func trustCA(t *http.Transport, file string) error {
	fi, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("reading the CA certificate: %w", err)
	}
	if fi.Size() > maxCACert {
		return fmt.Errorf("CA certificate %s is larger than %d MiB", file, maxCACert>>20)
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading the CA certificate: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate (BEGIN CERTIFICATE)", file)
	}
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.RootCAs = pool
	return nil
}

// proxyStatusError is a proxy's refusal of the CONNECT for an https
// instance (net/http reports only its status text otherwise).
type proxyStatusError struct {
	proxy  string // host[:port], without credentials
	status string
}

func (e *proxyStatusError) Error() string {
	return "the proxy " + e.proxy + " answered " + e.status
}

// watchProxy makes t report a refused CONNECT as a *proxyStatusError.
func watchProxy(t *http.Transport) {
	t.OnProxyConnectResponse = func(_ context.Context, proxy *url.URL, _ *http.Request, resp *http.Response) error {
		if resp.StatusCode == http.StatusOK {
			return nil
		}
		return &proxyStatusError{proxy: proxy.Host, status: resp.Status}
	}
}

// proxyFor names the proxy a request to the instance goes through, ""
// for none; never with its credentials.
func (c *conn) proxyFor() string {
	if c.proxy == nil {
		return ""
	}
	req := &http.Request{URL: c.base, Header: http.Header{}}
	u, err := c.proxy(req)
	if err != nil || u == nil {
		return ""
	}
	return u.Host
}

// proxyError explains a failure of the proxy itself, so the user does not
// blame the server; ok is false when err is not the proxy's.
func (c *conn) proxyError(err error) (error, bool) {
	var pse *proxyStatusError
	if errors.As(err, &pse) {
		return c.fail(ErrUnreachable, err, "cannot reach %s: %s; check the proxy settings (HTTPS_PROXY, NO_PROXY) and any credentials it needs", c.host, pse.Error()), true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" {
		proxy := c.proxyFor()
		if proxy == "" {
			proxy = "configured in HTTPS_PROXY/HTTP_PROXY"
		}
		return c.fail(ErrUnreachable, err, "cannot reach %s: the proxy %s failed: %s; check HTTPS_PROXY, HTTP_PROXY and NO_PROXY", c.host, proxy, innermost(op.Err)), true
	}
	return nil, false
}
