package demo

import "partnerbot/bot"

// archetype is the shape of a partner's monthly turnover over the demo
// window; it also decides the partner's status.
type archetype int

const (
	growing   archetype = iota // up 5-12% a month
	stable                     // within ±5%, never two falls in a row
	declining                  // down 12-20% a month, every month
	inactive                   // no turnover this month nor the two or more full months before; still active
	newcomer                   // joined within the last month
	paused                     // status paused, no turnover since the pause
	ended                      // status ended; after the end only its last payout
	special                    // the playbook's own cases: an explicit curve
)

// engagement is how a partner talks to its manager and uses materials.
type engagement int

const (
	high   engagement = iota // replies within hours, writes first, uses materials
	mid                      // replies within a day or two, sometimes writes first
	low                      // replies after days, rarely writes, rarely uses materials
	slow                     // replies after about a week, never writes first, no materials (apteka)
	quiet                    // replies in a day or two but no initiative and no materials
	silent                   // hardly ever replies
	onHold                   // paused: replies in days, nothing else
)

// chat says which chat accounts and channels a partner has.
type chat int

const (
	noChat chat = iota
	slackOnly
	discordOnly
	bothChats
)

// joinSpec places a joined date relative to the demo's today: days ago,
// an anniversary years ago that falls inDays from today, or a day in the
// month monthsAgo months back.
type joinSpec struct {
	daysAgo   int
	years     int
	inDays    int
	monthsAgo int
	day       int
}

func ago(days int) joinSpec              { return joinSpec{daysAgo: days} }
func anniversary(years, in int) joinSpec { return joinSpec{years: years, inDays: in} }

