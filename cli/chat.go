package cli

import (
	"context"
	"fmt"

	"partnerbot/bot/console"
	"partnerbot/commands"
	"partnerbot/config"
	"partnerbot/health"
	"partnerbot/report"
	"partnerbot/store"
)

// commandService builds the chat commands over the store with the
// config's rules: the one place serve and chat wire them.
func (m *Main) commandService(s *store.Store) *commands.Service {
	cfg := m.cfg
	return commands.New(commands.Options{
		Store: s, Clock: m.Clock, Location: cfg.Location(), Currency: cfg.Currency(), Locale: cfg.Program.Locale,
		PublicURL: cfg.HTTP.PublicURL, Program: cfg.Program.Name, Rules: rules(cfg),
		Admins: map[string][]string{"slack": cfg.Admins.Slack, "discord": cfg.Admins.Discord},
		Logger: m.log, Health: m.evaluator(s).Evaluate,
		// The Home view shows managers this week's care agenda, built as
		// the Monday DM is.
		CareAgenda: (&report.Builder{Store: s, Location: cfg.Location(), Currency: cfg.Currency(),
			Program: cfg.Program.Name, ActiveTarget: report.DefaultActiveTarget}).CareAgenda,
	})
}

func rules(cfg *config.Config) health.Rules {
	sg, t := cfg.Segments, cfg.Tiers
	return health.Rules{NewPartnerDays: cfg.Health.NewPartnerDays,
		AMinTurnover: sg.AMinTurnover.Amount(), CMaxTurnover: sg.CMaxTurnover.Amount(), ATopShare: sg.ATopShare,
		InactiveMonths: sg.InactiveMonths, Platinum: t.Platinum, Gold: t.Gold, Silver: t.Silver,
	}
}

func (m *Main) chat(ctx context.Context, args []string) error {
	fs := m.flags("chat")
	as := fs.String("as", "", "partner or manager `id` to chat as (or admin)")
	images := fs.String("images", ".", "`dir`ectory to save images (QR codes) in")
	if _, err := parse(fs, args, 0, 0, "--as ID"); err != nil {
		return err
	}
	if *as == "" {
		return fmt.Errorf("%w: chat --as ID (a partner or manager id, or admin)", ErrUsage)
	}
	s, err := m.openStore()
	if err != nil {
		return err
	}
	svc := m.commandService(s)
	caller, err := svc.ResolveID(ctx, *as)
	if err != nil {
		return err
	}
	who := *as
	switch {
	case caller.Partner != nil:
		who = caller.Partner.Name + " (partner)"
	case caller.Manager != nil:
		who = caller.Manager.Name + " (manager)"
	}
	prompt := ""
	if isTerminal(m.Stdin) {
		prompt = "> "
		fmt.Fprintf(m.Stdout, "partnerbot console, as %s. Type /help, a command like /mystats 2026-11, !1 to press a button, quit to leave.\n", who)
	}
	sess := &console.Session{Service: svc, Caller: caller, In: m.Stdin, Out: m.Stdout, ImageDir: *images, Prompt: prompt}
	return sess.Run(ctx)
}
