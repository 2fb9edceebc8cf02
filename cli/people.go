package cli

import (
	"context"
	"flag"
	"fmt"
	"sort"
	"strings"

	"partnerbot/bot"
	"partnerbot/ingest"
)

// optString is a string flag that knows whether it was given, so `set`
// changes only what the command line names.
type optString struct {
	v   string
	set bool
}

func (o *optString) String() string     { return o.v }
func (o *optString) Set(s string) error { o.v, o.set = s, true; return nil }

func (o *optString) apply(dst *string) {
	if o.set {
		*dst = o.v
	}
}

type partnerFlags struct {
	name, contact, vocative, manager, locale, timezone, joined, status optString
	slackUser, slackChannel, discordUser, discordChannel               optString
	landing, tags, code, leaderboard                                   optString
	externalIDs, coupons                                               optString
}

func (f *partnerFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.name, "name", "display name")
	fs.Var(&f.contact, "contact", "contact's first name, for greetings")
	fs.Var(&f.vocative, "vocative", "the contact's name as Polish greetings address it (Julio, Kasiu), if not the rules' form")
	fs.Var(&f.manager, "manager", "account manager id")
	fs.Var(&f.locale, "locale", "pl or en")
	fs.Var(&f.timezone, "timezone", "IANA time zone, if not the program's")
	fs.Var(&f.joined, "joined", "date joined, 2006-01-02")
	fs.Var(&f.status, "status", "active, paused or ended")
	fs.Var(&f.slackUser, "slack-user", "Slack user id")
	fs.Var(&f.slackChannel, "slack-channel", "Slack channel id")
	fs.Var(&f.discordUser, "discord-user", "Discord user id")
	fs.Var(&f.discordChannel, "discord-channel", "Discord channel id")
	fs.Var(&f.landing, "landing-url", "where referral links lead")
	fs.Var(&f.tags, "tags", "comma-separated tags")
	fs.Var(&f.code, "code", "referral code (generated when not given)")
	fs.Var(&f.leaderboard, "leaderboard", "true to show the name on leaderboards")
	fs.Var(&f.externalIDs, "external-ids", "ids on the platforms of record, platform=id pairs: dub=pn_1,rewardful=AFF_ID (replaces them; empty clears)")
	fs.Var(&f.coupons, "coupons", "comma-separated discount or promotion codes that attribute a shop's sale (replaces them; empty clears)")
}

