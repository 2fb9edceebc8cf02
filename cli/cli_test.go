package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/cli"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type run struct {
	t      *testing.T
	dir    string
	env    map[string]string
	stdin  string
	out    string
	errOut string
	now    time.Time // the clock; the package's now when zero
}

func newRun(t *testing.T) *run {
	return &run{t: t, dir: t.TempDir(), env: map[string]string{}}
}

// cmd runs one partnerbot command line against the run's database and
// returns its exit code.
func (r *run) cmd(args ...string) int {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	at := now
	if !r.now.IsZero() {
		at = r.now
	}
	m := &cli.Main{Stdin: strings.NewReader(r.stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return r.env[k] }, Clock: bot.NewManualClock(at)}
	code := m.Run(context.Background(), append([]string{"--db", filepath.Join(r.dir, "pb.db")}, args...))
	r.out, r.errOut = stdout.String(), stderr.String()
	return code
}

func (r *run) must(args ...string) string {
	r.t.Helper()
	if code := r.cmd(args...); code != 0 {
		r.t.Fatalf("partnerbot %s: exit %d\n%s%s", strings.Join(args, " "), code, r.out, r.errOut)
	}
	return r.out
}

func (r *run) file(name, content string) string {
	p := filepath.Join(r.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		r.t.Fatal(err)
	}
	return p
}

