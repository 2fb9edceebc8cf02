package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"partnerbot/bot"
	"partnerbot/demo"
)

func (m *Main) stats(ctx context.Context, args []string) error {
	fs := m.flags("stats")
	period := fs.String("period", "month", "period: "+bot.PeriodSyntax)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args, 1, 1, "ID [--period P] [--json]")
	if err != nil {
		return err
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	now := m.Clock.Now()
	p, err := bot.ParsePeriod(*period, bot.DateOf(now, m.cfg.Location()))
	if err != nil {
		return fmt.Errorf("%w: --period: %s", ErrUsage, bot.ErrorMessage(err))
	}
	st, err := s.StatsAt(ctx, pos[0], p, now, m.cfg.Currency())
	if err != nil {
		return err
	}
	if *asJSON {
		return m.printJSON(st)
	}
	partner, err := s.Partner(ctx, pos[0])
	if err != nil {
		return err
	}
	cur := m.cfg.Currency()
	money := func(a bot.Amount) string { return cur.Format(a, bot.LocaleEN) }
	fmt.Fprintf(m.Stdout, "%s (%s), %s\n", partner.Name, partner.ID, span(st.Period, st.Through))
	fmt.Fprintf(m.Stdout, "against %s\n\n", span(st.PrevPeriod, st.PrevThrough))
	c, pv := st.Current, st.Previous
	rows := [][]string{
		{"turnover", money(c.Turnover()), money(pv.Turnover()), change(int64(c.Turnover()), int64(pv.Turnover()))},
		{"sales", fmt.Sprint(c.Sales), fmt.Sprint(pv.Sales), change(c.Sales, pv.Sales)},
		{"refunds", money(c.RefundAmount), money(pv.RefundAmount), ""},
		{"clicks", fmt.Sprint(c.Clicks), fmt.Sprint(pv.Clicks), change(c.Clicks, pv.Clicks)},
		{"signups", fmt.Sprint(c.Signups), fmt.Sprint(pv.Signups), change(c.Signups, pv.Signups)},
		{"commission", money(c.Commission), money(pv.Commission), change(int64(c.Commission), int64(pv.Commission))},
		{"payouts", money(c.Payouts), money(pv.Payouts), ""},
	}
	m.table([]string{"", "THIS PERIOD", "BEFORE", "CHANGE"}, rows)
	o := st.Owed
	if o.IsZero() {
		fmt.Fprintf(m.Stdout, "\nno commission and no payouts up to %s\n", st.Through)
		return nil
	}
	fmt.Fprintf(m.Stdout, "\nall-time as of %s:\n", st.Through)
	m.table([]string{"", ""}, [][]string{
		{"commission pending", money(o.Pending)},
		{"commission approved", money(o.Approved)},
		{"paid", money(o.Paid)},
		{"to be paid", money(o.ToPay())},
	})
	return nil
}

// span names a period and, when it was cut at today, says so.
func span(p bot.Period, through bot.Date) string {
	if through != p.To {
		return fmt.Sprintf("%s (%s to %s, so far)", p.Label, p.From, through)
	}
	return fmt.Sprintf("%s (%s to %s)", p.Label, p.From, p.To)
}

func change(cur, prev int64) string {
	pct, ok := bot.Change(cur, prev)
	switch {
	case !ok && cur == 0:
		return ""
	case !ok:
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", pct)
}

func (m *Main) backup(ctx context.Context, args []string) error {
	fs := m.flags("backup")
	pos, err := parse(fs, args, 1, 1, "FILE")
	if err != nil {
		return err
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	dest, err := backupPath(pos[0], cfg.DB.Path, m.Clock.Now().In(cfg.Location()))
	if err != nil {
		return err
	}
	s, err := m.openStore()
	if err != nil {
		return fmt.Errorf("%w\n(while partnerbot serve runs, back up through the API: GET /api/v1/backup)", err)
	}
	n, err := s.BackupFile(ctx, dest)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "backup of %s written to %s (%d bytes)\n", s.Path(), dest, n)
	return nil
}

func (m *Main) compact(ctx context.Context, args []string) error {
	fs := m.flags("compact")
	if _, err := parse(fs, args, 0, 0, ""); err != nil {
		return err
	}
	s, err := m.openStore()
	if err != nil {
		return fmt.Errorf("%w\n(compaction needs the database to itself: stop partnerbot serve, compact, start it again)", err)
	}
	m.store = nil // Compact closes it, whatever happens
	res, err := s.Compact(ctx)
	if err != nil {
		return err
	}
	saved := res.Before - res.After
	fmt.Fprintf(m.Stdout, "compacted %s: %s → %s (%s given back), %d keys copied\n",
		s.Path(), mib(res.Before), mib(res.After), mib(max(saved, 0)), res.Keys)
	return nil
}

// mib formats a size in bytes for people: MiB with one decimal, or KiB
// below one MiB.
func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// backupPath is where a backup named arg goes: into a directory (one that
// exists, or an arg ending in a slash) as partnerbot-YYYYMMDD-HHMMSS.db
// (the program's time),
// else the file itself. The live database is refused: the rename would
// replace it under its own open handle.
func backupPath(arg, live string, now time.Time) (string, error) {
	dest := arg
	fi, err := os.Stat(arg)
	if err == nil && fi.IsDir() || strings.HasSuffix(arg, "/") || strings.HasSuffix(arg, string(os.PathSeparator)) {
		if err := os.MkdirAll(arg, 0o700); err != nil {
			return "", fmt.Errorf("backup directory: %w", err)
		}
		dest = filepath.Join(arg, "partnerbot-"+now.Format("20060102-150405")+".db")
	}
	same := false
	if a, err := os.Stat(dest); err == nil {
		if b, err := os.Stat(live); err == nil {
			same = os.SameFile(a, b)
		}
	}
	if da, err1 := filepath.Abs(dest); err1 == nil {
		if la, err2 := filepath.Abs(live); err2 == nil && da == la {
			same = true
		}
	}
	if same {
		return "", fmt.Errorf("%s is the live database itself: back up to another file or a directory", arg)
	}
	return dest, nil
}

func (m *Main) configCheck(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("%w: config check", ErrUsage)
	}
	fs := m.flags("config check")
	if _, err := parse(fs, args[1:], 0, 0, "check"); err != nil {
		return err
	}
	cfg, err := m.loadConfig()
	if err != nil {
		return err
	}
	return cfg.Print(m.Stdout)
}

func (m *Main) demo(ctx context.Context, args []string) error {
	fs := m.flags("demo")
	seed := fs.Uint64("seed", demo.DefaultSeed, "random seed; the same seed and day give the same program")
	if _, err := parse(fs, args, 0, 0, "[--seed N]"); err != nil {
		return err
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	sum, err := demo.Generate(ctx, s, m.Clock.Now(), *seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "demo program written to %s: %d managers, %d partners, %d events, %d promotions\n",
		s.Path(), sum.Managers, sum.Partners, sum.Events, sum.Promotions)
	fmt.Fprintln(m.Stdout, "try: partnerbot partner list; partnerbot stats janko --period 30d")
	return nil
}
