package bot

import "testing"

func TestPromotion_TextsInBothLanguages(t *testing.T) {
	p := Promotion{Title: "Tydzień z podwójnym cashbackiem", Description: "4% zamiast 2%",
		TitleEN: "Double cashback week", DescriptionEN: "4% instead of 2%"}
	if got := p.TitleIn(LocaleEN); got != "Double cashback week" {
		t.Errorf("en title %q", got)
	}
	if got := p.DescriptionIn(LocaleEN); got != "4% instead of 2%" {
		t.Errorf("en description %q", got)
	}
	if got := p.TitleIn(LocalePL); got != "Tydzień z podwójnym cashbackiem" {
		t.Errorf("pl title falls back to the program's: %q", got)
	}
	// A title in one language only is still a title.
	q := Promotion{ID: "x", TitleEN: "Only English"}
	if got := q.TitleIn(LocalePL); got != "Only English" {
		t.Errorf("pl title of an English-only promotion %q", got)
	}
	if err := (&Promotion{ID: "x"}).Validate(); ErrorCode(err) != EINVALID {
		t.Errorf("no title in any language: %v", err)
	}
}
