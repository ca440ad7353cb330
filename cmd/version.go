package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(f *Factory, g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version of rhodecode",
		Example: `  $ rhodecode version`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionRun(f, g)
		},
	}
}

// versionRun prints what both `rhodecode version` and `rhodecode --version`
// print.
func versionRun(f *Factory, g *globalOptions) error {
	v := resolveBuild(f.Build)
	if g.JSON {
		return writeJSON(f.IO.Out, map[string]string{
			"version": v.Version, "commit": v.Commit, "date": v.Date, "go": runtime.Version(),
		})
	}
	_, err := fmt.Fprintf(f.IO.Out, "rhodecode %s (commit %s, built %s, %s %s/%s)\n",
		v.Version, v.Commit, v.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}

// resolveBuild fills what ldflags did not set from the module build info, so
// a plain `go build` or `go install` still says something true.
func resolveBuild(b BuildInfo) BuildInfo {
	info, ok := debug.ReadBuildInfo()
	if b.Version == "" {
		b.Version = "dev"
		if ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
	}
	if ok && (b.Commit == "" || b.Date == "") {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
				if len(b.Commit) > 12 {
					b.Commit = b.Commit[:12]
				}
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}
