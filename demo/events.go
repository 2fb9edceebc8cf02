package demo

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"partnerbot/bot"
)

// months is how far back the demo's history goes: the current month and
// the six full months before it.
const months = 7

// commissionPct is the playbook's cashback rate (002, section 08: "2%
// wartości zakupu").
const commissionPct = 2

// gen holds what every partner's generation shares: the clock reading,
// the calendar and the seed.
type gen struct {
	now    time.Time
	loc    *time.Location
	today  bot.Date
	window bot.Date // first day of the oldest month with events
	seed   uint64
}

func newGen(now time.Time, loc *time.Location, seed uint64) *gen {
	today := bot.DateOf(now, loc)
	return &gen{now: now, loc: loc, today: today, window: today.AddMonths(-(months - 1)), seed: seed}
}

// newRand returns a generator for one stream of the seed. Each partner
// has its own stream, so adding a partner to the table leaves the others'
// data as it was.
func newRand(seed, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) }

func streamOf(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// partner returns the stored form of sp; i is its place in the table and
// gives it chat ids that no other demo partner has.
func (g *gen) partner(sp *spec, i int, code string) bot.Partner {
	p := bot.Partner{
		ID:            sp.id,
		Name:          sp.name,
		ContactName:   sp.contact,
		Manager:       sp.manager,
		Locale:        sp.locale,
		Timezone:      sp.timezone,
		Joined:        sp.joined.resolve(g.today),
		Status:        bot.StatusActive,
		ReferralCode:  code,
		LandingURL:    "https://shop.example/" + sp.id,
		Tags:          append([]string(nil), sp.tags...),
		LeaderboardOK: sp.leaderboard,
	}
	switch sp.kind {
	case paused:
		p.Status = bot.StatusPaused
	case ended:
		p.Status = bot.StatusEnded
	}
	key := strings.ToUpper(strings.NewReplacer("-", "", ".", "", "_", "").Replace(sp.id))
	if len(key) > 20 {
		key = key[:20]
	}
	if sp.chat == slackOnly || sp.chat == bothChats {
		p.SlackUser, p.SlackChannel = "U"+key, "C"+key
	}
	if sp.chat == discordOnly || sp.chat == bothChats {
		p.DiscordUser = fmt.Sprintf("12%017d", (i+1)*7919)
		p.DiscordChannel = fmt.Sprintf("13%017d", (i+1)*7919)
	}
	return p
}

// profile is how an engagement level shows in events.
type profile struct {
	replyP             float64       // chance of replying to a manager's message
	replyMin, replyMax time.Duration // how long a reply takes
	initMin, initMax   int           // messages a month the partner starts
	matMin, matMax     int           // materials used a month
}

var profiles = [...]profile{
	high:   {0.95, 1 * time.Hour, 8 * time.Hour, 1, 3, 2, 4},
	mid:    {0.90, 10 * time.Hour, 40 * time.Hour, 0, 2, 1, 2},
	low:    {0.70, 50 * time.Hour, 120 * time.Hour, 0, 1, 0, 1},
	slow:   {0.85, 7 * 24 * time.Hour, 8*24*time.Hour + 12*time.Hour, 0, 0, 0, 0},
	quiet:  {0.85, 20 * time.Hour, 48 * time.Hour, 0, 0, 0, 0},
	silent: {0.05, 72 * time.Hour, 240 * time.Hour, 0, 0, 0, 0},
	onHold: {0.80, 24 * time.Hour, 72 * time.Hour, 0, 0, 0, 0},
}

// pgen generates one partner's events.
type pgen struct {
	*gen
	sp         *spec
	r          *rand.Rand
	joined     bot.Date
	start      time.Time // no event before
	stop       time.Time // ended partners: nothing but payouts after
	target     [months]float64
	commission [months]bot.Amount
	evs        []bot.Event
}

// events returns sp's events in time order with ids "demo-<id>-000001"
// counting up in that order.
func (g *gen) events(sp *spec) []bot.Event {
	p := &pgen{gen: g, sp: sp, r: newRand(g.seed, streamOf(sp.id)), stop: g.now, evs: make([]bot.Event, 0, 1024)}
	p.joined = sp.joined.resolve(g.today)
	p.start = p.joined.Start(g.loc)
	if w := g.window.Start(g.loc); p.start.Before(w) {
		p.start = w
	}
	if sp.kind == ended {
		end := g.month(sp.quietMonths - 1).AddDays(4 + p.r.IntN(10))
		p.stop = p.at(end, 11, 15)
	}
	p.targets()
	for k := months - 1; k >= 0; k-- {
		p.sales(k)
		p.background(k)
	}
	p.contacts()
	p.payouts()
	return p.ordered()
}

// ordered returns the events in time order, those at the same instant in
// the order they were made, with ids counting up in that order.
func (p *pgen) ordered() []bot.Event {
	type key struct {
		at int64
		i  int
	}
	keys := make([]key, len(p.evs))
	for i := range p.evs {
		keys[i] = key{p.evs[i].At.UnixNano(), i}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := cmp.Compare(a.at, b.at); c != 0 {
			return c
		}
		return cmp.Compare(a.i, b.i)
	})
	out := make([]bot.Event, len(keys))
	buf := []byte("demo-" + p.sp.id + "-")
	prefix := len(buf)
	for n, k := range keys {
		out[n] = p.evs[k.i]
		buf = buf[:prefix]
		num := strconv.Itoa(n + 1)
		for range 6 - len(num) {
			buf = append(buf, '0')
		}
		out[n].ID = string(append(buf, num...)) // demo-janko-000123
	}
	return out
}

