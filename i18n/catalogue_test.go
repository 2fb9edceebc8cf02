package i18n_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	// Every package that registers texts, so the scan sees the whole
	// catalogue.
	_ "partnerbot/alerts"
	_ "partnerbot/bot/slack"
	_ "partnerbot/commands"
	_ "partnerbot/health"
	"partnerbot/i18n"
	_ "partnerbot/referral"
	_ "partnerbot/report"
	_ "partnerbot/store"
)

// englishWords are common English words (and stilted calques of them)
// that have no place in a Polish sentence. Words that are also Polish
// ("to", "a", "on", "no", "link", "program", "status", "trend") are left
// out on purpose.
var englishWords = words(`the and of is are was you your with for off this that from it its be not
all at as an we our will can please more new here there what which who how yes ok okay usage error
errors argument arguments month week year period default red amber green weekly promos tips case episode
follow up fair feedback playbook reply replies send sent too many few unknown none done account code
report health turnover sales click clicks signup signups commission balance tier rank share
partners manager managers contact retention cashback newsletter checkin check`)

// polishCalques are Polish-looking words that read as translations from
// English, not as Polish: "epizod" (an alert "episode"), "retencja".
var polishCalques = words(`epizod epizodzie epizodu retencji retencja retencję fair feedback feedbacku follow case`)

// gendered are past-tense and adjective forms that give a partner, which
// may be a business ("Apteka … wyszedł") or a person of either gender, a
// grammatical gender, or give the bot one ("zapisałem"). Texts about a
// partner are phrased without them.
var gendered = words(`wyszedł wyszła dołączył dołączyła pisał pisała użył użyła potwierdził potwierdziła
odpowiedział odpowiedziała zapisałem zapisałam nieaktywny nieaktywna zdrowy zdrowa`)

// allowedInPolish are the English words a Polish program does use:
// "cashback" is the seed playbooks' own word for the reward and has no
// other name in Polish retail.
var allowedInPolish = words(`cashback cashbacku cashbackiem`)

// polishWords are frequent Polish words that never belong in English.
var polishWords = words(`nie jest się oraz albo dla przez tylko już jeszcze czy że jak który która które
twoje twój twoja obrót prowizja zł wyniki partnerzy opiekun opiekuna kod kodu okres tydzień miesiąc`)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

var (
	// What a scan skips: `code`, /commands, --flags, URLs and fmt verbs
	// are syntax, the same in both languages.
	codeRE    = regexp.MustCompile("`[^`]*`")
	commandRE = regexp.MustCompile(`(^|\s|\()/[a-z]+`)
	flagRE    = regexp.MustCompile(`--[a-z-]+`)
	urlRE     = regexp.MustCompile(`https?://\S+`)
	verbRE    = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)
	wordRE    = regexp.MustCompile(`\p{L}+`)
)

func scanWords(s string) []string {
	for _, re := range []*regexp.Regexp{codeRE, urlRE, flagRE, commandRE, verbRE} {
		s = re.ReplaceAllString(s, " ")
	}
	return wordRE.FindAllString(s, -1)
}

// TestCatalogue_NoOtherLanguage reads every entry of the catalogue as a
// reader of each language would: no English word or calque in a Polish
// text, no Polish letter or word in an English one.
func TestCatalogue_NoOtherLanguage(t *testing.T) {
	keys := i18n.Keys()
	sort.Strings(keys)
	if len(keys) < 200 {
		t.Fatalf("only %d keys: is every speaking package imported?", len(keys))
	}
	for _, k := range keys {
		tx, _ := i18n.Lookup(k)
		en, pl := tx[0], tx[1]
		if strings.ContainsAny(codeRE.ReplaceAllString(en, ""), "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ") {
			t.Errorf("%s: Polish letters in English: %q", k, en)
		}
		for _, w := range scanWords(en) {
			if polishWords[strings.ToLower(w)] {
				t.Errorf("%s: Polish word %q in English: %q", k, w, en)
			}
		}
		if strings.Contains(pl, "ł(a)") {
			t.Errorf("%s: a gender by brackets in Polish: %q", k, pl)
		}
		for _, w := range scanWords(pl) {
			lw := strings.ToLower(w)
			if (englishWords[lw] || polishCalques[lw]) && !allowedInPolish[lw] {
				t.Errorf("%s: %q in Polish: %q", k, w, pl)
			}
			if gendered[lw] {
				t.Errorf("%s: gendered %q in Polish: %q", k, w, pl)
			}
		}
	}
}

// The scanner must see what it is for, or the test above proves nothing.
func TestCatalogue_ScannerCatches(t *testing.T) {
	for _, tt := range []struct {
		text string
		want string
	}{
		{"too many arguments; usage: /mystats", "usage"},
		{"okres: month (domyślnie)", "month"},
		{"Napisz on albo off", "off"},
		{"zakończ fair", "fair"},
		{"bez przypomnień w tym epizodzie", "epizodzie"},
		{"follow-up z B", "follow"},
	} {
		found := false
		for _, w := range scanWords(tt.text) {
			lw := strings.ToLower(w)
			found = found || lw == tt.want && (englishWords[lw] || polishCalques[lw])
		}
		if !found {
			t.Errorf("scan of %q misses %q", tt.text, tt.want)
		}
	}
	if got := scanWords("Szczegóły: `partnerbot outbox list --failed`, /mystats --period, %[2]s"); len(got) != 1 || got[0] != "Szczegóły" {
		t.Errorf("syntax not skipped: %q", got)
	}
}