// resolve returns the joined date for today.
func (j joinSpec) resolve(today bot.Date) bot.Date {
	switch {
	case j.years > 0:
		d := today.AddDays(j.inDays)
		y := d.Year - j.years
		if d.Month == 2 && d.Day == 29 && !isLeap(y) {
			return bot.Date{Year: y, Month: 2, Day: 28}
		}
		return bot.Date{Year: y, Month: d.Month, Day: d.Day}
	case j.monthsAgo > 0:
		return today.AddMonths(-j.monthsAgo).AddDays(j.day - 1)
	}
	return today.AddDays(-j.daysAgo)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// spec describes one demo partner. Money is in złoty: the generator turns
// it into exact grosze.
type spec struct {
	id, name, contact string
	locale            bot.Locale
	timezone          string
	manager           string
	tags              []string
	kind              archetype
	level             float64 // monthly turnover at the window's start (newcomers: from joining)
	rate              float64 // monthly factor for growing and declining
	quietMonths       int     // inactive, paused, ended: the latest months (current included) with no turnover
	curve             []float64
	basket            float64 // average sale
	joined            joinSpec
	chat              chat
	leaderboard       bool
	eng               engagement
	engByMonth        []engagement // overrides eng by months back (index 0 = current month)
	online            bool         // sells every day, not Monday to Saturday
	noRefunds         bool         // keeps the playbook's case numbers exact
}

// The managers' ids.
const (
	kasia = "kasia"
	tomek = "tomek"
	anna  = "anna"
	marek = "marek"
)

// managers lists the demo's account managers; escalation targets come
// before the managers that name them.
var managers = []bot.Manager{
	{ID: kasia, Name: "Katarzyna Nowak", Locale: bot.LocalePL, SlackUser: "UKASIA01", DiscordUser: "110000000000000001", Escalation: "slack:CMANAGERS"},
	{ID: tomek, Name: "Tomasz Wiśniewski", Locale: bot.LocalePL, SlackUser: "UTOMEK01", DiscordUser: "110000000000000002", Escalation: kasia},
	{ID: anna, Name: "Anna Smith", Locale: bot.LocaleEN, SlackUser: "UANNA01", DiscordUser: "110000000000000003", Escalation: kasia},
	{ID: marek, Name: "Marek Zieliński", Locale: bot.LocalePL, SlackUser: "UMAREK01", DiscordUser: "110000000000000004", Escalation: kasia},
}

const pl, en = bot.LocalePL, bot.LocaleEN

// partners is the demo program. The first four are the playbook's own
// (002, sections 06-08); the rest spread over every archetype.
var partners = []spec{
	// Playbook 002, section 07: "Janko ↑ 15/miesiąc, 24h, wysoka inicjatywa, edukacja TAK".
	{id: "janko", name: "Sklep u Janka", contact: "Janek", locale: pl, manager: kasia, tags: []string{"retail", "grocery"},
		kind: growing, level: 4800, rate: 1.05, basket: 400, joined: ago(610), chat: bothChats, leaderboard: true, eng: high},
	// Section 08: 3000-4000 zł for three months, then 1500, 500, 0.
	{id: "autoserwis", name: "AutoSerwis", contact: "Krzysztof", locale: pl, manager: tomek, tags: []string{"services", "automotive"},
		kind: special, curve: []float64{0, 500, 1500, 3200, 3700, 3400, 0}, basket: 430, joined: joinSpec{monthsAgo: 5, day: 3},
		chat: slackOnly, eng: mid, engByMonth: []engagement{quiet, quiet, quiet, mid, mid, mid, mid}, noRefunds: true},
	// Section 07: "Apteka ↓ 2/miesiąc, 7 dni, brak inicjatywy, edukacja NIE".
	{id: "apteka", name: "Apteka Pod Lipami", contact: "Barbara", locale: pl, manager: kasia, tags: []string{"retail", "pharmacy"},
		kind: special, curve: []float64{290, 300, 335, 370, 400, 430, 450}, basket: 150, joined: ago(300),
		chat: slackOnly, eng: slow, noRefunds: true},
	// Section 06: a hair salon inactive for three months, reactivated with a
	// new QR and retraining: 2000 zł the month after.
	{id: "salon", name: "Salon Fryzjerski Bella", contact: "Magda", locale: pl, manager: marek, tags: []string{"services", "beauty"},
		kind: special, curve: []float64{2100, 2000, 0, 0, 0, 1400, 1500}, basket: 130, joined: ago(480),
		chat: slackOnly, leaderboard: true, eng: mid, engByMonth: []engagement{high, high, low, silent, silent, mid, mid}},

	// Growing.
	{id: "kwiaciarnia-roza", name: "Kwiaciarnia Róża", contact: "Ola", locale: pl, manager: marek, tags: []string{"retail", "flowers"},
		kind: growing, level: 1800, rate: 1.07, basket: 120, joined: anniversary(2, 5), chat: slackOnly, leaderboard: true, eng: high},
	{id: "rowery-kolo", name: "Sklep Rowerowy Koło", contact: "Paweł", locale: pl, manager: kasia, tags: []string{"retail", "sport"},
		kind: growing, level: 4000, rate: 1.10, basket: 900, joined: ago(430), chat: slackOnly, leaderboard: true, eng: high},
	{id: "drogeria-lawenda", name: "Drogeria Lawenda", contact: "Ewa", locale: pl, manager: marek, tags: []string{"retail", "beauty"},
		kind: growing, level: 1500, rate: 1.09, basket: 70, joined: ago(390), chat: bothChats, leaderboard: true, eng: high},
	{id: "studio-jogi-asana", name: "Studio Jogi Asana", contact: "Natalia", locale: pl, manager: marek, tags: []string{"services", "sport"},
		kind: growing, level: 1200, rate: 1.11, basket: 160, joined: ago(160), chat: discordOnly, leaderboard: true, eng: high},
	{id: "cukiernia-slodka", name: "Cukiernia Słodki Kącik", contact: "Beata", locale: pl, manager: marek, tags: []string{"retail", "food"},
		kind: growing, level: 2200, rate: 1.07, basket: 55, joined: anniversary(1, 20), chat: slackOnly, leaderboard: true, eng: high},
	{id: "biuro-podrozy-horyzont", name: "Biuro Podróży Horyzont", contact: "Marta", locale: pl, manager: kasia, tags: []string{"services", "travel"},
		kind: growing, level: 5000, rate: 1.12, basket: 2400, joined: ago(520), chat: bothChats, leaderboard: true, eng: high},
	{id: "weterynarz-lapa", name: "Przychodnia Weterynaryjna Łapa", contact: "Piotr", locale: pl, manager: tomek, tags: []string{"services", "pets"},
		kind: growing, level: 2800, rate: 1.07, basket: 210, joined: ago(350), chat: bothChats, eng: high},
	{id: "zabawki-babel", name: "Zabawki Bąbel", contact: "Patrycja", locale: pl, manager: marek, tags: []string{"retail", "kids"},
		kind: growing, level: 1600, rate: 1.10, basket: 85, joined: ago(270), chat: slackOnly, leaderboard: true, eng: mid},
	{id: "studio-tatuazu-ink", name: "Studio Tatuażu Ink", contact: "Kacper", locale: pl, manager: tomek, tags: []string{"services"},
		kind: growing, level: 2000, rate: 1.07, basket: 450, joined: ago(240), chat: discordOnly, leaderboard: true, eng: mid},
	{id: "techwithtom", name: "Tech with Tom", contact: "Tom", locale: en, timezone: "Europe/London", manager: anna, tags: []string{"creator", "youtube"},
		kind: growing, level: 3500, rate: 1.11, basket: 250, joined: ago(455), chat: discordOnly, leaderboard: true, eng: high, online: true},
	{id: "cozy-reads", name: "Cozy Reads", contact: "Emma", locale: en, timezone: "Europe/London", manager: anna, tags: []string{"creator", "books"},
		kind: growing, level: 900, rate: 1.10, basket: 35, joined: anniversary(1, 8), chat: discordOnly, leaderboard: true, eng: high, online: true},
	{id: "petpals-podcast", name: "PetPals Podcast", contact: "Jordan", locale: en, manager: anna, tags: []string{"creator", "podcast", "pets"},
		kind: growing, level: 600, rate: 1.12, basket: 55, joined: ago(200), chat: discordOnly, leaderboard: true, eng: mid, online: true},

	// Stable.
	{id: "piekarnia-zytnia", name: "Piekarnia Żytnia", contact: "Halina", locale: pl, manager: marek, tags: []string{"retail", "food"},
		kind: stable, level: 2400, basket: 45, joined: anniversary(1, 0), chat: slackOnly, leaderboard: true, eng: high},
	{id: "ksiegarnia-arkady", name: "Księgarnia Pod Arkadami", contact: "Zbigniew", locale: pl, manager: marek, tags: []string{"retail", "books"},
		kind: stable, level: 3200, basket: 85, joined: anniversary(2, 0), chat: bothChats, eng: mid},
	{id: "gabinet-zdrowy-krok", name: "Gabinet Fizjoterapii Zdrowy Krok", contact: "Agnieszka", locale: pl, manager: kasia, tags: []string{"services", "health"},
		kind: stable, level: 5200, basket: 180, joined: ago(660), chat: slackOnly, leaderboard: true, eng: high},
	{id: "optyk-lupa", name: "Optyk Lupa", contact: "Joanna", locale: pl, manager: kasia, tags: []string{"retail", "health"},
		kind: stable, level: 6800, basket: 650, joined: anniversary(1, 12), chat: bothChats, leaderboard: true, eng: high},
	{id: "kawiarnia-ziarno", name: "Kawiarnia Ziarno", contact: "Kuba", locale: pl, manager: marek, tags: []string{"retail", "food"},
		kind: stable, level: 1900, basket: 28, joined: ago(410), chat: discordOnly, leaderboard: true, eng: mid},
	{id: "zoo-azor", name: "Sklep Zoologiczny Azor", contact: "Monika", locale: pl, manager: marek, tags: []string{"retail", "pets"},
		kind: stable, level: 2100, basket: 95, joined: ago(560), chat: slackOnly, leaderboard: true, eng: mid},
	{id: "mechanika-tarnowski", name: "Auto Mechanika Tarnowski", contact: "Andrzej", locale: pl, manager: tomek, tags: []string{"services", "automotive"},
		kind: stable, level: 3800, basket: 480, joined: ago(500), chat: slackOnly, eng: mid},
	{id: "elektro-max", name: "Elektro-Max", contact: "Łukasz", locale: pl, manager: kasia, tags: []string{"retail", "electronics"},
		kind: stable, level: 8500, basket: 1100, joined: ago(700), chat: bothChats, leaderboard: true, eng: mid},
	{id: "foto-kadr", name: "Studio Foto Kadr", contact: "Kamil", locale: pl, manager: marek, tags: []string{"services", "creator"},
		kind: stable, level: 1400, basket: 350, joined: ago(330), chat: discordOnly, leaderboard: true, eng: mid},
	{id: "hotel-pod-debem", name: "Hotel Pod Dębem", contact: "Iwona", locale: pl, manager: kasia, tags: []string{"services", "hospitality"},
		kind: stable, level: 9800, basket: 700, joined: ago(590), chat: slackOnly, leaderboard: true, eng: mid},
	{id: "salon-urody-glamour", name: "Salon Urody Glamour", contact: "Karolina", locale: pl, manager: marek, tags: []string{"services", "beauty"},
		kind: stable, level: 3100, basket: 190, joined: ago(280), chat: discordOnly, eng: mid},
	{id: "szkola-lingua", name: "Szkoła Językowa Lingua", contact: "Dorota", locale: pl, manager: tomek, tags: []string{"services", "education"},
		kind: stable, level: 4200, basket: 600, joined: ago(450), chat: slackOnly, leaderboard: true, eng: mid},
	{id: "sklep-u-zosi", name: "Sklep Spożywczy u Zosi", contact: "Zosia", locale: pl, manager: marek, tags: []string{"retail", "grocery"},
		kind: stable, level: 2700, basket: 48, joined: ago(380), chat: noChat, eng: low},
	{id: "serwis-bit", name: "Serwis Komputerowy Bit", contact: "Bartek", locale: pl, manager: tomek, tags: []string{"services", "electronics"},
		kind: stable, level: 2300, basket: 260, joined: ago(310), chat: discordOnly, eng: mid},
	{id: "klinika-usmiech", name: "Klinika Stomatologiczna Uśmiech", contact: "Aleksandra", locale: pl, manager: kasia, tags: []string{"services", "health"},
		kind: stable, level: 12000, basket: 800, joined: ago(640), chat: slackOnly, leaderboard: true, eng: mid},
	{id: "myjnia-blysk", name: "Myjnia Błysk", contact: "Sebastian", locale: pl, manager: tomek, tags: []string{"services", "automotive"},
		kind: stable, level: 1700, basket: 45, joined: ago(260), chat: slackOnly, eng: low},
	{id: "catering-smaczny", name: "Catering Smaczny Dzień", contact: "Irena", locale: pl, manager: tomek, tags: []string{"services", "food"},
		kind: stable, level: 3600, basket: 240, joined: ago(420), chat: bothChats, eng: mid},
	{id: "masarnia-u-wojtka", name: "Masarnia u Wojtka", contact: "Wojtek", locale: pl, manager: marek, tags: []string{"retail", "food"},
		kind: stable, level: 4600, basket: 75, joined: ago(540), chat: slackOnly, eng: mid},
	{id: "papiernik", name: "Papiernik", contact: "Grażyna", locale: pl, manager: marek, tags: []string{"retail", "office"},
		kind: stable, level: 1300, basket: 55, joined: ago(470), chat: noChat, eng: low},
	{id: "sklep-sportowy-gol", name: "Sklep Sportowy Gol", contact: "Michał", locale: pl, manager: marek, tags: []string{"retail", "sport"},
		kind: stable, level: 3000, basket: 210, joined: ago(365 + 40), chat: slackOnly, leaderboard: true, eng: mid},
	{id: "plantmom-lisa", name: "Plant Mom Lisa", contact: "Lisa", locale: en, manager: anna, tags: []string{"creator", "instagram"},
		kind: stable, level: 1800, basket: 60, joined: ago(300), chat: discordOnly, leaderboard: true, eng: mid, online: true},
	{id: "budget-bites", name: "Budget Bites", contact: "Sam", locale: en, manager: anna, tags: []string{"creator", "blog", "food"},
		kind: stable, level: 1200, basket: 40, joined: ago(250), chat: discordOnly, eng: low, online: true},
	{id: "dealhunter-eu", name: "DealHunter EU", contact: "Oliver", locale: en, manager: anna, tags: []string{"affiliate", "coupons"},
		kind: stable, level: 14000, basket: 120, joined: ago(690), chat: slackOnly, leaderboard: true, eng: mid, online: true},
	{id: "frugal-family", name: "The Frugal Family", contact: "Rachel", locale: en, manager: anna, tags: []string{"affiliate", "blog"},
		kind: stable, level: 2600, basket: 70, joined: ago(360), chat: slackOnly, eng: mid, online: true},
	{id: "cashback-corner", name: "Cashback Corner", contact: "Priya", locale: en, manager: anna, tags: []string{"affiliate", "coupons"},
		kind: stable, level: 5400, basket: 95, joined: ago(480), chat: bothChats, leaderboard: true, eng: high, online: true},

	// Declining: down every month.
	{id: "warsztat-felga", name: "Warsztat Felga", contact: "Rafał", locale: pl, manager: tomek, tags: []string{"services", "automotive"},
		kind: declining, level: 4200, rate: 0.82, basket: 520, joined: ago(570), chat: slackOnly, eng: low},
	{id: "pizzeria-napoli", name: "Pizzeria Napoli", contact: "Grzegorz", locale: pl, manager: marek, tags: []string{"retail", "food"},
		kind: declining, level: 2600, rate: 0.85, basket: 65, joined: ago(400), chat: slackOnly, eng: low},
	{id: "meble-debowe", name: "Meble Dębowe", contact: "Henryk", locale: pl, manager: kasia, tags: []string{"retail", "furniture"},
		kind: declining, level: 6000, rate: 0.80, basket: 1800, joined: ago(620), chat: slackOnly, eng: mid},
	{id: "trailrunner-mike", name: "Trail Runner Mike", contact: "Mike", locale: en, manager: anna, tags: []string{"creator", "sport"},
		kind: declining, level: 2400, rate: 0.84, basket: 90, joined: ago(440), chat: bothChats, leaderboard: true, eng: low, online: true},

	// Inactive: no turnover for the last full months, still active.
	{id: "pralnia-bialy-kruk", name: "Pralnia Biały Kruk", contact: "Jerzy", locale: pl, manager: tomek, tags: []string{"services"},
		kind: inactive, level: 900, quietMonths: 3, basket: 60, joined: ago(380), chat: slackOnly, eng: low},
	{id: "centrum-ogrodnicze", name: "Centrum Ogrodnicze Zielony Zakątek", contact: "Stanisław", locale: pl, manager: marek, tags: []string{"retail", "garden"},
		kind: inactive, level: 2500, quietMonths: 4, basket: 140, joined: ago(600), chat: slackOnly, eng: mid},
	{id: "kiosk-na-rogu", name: "Kiosk na Rogu", contact: "Wiesław", locale: pl, manager: marek, tags: []string{"retail"},
		kind: inactive, level: 400, quietMonths: 5, basket: 25, joined: ago(680), chat: noChat, eng: low},
	{id: "pracownia-nitka", name: "Pracownia Krawiecka Nitka", contact: "Danuta", locale: pl, manager: tomek, tags: []string{"services"},
		kind: inactive, level: 600, quietMonths: 3, basket: 50, joined: ago(340), chat: slackOnly, eng: low},
	{id: "homebrew-hank", name: "Homebrew Hank", contact: "Hank", locale: en, manager: anna, tags: []string{"creator", "blog"},
		kind: inactive, level: 700, quietMonths: 4, basket: 45, joined: ago(420), chat: discordOnly, eng: low, online: true},

	// New: joined within the last month.
	{id: "pracownia-glina", name: "Pracownia Ceramiki Glina", contact: "Julia", locale: pl, manager: marek, tags: []string{"retail", "crafts"},
		kind: newcomer, level: 1500, basket: 110, joined: ago(12), chat: discordOnly, leaderboard: true, eng: high},
	{id: "barber-brzytwa", name: "Barber Shop Brzytwa", contact: "Adrian", locale: pl, manager: tomek, tags: []string{"services", "beauty"},
		kind: newcomer, level: 2400, basket: 90, joined: ago(25), chat: bothChats, leaderboard: true, eng: mid},
	{id: "herbaciarnia-czajnik", name: "Herbaciarnia Czajnik", contact: "Renata", locale: pl, manager: marek, tags: []string{"retail", "food"},
		kind: newcomer, level: 900, basket: 60, joined: ago(5), chat: slackOnly, eng: high},
	{id: "gadget-garage", name: "Gadget Garage", contact: "Chris", locale: en, manager: anna, tags: []string{"creator", "youtube"},
		kind: newcomer, level: 3000, basket: 300, joined: ago(18), chat: discordOnly, leaderboard: true, eng: high, online: true},

	// Paused (playbook 002, section 05, situation 3: a month off).
	{id: "szewc-kopyto", name: "Szewc Kopyto", contact: "Władysław", locale: pl, manager: tomek, tags: []string{"services"},
		kind: paused, level: 500, quietMonths: 2, basket: 40, joined: ago(530), chat: noChat, eng: low},
	{id: "lodziarnia-bambino", name: "Lodziarnia Bambino", contact: "Sylwia", locale: pl, manager: marek, tags: []string{"retail", "food"},
		kind: paused, level: 1800, quietMonths: 3, basket: 22, joined: ago(450), chat: slackOnly, leaderboard: true, eng: mid},
	{id: "fitwithnina", name: "Fit with Nina", contact: "Nina", locale: en, manager: anna, tags: []string{"creator", "sport"},
		kind: paused, level: 2200, quietMonths: 1, basket: 80, joined: ago(370), chat: discordOnly, leaderboard: true, eng: high, online: true},

	// Ended (section 09, signal 6: closing the business; ended fairly).
	{id: "sklep-muzyczny-forte", name: "Sklep Muzyczny Forte", contact: "Dawid", locale: pl, manager: marek, tags: []string{"retail", "music"},
		kind: ended, level: 1200, quietMonths: 4, basket: 300, joined: ago(560), chat: slackOnly, eng: low},
	{id: "antykwariat-starocie", name: "Antykwariat Starocie", contact: "Edward", locale: pl, manager: marek, tags: []string{"retail", "books"},
		kind: ended, level: 800, quietMonths: 3, basket: 120, joined: ago(640), chat: noChat, eng: low},
	{id: "urban-sketcher", name: "Urban Sketcher", contact: "Leo", locale: en, manager: anna, tags: []string{"creator", "art"},
		kind: ended, level: 900, quietMonths: 5, basket: 70, joined: ago(500), chat: discordOnly, eng: low, online: true},
}