// month returns the first day of the month k months back.
func (g *gen) month(k int) bot.Date { return g.today.AddMonths(-k) }

// monthsBack returns how many months before today's month d falls.
func (g *gen) monthsBack(d bot.Date) int {
	return (g.today.Year*12 + int(g.today.Month)) - (d.Year*12 + int(d.Month))
}

// targets sets the turnover each month should reach (in złoty), from the
// partner's archetype. Noise is kept below the trend so a growing partner
// grows every month, a declining one falls every month, and a stable one
// never falls twice in a row.
func (p *pgen) targets() {
	sp := p.sp
	noise := func(pct float64) float64 { return 1 + pct*(2*p.r.Float64()-1) }
	// A stable partner wanders within ±5% of its level; after a month
	// down comes a month up, so its trend never reads "falling".
	dev, fell := 0.0, false
	for k := months - 1; k >= 0; k-- {
		age := float64(months - 1 - k) // months since the window's start
		var t float64
		switch sp.kind {
		case growing, declining:
			t = sp.level * math.Pow(sp.rate, age) * noise(0.015)
		case stable:
			prev := dev
			if fell {
				dev = min(0.05, prev+0.01+0.03*p.r.Float64())
			} else {
				dev = 0.04 * (2*p.r.Float64() - 1)
			}
			fell = k < months-1 && dev < prev
			t = sp.level * (1 + dev)
		case inactive:
			t = sp.level * math.Pow(0.92, age) * noise(0.03)
		case newcomer, paused, ended:
			t = sp.level * noise(0.05)
		case special:
			t = sp.curve[k] * noise(0.02)
		}
		if k < sp.quietMonths {
			t = 0
		}
		p.target[k] = t
	}
}

// add appends an event unless it falls outside the partner's life: before
// it joined (or the window), after now, or after it ended.
func (p *pgen) add(typ bot.EventType, at time.Time, amount, commission bot.Amount) bool {
	if at.Before(p.start) || at.After(p.now) || (typ != bot.EventPayout && at.After(p.stop)) {
		return false
	}
	p.evs = append(p.evs, bot.Event{Type: typ, Partner: p.sp.id, At: at.UTC(), Amount: amount, Commission: commission})
	return true
}

