package alerts

import (
	"strings"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/i18n"
	"partnerbot/store"
)

func TestNotifier_OneAlertPerEpisode(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	e.at(time.Hour, "janko", red())
	e.at(2*day, "janko", red())

	its := e.items()
	if len(its) != 1 {
		t.Fatalf("outbox = %v, want one alert", e.kinds())
	}
	it := its[0]
	if it.Kind != "alert" || it.Key != "alert/janko/1/alert" || it.Partner != "" {
		t.Errorf("item kind %q key %q partner %q, want alert, alert/janko/1/alert, no partner", it.Kind, it.Key, it.Partner)
	}
	if it.Target != (bot.Target{Platform: "slack", User: "UKASIA"}) {
		t.Errorf("target = %v, want kasia's Slack DM", it.Target)
	}
	m := it.Message
	all := m.Title + "\n" + m.Text
	for _, want := range []string{"Sklep u Janka", "janko", "turnover down 3 months in a row: 3 000 → 1 500 → 500 zł",
		"only 2 sales in October", "AutoSerwis", "larger QR"} {
		if !strings.Contains(all, want) {
			t.Errorf("alert lacks %q:\n%s", want, all)
		}
	}
	if m.Color != "red" {
		t.Errorf("color = %q, want red", m.Color)
	}
	var actions []string
	for _, b := range m.Buttons {
		actions = append(actions, b.Action+"="+b.Value)
	}
	if want := []string{"alert.ack=janko:1", "alert.snooze=janko:1", "alert.contact=janko:1"}; !equal(actions, want) {
		t.Errorf("buttons = %v, want %v", actions, want)
	}
	if st := e.state("janko"); !st.Red || st.Episode != 1 || !st.Since.Equal(t0) {
		t.Errorf("state = %+v, want red episode 1 since %v", st, t0)
	}
}

func TestNotifier_PolishAlert(t *testing.T) {
	e := newEnv(t)
	e.at(0, "apteka", red())
	its := e.items()
	if len(its) != 1 || !strings.Contains(its[0].Message.Text, "Następny krok") || !strings.Contains(its[0].Message.Text, "obrót spada") {
		t.Fatalf("olek's alert should be in Polish: %+v", its)
	}
}

func TestNotifier_NoDMWhileAmberOrGreen(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", amber())
	e.at(8*day, "janko", green())
	e.at(16*day, "janko", amber())
	if got := e.kinds(); len(got) != 0 {
		t.Errorf("outbox = %v, want nothing", got)
	}
}

func TestNotifier_ReminderAndEscalation(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	e.at(3*day-time.Minute, "janko", red())
	if got := e.kinds(); len(got) != 1 {
		t.Fatalf("before 3 days: %v", got)
	}
	e.at(3*day, "janko", red())
	e.at(4*day, "janko", red())
	want := []string{"alert→slack:@UKASIA", "alert_escalation_note→slack:@UKASIA", "alert_escalation→discord:@900"}
	if got := e.kinds(); !equal(got, want) {
		t.Fatalf("after 3 days: %v, want %v", got, want)
	}
	if note := e.items()[1]; note.Thread != "alert/janko/1/alert" {
		t.Errorf("escalation note threads under %q, want the alert", note.Thread)
	}
	esc := e.items()[2]
	if !strings.Contains(esc.Message.Text, "Kasia") || esc.Key != "alert/janko/1/alert_escalation" {
		t.Errorf("escalation should name kasia (in boss's Polish): key %q %q", esc.Key, esc.Message.Text)
	}
	e.at(7*day, "janko", red())
	e.at(7*day+time.Hour, "janko", red())
	e.at(14*day, "janko", red())
	want = append(want, "alert_reminder→slack:@UKASIA", "alert_reminder→slack:@UKASIA")
	if got := e.kinds(); !equal(got, want) {
		t.Fatalf("after 14 days: %v, want %v", got, want)
	}
	its := e.items()
	if its[3].Key != "alert/janko/1/alert_reminder/1" || its[4].Key != "alert/janko/1/alert_reminder/2" {
		t.Errorf("reminder keys %q, %q", its[3].Key, its[4].Key)
	}
	if its[3].Thread != "alert/janko/1/alert" {
		t.Errorf("reminder threads under %q, want the alert", its[3].Thread)
	}
	if !strings.Contains(its[3].Message.Text, "not acknowledged") || len(its[3].Message.Buttons) != 3 {
		t.Errorf("reminder = %+v", its[3].Message)
	}
}

