package resolve

import (
	"net/url"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// LoginName picks the instance a login writes: name (--name), else the
// instance that already has this URL, else one derived from the URL. It
// refuses to repoint an existing name at another server silently.
// existing is the entry the login replaces, nil for a new one.
func LoginName(cfg *rhoderc.File, name, baseURL string) (string, *rhoderc.Instance, error) {
	if name != "" {
		if in, ok := cfg.Instance(name); ok {
			if !baseurl.Same(in.URL, baseURL) {
				return "", nil, usagef("instance %q is %s, not %s; pick another --name or run: rhodecode auth logout %s", name, in.URL, baseURL, name)
			}
			return name, &in, nil
		}
		return name, nil, nil
	}
	for _, in := range cfg.Instances() {
		if baseurl.Same(in.URL, baseURL) {
			return in.Name, &in, nil
		}
	}
	name = NameFromURL(baseURL)
	if _, taken := cfg.Instance(name); taken {
		return "", nil, usagef("an instance named %q already exists for another URL; choose a name with --name", name)
	}
	return name, nil, nil
}

// NameFromURL derives a readable instance name: host, port and path
// joined with dashes ("code.example.com", "10.0.0.5-8080-code").
func NameFromURL(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "default"
	}
	parts := []string{u.Hostname()}
	if p := u.Port(); p != "" {
		parts = append(parts, p)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg != "" {
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, "-")
}
