package store_test

import (
	"testing"

	"partnerbot/bot"
)

func TestStore_Partners(t *testing.T) {
	s := mustOpen(t, "")
	if _, err := s.PutManager(ctx, &bot.Manager{ID: "kasia", Name: "Kasia", SlackUser: "UKASIA"}); err != nil {
		t.Fatal(err)
	}
	p := &bot.Partner{ID: "janko", Name: "Sklep u Janka", ContactName: "Janek", Manager: "kasia", SlackUser: "U1", LandingURL: "https://shop.example/"}
	created, err := s.PutPartner(ctx, p)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if p.Status != bot.StatusActive || p.Locale != bot.LocalePL || p.Joined.String() != "2026-11-22" {
		t.Fatalf("defaults not applied: %+v", p)
	}
	code := p.ReferralCode
	if len(code) != 8 {
		t.Fatalf("referral code %q", code)
	}

	t.Run("update keeps code and joined", func(t *testing.T) {
		upd := &bot.Partner{ID: "janko", Name: "Sklep u Janka i Syna", Manager: "kasia", SlackUser: "U1"}
		created, err := s.PutPartner(ctx, upd)
		if err != nil || created {
			t.Fatalf("update: %v %v", created, err)
		}
		got, _ := s.Partner(ctx, "janko")
		if got.ReferralCode != code || got.Joined.String() != "2026-11-22" || got.Name != "Sklep u Janka i Syna" {
			t.Fatalf("after update: %+v", got)
		}
		byCode, err := s.PartnerByCode(ctx, code)
		if err != nil || byCode.ID != "janko" {
			t.Fatalf("by code: %v %v", byCode, err)
		}
	})

	t.Run("codes are unique and unguessable", func(t *testing.T) {
		seen := map[string]bool{code: true}
		for i := range 200 {
			q := mustPartner(t, s, "p"+string(rune('a'+i%26))+string(rune('a'+i/26)))
			if seen[q.ReferralCode] {
				t.Fatalf("code %s given twice", q.ReferralCode)
			}
			seen[q.ReferralCode] = true
		}
	})

	tests := []struct {
		name  string
		p     bot.Partner
		code  string
		field string
	}{
		{"unknown manager", bot.Partner{ID: "x1", Name: "X", Manager: "nobody"}, bot.EINVALID, "manager"},
		{"bad id", bot.Partner{ID: "Not A Slug", Name: "X"}, bot.EINVALID, "id"},
		{"no name", bot.Partner{ID: "x2"}, bot.EINVALID, "name"},
		{"bad locale", bot.Partner{ID: "x3", Name: "X", Locale: "de"}, bot.EINVALID, "locale"},
		{"bad status", bot.Partner{ID: "x4", Name: "X", Status: "gone"}, bot.EINVALID, "status"},
		{"bad zone", bot.Partner{ID: "x5", Name: "X", Timezone: "Mars/Olympus"}, bot.EINVALID, "timezone"},
		{"bad landing", bot.Partner{ID: "x6", Name: "X", LandingURL: "ftp://x"}, bot.EINVALID, "landing_url"},
		{"slack user taken", bot.Partner{ID: "x7", Name: "X", SlackUser: "U1"}, bot.ECONFLICT, "slack_user"},
		{"slack user of a manager", bot.Partner{ID: "x8", Name: "X", SlackUser: "UKASIA"}, bot.ECONFLICT, "slack_user"},
		{"code taken", bot.Partner{ID: "x9", Name: "X", ReferralCode: code}, bot.ECONFLICT, "referral_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			_, err := s.PutPartner(ctx, &p)
			e := bot.AsError(err)
			if e == nil || e.Code != tt.code || e.Field != tt.field {
				t.Fatalf("err = %v, want %s on %s", err, tt.code, tt.field)
			}
			if _, err := s.Partner(ctx, tt.p.ID); bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Fatalf("refused partner was stored")
			}
		})
	}

	t.Run("identity lookup follows updates", func(t *testing.T) {
		id, err := s.IdentityOf(ctx, "slack", "U1")
		if err != nil || id.Kind != "partner" || id.ID != "janko" {
			t.Fatalf("identity = %+v, %v", id, err)
		}
		p, _ := s.Partner(ctx, "janko")
		p.SlackUser = "U2"
		if _, err := s.PutPartner(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.IdentityOf(ctx, "slack", "U1"); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Fatalf("old identity still resolves: %v", err)
		}
		if id, _ := s.IdentityOf(ctx, "slack", "U2"); id.ID != "janko" {
			t.Fatalf("new identity = %+v", id)
		}
	})

	t.Run("remove", func(t *testing.T) {
		if err := s.DeleteManager(ctx, "kasia"); bot.ErrorCode(err) != bot.ECONFLICT {
			t.Fatalf("deleting a manager with partners: %v", err)
		}
		if _, err := s.Ingest(ctx, []bot.Event{ev("o1", bot.EventSale, "janko", "2026-11-16T10:15:00+01:00", 100, 0)}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeletePartner(ctx, "janko", false); bot.ErrorCode(err) != bot.ECONFLICT {
			t.Fatalf("deleting a partner with events: %v", err)
		}
		n, err := s.DeletePartner(ctx, "janko", true)
		if err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if ok, _ := s.HasEvent(ctx, "o1"); ok {
			t.Fatal("purged event still there")
		}
		if _, err := s.PartnerByCode(ctx, code); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Fatalf("code still resolves: %v", err)
		}
		if err := s.DeleteManager(ctx, "kasia"); err != nil {
			t.Fatalf("delete manager: %v", err)
		}
		if _, err := s.IdentityOf(ctx, "slack", "UKASIA"); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Fatal("manager identity survived")
		}
	})
}

// A partner removed is unknown to ingest at once, though an earlier
// ingest looked it up.
func TestStore_IngestAfterPartnerRemoved(t *testing.T) {
	s := mustOpen(t, "")
	mustPartner(t, s, "janko")
	ev := func(id string) []bot.Event {
		return []bot.Event{{ID: id, Type: bot.EventClick, Partner: "janko", At: tstart}}
	}
	if _, err := s.Ingest(ctx, ev("c1"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeletePartner(ctx, "janko", true); err != nil {
		t.Fatal(err)
	}
	_, err := s.Ingest(ctx, ev("c2"), nil)
	if be := bot.AsError(err); be == nil || be.Code != bot.EINVALID || be.Field != "partner" {
		t.Fatalf("ingest for a removed partner: %v", err)
	}
}
