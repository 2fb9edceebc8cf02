package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"partnerbot/cli"
)

// TestCLI_HelpAndExitCodes walks every command and verb of the command
// table: each has help with a description, its arguments and an example,
// the same through `help` and `--help`; a bad flag, a missing argument,
// a missing or unknown verb exit 2.
func TestCLI_HelpAndExitCodes(t *testing.T) {
	r := newRun(t)
	for _, c := range cli.CommandLines() {
		words := []string{c.Command}
		if c.Verb != "" {
			words = append(words, c.Verb)
		}
		name := strings.Join(words, " ")
		t.Run(name, func(t *testing.T) {
			if code := r.cmd(append([]string{"help"}, words...)...); code != 0 {
				t.Fatalf("help %s: exit %d\n%s", name, code, r.errOut)
			}
			help := r.out
			for _, want := range []string{"partnerbot " + name + " — ", "usage: partnerbot " + name, "example:\n  partnerbot "} {
				if !strings.Contains(help, want) {
					t.Errorf("help %s lacks %q:\n%s", name, want, help)
				}
			}
			if !strings.Contains(help[strings.Index(help, "example:"):], name) {
				t.Errorf("help %s: the example does not use %s:\n%s", name, name, help)
			}
			if code := r.cmd(append(words, "--help")...); code != 0 || r.out != help {
				t.Errorf("%s --help: exit %d, and its text differs from help %s:\n%s", name, code, name, r.out)
			}
			if c.Command == "help" {
				return
			}
			if code := r.cmd(append(words, "--no-such-flag")...); code != 2 {
				t.Errorf("%s --no-such-flag: exit %d, want 2\n%s", name, code, r.errOut)
			}
			if first := strings.Fields(c.Args); len(first) > 0 && !strings.HasPrefix(first[0], "[") {
				if code := r.cmd(words...); code != 2 {
					t.Errorf("%s without its %s: exit %d, want 2\n%s", name, first[0], code, r.errOut)
				}
			}
			if c.Verb != "" {
				if code := r.cmd(c.Command); code != 2 || !strings.Contains(r.errOut, c.Verb) {
					t.Errorf("%s without a verb: exit %d, want 2 and the verbs named\n%s", c.Command, code, r.errOut)
				}
				if code := r.cmd(c.Command, "frobnicate"); code != 2 {
					t.Errorf("%s frobnicate: exit %d, want 2", c.Command, code)
				}
				if code := r.cmd(c.Command, "--help"); code != 0 || !strings.Contains(r.out, c.Verb) {
					t.Errorf("%s --help: exit %d, or it does not list %s:\n%s", c.Command, code, c.Verb, r.out)
				}
			}
		})
	}
	r.must("partner", "add", "janko", "--name", "Sklep u Janka")
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"frobnicate"}, 2},
		{[]string{"help", "frobnicate"}, 2},
		{[]string{"stats", "janko", "--period", "someday"}, 2},
		{[]string{"report", "weekly", "--week", "someday"}, 2},
		{[]string{"report", "weekly", "--images", t.TempDir()}, 2},
		{[]string{"health", "--status", "purple"}, 2},
		{[]string{"partner", "add", "x", "--joined", "yesterday"}, 2},
		{[]string{"partner", "show", "nobody"}, 1},
		{[]string{"backup", filepath.Join(t.TempDir(), "no", "such", "dir", "b.db")}, 1},
		{[]string{"partner", "list"}, 0},
	} {
		if code := r.cmd(tc.args...); code != tc.code {
			t.Errorf("partnerbot %s: exit %d, want %d\n%s", strings.Join(tc.args, " "), code, tc.code, r.errOut)
		}
	}
}

func TestCLI_Version(t *testing.T) {
	r := newRun(t)
	out := r.must("version")
	if !strings.HasPrefix(out, "partnerbot ") || !strings.Contains(out, "revision") || !strings.Contains(out, "go1.") {
		t.Fatalf("version: %q", out)
	}
}

