package api

import (
	"net/http"
	"strings"

	"partnerbot/bot"
)

// rateBody is the body of PUT /api/v1/rates/{CUR}: {"rate":"3.65"} and
// optionally "from":"2026-11-01" (without it: from today, or from the
// start for the currency's first rate; see store.SetRate).
type rateBody struct {
	Currency string   `json:"currency,omitempty"` // if given, must match the path
	Rate     bot.Rate `json:"rate"`
	From     bot.Date `json:"from"`
}

// putRate stores an exchange rate and answers it as stored (200).
func (s *Server) putRate(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(r.PathValue("cur"))
	var b rateBody
	if err := decodeBody(w, r, &b); err != nil {
		writeError(w, r, s.opt.Logger, fieldOf(err, "rate"))
		return
	}
	if b.Currency != "" && strings.ToUpper(b.Currency) != code {
		writeError(w, r, s.opt.Logger, bot.FieldError("currency", "the body names %s but the path %s", b.Currency, code))
		return
	}
	if b.Rate.IsZero() {
		writeError(w, r, s.opt.Logger, bot.FieldError("rate", `a rate is needed, like {"rate":"3.65"}: how many %s one %s is worth`, s.opt.Currency.Code, code))
		return
	}
	stored, err := s.opt.Store.SetRate(r.Context(), bot.ExchangeRate{Currency: code, From: b.From, Rate: b.Rate})
	if err != nil {
		writeError(w, r, s.opt.Logger, err)
		return
	}
	if s.opt.OnRate != nil {
		s.opt.OnRate(r.Context())
	}
	writeJSON(w, http.StatusOK, stored)
}

// getRates answers a currency's rates, oldest first, as a JSON array
// (404 when it has none).
func (s *Server) getRates(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(r.PathValue("cur"))
	if _, err := bot.LookupCurrency(code); err != nil {
		writeError(w, r, s.opt.Logger, err)
		return
	}
	rs, err := s.opt.Store.Rates(r.Context(), code)
	if err != nil {
		writeError(w, r, s.opt.Logger, err)
		return
	}
	if len(rs) == 0 {
		writeError(w, r, s.opt.Logger, bot.Errorf(bot.ENOTFOUND, "no %s rate is set", code))
		return
	}
	writeJSON(w, http.StatusOK, rs)
}
