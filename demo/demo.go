// Package demo fills an empty database with a realistic partner program:
// four account managers, sixty partners and six months of their events,
// and four promotions, so stats, leaderboards, weekly reports, health
// verdicts, manager alerts and promo notices all have something to show.
//
// The program is the playbooks' own (seeds/002): Sklep u Janka growing at
// about 6 000 zł a month, AutoSerwis falling 3 000 → 1 500 → 500 → 0 zł,
// Apteka Pod Lipami at 300 zł replying after a week, a hair salon
// reactivated after three quiet months; around them shops, services and
// English-speaking creators that grow, hold steady, decline, went quiet,
// just joined, paused or ended. The partner ids of each archetype are
// fixed (see Archetypes), so other packages' tests can rely on them.
//
// Everything is relative to the program's clock: the same seed and the
// same now give the same program, byte for byte in its events.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"partnerbot/bot"
	"partnerbot/store"
)

// DefaultSeed is the seed `serve --demo` and `demo` use unless told.
const DefaultSeed = 2026

// Summary says what Generate wrote.
type Summary struct {
	Managers, Partners, Events, Promotions int
}

// batchSize bounds one ingest transaction: large enough that the demo
// loads in a few commits, small enough to stay a modest transaction.
const batchSize = 5000

// Generate fills s with the demo program as of now (the program's clock),
// deterministic for a given seed and now. Times follow s.Location().
// Events go through s.Ingest, so daily totals are built as for real ones.
//
// Returns ECONFLICT when the store already holds partners or managers:
// demo data is never mixed into a real program. A failure part way
// leaves what was written; the demo is meant for a fresh file.
func Generate(ctx context.Context, s *store.Store, now time.Time, seed uint64) (Summary, error) {
	var sum Summary
	ps, err := s.Partners(ctx)
	if err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	if len(ps) > 0 {
		return sum, bot.Errorf(bot.ECONFLICT, "the database already holds %d partners; the demo fills only an empty database (use another --db)", len(ps))
	}
	ms, err := s.Managers(ctx)
	if err != nil {
		return sum, fmt.Errorf("demo: %w", err)
	}
	if len(ms) > 0 {
		return sum, bot.Errorf(bot.ECONFLICT, "the database already holds %d managers; the demo fills only an empty database (use another --db)", len(ms))
	}

	prog, err := Build(now, s.Location(), seed)
	if err != nil {
		return sum, err
	}
	for i := range prog.Managers {
		if _, err := s.PutManager(ctx, &prog.Managers[i]); err != nil {
			return sum, fmt.Errorf("demo: manager %s: %w", prog.Managers[i].ID, err)
		}
		sum.Managers++
	}
	for i := range prog.Partners {
		if _, err := s.PutPartner(ctx, &prog.Partners[i]); err != nil {
			return sum, fmt.Errorf("demo: partner %s: %w", prog.Partners[i].ID, err)
		}
		sum.Partners++
	}
	for i := range prog.Promotions {
		if _, err := s.PutPromotion(ctx, &prog.Promotions[i]); err != nil {
			return sum, fmt.Errorf("demo: promotion %s: %w", prog.Promotions[i].ID, err)
		}
		sum.Promotions++
	}
	for i := 0; i < len(prog.Events); i += batchSize {
		res, err := s.Ingest(ctx, prog.Events[i:min(i+batchSize, len(prog.Events))], nil)
		if err != nil {
			return sum, fmt.Errorf("demo: events: %w", err)
		}
		sum.Events += res.Accepted
	}
	return sum, nil
}

// Program is the demo as data, before it is stored.
type Program struct {
	Managers   []bot.Manager
	Partners   []bot.Partner
	Promotions []bot.Promotion
	Events     []bot.Event // each partner's in time order, partners in Partners' order
}

// Build returns the demo program as of now in loc without touching a
// store: what Generate writes. Managers, partners and promotions are
// validated; an error means a bug in this package.
func Build(now time.Time, loc *time.Location, seed uint64) (*Program, error) {
	if loc == nil {
		loc = time.UTC
	}
	g := newGen(now, loc, seed)
	prog := &Program{Managers: append([]bot.Manager(nil), managers...)}
	codes := newCodes(seed)
	perPartner := make([][]bot.Event, len(partners))
	total := 0
	for i := range partners {
		sp := &partners[i]
		p := g.partner(sp, i, codes.next())
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("demo: partner %s: %w", sp.id, err)
		}
		prog.Partners = append(prog.Partners, p)
		perPartner[i] = g.events(sp)
		total += len(perPartner[i])
	}
	// Events are valid by construction (the tests run each through
	// bot.Event.Validate); checking 60 000 here would cost more than the
	// rest of Build.
	prog.Events = make([]bot.Event, 0, total)
	for _, evs := range perPartner {
		prog.Events = append(prog.Events, evs...)
	}
	for i := range prog.Managers {
		if err := prog.Managers[i].Validate(); err != nil {
			return nil, fmt.Errorf("demo: manager %s: %w", prog.Managers[i].ID, err)
		}
	}
	prog.Promotions = promotions(g.today, loc)
	for i := range prog.Promotions {
		if err := prog.Promotions[i].Validate(); err != nil {
			return nil, fmt.Errorf("demo: promotion %s: %w", prog.Promotions[i].ID, err)
		}
	}
	return prog, nil
}

