package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

func TestStore_Attribution(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, "")
	janko := &bot.Partner{ID: "janko", Name: "Janko", Joined: bot.MustDate("2025-03-01"), ReferralCode: "janko2026",
		ExternalIDs: map[string]string{"dub": "pn_1", "tolt": "part_1"}, Coupons: []string{"JANKO10", " janko10 ", "LATO"}}
	if _, err := s.PutPartner(ctx, janko); err != nil {
		t.Fatal(err)
	}
	if len(janko.Coupons) != 2 {
		t.Fatalf("coupons = %q, want repeats dropped", janko.Coupons)
	}
	who := func(ms ...store.Match) string {
		t.Helper()
		id, err := s.Attribute(ctx, ms)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for _, m := range []store.Match{
		{By: "external", Platform: "dub", Value: "pn_1"},
		{By: "coupon", Value: "janko10"},
		{By: "coupon", Value: "Lato"},
		{By: "code", Value: "JANKO2026"},
	} {
		if got := who(m); got != "janko" {
			t.Errorf("%v matches %q, want janko", m, got)
		}
	}
	if got := who(store.Match{By: "external", Platform: "rewardful", Value: "pn_1"}); got != "" {
		t.Errorf("an id of another platform matched %q", got)
	}

	t.Run("a second partner cannot claim the same id or coupon", func(t *testing.T) {
		for _, p := range []*bot.Partner{
			{ID: "ola", Name: "Ola", ExternalIDs: map[string]string{"dub": "pn_1"}},
			{ID: "ola", Name: "Ola", Coupons: []string{"JANKO10"}},
		} {
			_, err := s.PutPartner(ctx, p)
			if be := bot.AsError(err); be == nil || be.Code != bot.ECONFLICT || (be.Field != "external_ids" && be.Field != "coupons") {
				t.Fatalf("PutPartner = %v, want ECONFLICT naming the field", err)
			}
		}
		if _, err := s.Partner(ctx, "ola"); bot.ErrorCode(err) != bot.ENOTFOUND {
			t.Fatalf("a refused partner was stored: %v", err)
		}
	})
	t.Run("an update moves the index", func(t *testing.T) {
		janko.ExternalIDs = map[string]string{"dub": "pn_2"}
		janko.Coupons = []string{"JESIEN"}
		if _, err := s.PutPartner(ctx, janko); err != nil {
			t.Fatal(err)
		}
		if who(store.Match{By: "external", Platform: "dub", Value: "pn_1"}) != "" || who(store.Match{By: "coupon", Value: "JANKO10"}) != "" {
			t.Fatal("old id or coupon still matches")
		}
		if who(store.Match{By: "external", Platform: "dub", Value: "pn_2"}) != "janko" || who(store.Match{By: "coupon", Value: "jesien"}) != "janko" {
			t.Fatal("new id or coupon does not match")
		}
		ola := &bot.Partner{ID: "ola", Name: "Ola", ExternalIDs: map[string]string{"dub": "pn_1"}, Coupons: []string{"JANKO10"}}
		if _, err := s.PutPartner(ctx, ola); err != nil {
			t.Fatalf("a freed id or coupon: %v", err)
		}
	})
	t.Run("removing a partner frees its ids", func(t *testing.T) {
		if _, err := s.DeletePartner(ctx, "ola", false); err != nil {
			t.Fatal(err)
		}
		if who(store.Match{By: "coupon", Value: "JANKO10"}) != "" {
			t.Fatal("a removed partner's coupon still matches")
		}
	})
	t.Run("a stored event names its partner", func(t *testing.T) {
		ev := bot.Event{ID: "shop:1", Type: bot.EventSale, Partner: "janko", At: tstart, Amount: 100}
		if _, err := s.Ingest(ctx, []bot.Event{ev}, nil); err != nil {
			t.Fatal(err)
		}
		if got := who(store.Match{By: "event", Value: "shop:1"}, store.Match{By: "coupon", Value: "nothing"}); got != "janko" {
			t.Fatalf("event match = %q", got)
		}
	})
}

func TestStore_PutPartnersAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, "")
	ps := []bot.Partner{
		{ID: "a1", Name: "A", Coupons: []string{"WSPOLNY"}},
		{ID: "a2", Name: "B", Coupons: []string{"wspolny"}},
	}
	_, _, err := s.PutPartners(ctx, ps, []int{2, 3}, false)
	be := bot.AsError(err)
	if be == nil || be.Line != 3 || be.Field != "coupons" {
		t.Fatalf("PutPartners = %v, want an error on line 3, field coupons", err)
	}
	if all, _ := s.Partners(ctx); len(all) != 0 {
		t.Fatalf("partners = %d after a failed import, want none", len(all))
	}
	ps[1].Coupons = nil
	if c, _, err := s.PutPartners(ctx, ps, nil, true); err != nil || c != 2 {
		t.Fatalf("dry run = %d, %v", c, err)
	}
	if all, _ := s.Partners(ctx); len(all) != 0 {
		t.Fatalf("a dry run stored %d partners", len(all))
	}
	created, updated, err := s.PutPartners(ctx, ps, nil, false)
	if err != nil || created != 2 || updated != 0 {
		t.Fatalf("PutPartners = %d, %d, %v", created, updated, err)
	}
}

// BenchmarkDeliverGroup: 32 writers delivering one sale each, fsync on,
// without HTTP: what the group commit alone allows.
func BenchmarkDeliverGroup(b *testing.B) {
	ctx := context.Background()
	s := mustOpen(b, "")
	if _, err := s.PutPartner(ctx, &bot.Partner{ID: "janko", Name: "J", Joined: bot.MustDate("2025-03-01")}); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.SetParallelism(16) // 32 writers on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			ev := bot.Event{ID: fmt.Sprintf("dub:evt_%d", i), Type: bot.EventSale, Partner: "janko", At: tstart.Add(time.Duration(i) * time.Second), Amount: 100}
			if _, err := s.Deliver(ctx, []bot.Event{ev}, ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
	commits, writes := s.GroupStats()
	b.ReportMetric(float64(writes)/float64(commits), "writes/commit")
}
