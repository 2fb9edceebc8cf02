package i18n

import (
	"testing"

	"partnerbot/bot"
)

// commonNames are the most common Polish first names (women's and men's,
// from the PESEL registry's lists, with the diminutives people put in a
// contact field) and their vocatives as a Polish speaker writes them.
var commonNames = map[string]string{
	// Women.
	"Anna": "Anno", "Maria": "Mario", "Katarzyna": "Katarzyno", "Małgorzata": "Małgorzato", "Agnieszka": "Agnieszko",
	"Barbara": "Barbaro", "Ewa": "Ewo", "Krystyna": "Krystyno", "Elżbieta": "Elżbieto", "Magdalena": "Magdaleno",
	"Joanna": "Joanno", "Zofia": "Zofio", "Aleksandra": "Aleksandro", "Monika": "Moniko", "Teresa": "Tereso",
	"Danuta": "Danuto", "Natalia": "Natalio", "Julia": "Julio", "Karolina": "Karolino", "Marta": "Marto",
	"Beata": "Beato", "Dorota": "Doroto", "Halina": "Halino", "Jadwiga": "Jadwigo", "Janina": "Janino",
	"Jolanta": "Jolanto", "Iwona": "Iwono", "Grażyna": "Grażyno", "Irena": "Ireno", "Bożena": "Bożeno",
	"Urszula": "Urszulo", "Justyna": "Justyno", "Renata": "Renato", "Alicja": "Alicjo", "Paulina": "Paulino",
	"Sylwia": "Sylwio", "Agata": "Agato", "Patrycja": "Patrycjo", "Helena": "Heleno", "Wiktoria": "Wiktorio",
	"Weronika": "Weroniko", "Emilia": "Emilio", "Hanna": "Hanno", "Zuzanna": "Zuzanno", "Maja": "Majo",
	"Lena": "Leno", "Oliwia": "Oliwio", "Amelia": "Amelio", "Izabela": "Izabelo", "Gabriela": "Gabrielo",
	"Kamila": "Kamilo", "Martyna": "Martyno", "Klaudia": "Klaudio", "Dominika": "Dominiko", "Ewelina": "Ewelino",
	"Edyta": "Edyto", "Milena": "Mileno", "Nikola": "Nikolo", "Antonina": "Antonino", "Laura": "Lauro",
	"Kinga": "Kingo", "Olga": "Olgo", "Wanda": "Wando", "Stanisława": "Stanisławo", "Lucyna": "Lucyno",
	"Genowefa": "Genowefo", "Marianna": "Marianno", "Aneta": "Aneto", "Ilona": "Ilono", "Magda": "Magdo",
	"Kasia": "Kasiu", "Basia": "Basiu", "Zosia": "Zosiu", "Gosia": "Gosiu", "Marysia": "Marysiu", "Asia": "Asiu",
	"Ania": "Aniu", "Hania": "Haniu", "Zuzia": "Zuziu", "Jadzia": "Jadziu", "Ala": "Alu", "Ola": "Olu",
	"Ula": "Ulu", "Ela": "Elu", "Iza": "Izo", "Stefania": "Stefanio", "Ludmiła": "Ludmiło", "Mila": "Milo",
	// Men.
	"Jan": "Janie", "Andrzej": "Andrzeju", "Piotr": "Piotrze", "Krzysztof": "Krzysztofie", "Stanisław": "Stanisławie",
	"Tomasz": "Tomaszu", "Paweł": "Pawle", "Józef": "Józefie", "Marcin": "Marcinie", "Marek": "Marku",
	"Michał": "Michale", "Grzegorz": "Grzegorzu", "Jerzy": "Jerzy", "Tadeusz": "Tadeuszu", "Adam": "Adamie",
	"Łukasz": "Łukaszu", "Zbigniew": "Zbigniewie", "Ryszard": "Ryszardzie", "Dariusz": "Dariuszu", "Henryk": "Henryku",
	"Mariusz": "Mariuszu", "Kazimierz": "Kazimierzu", "Wojciech": "Wojciechu", "Robert": "Robercie", "Mateusz": "Mateuszu",
	"Marian": "Marianie", "Rafał": "Rafale", "Jacek": "Jacku", "Janusz": "Januszu", "Mirosław": "Mirosławie",
	"Maciej": "Macieju", "Sławomir": "Sławomirze", "Jarosław": "Jarosławie", "Kamil": "Kamilu", "Wiesław": "Wiesławie",
	"Roman": "Romanie", "Władysław": "Władysławie", "Jakub": "Jakubie", "Artur": "Arturze", "Zdzisław": "Zdzisławie",
	"Edward": "Edwardzie", "Mieczysław": "Mieczysławie", "Damian": "Damianie", "Dawid": "Dawidzie", "Przemysław": "Przemysławie",
	"Sebastian": "Sebastianie", "Czesław": "Czesławie", "Leszek": "Leszku", "Daniel": "Danielu", "Waldemar": "Waldemarze",
	"Bartosz": "Bartoszu", "Szymon": "Szymonie", "Filip": "Filipie", "Antoni": "Antoni", "Aleksander": "Aleksandrze",
	"Kacper": "Kacprze", "Wiktor": "Wiktorze", "Igor": "Igorze", "Oskar": "Oskarze", "Franciszek": "Franciszku",
	"Mikołaj": "Mikołaju", "Hubert": "Hubercie", "Patryk": "Patryku", "Dominik": "Dominiku", "Adrian": "Adrianie",
	"Karol": "Karolu", "Konrad": "Konradzie", "Emil": "Emilu", "Bogdan": "Bogdanie", "Krystian": "Krystianie",
	"Norbert": "Norbercie", "Ireneusz": "Ireneuszu", "Arkadiusz": "Arkadiuszu", "Zenon": "Zenonie", "Ludwik": "Ludwiku",
	"Eugeniusz": "Eugeniuszu", "Bogusław": "Bogusławie", "Leon": "Leonie", "Tymon": "Tymonie", "Ignacy": "Ignacy",
	"Stefan": "Stefanie", "Witold": "Witoldzie", "Albert": "Albercie", "Oliwer": "Oliwerze", "Nikodem": "Nikodemie",
	"Gabriel": "Gabrielu", "Julian": "Julianie", "Maksymilian": "Maksymilianie", "Fabian": "Fabianie", "Borys": "Borysie",
	"Ksawery": "Ksawery", "Miłosz": "Miłoszu", "Marcel": "Marcelu", "Tymoteusz": "Tymoteuszu", "Eryk": "Eryku",
	"Olaf": "Olafie", "Leonard": "Leonardzie", "Cezary": "Cezary", "Lucjan": "Lucjanie", "Radosław": "Radosławie",
	"Bartłomiej": "Bartłomieju", "August": "Auguście", "Benedykt": "Benedykcie", "Sylwester": "Sylwestrze", "Kuba": "Kubo",
	"Janek": "Janku", "Tomek": "Tomku", "Wojtek": "Wojtku", "Bartek": "Bartku", "Franek": "Franku", "Antek": "Antku",
	"Jurek": "Jurku", "Darek": "Darku", "Mirek": "Mirku", "Zbyszek": "Zbyszku", "Staszek": "Staszku", "Maciek": "Maćku",
	"Rysiek": "Ryśku", "Wiesiek": "Wieśku", "Heniek": "Heńku", "Staś": "Stasiu", "Jaś": "Jasiu", "Ignaś": "Ignasiu",
	"Jasio": "Jasiu", "Kazio": "Kaziu", "Mieszko": "Mieszku", "Lech": "Lechu", "Max": "Maksie", "Bruno": "Bruno",
}

