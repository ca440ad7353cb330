package resolve

import (
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/gitcred"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

func TestManages(t *testing.T) {
	code := rhoderc.Instance{Name: "code", URL: "https://code.example.com", Username: "alice"}
	sub := rhoderc.Instance{Name: "sub", URL: "https://apps.example.com/rc", Username: "alice"}
	bob := rhoderc.Instance{Name: "bob", URL: "https://code.example.com", Username: "bob"}
	type req = gitcred.Credential
	for _, tc := range []struct {
		name      string
		instances []rhoderc.Instance
		q         gitcred.Credential
		want      bool
	}{
		{"host", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com"}, true},
		{"host with default port", []rhoderc.Instance{code}, req{Protocol: "https", Host: "CODE.example.com:443"}, true},
		{"path", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com", Path: "team/app.git"}, true},
		{"same user", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com", Username: "alice", HasUsername: true}, true},
		{"user name in other case", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com", Username: "Alice", HasUsername: true}, true},
		{"another account", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com", Username: "carol", HasUsername: true}, true},
		{"empty user name", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com", HasUsername: true}, true},
		{"two users at one URL (ForGit: ambiguous)", []rhoderc.Instance{code, bob}, req{Protocol: "https", Host: "code.example.com"}, true},
		{"prefix instance, no path", []rhoderc.Instance{sub}, req{Protocol: "https", Host: "apps.example.com"}, true},
		{"prefix instance, path under it", []rhoderc.Instance{sub}, req{Protocol: "https", Host: "apps.example.com", Path: "rc/team/app.git"}, true},
		{"prefix instance, path beside it", []rhoderc.Instance{sub}, req{Protocol: "https", Host: "apps.example.com", Path: "wiki/x.git"}, false},
		{"other scheme", []rhoderc.Instance{code}, req{Protocol: "http", Host: "code.example.com"}, false},
		{"other port", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com:8443"}, false},
		{"other host", []rhoderc.Instance{code}, req{Protocol: "https", Host: "evil.example"}, false},
		{"host suffix trick", []rhoderc.Instance{code}, req{Protocol: "https", Host: "code.example.com.evil.example"}, false},
		{"no instances", nil, req{Protocol: "https", Host: "code.example.com"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Manages(tc.instances, tc.q); got != tc.want {
				t.Errorf("Manages = %v, want %v", got, tc.want)
			}
		})
	}
}