func TestCLI_PartnersImportStats(t *testing.T) {
	r := newRun(t)
	r.must("manager", "add", "kasia", "--name", "Katarzyna Nowak", "--slack-user", "UKASIA")
	out := r.must("partner", "add", "janko", "--name", "Sklep u Janka", "--contact", "Janek", "--manager", "kasia", "--joined", "2025-03-01")
	if !strings.Contains(out, "/r/") {
		t.Fatalf("add: %s", out)
	}
	if code := r.cmd("partner", "add", "janko", "--name", "again"); code != 1 || !strings.Contains(r.errOut, "already exists") {
		t.Fatalf("second add: %d %s", code, r.errOut)
	}
	if code := r.cmd("partner", "add", "x", "--name", "X", "--manager", "nobody"); code != 1 || !strings.Contains(r.errOut, "unknown manager") {
		t.Fatalf("unknown manager: %d %s", code, r.errOut)
	}
	r.must("partner", "set", "janko", "--status", "paused", "--vocative", "Janeczku")
	var p bot.Partner
	if err := json.Unmarshal([]byte(r.must("partner", "show", "janko", "--json")), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != bot.StatusPaused || p.Name != "Sklep u Janka" || p.ContactName != "Janek" || p.ContactVocative != "Janeczku" {
		t.Fatalf("after set: %+v", p)
	}

	// A file with a bad last line stores nothing and names the line.
	bad := r.file("bad.ndjson", `{"id":"a1","type":"sale","partner":"janko","at":"2026-11-16T10:15:00+01:00","amount":"100.00","commission":"2.00"}
{"id":"a2","type":"sale","partner":"janko","at":"2026-11-17T10:15:00+01:00","amount":"50.00"}
{"id":"a3","type":"sale","partner":"ghost","at":"2026-11-17T10:15:00+01:00","amount":"50.00"}
`)
	if code := r.cmd("import", bad); code != 1 || !strings.Contains(r.errOut, "line 3") || !strings.Contains(r.errOut, "ghost") {
		t.Fatalf("bad import: %d %s", code, r.errOut)
	}
	var st map[string]any
	json.Unmarshal([]byte(r.must("stats", "janko", "--period", "2026-11", "--json")), &st)
	if st["sales"] != 0.0 {
		t.Fatalf("refused file stored events: %v", st)
	}

	csv := r.file("good.csv", "id;type;partner;at;amount;commission\n"+
		"a1;sale;janko;2026-11-16T10:15:00+01:00;100,00;2,00\n"+
		"a2;sale;janko;2026-11-17T10:15:00+01:00;50,00;\n"+
		"c1;click;janko;2026-11-17T09:00:00+01:00;;\n")
	out = r.must("import", csv)
	if !strings.Contains(out, "3 accepted, 0 duplicates") {
		t.Fatalf("import: %s", out)
	}
	out = r.must("import", csv)
	if !strings.Contains(out, "0 accepted, 3 duplicates") {
		t.Fatalf("re-import: %s", out)
	}
	json.Unmarshal([]byte(r.must("stats", "janko", "--period", "2026-11", "--json")), &st)
	if st["sales"] != 2.0 || st["turnover"] != "150.00" || st["clicks"] != 1.0 || st["commission"] != "2.00" {
		t.Fatalf("stats: %v", st)
	}
	out = r.must("stats", "janko", "--period", "2026-W47")
	if !strings.Contains(out, "PLN 150.00") || !strings.Contains(out, "2026-W47") {
		t.Fatalf("stats text:\n%s", out)
	}

	r.stdin = `{"id":"s1","type":"signup","partner":"janko","at":"2026-11-18T10:00:00+01:00"}` + "\n"
	if out := r.must("import", "-"); !strings.Contains(out, "1 accepted") {
		t.Fatalf("stdin import: %s", out)
	}
	if out := r.must("import", "--dry-run", csv); !strings.Contains(out, "3 events are valid") {
		t.Fatalf("dry run: %s", out)
	}

	if code := r.cmd("partner", "remove", "janko"); code != 1 || !strings.Contains(r.errOut, "--purge") {
		t.Fatalf("remove with events: %d %s", code, r.errOut)
	}
	backup := filepath.Join(r.dir, "backup.db")
	r.must("backup", backup)
	if fi, err := os.Stat(backup); err != nil || fi.Size() == 0 {
		t.Fatalf("backup: %v", err)
	}
	r2 := &run{t: t, dir: r.dir, env: map[string]string{}}
	if code := r2.cmd("--db", backup, "stats", "janko", "--period", "2026-11", "--json"); code != 0 || !strings.Contains(r2.out, `"turnover": "150.00"`) {
		t.Fatalf("stats from backup: %d %s %s", code, r2.out, r2.errOut)
	}
}

func TestCLI_UsageAndConfig(t *testing.T) {
	r := newRun(t)
	if code := r.cmd("frobnicate"); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
	if code := r.cmd("stats"); code != 2 {
		t.Fatalf("stats without id exit %d", code)
	}
	if out := r.must("help"); !strings.Contains(out, "serve") || !strings.Contains(out, "import") {
		t.Fatalf("help: %s", out)
	}
	r.env["SLACK_BOT_TOKEN"] = "xoxb-1234567890-abcdefghijkl"
	out := r.must("config", "check")
	if strings.Contains(out, "xoxb-1234567890-abcdefghijkl") || !strings.Contains(out, "Europe/Warsaw") {
		t.Fatalf("config check leaks or lacks:\n%s", out)
	}
	bad := r.file("bad.yaml", "program:\n  timzone: Europe/Warsaw\n")
	if code := r.cmd("--config", bad, "config", "check"); code != 1 || !strings.Contains(r.errOut, ":2") || !strings.Contains(r.errOut, "timezone") {
		t.Fatalf("bad config: %d %s", code, r.errOut)
	}
}

// TestCLI_Serve runs the real server on a loopback port, ingests through
// HTTP, stops it as a signal would, and reopens the database.
func TestCLI_Serve(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "serve.db")
	env := map[string]string{"PARTNERBOT_API_TOKEN": "secret-token"}
	srv := startServe(t, env, "--db", db, "serve", "--demo", "--listen", "127.0.0.1:0", "--now", "2026-11-23T08:59:00+01:00")
	base, stderr := srv.base, srv.stderr
	get := func(path string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer secret-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, _ := get("/healthz"); code != 200 {
		t.Fatalf("healthz %d", code)
	}
	code, st := get("/api/v1/partners/janko/stats?period=30d")
	if code != 200 || st["sales"] == 0.0 {
		t.Fatalf("demo stats: %d %v", code, st)
	}
	// The referral redirect counts a click and sends the visitor on.
	_, jp := get("/api/v1/partners/janko")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	rreq, _ := http.NewRequest("GET", base+"/r/"+jp["referral_code"].(string), nil)
	rreq.Header.Set("User-Agent", "Mozilla/5.0 (iPhone)")
	rresp, err := noFollow.Do(rreq)
	if err != nil {
		t.Fatal(err)
	}
	rresp.Body.Close()
	if rresp.StatusCode != 302 || !strings.Contains(rresp.Header.Get("Location"), "ref="+jp["referral_code"].(string)) {
		t.Fatalf("redirect: %d %s", rresp.StatusCode, rresp.Header.Get("Location"))
	}
	// The print-ready poster is served beside it.
	presp, err := http.Get(base + "/r/" + jp["referral_code"].(string) + "/print.svg")
	if err != nil {
		t.Fatal(err)
	}
	poster, _ := io.ReadAll(presp.Body)
	presp.Body.Close()
	if presp.StatusCode != 200 || !strings.Contains(string(poster), "Sklep u Janka") || !strings.Contains(string(poster), "<svg") {
		t.Fatalf("poster: %d %.200s", presp.StatusCode, poster)
	}
	body := `{"id":"live-1","type":"sale","partner":"janko","at":"2026-11-23T08:00:00+01:00","amount":"10.00"}`
	req, _ := http.NewRequest("POST", base+"/api/v1/events", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer secret-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ingest %d", resp.StatusCode)
	}
	srv.stop()
	if !strings.Contains(stderr.String(), "stopped cleanly") {
		t.Fatalf("no clean stop in log:\n%s", stderr.String())
	}
	r := &run{t: t, dir: dir, env: map[string]string{}, now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	out := r.must("--db", db, "stats", "janko", "--period", "2026-11-23..2026-11-23", "--json")
	if !strings.Contains(out, `"sales": 1`) || !strings.Contains(out, `"clicks": 1`) {
		t.Fatalf("event and click acknowledged by serve are not in the file after stop:\n%s", out)
	}
}

// syncBuf is a buffer the server's logger and the test may share.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestCLI_Chat(t *testing.T) {
	r := newRun(t)
	r.must("demo")
	r.stdin = "/mystats\n/referral\n/leaderboard\n!1\n/frobnicate\n"
	out := r.must("chat", "--as", "janko", "--images", r.dir)
	for _, want := range []string{"Cześć Janku", "Sklep u Janka", "Twój link polecający", "saved to", "Ranking", "Nie znam polecenia /frobnicate"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(r.dir, "qr-"+between(out, "/r/", "\n")+".png")); err != nil {
		t.Errorf("QR not saved: %v", err)
	}
	if code := r.cmd("chat", "--as", "nobody"); code != 1 {
		t.Errorf("chat as nobody: exit %d", code)
	}
}

func between(s, a, b string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, b)
	return v
}