func TestVocative_commonNames(t *testing.T) {
	if len(commonNames) < 100 {
		t.Fatalf("only %d names in the table", len(commonNames))
	}
	for in, want := range commonNames {
		got, sure := VocativeOf(in)
		if got != want || !sure {
			t.Errorf("VocativeOf(%q) = %q, %v; want %q, true", in, got, sure, want)
		}
	}
}

func TestVocative_unsure(t *testing.T) {
	for _, in := range []string{"", "Anna Maria", "Jean-Luc", "Beatrice", "Ru", "J."} {
		if got, sure := VocativeOf(in); sure || got != in {
			t.Errorf("VocativeOf(%q) = %q, %v; want the name unchanged, unsure", in, got, sure)
		}
	}
	if got := Vocative("JULIA"); got != "JULIO" {
		t.Errorf("Vocative(JULIA) = %q", got)
	}
}

func TestGreeting(t *testing.T) {
	tests := []struct {
		l               bot.Locale
		name, voc, want string
	}{
		{bot.LocalePL, "Janek", "", "Cześć Janku"},
		{bot.LocalePL, "Julia", "", "Cześć Julio"},
		{bot.LocalePL, "Grzegorz", "", "Cześć Grzegorzu"},
		{bot.LocalePL, "Beatrice", "", "Dzień dobry"},
		{bot.LocalePL, "Jean-Luc", "", "Dzień dobry"},
		{bot.LocalePL, "", "", "Cześć"},
		{bot.LocalePL, "Julia", "Julko", "Cześć Julko"},
		{bot.LocalePL, "Beatrice", "Beatrice", "Cześć Beatrice"},
		{bot.LocaleEN, "Janek", "Janku", "Hi Janek"},
		{bot.LocaleEN, "", "", "Hi"},
	}
	for _, tt := range tests {
		p := &bot.Partner{ContactName: tt.name, ContactVocative: tt.voc}
		if got := GreetPartner(tt.l, p); got != tt.want {
			t.Errorf("GreetPartner(%s, %q, %q) = %q, want %q", tt.l, tt.name, tt.voc, got, tt.want)
		}
		if tt.voc == "" {
			if got := Greeting(tt.l, tt.name); got != tt.want {
				t.Errorf("Greeting(%s, %q) = %q, want %q", tt.l, tt.name, got, tt.want)
			}
		}
	}
}