func (f *partnerFlags) apply(p *bot.Partner) error {
	f.name.apply(&p.Name)
	f.contact.apply(&p.ContactName)
	f.vocative.apply(&p.ContactVocative)
	f.manager.apply(&p.Manager)
	if f.locale.set {
		p.Locale = bot.Locale(f.locale.v)
	}
	f.timezone.apply(&p.Timezone)
	if f.joined.set {
		d, err := bot.ParseDate(f.joined.v)
		if err != nil {
			return bot.FieldError("joined", "%s", bot.ErrorMessage(err))
		}
		p.Joined = d
	}
	if f.status.set {
		p.Status = bot.Status(f.status.v)
	}
	f.slackUser.apply(&p.SlackUser)
	f.slackChannel.apply(&p.SlackChannel)
	f.discordUser.apply(&p.DiscordUser)
	f.discordChannel.apply(&p.DiscordChannel)
	f.landing.apply(&p.LandingURL)
	if f.tags.set {
		p.Tags = splitList(f.tags.v)
	}
	f.code.apply(&p.ReferralCode)
	if f.externalIDs.set {
		ids, err := ingest.ParseExternalIDs(f.externalIDs.v)
		if err != nil {
			return err
		}
		p.ExternalIDs = ids
	}
	if f.coupons.set {
		p.Coupons = splitList(f.coupons.v)
	}
	if f.leaderboard.set {
		switch strings.ToLower(f.leaderboard.v) {
		case "true", "yes", "1", "tak":
			p.LeaderboardOK = true
		case "false", "no", "0", "nie":
			p.LeaderboardOK = false
		default:
			return bot.FieldError("leaderboard", "use true or false")
		}
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (m *Main) partner(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: partner add|set|import|list|show|remove", ErrUsage)
	}
	verb, args := args[0], args[1:]
	fs := m.flags("partner " + verb)
	asJSON := fs.Bool("json", false, "print JSON")
	switch verb {
	case "add", "set":
		var pf partnerFlags
		pf.register(fs)
		pos, s, err := m.parseOpen(fs, args, 1, 1, "ID [--name NAME] [--manager ID] ...")
		if err != nil {
			return err
		}
		p, err := existing(ctx, verb, "partner", pos[0], s.Partner, func() *bot.Partner { return &bot.Partner{ID: pos[0]} })
		if err != nil {
			return err
		}
		if err := pf.apply(p); err != nil {
			return fmt.Errorf("%w: partner %s: %s", ErrUsage, verb, bot.ErrorMessage(err))
		}
		if _, err := s.PutPartner(ctx, p); err != nil {
			return err
		}
		if err := m.reapplyParked(ctx, s); err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(p)
		}
		what := "updated"
		if verb == "add" {
			what = "added"
		}
		fmt.Fprintf(m.Stdout, "partner %s %s; referral link %s/r/%s\n", p.ID, what, m.cfg.HTTP.PublicURL, p.ReferralCode)
		return nil
	case "import":
		return m.importPartners(ctx, fs, args)
	case "list":
		status := fs.String("status", "", "only partners with this status")
		manager := fs.String("manager", "", "only this manager's partners")
		_, s, err := m.parseOpen(fs, args, 0, 0, "[--status S] [--manager ID] [--json]")
		if err != nil {
			return err
		}
		all, err := s.Partners(ctx)
		if err != nil {
			return err
		}
		ps := []bot.Partner{}
		for _, p := range all {
			if (*status == "" || string(p.Status) == *status) && (*manager == "" || p.Manager == *manager) {
				ps = append(ps, p)
			}
		}
		if *asJSON {
			return m.printJSON(ps)
		}
		rows := make([][]string, len(ps))
		for i, p := range ps {
			rows[i] = []string{p.ID, p.Name, string(p.Status), p.Manager, string(p.Locale), p.Joined.String(), p.ReferralCode}
		}
		m.table([]string{"ID", "NAME", "STATUS", "MANAGER", "LOCALE", "JOINED", "CODE"}, rows)
		fmt.Fprintf(m.Stdout, "%d partners\n", len(ps))
		return nil
	case "show":
		pos, s, err := m.parseOpen(fs, args, 1, 1, "ID [--json]")
		if err != nil {
			return err
		}
		p, err := s.Partner(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(p)
		}
		m.showPartner(p)
		return nil
	case "remove":
		purge := fs.Bool("purge", false, "also delete the partner's events (for a partner added by mistake)")
		pos, s, err := m.parseOpen(fs, args, 1, 1, "ID [--purge]")
		if err != nil {
			return err
		}
		n, err := s.DeletePartner(ctx, pos[0], *purge)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "partner %s removed (%d events deleted)\n", pos[0], n)
		return nil
	}
	return fmt.Errorf("%w: partner %s: unknown verb (add, set, import, list, show, remove)", ErrUsage, verb)
}

func (m *Main) showPartner(p *bot.Partner) {
	rows := [][]string{
		{"id", p.ID}, {"name", p.Name}, {"contact", p.ContactName}, {"vocative", p.ContactVocative}, {"status", string(p.Status)},
		{"manager", p.Manager}, {"locale", string(p.Locale)}, {"timezone", p.Timezone}, {"joined", p.Joined.String()},
		{"referral code", p.ReferralCode}, {"referral link", m.cfg.HTTP.PublicURL + "/r/" + p.ReferralCode},
		{"landing url", p.LandingURL}, {"slack", strings.TrimSpace(p.SlackUser + " " + p.SlackChannel)},
		{"discord", strings.TrimSpace(p.DiscordUser + " " + p.DiscordChannel)}, {"tags", strings.Join(p.Tags, ", ")},
		{"leaderboard", fmt.Sprint(p.LeaderboardOK)},
		{"external ids", formatExternalIDs(p.ExternalIDs)}, {"coupons", strings.Join(p.Coupons, ", ")},
	}
	for _, r := range rows {
		if r[1] != "" {
			fmt.Fprintf(m.Stdout, "%-14s %s\n", r[0]+":", r[1])
		}
	}
}

type managerFlags struct {
	name, locale, timezone, slackUser, discordUser, escalation optString
}