func TestNotifier_EscalationToChannel(t *testing.T) {
	e := newEnv(t)
	e.at(0, "apteka", red())
	e.at(3*day, "apteka", red())
	want := []string{"alert→slack:@UOLEK", "alert_escalation_note→slack:@UOLEK", "alert_escalation→slack:#CESC"}
	if got := e.kinds(); !equal(got, want) {
		t.Errorf("outbox = %v, want %v", got, want)
	}
}

func TestNotifier_Recovered(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	e.at(day, "janko", amber())
	e.at(2*day, "janko", green())
	want := []string{"alert→slack:@UKASIA", "alert_recovered→slack:@UKASIA"}
	if got := e.kinds(); !equal(got, want) {
		t.Fatalf("outbox = %v, want %v", got, want)
	}
	if m := e.items()[1].Message; !strings.Contains(m.Text, "recovered: now amber") || len(m.Buttons) != 0 {
		t.Errorf("recovered note = %+v", m)
	}

	t.Run("red again is a new episode", func(t *testing.T) {
		e.at(5*day, "janko", red())
		its := e.items()
		if len(its) != 3 || its[2].Key != "alert/janko/2/alert" {
			t.Fatalf("outbox = %v", e.kinds())
		}
		if st := e.state("janko"); st.Episode != 2 || !st.Red {
			t.Errorf("state = %+v, want episode 2", st)
		}
	})
	t.Run("a button of the old episode is over", func(t *testing.T) {
		msg := e.press("slack", "UKASIA", ActionAck, "janko:1")
		if !strings.Contains(msg.Text, "over") || !e.state("janko").AckedAt.IsZero() {
			t.Errorf("stale ack answered %q; state %+v", msg.Text, e.state("janko"))
		}
	})
}

func TestNotifier_NoManagerGoesToAdmins(t *testing.T) {
	for _, id := range []string{"sierota", "nowy"} {
		t.Run(id, func(t *testing.T) {
			e := newEnv(t)
			e.at(0, id, red())
			e.at(8*day, id, red())
			want := []string{"alert→slack:@UADMIN", "alert_reminder→slack:@UADMIN"}
			if id == "nowy" {
				// tomek has no escalation target: the admins hear of it too.
				want = []string{"alert→slack:@UADMIN", "alert_escalation→slack:@UADMIN", "alert_reminder→slack:@UADMIN"}
			}
			if got := e.kinds(); !equal(got, want) {
				t.Errorf("outbox = %v, want %v", got, want)
			}
		})
	}
}

func TestNotifier_Paused(t *testing.T) {
	e := newEnv(t)
	p := e.partner("janko")
	p.Status = bot.StatusPaused
	if err := e.n.Handle(e.ctx, p, red(), t0); err != nil {
		t.Fatal(err)
	}
	if got := e.kinds(); len(got) != 0 {
		t.Fatalf("paused partner alerted: %v", got)
	}

	t.Run("paused while red closes the episode quietly", func(t *testing.T) {
		e.at(0, "janko", red())
		p.Status = bot.StatusPaused
		if err := e.n.Handle(e.ctx, p, red(), t0.Add(day)); err != nil {
			t.Fatal(err)
		}
		if err := e.n.Handle(e.ctx, p, red(), t0.Add(9*day)); err != nil {
			t.Fatal(err)
		}
		if got := e.kinds(); !equal(got, []string{"alert→slack:@UKASIA"}) {
			t.Errorf("outbox = %v, want only the first alert", got)
		}
		if st := e.state("janko"); st.Red {
			t.Errorf("state = %+v, want closed", st)
		}
		e.at(10*day, "janko", red()) // active again and red: a new episode
		if st := e.state("janko"); st.Episode != 2 {
			t.Errorf("state = %+v, want episode 2", st)
		}
	})
}

func TestButtons_Ack(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	e.clock.Set(t0.Add(time.Hour))
	msg := e.press("slack", "UKASIA", ActionAck, "janko:1")
	if !msg.Private || !strings.Contains(msg.Text, "Acknowledged") {
		t.Errorf("ack answered %+v", msg)
	}
	st := e.state("janko")
	if st.AckedBy != "kasia" || !st.AckedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("state = %+v, want acked by kasia", st)
	}
	e.at(3*day, "janko", red())
	e.at(7*day, "janko", red())
	e.at(30*day, "janko", red())
	if got, want := e.kinds(), []string{"alert→slack:@UKASIA", "alert_update→slack:@UKASIA"}; !equal(got, want) {
		t.Errorf("after ack: %v, want only the alert and its update in place", got)
	}
	if msg := e.press("slack", "UKASIA", ActionAck, "janko:1"); !strings.Contains(msg.Text, "already") {
		t.Errorf("second ack answered %q", msg.Text)
	}
}

