package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/health"
	"partnerbot/outbox"
	"partnerbot/store"
)

// addPartners gives kasia n more partners with long names.
func addPartners(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := range n {
		p := bot.Partner{ID: fmt.Sprintf("p%03d", i), Name: fmt.Sprintf("Sklep Ogólnospożywczy „Pod Złotym Kłosem” nr %03d", i),
			Manager: "kasia", Locale: bot.LocaleEN, Status: bot.StatusActive, Joined: bot.Date{Year: 2025, Month: 3, Day: 1}}
		if _, err := st.PutPartner(context.Background(), &p); err != nil {
			t.Fatal(err)
		}
	}
}

// The partner ids in /health rows, the numbers in agenda rows.
var (
	healthRE = regexp.MustCompile(`\((p\d{3})\)`)
	agendaRE = regexp.MustCompile(`nr (\d{3})`)
)

// page checks one Slack message against Block Kit's limits and returns
// the partners it lists and its next-page button value ("" on the last).
func page(t *testing.T, idRE *regexp.Regexp, blocksJSON string) (ids []string, next string, total string) {
	t.Helper()
	var blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Text     any    `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocksJSON), &blocks); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	if len(blocks) > maxMessageBlocks {
		t.Errorf("%d blocks, over Slack's %d", len(blocks), maxMessageBlocks)
	}
	for _, b := range blocks {
		if b.Text != nil {
			if n := utf8.RuneCountInString(b.Text.Text); n > maxSectionText {
				t.Errorf("a %s block of %d characters, over %d", b.Type, n, maxSectionText)
			}
			for _, m := range idRE.FindAllStringSubmatch(b.Text.Text, -1) {
				ids = append(ids, m[1])
			}
		}
		for _, el := range b.Elements {
			if el.ActionID == commands.ActionPage || strings.HasPrefix(el.ActionID, commands.ActionPage+actionSep) {
				if strings.Contains(fmt.Sprint(el.Text), "Next") {
					next = el.Value
				}
			}
			if tx, ok := el.Text.(string); ok && strings.Contains(tx, "in all") {
				total = tx
			}
		}
	}
	return ids, next, total
}

// checkAll fails unless every one of want partners was listed exactly
// once across the pages.
func checkAll(t *testing.T, seen []string, want int) {
	t.Helper()
	count := map[string]int{}
	for _, id := range seen {
		count[id]++
	}
	for i := range want {
		id := fmt.Sprintf("p%03d", i)
		if alt := fmt.Sprintf("%03d", i); count[id]+count[alt] != 1 {
			t.Errorf("%s listed %d times across the pages", id, count[id]+count[alt])
		}
	}
}

// TestHealthPages is a manager with 300 partners on /health: every page
// within Block Kit's limits, the total on each, and next-page buttons
// (keeping the filter) that bring every partner exactly once.
func TestHealthPages(t *testing.T) {
	e := newEnv(t, withHealth(func(ctx context.Context, p *bot.Partner, now time.Time) (health.Verdict, error) {
		return health.Verdict{Level: health.Red}, nil
	}))
	addPartners(t, e.store, 300)
	first := e.answer("UKASIA", "/health", "red")
	b, _ := json.Marshal(first.Blocks)
	ids, next, total := page(t, healthRE, string(b))
	if !strings.Contains(first.all, "303") || total == "" {
		t.Errorf("the first page does not show the total of 303: %q", total)
	}
	if !strings.HasSuffix(next, "|cmd:health red") {
		t.Fatalf("next button value %q does not keep the filter", next)
	}
	seen := ids
	for n := 1; next != ""; n++ {
		if n > 100 {
			t.Fatal("no last page")
		}
		hook := fmt.Sprintf("page-%d", n)
		e.press("UKASIA", commands.ActionPage, next, hook)
		got := e.hooks.wait(t, hook)
		if got.ReplaceOriginal == nil || !*got.ReplaceOriginal {
			t.Fatalf("page %d does not replace the message it was asked from: %s", n+1, got.raw)
		}
		b, _ := json.Marshal(got.Blocks)
		ids, next, total = page(t, healthRE, string(b))
		if !strings.Contains(total, "303 in all") {
			t.Errorf("page %d shows no total: %q", n+1, total)
		}
		seen = append(seen, ids...)
	}
	checkAll(t, seen, 300)
}

// TestScheduledListPages is a care-agenda-sized list sent through the
// outbox: the post shows its first page, and the page buttons read the
// rest from the outbox.
func TestScheduledListPages(t *testing.T) {
	e := newEnv(t)
	var items []string
	for i := range 300 {
		items = append(items, fmt.Sprintf("• Sklep Ogólnospożywczy „Pod Złotym Kłosem” nr %03d — 1 234,56 zł in November, to follow up", i))
	}
	it := &store.OutboxItem{Key: "care_agenda/2026-W47/kasia", Kind: "care_agenda", Target: bot.Target{Platform: "slack", User: "UKASIA"},
		Message: bot.Message{Title: "Care agenda", Text: "Your plan", List: &bot.List{Items: items, Locale: bot.LocaleEN}}}
	if _, err := e.store.Enqueue(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	d := outbox.New(outbox.Options{Store: e.store, Senders: map[string]outbox.Sender{"slack": e.adapter}, Clock: e.clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, _, err := d.Step(context.Background(), e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	posts := e.fake.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	seen, next, total := page(t, agendaRE, posts[0].Blocks)
	if !strings.Contains(total, "300 in all") || !strings.Contains(next, "|out:") {
		t.Fatalf("first page: total %q, next %q", total, next)
	}
	for n := 1; next != ""; n++ {
		if n > 100 {
			t.Fatal("no last page")
		}
		hook := fmt.Sprintf("agenda-%d", n)
		e.press("UKASIA", commands.ActionPage, next, hook)
		got := e.hooks.wait(t, hook)
		b, _ := json.Marshal(got.Blocks)
		var ids []string
		ids, next, _ = page(t, agendaRE, string(b))
		seen = append(seen, ids...)
	}
	checkAll(t, seen, 300)

	// Someone else cannot page through kasia's agenda.
	e.press("UJANKO", commands.ActionPage, "1|out:1", "stranger")
	if got := e.hooks.wait(t, "stranger"); strings.Contains(got.all, "nr 0") {
		t.Errorf("a stranger paged someone's agenda: %s", got.all)
	}
}