// at returns a random instant on d between fromHour and toHour o'clock in
// the program's zone (never across a DST change, which happens at night).
func (p *pgen) at(d bot.Date, fromHour, toHour int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, fromHour+p.r.IntN(toHour-fromHour), p.r.IntN(60), p.r.IntN(60), 0, p.loc)
}

// businessHours moves t to the next opening (08:00-20:00) when it falls
// at night: a reply written at 23:00 is read as sent in the morning.
func (p *pgen) businessHours(t time.Time) time.Time {
	local := t.In(p.loc)
	d := bot.DateOf(local, p.loc)
	switch h := local.Hour(); {
	case h < 8:
		return p.at(d, 8, 10)
	case h >= 20:
		return p.at(d.AddDays(1), 8, 10)
	}
	return t
}

// dayIn returns a random trading day of the month k months back: shops
// and services are closed on Sundays, online partners sell every day.
func (p *pgen) dayIn(k int) bot.Date {
	ms := p.month(k)
	d := ms.AddDays(p.r.IntN(ms.AddMonths(1).Sub(ms)))
	if !p.sp.online && d.Weekday() == time.Sunday {
		if d.Day > 1 {
			return d.AddDays(-1)
		}
		return d.AddDays(1)
	}
	return d
}

func (p *pgen) saleHours() (int, int) {
	if p.sp.online {
		return 8, 20
	}
	return 9, 19
}

// commissionOn is the playbook's 2% of value, rounded half up to grosz.
func commissionOn(a bot.Amount) bot.Amount { return (a*commissionPct + 50) / 100 }

// sales writes month k's sales with their refunds, clicks and sign-ups.
// Amounts are drawn log-normal around the partner's basket and scaled so
// the month's turnover (sales less same-month refunds) meets its target.
func (p *pgen) sales(k int) {
	target := p.target[k]
	if target <= 0 {
		return
	}
	n := max(1, int(math.Round(target/p.sp.basket*(0.85+0.3*p.r.Float64()))))
	type sale struct {
		day    bot.Date
		at     time.Time
		weight float64
		refund float64 // share of the sale refunded; 0 for none
	}
	ss := make([]sale, n)
	var gross, net float64
	from, to := p.saleHours()
	for i := range ss {
		s := &ss[i]
		s.day = p.dayIn(k)
		s.at = p.at(s.day, from, to)
		s.weight = math.Min(4, math.Max(0.3, math.Exp(0.45*p.r.NormFloat64())))
		if !p.sp.noRefunds && p.r.Float64() < 0.02 {
			s.refund = 1
			if p.r.Float64() < 0.3 {
				s.refund = 0.3 + 0.3*p.r.Float64()
			}
		}
		gross += s.weight
		net += s.weight * (1 - s.refund)
	}
	if net < gross/2 { // a month of mostly refunds would need absurd sales
		for i := range ss {
			ss[i].refund = 0
		}
		net = gross
	}
	scale := target * 100 / net // grosze per unit of weight
	monthEnd := p.month(k).AddMonths(1)
	for i := range ss {
		s := &ss[i]
		amount := max(100, bot.Amount(math.Round(s.weight*scale)))
		com := commissionOn(amount)
		if !p.add(bot.EventSale, s.at, amount, com) {
			continue
		}
		p.commission[k] += com
		if s.refund > 0 {
			// Refunds come within days and in the same month, so a
			// month's turnover is what its target says.
			at := s.at.Add(time.Duration(30+p.r.IntN(60)) * time.Minute)
			if left := monthEnd.Sub(s.day) - 1; left >= 1 {
				at = p.at(s.day.AddDays(1+p.r.IntN(min(10, left))), 9, 19)
			}
			ra := max(1, bot.Amount(math.Round(float64(amount)*s.refund)))
			rc := min(com, commissionOn(ra))
			if p.add(bot.EventRefund, at, ra, rc) {
				p.commission[k] -= rc
			}
		}
		for range 3 + p.r.IntN(6) {
			p.add(bot.EventClick, p.at(s.day.AddDays(-p.r.IntN(3)), 8, 20), 0, 0)
		}
		if p.r.Float64() < 0.3 {
			p.add(bot.EventSignup, p.at(s.day, 8, 20), 0, 0)
		}
	}
}

