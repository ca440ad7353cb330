package resolve

import (
	"errors"
	"strings"
	"testing"

	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

const twoInstances = `default = "work"

[instances.work]
url = "https://code.example.com"
username = "alice"

[instances.lab]
url = "http://10.0.0.5:8080"
username = "alice"
`

// TestPrecedence is the documented order: -i > RHODECODE_HOST with
// RHODECODE_TOKEN > RHODECODE_INSTANCE > the file's default > the only
// instance.
func TestPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name     string
		flag     string
		flagSet  bool
		env      map[string]string
		file     string
		want     string // instance name
		wantErr  error  // matched with errors.Is
		wantNoLd bool   // the config file must not be read
	}{
		{name: "default", file: twoInstances, want: "work"},
		{name: "flag", flag: "lab", flagSet: true, file: twoInstances, want: "lab"},
		{name: "RHODECODE_INSTANCE", env: map[string]string{"RHODECODE_INSTANCE": "lab"}, file: twoInstances, want: "lab"},
		{name: "flag beats RHODECODE_INSTANCE", flag: "work", flagSet: true, env: map[string]string{"RHODECODE_INSTANCE": "lab"}, file: twoInstances, want: "work"},
		{name: "env pair beats the file", env: map[string]string{"RHODECODE_HOST": "ci.example.com", "RHODECODE_TOKEN": "t"}, file: twoInstances, want: EnvName, wantNoLd: true},
		{name: "env pair beats RHODECODE_INSTANCE", env: map[string]string{"RHODECODE_HOST": "ci.example.com", "RHODECODE_TOKEN": "t", "RHODECODE_INSTANCE": "lab"}, file: twoInstances, want: EnvName, wantNoLd: true},
		{name: "flag beats the env pair", flag: "lab", flagSet: true, env: map[string]string{"RHODECODE_HOST": "ci.example.com", "RHODECODE_TOKEN": "t"}, file: twoInstances, want: "lab"},
		{name: "-i (env)", flag: EnvName, flagSet: true, env: map[string]string{"RHODECODE_HOST": "ci.example.com", "RHODECODE_TOKEN": "t"}, file: twoInstances, want: EnvName, wantNoLd: true},
		{name: "host without token", env: map[string]string{"RHODECODE_HOST": "ci.example.com"}, file: twoInstances, wantErr: ErrUsage},
		{name: "token without host", env: map[string]string{"RHODECODE_TOKEN": "t"}, file: twoInstances, wantErr: ErrUsage},
		{name: "half a pair is ignored when an instance is named", flag: "lab", flagSet: true, env: map[string]string{"RHODECODE_TOKEN": "t"}, file: twoInstances, want: "lab"},
		{name: "unknown name", flag: "nosuch", flagSet: true, file: twoInstances, wantErr: ErrUsage},
		{name: "unknown RHODECODE_INSTANCE", env: map[string]string{"RHODECODE_INSTANCE": "nosuch"}, file: twoInstances, wantErr: ErrUsage},
		{name: "only instance", file: "[instances.solo]\nurl = \"https://h\"\n", want: "solo"},
		{name: "stale default, only instance", file: "default = \"gone\"\n[instances.solo]\nurl = \"https://h\"\n", want: "solo"},
		{name: "two and no default", file: "[instances.a]\nurl = \"https://a\"\n[instances.b]\nurl = \"https://b\"\n", wantErr: ErrUsage},
		{name: "empty file", file: "", wantErr: ErrNotLoggedIn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string { return tc.env[k] }
			loaded := false
			load := func() (*rhoderc.File, error) {
				loaded = true
				return rhoderc.Parse("/h/.rhoderc", []byte(tc.file))
			}
			got, err := Instance(Name(tc.flag, tc.flagSet, getenv), getenv, load)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tc.want {
				t.Errorf("instance %q, want %q", got.Name, tc.want)
			}
			if got.Env != (tc.want == EnvName) {
				t.Errorf("Env = %v", got.Env)
			}
			if tc.wantNoLd && loaded {
				t.Error("the config file was read although the environment names the instance")
			}
		})
	}
}

func TestUnknownInstanceMessage(t *testing.T) {
	cfg, err := rhoderc.Parse("/h/.rhoderc", []byte(twoInstances))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Named(cfg, "nosuch")
	want := `no instance "nosuch" in /h/.rhoderc (known: work, lab)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestEnvURL(t *testing.T) {
	getenv := func(k string) string {
		return map[string]string{"RHODECODE_HOST": "Code.Example.com/", "RHODECODE_TOKEN": " t \n", "RHODECODE_USERNAME": "ci"}[k]
	}
	got, err := Env(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != "https://code.example.com" || got.EnvToken != "t" || got.Username != "ci" {
		t.Errorf("got %+v", got)
	}
}

func TestAll(t *testing.T) {
	load := func() (*rhoderc.File, error) { return rhoderc.Parse("/h/.rhoderc", []byte(twoInstances)) }
	pair := map[string]string{"RHODECODE_HOST": "ci.example.com", "RHODECODE_TOKEN": "t"}
	for _, tc := range []struct {
		name    string
		flag    string
		env     map[string]string
		want    string
		wantErr error
	}{
		{name: "all", want: "work lab"},
		{name: "env first", env: pair, want: "(env) work lab"},
		{name: "named", flag: "lab", env: pair, want: "lab"},
		{name: "env only", flag: EnvName, env: pair, want: "(env)"},
		{name: "(env) without env", flag: EnvName, wantErr: ErrUsage},
		{name: "half a pair", env: map[string]string{"RHODECODE_TOKEN": "t"}, wantErr: ErrUsage},
		{name: "half a pair, named", flag: "work", env: map[string]string{"RHODECODE_TOKEN": "t"}, want: "work"},
		{name: "unknown", flag: "nosuch", wantErr: ErrUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := All(tc.flag, func(k string) string { return tc.env[k] }, load)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, t := range got {
				names = append(names, t.Name)
			}
			if strings.Join(names, " ") != tc.want {
				t.Errorf("All = %v, want %s", names, tc.want)
			}
		})
	}
}
