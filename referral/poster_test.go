package referral

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"partnerbot/bot"
)

var posterPartner = &bot.Partner{ID: "apteka", Name: "Apteka Pod Lipami & Syn", Locale: bot.LocalePL, Status: bot.StatusActive,
	ReferralCode: "k7m2pq9x"}

func TestPoster(t *testing.T) {
	link := Link("https://partnerzy.example.pl", "k7m2pq9x")
	svg, err := Poster(bot.LocalePL, "Program partnerski", posterPartner, link)
	if err != nil {
		t.Fatal(err)
	}
	// Well-formed XML (the & in the name escaped), A4, vector.
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	for _, want := range []string{`width="210mm" height="297mm"`, "Apteka Pod Lipami &amp; Syn", "Kupuj z cashbackiem!",
		"Zeskanuj kod aparatem w telefonie", link, "Kod partnera: K7M2PQ9X", "Program partnerski", "<path d=\"M"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("poster lacks %q", want)
		}
	}
	en, _ := Poster(bot.LocaleEN, "", posterPartner, link)
	if !bytes.Contains(en, []byte("Scan the code with your phone camera")) || bytes.Contains(en, []byte("Zeskanuj")) {
		t.Error("English poster is not in English")
	}
	// Scanned from a 1 240 px rendering (A4 at 150 dpi), when the tools are
	// here: it must read back as the link.
	rsvg, err1 := exec.LookPath("rsvg-convert")
	zbar, err2 := exec.LookPath("zbarimg")
	if err1 != nil || err2 != nil {
		t.Skip("rsvg-convert or zbarimg not installed: the poster was not scanned")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "poster.svg"), filepath.Join(dir, "poster.png")
	if err := os.WriteFile(in, svg, 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(rsvg, "-w", "1240", "-b", "white", "-o", out, in).CombinedOutput(); err != nil {
		t.Fatalf("render: %v %s", err, b)
	}
	if dst := os.Getenv("PARTNERBOT_POSTER_PNG"); dst != "" {
		b, _ := os.ReadFile(out)
		os.WriteFile(dst, b, 0o644)
	}
	got, err := exec.Command(zbar, "--raw", "-q", out).Output()
	if err != nil || strings.TrimSpace(string(got)) != link {
		t.Fatalf("scanned %q (%v), want %q", got, err, link)
	}
}

type codeStore struct{ p *bot.Partner }

func (s codeStore) PartnerByCode(_ context.Context, code string) (*bot.Partner, error) {
	if s.p == nil || !strings.EqualFold(code, s.p.ReferralCode) {
		return nil, bot.Errorf(bot.ENOTFOUND, "no code %q", code)
	}
	return s.p, nil
}

func TestPosterHandler(t *testing.T) {
	ended := *posterPartner
	ended.Status = bot.StatusEnded
	for _, tt := range []struct {
		name   string
		p      *bot.Partner
		path   string
		status int
		want   string
	}{
		{"the partner's language", posterPartner, "/r/k7m2pq9x/print.svg", 200, "Zeskanuj kod"},
		{"asked in English", posterPartner, "/r/K7M2PQ9X/print.svg?lang=en", 200, "Scan the code"},
		{"unknown code", posterPartner, "/r/zzzzzzzz/print.svg", 404, ""},
		{"ended partner", &ended, "/r/k7m2pq9x/print.svg", 404, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			mux.Handle("GET /r/{code}/print.svg", &PosterHandler{Store: codeStore{tt.p}, PublicURL: "https://bot.example"})
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("%d %.200s", rec.Code, rec.Body.String())
			}
			if tt.status == 200 && rec.Header().Get("Content-Type") != "image/svg+xml; charset=utf-8" {
				t.Errorf("content type %q", rec.Header().Get("Content-Type"))
			}
		})
	}
}
