package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"partnerbot/bot"
)

type promoFlags struct {
	title, description, start, end, link, segments, tiers optString
	titlePL, titleEN, descriptionPL, descriptionEN        optString
}

func (f *promoFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.title, "title", "title partners see")
	fs.Var(&f.description, "description", "what it is and what partners should do")
	fs.Var(&f.titlePL, "title-pl", "the title for partners who read Polish, if not --title")
	fs.Var(&f.titleEN, "title-en", "the title for partners who read English, if not --title")
	fs.Var(&f.descriptionPL, "description-pl", "the description in Polish, if not --description")
	fs.Var(&f.descriptionEN, "description-en", "the description in English, if not --description")
	fs.Var(&f.start, "start", "start: 2026-12-01 (midnight in the program zone) or RFC3339")
	fs.Var(&f.end, "end", "end (exclusive): a date means that day's midnight, or RFC3339")
	fs.Var(&f.link, "link", "link to details")
	fs.Var(&f.segments, "segments", "comma-separated target segments (A,B,C); empty: everyone")
	fs.Var(&f.tiers, "tiers", "comma-separated target tiers (platinum,gold,silver,bronze); empty: everyone")
}

// when parses a promotion's start or end: a date is its midnight in loc.
func when(field, s string, loc *time.Location) (time.Time, error) {
	if d, err := bot.ParseDate(s); err == nil {
		return d.Start(loc), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, bot.FieldError(field, "%q is neither a date like 2026-12-01 nor a time like 2026-12-01T09:00:00+01:00", s)
	}
	return t, nil
}

func (f *promoFlags) apply(p *bot.Promotion, loc *time.Location) error {
	f.title.apply(&p.Title)
	f.description.apply(&p.Description)
	f.titlePL.apply(&p.TitlePL)
	f.titleEN.apply(&p.TitleEN)
	f.descriptionPL.apply(&p.DescriptionPL)
	f.descriptionEN.apply(&p.DescriptionEN)
	f.link.apply(&p.Link)
	var err error
	if f.start.set {
		if p.Start, err = when("start", f.start.v, loc); err != nil {
			return err
		}
	}
	if f.end.set {
		if p.End, err = when("end", f.end.v, loc); err != nil {
			return err
		}
	}
	if f.segments.set {
		p.Segments = splitList(strings.ToUpper(f.segments.v))
	}
	if f.tiers.set {
		p.Tiers = splitList(strings.ToLower(f.tiers.v))
	}
	return nil
}

func (m *Main) promo(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: promo add|set|list|remove", ErrUsage)
	}
	verb, args := args[0], args[1:]
	fs := m.flags("promo " + verb)
	asJSON := fs.Bool("json", false, "print JSON")
	switch verb {
	case "add", "set":
		var pf promoFlags
		pf.register(fs)
		pos, s, err := m.parseOpen(fs, args, 1, 1, "ID --title T --start DATE --end DATE [--segments A,B] ...")
		if err != nil {
			return err
		}
		p, err := existing(ctx, verb, "promo", pos[0], s.Promotion, func() *bot.Promotion { return &bot.Promotion{ID: pos[0]} })
		if err != nil {
			return err
		}
		if err := pf.apply(p, m.cfg.Location()); err != nil {
			return fmt.Errorf("%w: promo %s: %s", ErrUsage, verb, bot.ErrorMessage(err))
		}
		if _, err := s.PutPromotion(ctx, p); err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(p)
		}
		fmt.Fprintf(m.Stdout, "promotion %s saved: %s to %s\n", p.ID, p.Start.In(m.cfg.Location()).Format("2006-01-02 15:04"), p.End.In(m.cfg.Location()).Format("2006-01-02 15:04"))
		return nil
	case "list":
		all := fs.Bool("all", false, "also promotions that are over")
		_, s, err := m.parseOpen(fs, args, 0, 0, "[--all] [--json]")
		if err != nil {
			return err
		}
		ps, err := s.Promotions(ctx)
		if err != nil {
			return err
		}
		now := m.Clock.Now()
		out := []bot.Promotion{}
		for _, p := range ps {
			if *all || p.End.After(now) {
				out = append(out, p)
			}
		}
		if *asJSON {
			return m.printJSON(out)
		}
		loc := m.cfg.Location()
		var rows [][]string
		for _, p := range out {
			state := "upcoming"
			switch {
			case !p.End.After(now):
				state = "over"
			case !p.Start.After(now):
				state = "running"
			}
			rows = append(rows, []string{p.ID, p.TitleIn(m.cfg.Program.Locale), p.Start.In(loc).Format("2006-01-02 15:04"), p.End.In(loc).Format("2006-01-02 15:04"),
				state, strings.Join(append(append([]string{}, p.Segments...), p.Tiers...), ",")})
		}
		m.table([]string{"ID", "TITLE", "START", "END", "STATE", "FOR"}, rows)
		return nil
	case "remove":
		pos, s, err := m.parseOpen(fs, args, 1, 1, "ID")
		if err != nil {
			return err
		}
		if err := s.DeletePromotion(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "promotion %s removed\n", pos[0])
		return nil
	}
	return fmt.Errorf("%w: promo %s: unknown verb (add, set, list, remove)", ErrUsage, verb)
}
