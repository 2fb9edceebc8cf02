package i18n

import (
	"strings"

	"partnerbot/bot"
)

// vocativeExceptions are common Polish first names whose vocative the
// suffix rules below get wrong.
var vocativeExceptions = map[string]string{
	"paweł": "Pawle", "michał": "Michale", "rafał": "Rafale", "karol": "Karolu", "piotr": "Piotrze",
	"aleksander": "Aleksandrze", "ksawery": "Ksawery", "jerzy": "Jerzy", "antoni": "Antoni",
	"bartłomiej": "Bartłomieju", "maciej": "Macieju", "andrzej": "Andrzeju", "kuba": "Kubo",
	"marek": "Marku", "zbigniew": "Zbigniewie", "ignacy": "Ignacy", "jacek": "Jacku", "mateusz": "Mateuszu",
	"tomasz": "Tomaszu", "łukasz": "Łukaszu", "dariusz": "Dariuszu", "mariusz": "Mariuszu", "janusz": "Januszu",
	"ola": "Olu", "ula": "Ulu", "iza": "Izo", "pan kowalski": "Panie Kowalski",
}

// Vocative returns the Polish vocative of a first name, the form used to
// greet ("Cześć Janku", "Cześć Kasiu", "Cześć Anno"). Unknown shapes are
// returned unchanged: a nominative greeting reads casual, not wrong.
func Vocative(name string) string {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, " -") && vocativeExceptions[strings.ToLower(name)] == "" {
		return name
	}
	if v, ok := vocativeExceptions[strings.ToLower(name)]; ok {
		return v
	}
	lower := strings.ToLower(name)
	cut := func(n int, add string) string {
		r := []rune(name)
		return string(r[:len(r)-n]) + add
	}
	switch {
	case strings.HasSuffix(lower, "ek"): // Janek → Janku, Tomek → Tomku, Wojtek → Wojtku
		return cut(2, "ku")
	case strings.HasSuffix(lower, "ia"), strings.HasSuffix(lower, "ja"): // Kasia → Kasiu, Maja → Maju
		return cut(1, "u")
	case strings.HasSuffix(lower, "a"): // Anna → Anno, Ewa → Ewo, Magda → Magdo
		return cut(1, "o")
	case strings.HasSuffix(lower, "sz"), strings.HasSuffix(lower, "cz"), strings.HasSuffix(lower, "j"),
		strings.HasSuffix(lower, "k"), strings.HasSuffix(lower, "g"), strings.HasSuffix(lower, "ch"):
		return name + "u" // Łukasz → Łukaszu, Maciej → Macieju
	case strings.HasSuffix(lower, "r"): // Piotr → Piotrze (Wiktor → Wiktorze)
		return name + "ze"
	case strings.HasSuffix(lower, "n"), strings.HasSuffix(lower, "m"), strings.HasSuffix(lower, "f"),
		strings.HasSuffix(lower, "w"), strings.HasSuffix(lower, "b"), strings.HasSuffix(lower, "p"):
		return name + "ie" // Jan → Janie, Adam → Adamie, Krzysztof → Krzysztofie
	case strings.HasSuffix(lower, "t"): // Robert → Robercie
		return cut(1, "cie")
	case strings.HasSuffix(lower, "d"): // Dawid → Dawidzie
		return name + "zie"
	case strings.HasSuffix(lower, "ł"):
		return cut(1, "le")
	}
	return name
}

// Greeting returns "Cześć Janku" / "Hi Janek", or a plain greeting when
// the name is unknown.
func Greeting(l bot.Locale, name string) string {
	switch {
	case name == "" && l == "pl":
		return "Cześć"
	case name == "":
		return "Hi"
	case l == "pl":
		return "Cześć " + Vocative(name)
	}
	return "Hi " + name
}
