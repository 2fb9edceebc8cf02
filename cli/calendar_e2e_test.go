package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack/slacktest"

	"partnerbot/bot"
	"partnerbot/cli"
	"partnerbot/demo"
	"partnerbot/report"
	"partnerbot/store"
)

// calendarSlack is a fake Slack Web API for the calendar's end-to-end
// run: slacktest's server with the methods Send needs (DMs, the chart's
// upload) and a record of every chat.postMessage with its outbox key.
type calendarSlack struct {
	srv *slacktest.Server

	mu    sync.Mutex
	posts []calendarPost
	seq   int
}

type calendarPost struct {
	Channel string
	Key     string    // the outbox key from the message metadata
	At      time.Time // wall time the post arrived
	TS      string
}

func newCalendarSlack(t *testing.T) *calendarSlack {
	t.Helper()
	f := &calendarSlack{}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", f.postMessage)
		c.Handle("/conversations.open", f.open)
		c.Handle("/conversations.history", f.history)
		c.Handle("/files.getUploadURLExternal", f.uploadURL)
		c.Handle("/upload/", f.upload)
		c.Handle("/files.completeUploadExternal", f.completeUpload)
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func calendarForm(r *http.Request) url.Values {
	b, _ := io.ReadAll(r.Body)
	v, _ := url.ParseQuery(string(b))
	return v
}

func calendarJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (f *calendarSlack) postMessage(w http.ResponseWriter, r *http.Request) {
	v := calendarForm(r)
	var md struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	json.Unmarshal([]byte(v.Get("metadata")), &md)
	key, _ := md.EventPayload["key"].(string)
	f.mu.Lock()
	f.seq++
	p := calendarPost{Channel: v.Get("channel"), Key: key, At: time.Now(), TS: fmt.Sprintf("1700000000.%06d", f.seq)}
	f.posts = append(f.posts, p)
	f.mu.Unlock()
	calendarJSON(w, map[string]any{"ok": true, "channel": p.Channel, "ts": p.TS})
}

// open answers conversations.open with the DM "D" + user.
func (f *calendarSlack) open(w http.ResponseWriter, r *http.Request) {
	users := calendarForm(r).Get("users")
	if users == "" || strings.Contains(users, ",") {
		calendarJSON(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	calendarJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "D" + users}})
}

// history answers what Posted asks after an unknown outcome.
func (f *calendarSlack) history(w http.ResponseWriter, r *http.Request) {
	ch := calendarForm(r).Get("channel")
	var msgs []map[string]any
	f.mu.Lock()
	for i := len(f.posts) - 1; i >= 0; i-- {
		if p := f.posts[i]; p.Channel == ch {
			msgs = append(msgs, map[string]any{"type": "message", "ts": p.TS,
				"metadata": map[string]any{"event_type": "partnerbot_post", "event_payload": map[string]any{"key": p.Key}}})
		}
	}
	f.mu.Unlock()
	calendarJSON(w, map[string]any{"ok": true, "messages": msgs, "has_more": false})
}

func (f *calendarSlack) uploadURL(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seq++
	id := fmt.Sprintf("F%d", f.seq)
	f.mu.Unlock()
	calendarJSON(w, map[string]any{"ok": true, "upload_url": f.srv.GetAPIURL() + "upload/" + id, "file_id": id})
}

func (f *calendarSlack) upload(w http.ResponseWriter, r *http.Request) {
	n, _ := io.Copy(io.Discard, r.Body)
	fmt.Fprintf(w, "OK - %d", n)
}

func (f *calendarSlack) completeUpload(w http.ResponseWriter, r *http.Request) {
	var files []map[string]any
	json.Unmarshal([]byte(calendarForm(r).Get("files")), &files)
	calendarJSON(w, map[string]any{"ok": true, "files": files})
}

func (f *calendarSlack) Posts() []calendarPost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]calendarPost(nil), f.posts...)
}

// serveRun is one `partnerbot serve` in the background.
type serveRun struct {
	base   string // http://127.0.0.1:PORT
	t      *testing.T
	cancel context.CancelFunc
	done   chan int
	stderr *syncBuf
}

// startServe runs serve with args and waits until it listens.
func startServe(t *testing.T, env map[string]string, args ...string) *serveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	r := &serveRun{t: t, cancel: cancel, done: make(chan int, 1), stderr: &syncBuf{}}
	m := &cli.Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: r.stderr,
		Getenv: func(k string) string { return env[k] }, Ready: func(a string) { addr <- a }}
	go func() { r.done <- m.Run(ctx, args) }()
	select {
	case a := <-addr:
		r.base = "http://" + a
	case code := <-r.done:
		cancel()
		t.Fatalf("serve exited %d: %s", code, r.stderr.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	return r
}

// stop stops serve as a signal would and checks it stopped cleanly.
func (r *serveRun) stop() {
	r.t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		if code != 0 {
			r.t.Fatalf("serve exit %d: %s", code, r.stderr.String())
		}
	case <-time.After(30 * time.Second):
		r.t.Fatal("serve did not stop")
	}
	for _, line := range strings.Split(r.stderr.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			r.t.Errorf("serve logged an error: %s", line)
		}
	}
}

