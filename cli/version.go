package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version, when set at build time (-ldflags "-X partnerbot/cli.Version=v1.2.3"),
// replaces the module version the Go toolchain records.
var Version = ""

// BuildVersion describes the running binary from its build info: the
// module version ("(devel)" for a build from a checkout), the VCS
// revision and time, and whether the tree had uncommitted changes.
func BuildVersion() string {
	version, rev, when, modified, goVersion := Version, "", "", false, ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if version == "" {
			version = info.Main.Version
		}
		goVersion = info.GoVersion
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if version == "" {
		version = "(devel)"
	}
	out := "partnerbot " + version
	if rev != "" {
		out += ", revision " + rev
		if modified {
			out += " with local changes"
		}
		if when != "" {
			out += " (" + when + ")"
		}
	} else {
		out += ", revision unknown (built without VCS information)"
	}
	if goVersion != "" {
		out += ", " + goVersion
	}
	return out
}

func (m *Main) version(ctx context.Context, args []string) error {
	fs := m.flags("version")
	if _, err := parse(fs, args, 0, 0, ""); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, BuildVersion())
	return nil
}