func TestButtons_Snooze(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	e.clock.Set(t0.Add(time.Hour))
	msg := e.press("slack", "UKASIA", ActionSnooze, "janko:1")
	if !msg.Private || !strings.Contains(msg.Text, "Snoozed") {
		t.Errorf("snooze answered %+v", msg)
	}
	if st := e.state("janko"); !st.SnoozedUntil.Equal(t0.Add(7*day + time.Hour)) {
		t.Fatalf("snoozed until %v", st.SnoozedUntil)
	}
	e.at(3*day, "janko", red())
	e.at(7*day, "janko", red())
	if got := e.kinds(); len(got) != 2 {
		t.Fatalf("while snoozed: %v, want only the alert and its update in place", got)
	}
	e.at(7*day+time.Hour, "janko", red())
	want := []string{"alert→slack:@UKASIA", "alert_update→slack:@UKASIA", "alert_escalation_note→slack:@UKASIA", "alert_escalation→discord:@900", "alert_reminder→slack:@UKASIA"}
	if got := e.kinds(); !equal(got, want) {
		t.Errorf("snooze over: %v, want %v", got, want)
	}
}

func TestButtons_Contact(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	e.clock.Set(t0.Add(2 * time.Hour))
	msg := e.press("slack", "UKASIA", ActionContact, "janko:1")
	if !msg.Private || !strings.Contains(msg.Text, "Contact with Sklep u Janka logged") {
		t.Errorf("contact answered %+v", msg)
	}
	evs, err := e.store.PartnerEvents(e.ctx, "janko", t0, t0.Add(day), bot.EventContactOut)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || !evs[0].At.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("contact_out events = %+v, want one at +2h", evs)
	}
	if st := e.state("janko"); st.AckedBy != "kasia" {
		t.Errorf("contact should acknowledge: %+v", st)
	}
}

func TestButtons_WhoMayPress(t *testing.T) {
	e := newEnv(t)
	e.at(0, "janko", red())
	for _, c := range []struct{ platform, user string }{{"slack", "UOLEK"}, {"slack", "UJANKO"}, {"slack", "UNOBODY"}} {
		msg := e.press(c.platform, c.user, ActionAck, "janko:1")
		if !msg.Private || strings.Contains(msg.Text, "Acknowledged") {
			t.Errorf("%s pressed ack: %q", c.user, msg.Text)
		}
		e.press(c.platform, c.user, ActionContact, "janko:1")
	}
	if st := e.state("janko"); !st.AckedAt.IsZero() || !st.SnoozedUntil.IsZero() {
		t.Fatalf("refused presses changed the state: %+v", st)
	}
	if evs, _ := e.store.PartnerEvents(e.ctx, "janko", t0, t0.Add(day), bot.EventContactOut); len(evs) != 0 {
		t.Fatalf("a refused contact was logged: %+v", evs)
	}

	t.Run("escalation manager", func(t *testing.T) {
		msg := e.press("discord", "900", ActionContact, "janko:1")
		if !strings.Contains(msg.Text, "Sklep u Janka") {
			t.Errorf("boss's contact answered %q", msg.Text)
		}
		if st := e.state("janko"); st.AckedBy != "boss" {
			t.Errorf("state = %+v, want acked by boss", st)
		}
	})
	t.Run("admin", func(t *testing.T) {
		if msg := e.press("slack", "UADMIN", ActionSnooze, "janko:1"); !strings.Contains(msg.Text, "Snoozed") {
			t.Errorf("admin's snooze answered %q", msg.Text)
		}
	})
	t.Run("bad value", func(t *testing.T) {
		if msg := e.press("slack", "UKASIA", ActionAck, "janko"); !msg.Private || strings.Contains(msg.Text, "Acknowledged") {
			t.Errorf("bad value answered %q", msg.Text)
		}
	})
}