func TestCLI_Promo(t *testing.T) {
	r := newRun(t)
	r.must("promo", "add", "x2", "--title", "Podwójny cashback", "--title-en", "Double cashback", "--description-en", "4% instead of 2%", "--start", "2026-11-25", "--end", "2026-12-02", "--segments", "a,b")
	if out := r.must("promo", "list", "--json"); !strings.Contains(out, `"title_en": "Double cashback"`) || !strings.Contains(out, `"description_en": "4% instead of 2%"`) {
		t.Fatalf("show:\n%s", out)
	}
	out := r.must("promo", "list")
	if !strings.Contains(out, "x2") || !strings.Contains(out, "2026-11-25 00:00") || !strings.Contains(out, "upcoming") || !strings.Contains(out, "A,B") {
		t.Fatalf("list:\n%s", out)
	}
	r.must("promo", "set", "x2", "--start", "2026-11-20T09:00:00+01:00")
	if out := r.must("promo", "list"); !strings.Contains(out, "running") {
		t.Fatalf("after set:\n%s", out)
	}
	if code := r.cmd("promo", "add", "x2", "--title", "again", "--start", "2026-11-25", "--end", "2026-12-02"); code != 1 {
		t.Fatalf("second add: %d", code)
	}
	if code := r.cmd("promo", "add", "bad", "--title", "X", "--start", "2026-12-02", "--end", "2026-12-01"); code != 1 || !strings.Contains(r.errOut, "end") {
		t.Fatalf("end before start: %d %s", code, r.errOut)
	}
	r.must("promo", "remove", "x2")
	if out := r.must("promo", "list", "--all", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("after remove: %s", out)
	}
}