// background writes month k's events that are not about sales: stray
// clicks, messages the partner starts, and materials used.
func (p *pgen) background(k int) {
	for range p.r.IntN(4) {
		p.add(bot.EventClick, p.at(p.dayIn(k), 8, 20), 0, 0)
	}
	pr := profiles[p.engagement(k)]
	for range pr.initMin + p.r.IntN(pr.initMax-pr.initMin+1) {
		p.add(bot.EventContactIn, p.at(p.dayIn(k), 8, 20), 0, 0)
	}
	for range pr.matMin + p.r.IntN(pr.matMax-pr.matMin+1) {
		p.add(bot.EventMaterial, p.at(p.dayIn(k), 9, 19), 0, 0)
	}
}

// engagement returns how the partner behaves k months back.
func (p *pgen) engagement(k int) engagement {
	sp := p.sp
	switch {
	case sp.engByMonth != nil:
		return sp.engByMonth[k]
	case k < sp.quietMonths && sp.kind == inactive:
		return silent
	case k < sp.quietMonths && sp.kind == paused:
		return onHold
	case k < sp.quietMonths && sp.kind == ended:
		return low
	}
	return sp.eng
}

// contactEvery returns the days between a manager's messages k months
// back: by the segment of the month before (playbook 002, sections 02-03:
// A every two weeks, B monthly, C weekly), monthly while paused, weekly
// in a newcomer's first month.
func (p *pgen) contactEvery(k int) int {
	if p.sp.kind == paused && k < p.sp.quietMonths {
		return 30
	}
	if p.sp.kind == newcomer {
		return 7
	}
	switch prev := p.target[min(k+1, months-1)]; {
	case prev >= 5000:
		return 14
	case prev < 1000:
		return 7
	}
	return 28
}

// contacts walks the manager's messages (contact_out, weekdays 9-17) and
// the partner's replies (contact_in). The manager waits for an answer
// before writing again, so every reply follows the message it answers.
func (p *pgen) contacts() {
	d := p.joined
	if p.sp.kind != newcomer { // newcomers get a welcome call the day they join
		d = bot.DateOf(p.start, p.loc).AddDays(p.r.IntN(p.contactEvery(months - 1)))
	}
	for {
		d = weekday(d)
		t := p.at(d, 9, 17)
		if t.After(p.now) || t.After(p.stop) {
			return
		}
		p.add(bot.EventContactOut, t, 0, 0)
		k := p.monthsBack(d)
		next := d.AddDays(p.contactEvery(k) + p.r.IntN(5) - 2)
		pr := profiles[p.engagement(k)]
		if p.r.Float64() < pr.replyP {
			delay := pr.replyMin + time.Duration(p.r.Float64()*float64(pr.replyMax-pr.replyMin))
			reply := p.businessHours(t.Add(delay))
			p.add(bot.EventContactIn, reply, 0, 0)
			if rd := bot.DateOf(reply, p.loc).AddDays(1); !next.After(rd) {
				next = rd.AddDays(p.r.IntN(3))
			}
		}
		d = next
	}
}

// weekday moves a Saturday or Sunday to the Monday after.
func weekday(d bot.Date) bot.Date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDays(2)
	case time.Sunday:
		return d.AddDays(1)
	}
	return d
}

// payouts pays each month's net commission on the 10th of the second
// month after, once that day has come: by then the 30-day hold of its
// last sale has ended, so the program pays only approved commission.
func (p *pgen) payouts() {
	for k := months - 1; k >= 2; k-- {
		if c := p.commission[k]; c > 0 {
			d := p.month(k - 2).AddDays(9)
			p.add(bot.EventPayout, time.Date(d.Year, d.Month, d.Day, 10, p.r.IntN(60), p.r.IntN(60), 0, p.loc), c, 0)
		}
	}
}
