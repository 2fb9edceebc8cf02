package commands_test

import (
	"regexp"
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/commands"
)

// Words that give away the other language in an answer: common English
// words no Polish sentence has, and Polish words no English one has.
// Words both languages use ("partner", "link", "status", "no", "to") are
// left out.
var (
	englishOnly = wordSet(`the and of is are was you your with for this that from it its be not all at as
an can please more here what which how usage error errors argument arguments month week year period
default unknown none done account code found invalid must use cannot expired amount large too many
few number days dates range start end before after no such has have needs`)
	polishOnly = wordSet(`nie jest się oraz albo dla przez tylko już jeszcze czy że jak który która które
twoje twój twoja okres okresu tydzień miesiąc kod kodu użyj użycie brakuje nieznany opiekun opiekuna
partnera rozumiem przycisk polecenia`)
	skipRE = []*regexp.Regexp{
		regexp.MustCompile("`[^`]*`"),
		regexp.MustCompile(`https?://\S+`),
		regexp.MustCompile(`--[a-z-]+`),
		regexp.MustCompile(`(^|\s|\()/[a-z]+`),
	}
	letterRE = regexp.MustCompile(`\p{L}+`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// foreign returns the words of out that belong to the other language
// than l; typed is what the user typed, echoed back and so not counted.
func foreign(l bot.Locale, out string, typed ...string) []string {
	for _, t := range typed {
		if t == "" {
			continue
		}
		out = strings.ReplaceAll(out, t, " ")
	}
	for _, re := range skipRE {
		out = re.ReplaceAllString(out, " ")
	}
	var bad []string
	for _, w := range letterRE.FindAllString(out, -1) {
		lw := strings.ToLower(w)
		if l == bot.LocalePL && englishOnly[lw] || l == bot.LocaleEN && (polishOnly[lw] || strings.ContainsAny(lw, "ąćęłńóśźż")) {
			bad = append(bad, w)
		}
	}
	return bad
}

// malformed are values a user may type wrongly for each kind of argument.
var malformed = map[string][]string{
	"period": {"2026-13", "2026-W60", "2027-05", "2031", "abc", "2026-12-01..2026-11-01", "9999d", "2026-11-01..2029-11-01", "0d", "1999"},
	"id":     {"nobody-here", "ola", "x"},
	"code":   {"ZZZZ-0000", "bad", "ZZZZ-0001", "ZZZZ-0002", "ZZZZ-0003", "ZZZZ-0004", "ZZZZ-0005", "ZZZZ-0006"},
	"filter": {"purple"},
	"kind":   {"bogus"},
	"state":  {"maybe"},
	"note":   {"x"},
	"text":   {"x"},
}

// TestMalformedArgumentsAnswerInOneLanguage runs every chat command with
// missing, wrong and extra arguments, every button with a broken value and
// every form for an unknown partner, as a Polish and as an English
// partner, manager and admin, and checks each answer speaks only the
// caller's language.
func TestMalformedArgumentsAnswerInOneLanguage(t *testing.T) {
	f := setup(t)
	// Names are data, in whatever language their owners chose.
	var names []string
	ps, err := f.store.Partners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		names = append(names, p.Name)
	}
	for _, l := range []bot.Locale{bot.LocalePL, bot.LocaleEN} {
		for _, user := range []string{"UJANKO", "UKASIA01", "UADMIN", "USTRANGER"} {
			c := f.caller(t, "slack", user)
			c.Locale = l
			check := func(what, out string, typed ...string) {
				t.Helper()
				if bad := foreign(l, out, append(typed, names...)...); len(bad) > 0 {
					t.Errorf("%s as %s (%s): %v in\n%s", what, user, l, bad, out)
				}
			}
			if user == "USTRANGER" {
				// A stranger's answer is the linking help, which a
				// Polish program gives in both languages; only /link
				// and /help answer in the caller's.
				for _, v := range malformed["code"] {
					_, out := f.run(t, c, "/link "+v)
					check("/link "+v, out, v)
				}
				continue
			}
			for _, sp := range f.svc.Specs() {
				lines := [][2]string{{"/" + sp.Name + " extra1 extra2 extra3 extra4", "extra1 extra2 extra3 extra4"}}
				if len(sp.Args) > 0 {
					lines = append(lines, [2]string{"/" + sp.Name, ""})
				}
				for i, a := range sp.Args {
					for _, v := range malformed[a.Name] {
						words := make([]string, len(sp.Args))
						for j, b := range sp.Args {
							words[j] = "x"
							if b.Name == "id" {
								words[j] = "janko"
							}
						}
						words[i] = v
						if i == len(sp.Args)-1 || sp.Args[len(sp.Args)-1].Rest {
							words = words[:i+1]
						}
						lines = append(lines, [2]string{"/" + sp.Name + " " + strings.Join(words, " "), v})
					}
				}
				for _, ln := range lines {
					if sp.Name == "message" || sp.Name == "contact" {
						// These store and send what they are given; their
						// malformed forms are the id and missing text only.
						if !strings.Contains(ln[0], "nobody-here") && !strings.Contains(ln[0], " x") && ln[1] != "" {
							continue
						}
					}
					_, out := f.run(t, c, ln[0])
					check(ln[0], out, ln[1])
				}
			}
			for _, a := range f.svc.Actions() {
				for _, v := range []string{"", "garbage", "nobody-here", "x|y|z", "health|purple|9"} {
					out := console.Render(f.svc.Interact(ctx, c, a, v))
					check("button "+a+" "+v, out, v)
				}
			}
			for _, form := range []string{commands.FormReply, commands.FormContact, "no-such-form"} {
				out := console.Render(f.svc.Submit(ctx, c, form, "nobody-here", "hello"))
				check("form "+form, out, "nobody-here", "hello")
			}
		}
	}
}

// The word check must catch what it is for, or the test above proves
// nothing.
func TestForeignCatches(t *testing.T) {
	for _, tt := range []struct {
		l    bot.Locale
		text string
		want string
	}{
		{bot.LocalePL, `partner "x" not found`, "not"},
		{bot.LocalePL, "Nie rozumiem okresu: period 2026-13: no such month", "period"},
		{bot.LocaleEN, "Nie ma partnera o identyfikatorze „x”.", "Nie"},
		{bot.LocaleEN, "Unknown filter: użyj", "użyj"},
	} {
		if got := foreign(tt.l, tt.text); !contains(got, tt.want) {
			t.Errorf("foreign(%s, %q) = %v, want %q among them", tt.l, tt.text, got, tt.want)
		}
	}
	if got := foreign(bot.LocalePL, "Wpisz /link KOD albo `partnerbot rates set`", "KOD"); len(got) > 0 {
		t.Errorf("commands and code counted as words: %v", got)
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