func TestActivity(t *testing.T) {
	e := newEnv(t)
	at := t0.Add(90 * time.Minute)
	for _, c := range []struct {
		platform, user string
		at             time.Time
	}{
		{"slack", "UJANKO", at},
		{"slack", "UJANKO", at.Add(300 * time.Millisecond)}, // same second: one fact
		{"discord", "100", at.Add(2 * time.Second)},
		{"slack", "UKASIA", at}, // a manager
		{"slack", "UNOBODY", at},
	} {
		if err := Activity(e.ctx, e.store, c.platform, c.user, "C1", c.at); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := e.store.PartnerEvents(e.ctx, "janko", t0, t0.Add(day), bot.EventContactIn)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("contact_in = %+v, want 2", evs)
	}
	all, err := e.store.EventCount(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if all != 2 {
		t.Errorf("events = %d, want only janko's 2", all)
	}
}

func TestTexts(t *testing.T) {
	for _, k := range i18n.Keys() {
		if !strings.HasPrefix(k, "alert.") {
			continue
		}
		if tr, _ := i18n.Lookup(k); tr[0] == "" || tr[1] == "" {
			t.Errorf("text %q lacks a language: %q", k, tr)
		}
	}
}

// TestGroupedAlert: two of kasia's partners turn red in one evaluation:
// one message with both, answered for the group or for one partner; a
// press on the message replaces it, naming who and when.
func TestGroupedAlert(t *testing.T) {
	e := newEnv(t)
	salon := bot.Partner{ID: "salon", Name: "Salon Bella", Manager: "kasia", Locale: bot.LocalePL, Status: bot.StatusActive, Joined: bot.MustDate("2025-03-01")}
	if _, err := e.store.PutPartner(e.ctx, &salon); err != nil {
		t.Fatal(err)
	}
	err := e.n.Batch(func(handle HandleFunc, flush FlushFunc) error {
		for _, id := range []string{"janko", "salon"} {
			if err := handle(e.ctx, e.store, e.partner(id), red(), e.clock.Now()); err != nil {
				return err
			}
		}
		return flush(e.ctx, e.store)
	})
	if err != nil {
		t.Fatal(err)
	}
	its := e.items()
	if len(its) != 1 || !strings.HasPrefix(its[0].Key, "alert_group/") || its[0].Message.List == nil || len(its[0].Message.List.Items) != 2 {
		t.Fatalf("outbox %v, want one grouped alert listing both", e.kinds())
	}
	group := its[0]
	if len(group.Message.Buttons) != 4 {
		t.Errorf("buttons %+v, want Acknowledge all, Snooze all and a Log contact each", group.Message.Buttons)
	}
	for _, id := range []string{"janko", "salon"} {
		if st := e.state(id); st.Announced["slack:@UKASIA"] != group.Key {
			t.Errorf("%s announced as %v, want %s", id, st.Announced, group.Key)
		}
	}
	if _, err := e.store.UpdateOutbox(e.ctx, group.ID, func(x *store.OutboxItem) { x.Status, x.Ref = store.OutboxSent, "1700.1" }); err != nil {
		t.Fatal(err)
	}

	// Log contact with janko, pressed on the grouped message.
	e.clock.Set(t0.Add(time.Hour))
	c, _ := e.svc.Resolve(e.ctx, "slack", "UKASIA", "DKASIA")
	c.MessageRef = "1700.1"
	msg := e.svc.Interact(e.ctx, c, ActionContact, "janko:1")
	if !msg.Replace || !strings.Contains(msg.Text, "Sklep u Janka: 📞 Contact logged by Kasia") || len(msg.Buttons) != 3 {
		t.Errorf("contact on the group answered %+v, want it replaced with a line for janko and janko's button gone", msg)
	}

	// Acknowledge all: salon acknowledged too, the buttons gone.
	msg = e.svc.Interact(e.ctx, c, ActionAck, groupPrefix+group.Key)
	if !msg.Replace || !strings.Contains(msg.Text, "✅ Acknowledged by Kasia") || len(msg.Buttons) != 0 {
		t.Errorf("acknowledge all answered %+v", msg)
	}
	if st := e.state("salon"); st.AckedBy != "kasia" {
		t.Errorf("salon not acknowledged: %+v", st)
	}
	// Someone else's press on the group changes nothing.
	other, _ := e.svc.Resolve(e.ctx, "slack", "UOLEK", "DOLEK")
	if msg := e.svc.Interact(e.ctx, other, ActionSnooze, groupPrefix+group.Key); msg.Replace {
		t.Errorf("olek answered kasia's group: %+v", msg)
	}
	if st := e.state("salon"); !st.SnoozedUntil.IsZero() {
		t.Errorf("olek snoozed salon")
	}
}
