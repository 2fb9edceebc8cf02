package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"partnerbot/bot"
	"partnerbot/bot/console"
	"partnerbot/bot/discord"
	"partnerbot/bot/slack"
	"partnerbot/commands"
	"partnerbot/config"
	"partnerbot/outbox"
)

// adapters are the chat platforms serve talks to: those with tokens in
// the environment, or the console when there are none.
type adapters struct {
	senders map[string]outbox.Sender
	runs    []func(context.Context) error
	closers []func() error // background work to finish before the store closes
	names   []string
}

// slackSender lets the outbox ask Slack whether a post exists.
type slackSender struct{ *slack.Adapter }

// Slack posts images apart from messages: the outbox must see that, or a
// found post would lose its chart.
var (
	_ outbox.Checker       = slackSender{}
	_ outbox.Attacher      = slackSender{}
	_ outbox.AttachChecker = slackSender{}
)

func (s slackSender) Posted(ctx context.Context, t bot.Target, key string, since time.Time) (string, bool, error) {
	where := t.Channel
	if where == "" {
		where = t.User
	}
	return s.Adapter.Posted(ctx, where, key, since)
}

// chatAdapters builds the adapters the config and environment ask for and
// mounts their webhooks. Signatures are checked against the system clock:
// Slack and Discord sign with real time, whatever `serve --now` says.
// replays keeps the ids of signed requests already acted on (the store),
// so a replay is answered harmlessly, also after a restart.
func chatAdapters(ctx context.Context, cfg *config.Config, svc *commands.Service, handle func(string, http.Handler), log *slog.Logger, out *console.Poster,
	activity func(platform string) func(context.Context, string, string), replays bot.Replays) (*adapters, error) {
	a := &adapters{senders: map[string]outbox.Sender{}}
	sec := cfg.Secrets
	if sec.SlackBotToken != "" {
		sl, err := slack.New(slack.Options{Service: svc, BotToken: sec.SlackBotToken, AppToken: sec.SlackAppToken,
			SigningSecret: sec.SlackSigningSecret, APIURL: cfg.Slack.APIURL, Clock: bot.SystemClock{}, Logger: log,
			OnActivity: activity("slack"), Replays: replays})
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		sl.Mount(handle)
		a.senders["slack"] = slackSender{sl}
		a.runs = append(a.runs, sl.Run)
		a.closers = append(a.closers, sl.Close)
		mode := "HTTP (/slack/...)"
		if sec.SlackAppToken != "" {
			mode = "Socket Mode"
		}
		a.names = append(a.names, "slack: "+mode)
	}
	if sec.DiscordBotToken != "" || sec.DiscordPublicKey != "" {
		dc, err := discord.New(discord.Options{Service: svc, BotToken: sec.DiscordBotToken, AppID: sec.DiscordAppID,
			PublicKey: sec.DiscordPublicKey, GuildID: cfg.Discord.GuildID, DMCommands: cfg.Discord.DMCommands, APIURL: cfg.Discord.APIURL, Clock: bot.SystemClock{}, Logger: log,
			OnActivity: activity("discord"), Replays: replays})
		if err != nil {
			return nil, fmt.Errorf("discord: %w", err)
		}
		dc.Mount(handle)
		if sec.DiscordBotToken != "" {
			a.senders["discord"] = dc
			if sec.DiscordAppID != "" {
				if err := dc.RegisterCommands(ctx); err != nil {
					// The bot still answers commands registered before.
					log.Error("discord: registering commands failed", "err", err)
				}
			}
			a.runs = append(a.runs, dc.Run)
		}
		a.names = append(a.names, "discord")
	}
	if len(a.senders) == 0 {
		// With no platform at all, whatever is addressed to Slack or
		// Discord is printed instead: the rehearsal mode.
		for _, p := range []string{"console", "slack", "discord"} {
			a.senders[p] = out
		}
		a.names = append(a.names, "console (no chat tokens: scheduled posts are printed)")
	}
	return a, nil
}

// run starts every adapter's long-running part and returns a wait that
// also lets each adapter finish its background work.
func (a *adapters) run(ctx context.Context, log *slog.Logger) func() {
	var wg sync.WaitGroup
	for _, run := range a.runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(ctx); err != nil && ctx.Err() == nil {
				log.Error("chat adapter stopped", "err", err)
			}
		}()
	}
	return func() {
		wg.Wait()
		for _, c := range a.closers {
			if err := c(); err != nil {
				log.Error("chat adapter close", "err", err)
			}
		}
	}
}
