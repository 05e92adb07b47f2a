package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
)

// Set at build time with -ldflags "-X github.com/gaiaflow/gaiaflow/ui/cli.version=..."
// (see the Makefile); the build's VCS stamp fills what is left unset.
var (
	version = "0.1.0-dev"
	commit  = ""
	date    = ""
)

// BuildInfo describes this binary.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	Date      string `json:"date,omitempty"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
}

// Build returns the binary's version, commit and build date.
func Build() BuildInfo {
	b := BuildInfo{Version: version, Commit: commit, Date: date,
		GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			}
		}
	}
	return b
}

type versionView struct {
	BuildInfo
	Docker *engineView `json:"docker,omitempty"`
}

type engineView struct {
	Host       string `json:"host"`
	Version    string `json:"version,omitempty"`
	APIVersion string `json:"api_version,omitempty"`
	Error      string `json:"error,omitempty"`
}

func newVersion(a *App) *cobra.Command {
	var short bool
	c := &cobra.Command{
		Use:   "version",
		Short: "Print gaiaflow's version, commit, build date and the Docker engine's version",
		Long: `Print gaiaflow's version, commit, build date and Go version, and the version
of the Docker engine when it answers within a second. --short prints only
the version and contacts nothing.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := Build()
			if short {
				if a.JSON() {
					return a.PrintJSON(map[string]string{"version": b.Version})
				}
				a.Printf("%s\n", b.Version)
				return nil
			}
			v := versionView{BuildInfo: b, Docker: engineVersion(cmd.Context(), a)}
			return a.Emit(v, func(w io.Writer) {
				fmt.Fprintf(w, "gaiaflow %s\n", v.Version)
				if v.Commit != "" {
					fmt.Fprintf(w, "commit:   %s\n", v.Commit)
				}
				if v.Date != "" {
					fmt.Fprintf(w, "built:    %s\n", v.Date)
				}
				fmt.Fprintf(w, "go:       %s %s\n", v.GoVersion, v.Platform)
				if d := v.Docker; d != nil {
					if d.Error != "" {
						fmt.Fprintf(w, "docker:   not reachable at %s\n", d.Host)
					} else {
						fmt.Fprintf(w, "docker:   %s (API %s) at %s\n", d.Version, d.APIVersion, d.Host)
					}
				}
			})
		},
	}
	c.Flags().BoolVarP(&short, "short", "s", false, "print only the version")
	return c
}

// engineVersion asks the engine for its version, giving up after a second.
func engineVersion(ctx context.Context, a *App) *engineView {
	ctx, cancel := context.WithTimeout(ctxOf(ctx), time.Second)
	defer cancel()
	info, host, err := a.Core().EngineInfo(ctx)
	if err != nil {
		return &engineView{Host: host, Error: err.Error()}
	}
	return &engineView{Host: host, Version: info.Version, APIVersion: info.APIVersion}
}