// TestCLI_ServeMondayReports is the Monday morning end to end: serve
// starts three seconds before 09:00 with the demo program and Slack (a
// fake), posts every weekly report once at 09:00, and after a restart
// posts none again.
func TestCLI_ServeMondayReports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs serve twice for several seconds")
	}
	begin := time.Now()
	fake := newCalendarSlack(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "monday.db")
	cfg := filepath.Join(dir, "partnerbot.yaml")
	if err := os.WriteFile(cfg, []byte("slack:\n  api_url: "+fake.srv.GetAPIURL()+"\nlog:\n  level: warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "PARTNERBOT_API_TOKEN": "api-token"}

	// What the demo's Monday should post on Slack at 09:00 in Warsaw:
	// every active partner's report of week 47, to its channel or DM.
	// Partners in London get theirs at 10:00 Warsaw time, after the test.
	waw, _ := time.LoadLocation("Europe/Warsaw")
	start := time.Date(2026, 11, 23, 8, 59, 57, 0, waw)
	prog, err := demo.Build(start, waw, demo.DefaultSeed)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}  // key → channel
	later := map[string]string{} // partners in other zones
	for _, p := range prog.Partners {
		if p.Status != bot.StatusActive {
			continue
		}
		for _, tg := range report.Targets(&p) {
			if tg.Platform != "slack" {
				continue
			}
			ch := tg.Channel
			if ch == "" {
				ch = "D" + tg.User
			}
			key := "weekly_report/2026-W47/" + p.ID + "/slack"
			if p.Timezone == "" || p.Timezone == "Europe/Warsaw" {
				want[key] = ch
			} else {
				later[key] = ch
			}
		}
	}
	if len(want) < 30 {
		t.Fatalf("only %d Slack reports expected: the demo changed?", len(want))
	}

	// serve's clock reads 09:00 three seconds after it starts, so no
	// weekly report may reach Slack before now + 3 s.
	launched := time.Now()
	nine := launched.Add(3 * time.Second)
	run := startServe(t, env, "--config", cfg, "--db", db, "serve", "--demo", "--listen", "127.0.0.1:0", "--now", start.Format(time.RFC3339))
	ready := time.Now()
	weekly := func() map[string][]calendarPost {
		out := map[string][]calendarPost{}
		for _, p := range fake.Posts() {
			if strings.HasPrefix(p.Key, "weekly_report/") {
				out[p.Key] = append(out[p.Key], p)
			}
		}
		return out
	}
	deadline := time.Now().Add(40 * time.Second)
	for {
		got := weekly()
		done := 0
		for k := range want {
			if len(got[k]) > 0 {
				done++
			}
		}
		if done == len(want) {
			break
		}
		if time.Now().After(deadline) {
			run.stop()
			t.Fatalf("after 40 s, %d of %d weekly reports posted\n%s", done, len(want), run.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	allPosted := time.Now()
	// A moment for a stray second post to show up.
	time.Sleep(500 * time.Millisecond)
	run.stop()
	stopped := time.Now()

	got := weekly()
	var first, last time.Time
	for k, ps := range got {
		ch, ok := want[k]
		switch {
		case !ok:
			t.Errorf("%s posted, not expected at 09:00 in Warsaw", k)
		case len(ps) != 1:
			t.Errorf("%s posted %d times", k, len(ps))
		case ps[0].Channel != ch:
			t.Errorf("%s posted to %s, want %s", k, ps[0].Channel, ch)
		}
		for _, p := range ps {
			if p.At.Before(nine) {
				t.Errorf("%s posted %s before 09:00 on serve's clock", k, nine.Sub(p.At))
			}
			if first.IsZero() || p.At.Before(first) {
				first = p.At
			}
			if p.At.After(last) {
				last = p.At
			}
		}
	}
	for k := range later {
		if len(got[k]) > 0 {
			t.Errorf("%s posted at 09:00 in Warsaw, not at 09:00 in its own zone", k)
		}
	}
	firstRun := len(fake.Posts())

	// A restart five minutes later posts no report again.
	run = startServe(t, env, "--config", cfg, "--db", db, "serve", "--demo", "--listen", "127.0.0.1:0", "--now", "2026-11-23T09:05:00+01:00")
	time.Sleep(3 * time.Second)
	run.stop()
	for _, p := range fake.Posts()[firstRun:] {
		if strings.HasPrefix(p.Key, "weekly_report/") {
			t.Errorf("%s posted again after a restart", p.Key)
		}
	}
	byKey := map[string]int{}
	for _, p := range fake.Posts() {
		byKey[p.Key]++
	}
	for k, n := range byKey {
		if n > 1 {
			t.Errorf("%s posted %d times over both runs", k, n)
		}
	}

	// The outbox agrees: each Slack report sent once, with Slack's ts.
	s, err := store.Open(db, store.Options{Location: waw, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items, err := s.OutboxItems(context.Background(), func(it *store.OutboxItem) bool {
		return it.Kind == "weekly_report" && it.Target.Platform == "slack"
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key)
		if it.Status != store.OutboxSent || it.Ref == "" || it.Attempts != 1 {
			t.Errorf("%s: status %s, ref %q, %d attempts", it.Key, it.Status, it.Ref, it.Attempts)
		}
	}
	if len(keys) != len(want) {
		sort.Strings(keys)
		t.Errorf("outbox holds %d Slack reports, want %d: %v", len(keys), len(want), keys)
	}
	t.Logf("serve ready %s after launch; %d reports posted from %s to %s after launch (all seen %s after launch); first serve stopped %s later; %d posts in all; test took %s",
		ready.Sub(launched).Round(time.Millisecond), len(got), first.Sub(launched).Round(time.Millisecond), last.Sub(launched).Round(time.Millisecond),
		allPosted.Sub(launched).Round(time.Millisecond), stopped.Sub(allPosted).Round(time.Millisecond), len(fake.Posts()), time.Since(begin).Round(time.Millisecond))
}
