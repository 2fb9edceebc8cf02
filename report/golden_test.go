package report_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/health"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or writes it there with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		g, w := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s", name, i+1, g[i], w[i])
			}
		}
		t.Fatalf("%s differs in length: %d lines, want %d", name, len(g), len(w))
	}
}

// TestWeekly_Golden pins every demo partner's Monday report, in Polish
// and in English: the text, the fields and the chart's numbers. Speed
// work on the store, the calendar or the chart must not change a word
// or a figure a partner reads.
func TestWeekly_Golden(t *testing.T) {
	s, b := setup(t)
	week, _ := bot.WeekPeriod(2026, 47)
	sendDay := bot.DateOf(monday, waw)
	ps, err := s.Partners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	standings, err := b.Board.Standings(ctx, sendDay)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, l := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
		for _, p := range ps {
			p.Locale = l
			w, err := b.Figures(ctx, &p, week, sendDay)
			if err != nil {
				t.Fatal(err)
			}
			var st *health.Standing
			if s, ok := standings[p.ID]; ok {
				st = &s
			}
			msg, err := b.WeeklyMessage(&p, w, st)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "== %s %s\n%s\n%s\n", p.ID, l, msg.Title, msg.Text)
			for _, f := range msg.Fields {
				fmt.Fprintf(&out, "  %s: %s\n", f.Name, f.Value)
			}
			fmt.Fprintf(&out, "  footer: %s\n  chart: %s %v\n", msg.Footer, msg.Image.Alt, w.History)
		}
	}
	golden(t, "weekly.golden", out.String())
}