// TestCLI_ReportImages saves the charts a dry run would post, so a
// newcomer can look at the weekly report's chart.
func TestCLI_ReportImages(t *testing.T) {
	r := newRun(t)
	r.must("demo")
	dir := filepath.Join(t.TempDir(), "charts")
	out := r.must("report", "weekly", "--dry-run", "--partner", "janko", "--images", dir)
	files, err := os.ReadDir(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("no images saved in %s (%v):\n%s", dir, err, out)
	}
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil || !strings.HasPrefix(string(raw), "\x89PNG") {
			t.Errorf("%s is not a PNG (%v)", f.Name(), err)
		}
		if !strings.Contains(out, f.Name()) {
			t.Errorf("the dry run does not say where %s went:\n%s", f.Name(), out)
		}
	}
	// Queued for real, the outbox lists it with the API's snake_case names.
	r.must("report", "weekly", "--partner", "janko")
	js := r.must("outbox", "list", "--json")
	for _, want := range []string{`"target": {`, `"platform": "`, `"message": {`, `"title": "`, `"next_at": "`} {
		if !strings.Contains(js, want) {
			t.Errorf("outbox list --json lacks %s:\n%s", want, js)
		}
	}
	for _, goName := range []string{`"Platform"`, `"Title"`, `"Fields"`, `"Buttons"`} {
		if strings.Contains(js, goName) {
			t.Errorf("outbox list --json uses the Go name %s", goName)
		}
	}
}

// TestCLI_JSONNames runs every command line that takes --json on the
// demo program and checks each object key is snake_case, as the API's.
// A new verb with --json must be added here, or the test fails.
func TestCLI_JSONNames(t *testing.T) {
	r := newRun(t)
	r.must("demo")
	r.must("report", "weekly", "--partner", "janko")
	r.must("rates", "set", "EUR", "4.30")
	lines := map[string][]string{
		"partner add":  {"partner", "add", "nowy-json", "--name", "Nowy"},
		"partner set":  {"partner", "set", "nowy-json", "--name", "Nowy Sklep"},
		"partner list": {"partner", "list"},
		"partner show": {"partner", "show", "janko"},
		"manager add":  {"manager", "add", "ola-json", "--name", "Ola"},
		"manager set":  {"manager", "set", "ola-json", "--name", "Ola K"},
		"manager list": {"manager", "list"},
		"manager show": {"manager", "show", "ola-json"},
		"promo add":    {"promo", "add", "p-json", "--title", "T", "--start", "2026-12-01", "--end", "2026-12-02"},
		"promo set":    {"promo", "set", "p-json", "--title", "T2"},
		"promo list":   {"promo", "list", "--all"},
		"stats":        {"stats", "janko"},
		"health":       {"health", "--partner", "janko"},
		"jobs list":    {"jobs", "list"},
		"outbox list":  {"outbox", "list"},
		"rates list":   {"rates", "list"},
		"hooks list":   {"hooks", "list"},
	}
	for _, c := range cli.CommandLines() {
		name := strings.TrimSpace(c.Command + " " + c.Verb)
		if strings.Contains(c.Args, "--json") && lines[name] == nil {
			t.Errorf("%s takes --json but this test does not run it", name)
		}
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, val := range x {
				if !snake.MatchString(k) && !strings.HasSuffix(where, ".metrics") && !strings.HasSuffix(where, ".change_pct") &&
					!strings.HasSuffix(where, ".external_ids") && !strings.HasSuffix(where, ".headers") {
					t.Errorf("%s: key %q is not snake_case", where, k)
				}
				walk(where+"."+k, val)
			}
		case []any:
			for _, e := range x {
				walk(where+"[]", e)
			}
		}
	}
	for _, c := range cli.CommandLines() { // table order: add before set
		name := strings.TrimSpace(c.Command + " " + c.Verb)
		args := lines[name]
		if args == nil {
			continue
		}
		out := r.must(append(args, "--json")...)
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Errorf("%s --json is not JSON: %v\n%s", name, err, out)
			continue
		}
		walk(name, v)
	}
}
