package commands_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/commands"
	"partnerbot/demo"
	"partnerbot/health"
	"partnerbot/i18n"
	"partnerbot/store"
)

var (
	ctx = context.Background()
	waw = func() *time.Location { l, _ := time.LoadLocation("Europe/Warsaw"); return l }()
	now = time.Date(2026, 11, 22, 15, 30, 0, 0, waw)
)

type env struct {
	store *store.Store
	svc   *commands.Service
	clock *bot.ManualClock
}

func setup(t *testing.T) *env {
	t.Helper()
	clock := bot.NewManualClock(now)
	s, err := store.Open(filepath.Join(t.TempDir(), "c.db"), store.Options{Location: waw, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := demo.Generate(ctx, s, now, demo.DefaultSeed); err != nil {
		t.Fatal(err)
	}
	svc := commands.New(commands.Options{Store: s, Clock: clock, Location: waw, Currency: bot.Currency{Code: "PLN", Digits: 2},
		Locale: bot.LocalePL, PublicURL: "https://bot.example", Program: "Program", Rules: health.DefaultRules,
		Admins: map[string][]string{"slack": {"UADMIN"}}})
	return &env{store: s, svc: svc, clock: clock}
}

func (f *env) caller(t *testing.T, platform, user string) *commands.Caller {
	t.Helper()
	c, err := f.svc.Resolve(ctx, platform, user, "C1")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *env) run(t *testing.T, c *commands.Caller, line string) (*bot.Message, string) {
	t.Helper()
	name, text, _ := strings.Cut(strings.TrimPrefix(line, "/"), " ")
	args, err := f.svc.ParseText(name, text)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	m := f.svc.Run(ctx, c, name, args)
	return m, console.Render(m)
}

func TestUnknownUserLearnsHowToLink(t *testing.T) {
	f := setup(t)
	stranger := f.caller(t, "slack", "USTRANGER")
	for _, cmd := range []string{"/mystats", "/referral", "/leaderboard", "/promos", "/partner janko", "/contact janko hi", "/linkcode janko"} {
		m, out := f.run(t, stranger, cmd)
		if !m.Private || !strings.Contains(out, "/link") || strings.Contains(out, "Janka") {
			t.Errorf("%s from a stranger:\n%s", cmd, out)
		}
	}
	m, out := f.run(t, stranger, "/help")
	if !strings.Contains(out, "/link") || strings.Contains(out, "/partner") || !m.Private {
		t.Errorf("help for a stranger:\n%s", out)
	}
}

func TestPartnerSeesOnlyItsOwnData(t *testing.T) {
	f := setup(t)
	janko := f.caller(t, "slack", "UJANKO")
	if janko.Partner == nil || janko.Partner.ID != "janko" {
		t.Fatalf("UJANKO resolves to %+v", janko)
	}
	apteka, _ := f.store.Partner(ctx, "apteka")
	aptekaStats, _ := f.store.Stats(ctx, "apteka", bot.MonthPeriod(2026, time.November), bot.DateOf(now, waw), bot.Currency{Code: "PLN", Digits: 2})
	aptekaTurnover := i18n.Money(bot.LocalePL, bot.Currency{Code: "PLN", Digits: 2}, aptekaStats.Current.Turnover())
	for _, cmd := range []string{"/mystats", "/mystats 2026-10", "/mystats 30d", "/referral", "/promos"} {
		m, out := f.run(t, janko, cmd)
		if !m.Private {
			t.Errorf("%s answered publicly", cmd)
		}
		if strings.Contains(out, apteka.Name) || strings.Contains(out, apteka.ReferralCode) {
			t.Errorf("%s from janko mentions apteka:\n%s", cmd, out)
		}
		if cmd == "/mystats" && (!strings.Contains(out, "Sklep u Janka") || strings.Contains(out, aptekaTurnover+" ")) {
			t.Errorf("/mystats:\n%s", out)
		}
	}
	for _, cmd := range []string{"/partner apteka", "/partner janko", "/contact apteka x", "/linkcode apteka"} {
		_, out := f.run(t, janko, cmd)
		if !strings.Contains(out, "dla opiekunów") {
			t.Errorf("%s from a partner was not refused:\n%s", cmd, out)
		}
	}
	// The share button shares the presser's own stats, whatever value it carries.
	m := f.svc.Interact(ctx, janko, "mystats.share", "2026-10")
	out := console.Render(m)
	if m.Private || !strings.Contains(out, "Sklep u Janka") || strings.Contains(out, apteka.Name) {
		t.Errorf("share:\n%s", out)
	}
}

func TestLeaderboardHidesNamesWithoutConsent(t *testing.T) {
	f := setup(t)
	janko := f.caller(t, "slack", "UJANKO")
	_, out := f.run(t, janko, "/leaderboard 2026-10")
	ps, _ := f.store.Partners(ctx)
	for _, p := range ps {
		if p.ID != "janko" && !p.LeaderboardOK && strings.Contains(out, p.Name) {
			t.Errorf("%s did not opt in but is named:\n%s", p.Name, out)
		}
	}
	if !strings.Contains(out, "Twoje miejsce") || strings.Count(out, "\n1") < 1 {
		t.Errorf("leaderboard:\n%s", out)
	}
}

func TestManagerSeesOnlyItsPartners(t *testing.T) {
	f := setup(t)
	janko, _ := f.store.Partner(ctx, "janko")
	var own, other *bot.Partner
	ps, _ := f.store.Partners(ctx)
	for i := range ps {
		if ps[i].Manager == janko.Manager && own == nil {
			own = &ps[i]
		}
		if ps[i].Manager != janko.Manager && other == nil {
			other = &ps[i]
		}
	}
	mgr, _ := f.store.Manager(ctx, janko.Manager)
	c := f.caller(t, "slack", mgr.SlackUser)
	if c.Manager == nil {
		t.Fatalf("manager %s not resolved", mgr.ID)
	}
	if _, out := f.run(t, c, "/partner "+own.ID); !strings.Contains(out, own.Name) {
		t.Errorf("own partner card:\n%s", out)
	}
	_, theirs := f.run(t, c, "/partner "+other.ID)
	if strings.Contains(theirs, other.Name) || !strings.Contains(theirs, "Wśród Twoich partnerów nie ma identyfikatora") {
		t.Errorf("other manager's partner card:\n%s", theirs)
	}
	// "Not yours" and "does not exist" read the same: an id cannot be probed.
	if _, out := f.run(t, c, "/partner nobody"); strings.ReplaceAll(out, "nobody", other.ID) != theirs {
		t.Errorf("missing partner:\n%s\nother's partner:\n%s", out, theirs)
	}
	if _, out := f.run(t, admin0(f, t), "/partner nobody"); !strings.Contains(out, "Nie ma partnera") {
		t.Errorf("missing partner, asked by an admin:\n%s", out)
	}
	admin := f.caller(t, "slack", "UADMIN")
	if _, out := f.run(t, admin, "/partner "+other.ID); !strings.Contains(out, other.Name) {
		t.Errorf("admin sees every partner:\n%s", out)
	}

	before, _ := f.store.Totals(ctx, own.ID, bot.DateOf(now, waw), bot.DateOf(now, waw))
	if _, out := f.run(t, c, "/contact "+own.ID+" dzwoniłam w sprawie nowego QR"); !strings.Contains(out, "Zapisano kontakt") {
		t.Fatalf("contact:\n%s", out)
	}
	after, _ := f.store.Totals(ctx, own.ID, bot.DateOf(now, waw), bot.DateOf(now, waw))
	if after.ContactsOut != before.ContactsOut+1 {
		t.Errorf("contact_out not recorded: %d → %d", before.ContactsOut, after.ContactsOut)
	}
	if _, out := f.run(t, c, "/partner "+own.ID); !strings.Contains(out, "dzwoniłam w sprawie nowego QR") {
		t.Errorf("card lacks the last contact:\n%s", out)
	}

	// Without a note, /contact opens a form; submitting it logs the
	// contact with what was typed. /message without text opens the reply
	// form.
	m, _ := f.run(t, c, "/contact "+own.ID)
	if m.Form == nil || m.Form.Action != commands.FormContact || m.Form.Value != own.ID || m.Text == "" {
		t.Fatalf("/contact without a note = %+v", m)
	}
	if out := console.Render(f.svc.Submit(ctx, c, m.Form.Action, m.Form.Value, "rozmowa o ulotkach")); !strings.Contains(out, "Zapisano kontakt") {
		t.Fatalf("contact form submitted:\n%s", out)
	}
	if _, out := f.run(t, c, "/partner "+own.ID); !strings.Contains(out, "rozmowa o ulotkach") {
		t.Errorf("card lacks the contact logged through the form:\n%s", out)
	}
	if m, _ := f.run(t, c, "/message "+own.ID); m.Form == nil || m.Form.Action != commands.FormReply || m.Form.Value != own.ID {
		t.Errorf("/message without text = %+v", m)
	}
}

func TestInviteAndLink(t *testing.T) {
	f := setup(t)
	apteka, _ := f.store.Partner(ctx, "apteka")
	mgr, _ := f.store.Manager(ctx, apteka.Manager)
	mc := f.caller(t, "discord", mgr.DiscordUser)
	m, _ := f.run(t, mc, "/linkcode apteka")
	code := between(m.Text, "*", "*")
	if len(code) != 11 {
		t.Fatalf("invite code %q in %q", code, m.Text)
	}
	newUser := f.caller(t, "discord", "999000111")
	if _, out := f.run(t, newUser, "/link "+strings.ToLower(code)); !strings.Contains(out, "Apteka") {
		t.Fatalf("link:\n%s", out)
	}
	linked := f.caller(t, "discord", "999000111")
	if linked.Partner == nil || linked.Partner.ID != "apteka" {
		t.Fatalf("after /link the user is %+v", linked)
	}
	if _, out := f.run(t, linked, "/mystats"); !strings.Contains(out, "Apteka") {
		t.Errorf("mystats after link:\n%s", out)
	}
	other := f.caller(t, "discord", "999000222")
	if _, out := f.run(t, other, "/link "+code); !strings.Contains(out, "nieznany, wykorzystany albo wygasł") {
		t.Errorf("second use of a code:\n%s", out)
	}

	t.Run("expired", func(t *testing.T) {
		m, _ := f.run(t, mc, "/linkcode apteka")
		code := between(m.Text, "*", "*")
		f.clock.Advance(8 * 24 * time.Hour)
		defer f.clock.Set(now)
		if _, out := f.run(t, f.caller(t, "slack", "UNEW1"), "/link "+code); !strings.Contains(out, "wygasł") {
			t.Errorf("expired code:\n%s", out)
		}
	})

	t.Run("guessing is slowed down", func(t *testing.T) {
		m, _ := f.run(t, mc, "/linkcode apteka")
		good := between(m.Text, "*", "*")
		guesser := f.caller(t, "slack", "UGUESS")
		for i := range 5 {
			f.run(t, guesser, "/link WRONG-CODE-"+string(rune('A'+i)))
		}
		if _, out := f.run(t, guesser, "/link "+good); !strings.Contains(out, "Za dużo błędnych kodów") {
			t.Errorf("sixth try not refused:\n%s", out)
		}
		f.clock.Advance(16 * time.Minute)
		defer f.clock.Set(now)
		if _, out := f.run(t, guesser, "/link "+good); !strings.Contains(out, "połączone") {
			t.Errorf("after the window:\n%s", out)
		}
	})
}

func TestParseText(t *testing.T) {
	f := setup(t)
	args, err := f.svc.ParseText("contact", "janko called about the new QR")
	if err != nil || args["id"] != "janko" || args["note"] != "called about the new QR" {
		t.Fatalf("contact args %v %v", args, err)
	}
	c := f.caller(t, "slack", "UJANKO")
	if _, out := f.run(t, c, "/mystats 2026-11 extra"); !strings.Contains(out, "Za dużo słów: „extra”. Użycie: /mystats [OKRES]") {
		t.Errorf("extra words:\n%s", out)
	}
	if _, out := f.run(t, c, "/mystats 2026-13"); !strings.Contains(out, "Nie rozumiem okresu") {
		t.Errorf("bad period:\n%s", out)
	}
}

func TestEveryCommandSpeaksBothLanguages(t *testing.T) {
	f := setup(t)
	for _, sp := range f.svc.Specs() {
		keys := []string{"cmd." + sp.Name + ".help"}
		for _, a := range sp.Args {
			keys = append(keys, "cmd."+sp.Name+".arg."+a.Name)
		}
		for _, k := range keys {
			if !i18n.Has(k) {
				t.Errorf("no text %s", k)
			}
		}
	}
	for _, k := range i18n.Keys() {
		tx, _ := i18n.Lookup(k)
		if tx[0] == "" || tx[1] == "" || strings.Count(tx[0], "%") != strings.Count(tx[1], "%") {
			t.Errorf("text %s: %q", k, tx)
		}
	}
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}

func TestNotify(t *testing.T) {
	f := setup(t)
	janko := f.caller(t, "slack", "UJANKO")
	if _, out := f.run(t, janko, "/notify weekly off"); !strings.Contains(out, "wyłączone (/notify raport włącz|wyłącz)") {
		t.Fatalf("notify off:\n%s", out)
	}
	p, _ := f.store.Partner(ctx, "janko")
	if !p.Muted("weekly") || p.Muted("promos") {
		t.Fatalf("mute = %v", p.Mute)
	}
	// In Polish too: "raport" is the weekly report.
	if _, out := f.run(t, janko, "/notify raport włącz"); !strings.Contains(out, "włączone (/notify raport") {
		t.Fatalf("notify on:\n%s", out)
	}
	if _, out := f.run(t, janko, "/notify compliance off"); !strings.Contains(out, "Nie mogę przełączyć") {
		t.Fatalf("compliance cannot be muted:\n%s", out)
	}
	if p, _ := f.store.Partner(ctx, "janko"); len(p.Mute) != 0 {
		t.Fatalf("mute after on = %v", p.Mute)
	}
}

func TestMessageThroughTheBot(t *testing.T) {
	f := setup(t)
	apteka, _ := f.store.Partner(ctx, "apteka")
	mgr, _ := f.store.Manager(ctx, apteka.Manager)
	c := f.caller(t, "slack", mgr.SlackUser)
	before, _ := f.store.Totals(ctx, "apteka", bot.DateOf(now, waw), bot.DateOf(now, waw))
	if _, out := f.run(t, c, "/message apteka Dzień dobry, czy QR jest dobrze widoczny?"); !strings.Contains(out, "Wysłano do") {
		t.Fatalf("message:\n%s", out)
	}
	items, _ := f.store.OutboxItems(ctx, func(it *store.OutboxItem) bool { return it.Kind == "manager_message" })
	if len(items) == 0 || items[0].Target.User != apteka.SlackUser || items[0].Message.Text != "Dzień dobry, czy QR jest dobrze widoczny?" {
		t.Fatalf("queued %+v", items)
	}
	after, _ := f.store.Totals(ctx, "apteka", bot.DateOf(now, waw), bot.DateOf(now, waw))
	if after.ContactsOut != before.ContactsOut+1 {
		t.Fatalf("contact_out %d → %d", before.ContactsOut, after.ContactsOut)
	}
	janko := f.caller(t, "slack", "UJANKO")
	if _, out := f.run(t, janko, "/message apteka hi"); !strings.Contains(out, "dla opiekunów") {
		t.Fatalf("partner sent a message:\n%s", out)
	}
}

func admin0(f *env, t *testing.T) *commands.Caller { return f.caller(t, "slack", "UADMIN") }

func TestConverse(t *testing.T) {
	f := setup(t)
	ps, _ := f.store.Partners(ctx)
	var p bot.Partner
	for _, x := range ps {
		if x.SlackUser != "" && x.Manager != "" && x.Status == bot.StatusActive {
			p = x
			break
		}
	}
	m, err := f.store.Manager(ctx, p.Manager)
	if err != nil || m.SlackUser == "" {
		t.Fatalf("demo partner %s has no manager on Slack: %v", p.ID, err)
	}
	partner := f.caller(t, "slack", p.SlackUser)
	queued := func(kind string) []store.OutboxItem {
		its, _ := f.store.OutboxItems(ctx, func(it *store.OutboxItem) bool { return it.Kind == kind })
		return its
	}

	t.Run("a partner's DM goes to its manager", func(t *testing.T) {
		msg := f.svc.Converse(ctx, partner, commands.Incoming{Text: "Mam pytanie o kod QR", DM: true})
		if msg == nil || !strings.Contains(msg.Text, m.Name) {
			t.Fatalf("partner told %+v, want whom it went to", msg)
		}
		its := queued(commands.KindRelayIn)
		if len(its) != 1 || its[0].Target != (bot.Target{Platform: "slack", User: m.SlackUser}) || !its[0].Transient ||
			!strings.Contains(its[0].Message.Text, "Mam pytanie o kod QR") || !strings.Contains(its[0].Message.Title, p.Name) ||
			len(its[0].Message.Buttons) != 1 || its[0].Message.Buttons[0].Action != commands.ActionReply {
			t.Fatalf("relayed %+v", its)
		}
	})

	t.Run("the manager's Reply opens a form and the answer goes back", func(t *testing.T) {
		mc := f.caller(t, "slack", m.SlackUser)
		form := f.svc.Interact(ctx, mc, commands.ActionReply, p.ID)
		if form.Form == nil || form.Form.Value != p.ID || !strings.Contains(form.Text, "/message "+p.ID) {
			t.Fatalf("Reply answered %+v", form)
		}
		f.svc.Submit(ctx, mc, form.Form.Action, form.Form.Value, "Jutro przywiozę nowy.")
		its := queued(commands.KindManagerMessage)
		if len(its) != 1 || its[0].Target.User != p.SlackUser || !strings.Contains(its[0].Message.Text, "Jutro przywiozę nowy.") {
			t.Fatalf("answer queued %+v", its)
		}
	})

	t.Run("another manager cannot answer", func(t *testing.T) {
		other := f.caller(t, "slack", "UNOBODY")
		if msg := f.svc.Interact(ctx, other, commands.ActionReply, p.ID); msg.Form != nil {
			t.Errorf("a stranger got the reply form")
		}
	})

	t.Run("a stranger learns how to link, channel chatter gets nothing", func(t *testing.T) {
		stranger := f.caller(t, "slack", "USTRANGER")
		if msg := f.svc.Converse(ctx, stranger, commands.Incoming{Text: "hej", DM: true}); msg == nil || !strings.Contains(msg.Text, "/link") {
			t.Errorf("stranger's DM answered %+v", msg)
		}
		if msg := f.svc.Converse(ctx, partner, commands.Incoming{Text: "hej wszystkim"}); msg != nil {
			t.Errorf("channel chatter answered %+v", msg)
		}
		if msg := f.svc.Converse(ctx, partner, commands.Incoming{Text: "co potrafisz?", Mention: true}); msg == nil || !strings.Contains(msg.Text, "/mystats") {
			t.Errorf("a mention answered %+v", msg)
		}
		if n := len(queued(commands.KindRelayIn)); n != 1 {
			t.Errorf("%d relays, want only the DM's", n)
		}
	})
}

// TestConverseChannelThread: a reply in the thread of a manager's message
// posted to a partner's channel reaches the manager, even from the
// partner's staff whose account is not linked.
func TestConverseChannelThread(t *testing.T) {
	f := setup(t)
	ps, _ := f.store.Partners(ctx)
	var p bot.Partner
	for _, x := range ps {
		if x.Manager != "" && x.Status == bot.StatusActive {
			p = x
			break
		}
	}
	p.SlackUser, p.SlackChannel = "", "CSHOP"
	if _, err := f.store.PutPartner(ctx, &p); err != nil {
		t.Fatal(err)
	}
	m, _ := f.store.Manager(ctx, p.Manager)
	mc := f.caller(t, "slack", m.SlackUser)
	f.run(t, mc, "/message "+p.ID+" Czy QR jest dobrze widoczny?")
	its, _ := f.store.OutboxItems(ctx, func(it *store.OutboxItem) bool { return it.Kind == commands.KindManagerMessage })
	if len(its) != 1 || its[0].Target.Channel != "CSHOP" {
		t.Fatalf("manager message %+v", its)
	}
	if _, err := f.store.UpdateOutbox(ctx, its[0].ID, func(x *store.OutboxItem) { x.Status, x.Ref = store.OutboxSent, "1700.1" }); err != nil {
		t.Fatal(err)
	}
	staff, err := f.svc.Resolve(ctx, "slack", "USTAFF", "CSHOP")
	if err != nil {
		t.Fatal(err)
	}
	msg := f.svc.Converse(ctx, staff, commands.Incoming{Text: "Tak, wisi przy kasie.", Thread: "1700.1"})
	if msg == nil || !strings.Contains(msg.Text, m.Name) {
		t.Fatalf("staff told %+v", msg)
	}
	relays, _ := f.store.OutboxItems(ctx, func(it *store.OutboxItem) bool { return it.Kind == commands.KindRelayIn })
	if len(relays) != 1 || relays[0].Partner != p.ID || !strings.Contains(relays[0].Message.Text, "wisi przy kasie") {
		t.Fatalf("relayed %+v", relays)
	}
	// Elsewhere in the channel, a stranger's thread reply is not relayed.
	other, _ := f.svc.Resolve(ctx, "slack", "USTAFF", "COTHER")
	if msg := f.svc.Converse(ctx, other, commands.Incoming{Text: "x", Thread: "1700.1"}); msg != nil && strings.Contains(msg.Text, m.Name) {
		t.Errorf("a reply from another channel was relayed")
	}
}

func TestCompletePartners(t *testing.T) {
	f := setup(t)
	janko, _ := f.store.Partner(ctx, "janko")
	mgr, _ := f.store.Manager(ctx, janko.Manager)
	ps, _ := f.store.Partners(ctx)
	own := 0
	for _, p := range ps {
		if p.Manager == mgr.ID {
			own++
		}
	}
	values := func(c *commands.Caller, typed string, limit int) []string {
		t.Helper()
		s, err := f.svc.CompletePartners(ctx, c, typed, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range s {
			out = append(out, x.Value)
		}
		return out
	}
	m := f.caller(t, "slack", mgr.SlackUser)
	if got := values(m, "", 1000); len(got) != own {
		t.Errorf("manager offered %d partners, has %d", len(got), own)
	}
	if got := values(m, "jank", 25); len(got) == 0 || got[0] != "janko" {
		t.Errorf("manager typing jank: %v", got)
	}
	if got := values(admin0(f, t), "", 1000); len(got) != len(ps) {
		t.Errorf("admin offered %d partners of %d", len(got), len(ps))
	}
	if got := values(admin0(f, t), "", 25); len(got) != min(25, len(ps)) {
		t.Errorf("limit 25 gave %d", len(got))
	}
	if got := values(f.caller(t, "slack", janko.SlackUser), "", 25); len(got) != 0 {
		t.Errorf("a partner is offered partners: %v", got)
	}
}