func (f *managerFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.name, "name", "display name")
	fs.Var(&f.locale, "locale", "pl or en")
	fs.Var(&f.timezone, "timezone", "IANA time zone, if not the program's")
	fs.Var(&f.slackUser, "slack-user", "Slack user id")
	fs.Var(&f.discordUser, "discord-user", "Discord user id")
	fs.Var(&f.escalation, "escalation", "manager id, or slack:CHANNEL / discord:CHANNEL")
}

func (f *managerFlags) apply(mg *bot.Manager) {
	f.name.apply(&mg.Name)
	if f.locale.set {
		mg.Locale = bot.Locale(f.locale.v)
	}
	f.timezone.apply(&mg.Timezone)
	f.slackUser.apply(&mg.SlackUser)
	f.discordUser.apply(&mg.DiscordUser)
	f.escalation.apply(&mg.Escalation)
}

func (m *Main) manager(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: manager add|set|list|show|remove", ErrUsage)
	}
	verb, args := args[0], args[1:]
	fs := m.flags("manager " + verb)
	asJSON := fs.Bool("json", false, "print JSON")
	switch verb {
	case "add", "set":
		var mf managerFlags
		mf.register(fs)
		pos, s, err := m.parseOpen(fs, args, 1, 1, "ID [--name NAME] [--slack-user U] ...")
		if err != nil {
			return err
		}
		mg, err := existing(ctx, verb, "manager", pos[0], s.Manager, func() *bot.Manager { return &bot.Manager{ID: pos[0]} })
		if err != nil {
			return err
		}
		mf.apply(mg)
		if _, err := s.PutManager(ctx, mg); err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(mg)
		}
		fmt.Fprintf(m.Stdout, "manager %s saved\n", mg.ID)
		return nil
	case "list":
		_, s, err := m.parseOpen(fs, args, 0, 0, "[--json]")
		if err != nil {
			return err
		}
		ms, err := s.Managers(ctx)
		if err != nil {
			return err
		}
		ps, err := s.Partners(ctx)
		if err != nil {
			return err
		}
		if ms == nil {
			ms = []bot.Manager{}
		}
		if *asJSON {
			return m.printJSON(ms)
		}
		count := map[string]int{}
		for _, p := range ps {
			count[p.Manager]++
		}
		rows := make([][]string, len(ms))
		for i, mg := range ms {
			rows[i] = []string{mg.ID, mg.Name, string(mg.Locale), fmt.Sprint(count[mg.ID]), mg.Escalation}
		}
		m.table([]string{"ID", "NAME", "LOCALE", "PARTNERS", "ESCALATION"}, rows)
		return nil
	case "show":
		pos, s, err := m.parseOpen(fs, args, 1, 1, "ID [--json]")
		if err != nil {
			return err
		}
		mg, err := s.Manager(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return m.printJSON(mg)
		}
		for _, r := range [][]string{{"id", mg.ID}, {"name", mg.Name}, {"locale", string(mg.Locale)}, {"timezone", mg.Timezone},
			{"slack", mg.SlackUser}, {"discord", mg.DiscordUser}, {"escalation", mg.Escalation}} {
			if r[1] != "" {
				fmt.Fprintf(m.Stdout, "%-11s %s\n", r[0]+":", r[1])
			}
		}
		return nil
	case "remove":
		pos, s, err := m.parseOpen(fs, args, 1, 1, "ID")
		if err != nil {
			return err
		}
		if err := s.DeleteManager(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "manager %s removed\n", pos[0])
		return nil
	}
	return fmt.Errorf("%w: manager %s: unknown verb (add, set, list, show, remove)", ErrUsage, verb)
}

// existing returns the record `set` changes, or the new one `add` fills;
// add refuses an id that exists and set one that does not.
func existing[T any](ctx context.Context, verb, kind, id string, get func(context.Context, string) (*T, error), fresh func() *T) (*T, error) {
	v, err := get(ctx, id)
	switch {
	case verb == "add" && err == nil:
		return nil, bot.Errorf(bot.ECONFLICT, "%s %q already exists; change it with %s set", kind, id, kind)
	case verb == "add":
		return fresh(), nil
	}
	return v, err
}

func formatExternalIDs(ids map[string]string) string {
	keys := make([]string, 0, len(ids))
	for k := range ids {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + ids[k]
	}
	return strings.Join(parts, ", ")
}
