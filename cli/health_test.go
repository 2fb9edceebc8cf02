package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCLI_Health(t *testing.T) {
	r := newRun(t)
	r.must("demo")

	type row struct {
		Partner string            `json:"partner"`
		Verdict string            `json:"verdict"`
		Segment string            `json:"segment"`
		Tier    string            `json:"tier"`
		Metrics map[string]string `json:"metrics"`
		Reasons []string          `json:"reasons"`
	}
	t.Run("json shape", func(t *testing.T) {
		out := r.must("health", "--json")
		// Exactly the DESIGN.md keys, nothing more.
		var raw []map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &raw); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if len(raw) == 0 {
			t.Fatal("no partners")
		}
		for _, k := range []string{"partner", "verdict", "segment", "tier", "metrics", "reasons"} {
			if _, ok := raw[0][k]; !ok {
				t.Fatalf("missing %q in %s", k, out[:200])
			}
		}
		if len(raw[0]) != 6 {
			t.Fatalf("keys = %d, want 6", len(raw[0]))
		}
		var rows []row
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatal(err)
		}
		byID := map[string]row{}
		for _, x := range rows {
			byID[x.Partner] = x
			if len(x.Metrics) != 5 || x.Segment == "" || x.Tier == "" {
				t.Fatalf("row = %+v", x)
			}
			for name, lv := range x.Metrics {
				switch lv {
				case "green", "amber", "red", "unknown":
				default:
					t.Fatalf("%s metric %s = %q", x.Partner, name, lv)
				}
			}
		}
		a, ok := byID["apteka"]
		if !ok || a.Verdict != "red" || len(a.Reasons) == 0 || a.Segment != "C" {
			t.Fatalf("apteka = %+v", a)
		}
		if rows[0].Verdict != "red" {
			t.Fatalf("first row %+v, want red first", rows[0])
		}
		if _, ok := byID["kiosk-na-rogu"]; !ok {
			t.Fatal("kiosk-na-rogu missing")
		}
	})

	t.Run("status red", func(t *testing.T) {
		var rows []row
		if err := json.Unmarshal([]byte(r.must("health", "--json", "--status", "red")), &rows); err != nil {
			t.Fatal(err)
		}
		for _, x := range rows {
			if x.Verdict != "red" {
				t.Fatalf("%s is %s", x.Partner, x.Verdict)
			}
		}
		if code := r.cmd("health", "--status", "purple"); code != 2 {
			t.Fatalf("--status purple: exit %d", code)
		}
	})

	t.Run("table and one partner", func(t *testing.T) {
		out := r.must("health")
		// A Polish program's cells are Polish, and so are the headers over them.
		if !strings.Contains(out, "PARTNER") || !strings.Contains(out, "ODPOWIEDZI") || !strings.Contains(out, "OCENA") || strings.Contains(out, "VERDICT") || !strings.Contains(out, "apteka") {
			t.Fatalf("table:\n%s", out)
		}
		out = r.must("health", "--partner", "apteka", "--at", "2026-11-22")
		if !strings.Contains(out, "Apteka Pod Lipami") || !strings.Contains(out, "trend") {
			t.Fatalf("one partner:\n%s", out)
		}
		if code := r.cmd("health", "--partner", "nobody"); code != 1 {
			t.Fatalf("unknown partner: exit %d", code)
		}
	})
}
