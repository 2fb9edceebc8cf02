package health_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"context"

	"partnerbot/bot"
	"partnerbot/health"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestVerdicts_Golden pins every demo partner's verdict on the demo's
// Monday: level, metrics, segment, tier and the reasons in both
// languages. Speed work on the store or the health job must not change
// what managers read.
func TestVerdicts_Golden(t *testing.T) {
	s := demoStore(t)
	ev := health.NewEvaluator(s, health.DefaultThresholds, health.DefaultRules, warsaw)
	results, err := ev.EvaluateAll(context.Background(), demoNow)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, r := range results {
		rec := health.NewRecord(&r.Partner, r.Verdict, r.Standing, demoNow)
		var ms []string
		for k, v := range rec.Metrics {
			ms = append(ms, k+"="+v)
		}
		sort.Strings(ms)
		fmt.Fprintf(&out, "%s %s segment=%s tier=%s %s\n", rec.Partner, rec.Level, rec.Segment, rec.Tier, strings.Join(ms, " "))
		for _, l := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
			for _, reason := range rec.Reasons[l] {
				fmt.Fprintf(&out, "  %s: %s\n", l, reason)
			}
		}
	}
	path := filepath.Join("testdata", "verdicts.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if out.String() != string(want) {
		got, w := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(got), len(w)) {
			if got[i] != w[i] {
				t.Fatalf("verdicts differ at line %d:\n got: %s\nwant: %s", i+1, got[i], w[i])
			}
		}
		t.Fatalf("verdicts differ in length: %d lines, want %d", len(got), len(w))
	}
}
