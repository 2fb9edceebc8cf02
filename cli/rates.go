package cli

import (
	"context"
	"fmt"
	"strings"

	"partnerbot/bot"
	"partnerbot/hooks"
	"partnerbot/store"
)

// rates: `rates set CUR RATE [--from DATE]` and `rates list [CUR] [--json]`.
func (m *Main) rates(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: rates set CUR RATE [--from DATE] | rates list [CUR] [--json]", ErrUsage)
	}
	switch args[0] {
	case "set":
		fs := m.flags("rates set")
		from := fs.String("from", "", "first day the rate is in force (default: today, or every day for the currency's first rate)")
		pos, s, err := m.parseOpen(fs, args[1:], 2, 2, "CUR RATE [--from DATE]")
		if err != nil {
			return err
		}
		r := bot.ExchangeRate{Currency: strings.ToUpper(pos[0])}
		if r.Rate, err = bot.ParseRate(pos[1]); err != nil {
			return err
		}
		if *from != "" {
			if r.From, err = bot.ParseDate(*from); err != nil {
				return err
			}
		}
		stored, err := s.SetRate(ctx, r)
		if err != nil {
			return err
		}
		since := "from " + stored.From.String()
		if stored.From == store.EarliestRateDay {
			since = "for every day until a later " + stored.Currency + " rate"
		}
		fmt.Fprintf(m.Stdout, "1 %s = %s %s %s\n", stored.Currency, stored.Rate, s.Currency().Code, since)
		// Webhook deliveries parked for want of this rate go in now.
		if n, left, err := hooks.Reapply(ctx, s, m.log); err != nil {
			return fmt.Errorf("rate set, but applying parked webhook deliveries failed: %w", err)
		} else if n > 0 {
			fmt.Fprintf(m.Stdout, "%d parked webhook deliveries applied, %d still parked\n", n, left)
		}
		return nil
	case "list":
		fs := m.flags("rates list")
		asJSON := fs.Bool("json", false, "print JSON")
		pos, s, err := m.parseOpen(fs, args[1:], 0, 1, "[CUR] [--json]")
		if err != nil {
			return err
		}
		code := ""
		if len(pos) == 1 {
			code = strings.ToUpper(pos[0])
		}
		rs, err := s.Rates(ctx, code)
		if err != nil {
			return err
		}
		if *asJSON {
			if rs == nil {
				rs = []bot.ExchangeRate{}
			}
			return m.printJSON(rs)
		}
		if len(rs) == 0 {
			fmt.Fprintf(m.Stdout, "no exchange rates are set; events in currencies other than %s are refused until one is (partnerbot rates set CUR RATE)\n", s.Currency().Code)
			return nil
		}
		rows := make([][]string, len(rs))
		for i, r := range rs {
			from := r.From.String()
			if r.From == store.EarliestRateDay {
				from = "the start"
			}
			rows[i] = []string{r.Currency, r.Rate.String() + " " + s.Currency().Code, from}
		}
		m.table([]string{"CURRENCY", "ONE UNIT IS", "FROM"}, rows)
		return nil
	}
	return fmt.Errorf("%w: rates set|list, not %q", ErrUsage, args[0])
}

// currency: `currency migrate CUR --rate R` converts every stored amount
// to a new program currency.
func (m *Main) currencyCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "migrate" {
		return fmt.Errorf("%w: currency migrate CUR --rate RATE", ErrUsage)
	}
	fs := m.flags("currency migrate")
	rateText := fs.String("rate", "", "how many units of CUR one unit of the current program currency is worth")
	pos, err := parse(fs, args[1:], 1, 1, "CUR --rate RATE")
	if err != nil {
		return err
	}
	if *rateText == "" {
		return fmt.Errorf("%w: currency migrate CUR --rate RATE: the rate is needed (how many CUR one unit of the current currency is worth)", ErrUsage)
	}
	rate, err := bot.ParseRate(*rateText)
	if err != nil {
		return err
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	// The file keeps its own currency until it is converted: open it
	// with that, whatever the config says.
	s, err := m.openStoreWith(cfg.DB.Path, "")
	if err != nil {
		return err
	}
	res, err := s.MigrateCurrency(ctx, strings.ToUpper(pos[0]), rate)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "%s: every amount converted from %s to %s at 1 %s = %s %s (%d events)\n",
		s.Path(), res.From.Code, res.To.Code, res.From.Code, rate, res.To.Code, res.Events)
	fmt.Fprintf(m.Stdout, "events reported in %s convert at that rate from now on (partnerbot rates list)\n", res.From.Code)
	if len(res.DroppedRates) > 0 {
		fmt.Fprintf(m.Stdout, "rates of %s were in %s and were removed: set them again in %s (partnerbot rates set CUR RATE --from DATE)\n",
			strings.Join(res.DroppedRates, ", "), res.From.Code, res.To.Code)
	}
	if cfg.Program.Currency != res.To.Code {
		fmt.Fprintf(m.Stdout, "now set program.currency: %s in the config (it names %s), or partnerbot will not start\n", res.To.Code, cfg.Program.Currency)
	}
	fmt.Fprintf(m.Stdout, "money thresholds in the config (segments.a_min_turnover, c_max_turnover) are in major units of the program currency: check them\n")
	return nil
}
