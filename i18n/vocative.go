package i18n

import (
	"strings"

	"partnerbot/bot"
)

// vocativeExceptions are first names whose vocative no rule below
// derives: a fleeting e (Kacper → Kacprze, Paweł → Pawle), a full name
// that looks like a diminutive (Mila → Milo), or a form the ending does
// not tell (Sylwester → Sylwestrze).
var vocativeExceptions = map[string]string{
	"paweł": "Pawle", "gaweł": "Gawle", "kacper": "Kacprze", "aleksander": "Aleksandrze",
	"sylwester": "Sylwestrze", "lisander": "Lisandrze", "mila": "Milo", "kamila": "Kamilo",
	"frania": "Franiu", "bronia": "Broniu",
}

// VocativeOf returns the Polish vocative of a first name, the form used
// to greet ("Cześć Janku", "Cześć Kasiu", "Cześć Julio"), and whether
// the rules are sure of it. A name of a shape they do not know (a foreign
// ending, two words) comes back unchanged with sure false, so a caller
// can greet without the name rather than decline it wrongly.
func VocativeOf(name string) (voc string, sure bool) {
	name = strings.TrimSpace(name)
	if up := strings.ToUpper(name); name == up && name != strings.ToLower(name) {
		v, ok := vocativeOf(name)
		return strings.ToUpper(v), ok
	}
	return vocativeOf(name)
}

func vocativeOf(name string) (voc string, sure bool) {
	if name == "" || strings.ContainsAny(name, " -.") {
		return name, false
	}
	lower := strings.ToLower(name)
	if v, ok := vocativeExceptions[lower]; ok {
		return v, true
	}
	r := []rune(lower)
	n := len(r)
	if n < 2 {
		return name, false
	}
	// cut replaces the last k letters of the name with add, keeping the
	// name's own capitals.
	cut := func(k int, add string) (string, bool) {
		return string([]rune(name)[:n-k]) + add, true
	}
	has := func(s string) bool { return strings.HasSuffix(lower, s) }
	switch {
	// Feminine (and the few masculine) names in -a.
	case has("sia"), has("cia"), has("zia"):
		return cut(1, "u") // Kasia → Kasiu, Zuzia → Zuziu, Jadzia → Jadziu
	case has("nia") && (n <= 5):
		return cut(1, "u") // Ania → Aniu, Hania → Haniu, Tonia → Toniu
	case has("la") && n <= 4:
		return cut(1, "u") // Ola → Olu, Ala → Alu, Ela → Elu, Pola → Polu
	case has("a"):
		return cut(1, "o") // Anna → Anno, Julia → Julio, Alicja → Alicjo, Kuba → Kubo

	// Masculine diminutives in -ek with a fleeting e, softening before it.
	case has("siek"):
		return cut(4, "śku") // Wiesiek → Wieśku, Rysiek → Ryśku
	case has("ciek"):
		return cut(4, "ćku") // Maciek → Maćku
	case has("niek"):
		return cut(4, "ńku") // Heniek → Heńku
	case has("ziek"):
		return cut(4, "źku") // Józiek → Jóźku
	case has("ek") && n >= 4:
		return cut(2, "ku") // Marek → Marku, Jacek → Jacku, Wojtek → Wojtku

	// Soft endings take -u, written with the i again: Staś → Stasiu.
	case has("ś"):
		return cut(1, "siu")
	case has("ź"):
		return cut(1, "ziu")
	case has("ć"):
		return cut(1, "ciu")
	case has("ń"):
		return cut(1, "niu")

	// Diminutives in -io, -ko: Jasio → Jasiu, Mieszko → Mieszku.
	case has("io"):
		return cut(1, "u")
	case has("ko"):
		return cut(1, "u")
	case has("o"), has("y"), has("i"), has("iu"):
		return name, true // Bruno, Jerzy, Antoni, Noemi, Tadziu: the vocative is the name

	// Hard-core and functionally soft consonants take -u.
	case has("rz"), has("sz"), has("cz"), has("ż"), has("dz"), has("c"), has("j"), has("l"),
		has("k"), has("g"), has("ch"), has("h"):
		return name + "u", true // Grzegorz → Grzegorzu, Kamil → Kamilu, Maciej → Macieju, Dominik → Dominiku

	// Hard consonants take -e with the consonant softened.
	case has("ł"):
		return cut(1, "le") // Michał → Michale, Rafał → Rafale
	case has("r"):
		return name + "ze", true // Piotr → Piotrze, Wiktor → Wiktorze
	case has("st"):
		return cut(2, "ście") // August → Auguście, Ernest → Erneście
	case has("t"):
		return cut(1, "cie") // Robert → Robercie, Benedykt → Benedykcie
	case has("d"):
		return name + "zie", true // Dawid → Dawidzie, Konrad → Konradzie
	case has("x"):
		return cut(1, "ksie") // Max → Maksie
	case has("n"), has("m"), has("f"), has("w"), has("b"), has("p"), has("s"), has("z"), has("v"):
		return name + "ie", true // Adam → Adamie, Szymon → Szymonie, Józef → Józefie, Jakub → Jakubie, Borys → Borysie
	}
	return name, false
}

// Vocative returns the vocative of a first name, or the name unchanged
// when the rules are unsure (see VocativeOf).
func Vocative(name string) string {
	v, _ := VocativeOf(name)
	return v
}

// Greeting returns "Cześć Janku" / "Hi Janek". In Polish, a name the
// rules cannot decline surely gets the neutral "Dzień dobry" without it,
// never a wrong form; no name gets "Cześć" / "Hi".
func Greeting(l bot.Locale, name string) string {
	return greet(l, name, "")
}

// GreetPartner greets a partner's contact: its contact_vocative when the
// program set one (it overrides the rules), else as Greeting.
func GreetPartner(l bot.Locale, p *bot.Partner) string {
	if p == nil {
		return Greeting(l, "")
	}
	return greet(l, p.ContactName, p.ContactVocative)
}

func greet(l bot.Locale, name, vocative string) string {
	name, vocative = strings.TrimSpace(name), strings.TrimSpace(vocative)
	if l != bot.LocalePL {
		if name == "" {
			return "Hi"
		}
		return "Hi " + name
	}
	if vocative != "" {
		return "Cześć " + vocative
	}
	if name == "" {
		return "Cześć"
	}
	if v, sure := VocativeOf(name); sure {
		return "Cześć " + v
	}
	return "Dzień dobry"
}