// Archetypes returns the demo's partner ids by archetype ("growing",
// "stable", "declining", "at_risk", "reactivated", "inactive", "new",
// "paused", "ended"), each list in the program's order. The playbook's
// partners are janko (growing), autoserwis (declining), apteka (at_risk)
// and salon (reactivated).
func Archetypes() map[string][]string {
	out := map[string][]string{}
	for _, sp := range partners {
		out[sp.archetypeName()] = append(out[sp.archetypeName()], sp.id)
	}
	return out
}

func (sp *spec) archetypeName() string {
	switch sp.id {
	case "autoserwis":
		return "declining"
	case "apteka":
		return "at_risk"
	case "salon":
		return "reactivated"
	}
	return [...]string{growing: "growing", stable: "stable", declining: "declining", inactive: "inactive",
		newcomer: "new", paused: "paused", ended: "ended", special: "special"}[sp.kind]
}

// promotions returns the demo's campaigns around today: one ended, one
// running, one starting in three days (its 48-hour notice is still to
// come) and one next month.
func promotions(today bot.Date, loc *time.Location) []bot.Promotion {
	at := func(d bot.Date, hour int) time.Time {
		return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, loc).UTC()
	}
	next := today.AddMonths(1)
	soon := today.AddDays(3)
	return []bot.Promotion{
		{
			ID:            "tydzien-otwarty",
			Title:         "Tydzień otwarty: 3% cashbacku na pierwsze zakupy",
			Description:   "Nowi klienci dostają 3% zamiast 2% cashbacku za pierwsze zakupy po zeskanowaniu kodu QR. Powiedz o tym przy kasie!",
			Start:         at(today.AddDays(-40), 0),
			End:           at(today.AddDays(-33), 0),
			TitleEN:       "Open week: 3% cashback on first purchases",
			DescriptionEN: "New customers get 3% instead of 2% cashback on their first purchase after scanning the QR code. Mention it at the till!",
			Link:          "https://shop.example/promo/tydzien-otwarty",
		},
		{
			ID:            "konkurs-qr",
			Title:         "Konkurs na najlepszą ekspozycję kodu QR",
			Description:   "Pokaż, gdzie klienci widzą Twój kod QR: przyślij zdjęcie lady, witryny lub kasy. Trzy najlepsze punkty dostają 300 zł premii i zestaw naklejek XL.",
			Start:         at(today.AddDays(-9), 0),
			End:           at(today.AddDays(12), 0),
			TitleEN:       "Contest: the best-placed QR code",
			DescriptionEN: "Show where customers see your QR code: send a photo of your counter, window or till. The three best places win a PLN 300 bonus and a set of XL stickers.",
			Link:          "https://shop.example/promo/konkurs-qr",
		},
		{
			ID:            "tydzien-x2",
			Title:         "Tydzień z podwójnym cashbackiem",
			Description:   "Przez siedem dni każdy zakup z kodem partnera to 4% cashbacku zamiast 2%. Powiedz o tym klientom przy kasie i postaw nowe naklejki QR XL w widocznym miejscu.",
			Start:         at(soon, 9),
			End:           at(soon.AddDays(7), 0),
			TitleEN:       "Double cashback week",
			DescriptionEN: "For seven days every purchase with a partner's code earns 4% cashback instead of 2%. Tell your customers at the till and put the new XL QR stickers where they can be seen.",
			Link:          "https://shop.example/promo/tydzien-x2",
			Segments:      []string{"A", "B"},
		},
		{
			ID:            "miesiac-polecen",
			Title:         "Miesiąc poleceń: 50 zł bonusu za 5 nowych klientów",
			Description:   "Każde pięć nowych rejestracji z Twojego linku w tym miesiącu to 50 zł premii do wypłaty 10. dnia kolejnego miesiąca.",
			Start:         at(next, 0),
			End:           at(next.AddMonths(1), 0),
			TitleEN:       "Referral month: PLN 50 for every 5 new customers",
			DescriptionEN: "Every five new signups from your link this month earn a PLN 50 bonus, paid on the 10th of the following month.",
			Link:          "https://shop.example/promo/miesiac-polecen",
			Tiers:         []string{"platinum", "gold", "silver"},
		},
	}
}

// codes hands out the demo's referral codes: random-looking like the
// store's own, but from the seed, so the same seed gives the same links.
type codes struct {
	r    *rand.Rand
	seen map[string]bool
}

func newCodes(seed uint64) *codes {
	return &codes{r: newRand(seed, 0xc0de), seen: map[string]bool{}}
}

// codeAlphabet is the store's: no look-alikes (0/o, 1/l/i).
const codeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

func (c *codes) next() string {
	for {
		b := make([]byte, 8)
		for i := range b {
			b[i] = codeAlphabet[c.r.IntN(len(codeAlphabet))]
		}
		if s := string(b); !c.seen[s] {
			c.seen[s] = true
			return s
		}
	}
}
