package commands

import (
	"context"

	"partnerbot/bot"
)

// Home returns what a person's home view shows (Slack's App Home), in
// order: a partner sees its own numbers; a manager its health board and
// this week's care agenda, with the same buttons as in chat; anyone else
// what the bot can do and how to link. Like Run, it never returns a raw
// error: a part that fails is shown as the error's message.
func (s *Service) Home(ctx context.Context, c *Caller) []*bot.Message {
	switch {
	case c.Partner != nil:
		return []*bot.Message{s.Run(ctx, c, "mystats", nil)}
	case c.Manager == nil && !c.Admin:
		return []*bot.Message{s.Run(ctx, c, "help", nil)}
	}
	out := []*bot.Message{s.Run(ctx, c, "health", nil)}
	if c.Manager != nil && s.opt.CareAgenda != nil {
		out = append(out, s.careAgenda(ctx, c))
	}
	return out
}

// careAgenda is the manager's care agenda as of today.
func (s *Service) careAgenda(ctx context.Context, c *Caller) *bot.Message {
	msg, err := func() (*bot.Message, error) {
		_, today := s.now()
		ps, err := s.opt.Store.Partners(ctx)
		if err != nil {
			return nil, err
		}
		standings, err := s.board.Standings(ctx, today)
		if err != nil {
			return nil, err
		}
		return s.opt.CareAgenda(ctx, c.Manager, ps, standings, today)
	}()
	if err != nil {
		return s.failure(c, "home care agenda", err)
	}
	return msg
}
