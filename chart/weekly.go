package chart

import (
	"context"
	"encoding/json"
	"fmt"

	"partnerbot/bot"
	"partnerbot/i18n"
)

// Weekly is what the weekly report's chart shows: a partner's turnover
// over the last weeks and how to write it. It is all the chart needs, so
// a message can carry it instead of the picture and have it drawn when
// it is sent.
type Weekly struct {
	// First is the Monday of the oldest week.
	First bot.Date `json:"first"`
	// Values are the weeks' turnover, oldest first; the last is the
	// report's week and is highlighted.
	Values []bot.Amount `json:"values"`
	// Joined is when the partner joined: weeks that ended before it are
	// drawn empty, not as zero turnover.
	Joined bot.Date `json:"joined,omitzero"`
	// Locale is the language of the title and labels.
	Locale bot.Locale `json:"locale"`
	// Currency writes the amounts; a zero one is PLN.
	Currency bot.Currency `json:"currency"`
}

// WeeklyPNG draws the weekly report's chart: one bar per week labelled
// with its Monday ("17.11" in Polish, "Nov 17" in English), the report's
// week highlighted with its value. A partner new to the program with no
// turnover yet gets the axis and a "no data yet" note instead of a row
// of zeros. It is a pure function of w: the same data gives the same
// bytes.
//
// Returns EINVALID when there are no weeks or more than 52.
func WeeklyPNG(w Weekly) ([]byte, error) {
	if len(w.Values) == 0 || len(w.Values) > 52 {
		return nil, bot.Errorf(bot.EINVALID, "a weekly chart needs 1 to 52 weeks, not %d", len(w.Values))
	}
	l := w.Locale
	var arr [52]Bar
	bars := arr[:len(w.Values)]
	known := false
	for i, v := range w.Values {
		monday := w.First.AddDays(7 * i)
		missing := !w.Joined.IsZero() && monday.AddDays(6).Before(w.Joined)
		bars[i] = Bar{Label: weekLabel(l, monday), Value: v, Missing: missing, Highlight: i == len(w.Values)-1}
		known = known || (!missing && v != 0)
	}
	o := Options{Title: i18n.T(l, "chart.weekly_title", i18n.N(l, int64(len(w.Values)), "week")), Locale: l, Currency: w.Currency}
	isNew := !w.Joined.IsZero() && w.First.Before(w.Joined)
	if !known && isNew {
		o.Note = i18n.T(l, "chart.no_data")
		for i := range bars {
			bars[i].Missing = true
		}
	}
	return Bars(bars, o)
}

var monthsShortEN = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// weekLabel names a week by its Monday.
func weekLabel(l bot.Locale, monday bot.Date) string {
	if l == bot.LocalePL {
		return fmt.Sprintf("%d.%02d", monday.Day, int(monday.Month))
	}
	return fmt.Sprintf("%s %d", monthsShortEN[monday.Month-1], monday.Day)
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"chart.weekly_title": {"Turnover, last %s", "Obrót — ostatnie %s"},
		"chart.no_data":      {"No data yet: your first weeks will show here", "Brak danych: tu pojawią się pierwsze tygodnie"},
	})
}

// WeeklyKind names the weekly chart in an image spec (bot.ImageSpec).
const WeeklyKind = "weekly_chart"

// WeeklySpec is the spec of the weekly chart of w: its numbers, a few
// hundred bytes, for a message to carry instead of the PNG.
func WeeklySpec(w Weekly) (*bot.ImageSpec, error) {
	data, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("weekly chart spec: %w", err)
	}
	return &bot.ImageSpec{Kind: WeeklyKind, Data: data}, nil
}

// Render draws the picture a spec describes: what the outbox calls just
// before sending a message whose image is a spec. Returns EINVALID for a
// kind it does not know or data that is not that kind's.
func Render(ctx context.Context, spec *bot.ImageSpec) ([]byte, error) {
	if spec == nil || spec.Kind != WeeklyKind {
		kind := ""
		if spec != nil {
			kind = spec.Kind
		}
		return nil, bot.Errorf(bot.EINVALID, "no drawing of kind %q", kind)
	}
	var w Weekly
	if err := json.Unmarshal(spec.Data, &w); err != nil {
		return nil, bot.Errorf(bot.EINVALID, "weekly chart spec: %v", err)
	}
	return WeeklyPNG(w)
}
