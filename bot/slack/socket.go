package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// socketRetry is how long Run waits before opening Socket Mode again
// after the client gave up.
const socketRetry = 5 * time.Second

// Run serves Socket Mode when an app token is set: slash commands,
// button presses and events arrive over a WebSocket, so no public URL is
// needed. It blocks until ctx is done, reconnecting whenever Slack
// refreshes or drops the connection (which it does routinely), and then
// returns nil. Without an app token it returns nil at once. Returns an
// error only when Slack refuses the app token (invalid_auth,
// not_authed, account_inactive, token_revoked): retrying cannot help.
func (a *Adapter) Run(ctx context.Context) error {
	if a.opt.AppToken == "" {
		return nil
	}
	opts := []slackapi.Option{slackapi.OptionAppLevelToken(a.opt.AppToken), slackapi.OptionHTTPClient(&http.Client{Timeout: apiTimeout})}
	if a.apiURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(a.apiURL))
	}
	sm := socketmode.New(slackapi.New(a.opt.BotToken, opts...),
		socketmode.OptionLog(slog.NewLogLogger(a.log.Handler(), slog.LevelDebug)))

	ctx, cancel := context.WithCancel(ctx)
	loop := make(chan struct{})
	go func() {
		defer close(loop)
		a.socketEvents(ctx, sm)
	}()
	defer func() {
		cancel()
		<-loop
	}()

	for {
		err := sm.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if fatalAuth(err) {
			return fmt.Errorf("slack socket mode: app token refused: %w", err)
		}
		a.log.Warn("slack socket mode stopped; reconnecting", "err", err, "in", socketRetry)
		t := time.NewTimer(socketRetry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// fatalAuth reports whether err is Slack refusing the token.
func fatalAuth(err error) bool {
	if err == nil {
		return false
	}
	switch err.Error() {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked":
		return true
	}
	var sc slackapi.StatusCodeError
	return errors.As(err, &sc) && sc.Code == http.StatusNotFound
}

// socketEvents reads the Socket Mode client's events until ctx is done.
func (a *Adapter) socketEvents(ctx context.Context, sm *socketmode.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-sm.Events:
			a.socketEvent(ctx, sm, evt)
		}
	}
}

// socketEvent handles one Socket Mode event. Every request is acked by
// its envelope id: a slash command with its answer when ready within the
// budget, everything else at once.
func (a *Adapter) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		a.log.Debug("slack socket mode connecting")
	case socketmode.EventTypeConnected:
		a.log.Info("slack socket mode connected")
	case socketmode.EventTypeHello:
		a.log.Debug("slack socket mode hello")
	case socketmode.EventTypeDisconnect:
		a.log.Info("slack socket mode refresh requested; reconnecting")
	case socketmode.EventTypeConnectionError:
		a.log.Warn("slack socket mode connection error", "err", evt.Data)
	case socketmode.EventTypeInvalidAuth:
		a.log.Error("slack socket mode: invalid app token")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		a.log.Warn("slack socket mode problem", "type", evt.Type, "detail", fmt.Sprint(evt.Data))

	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		req := *evt.Request
		sc := slashCommand{Command: cmd.Command, Text: cmd.Text, UserID: cmd.UserID, ChannelID: cmd.ChannelID, ResponseURL: cmd.ResponseURL,
			ID: cmd.TriggerID, TriggerID: cmd.TriggerID}
		if sc.ID == "" {
			sc.ID = "envelope-" + req.EnvelopeID
		}
		a.track("socket command "+cmd.Command, func() {
			a.slash(ctx, sc, func(resp *response) error {
				if resp == nil {
					return sm.AckCtx(ctx, req.EnvelopeID, nil)
				}
				if err := sm.AckCtx(ctx, req.EnvelopeID, resp); err != nil {
					// Too big for an ack (20 KB): ack empty, answer by response_url.
					if err2 := sm.AckCtx(ctx, req.EnvelopeID, nil); err2 != nil {
						a.log.Warn("slack socket ack failed", "err", err2)
					}
					return err
				}
				return nil
			})
		})

	case socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		a.ack(ctx, sm, evt.Request)
		var in interaction
		if err := json.Unmarshal(evt.Request.Payload, &in); err != nil {
			a.log.Warn("malformed slack interaction", "err", err)
			return
		}
		// An envelope Slack sends again (it was not acked in time) has
		// the same trigger_id: the press runs once.
		if first, err := a.firstUse(ctx, "interaction", in.id("envelope-"+evt.Request.EnvelopeID)); err != nil || !first {
			return
		}
		a.interact(in)

	case socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		a.ack(ctx, sm, evt.Request)
		var env envelope
		if err := json.Unmarshal(evt.Request.Payload, &env); err != nil {
			a.log.Warn("malformed slack event", "err", err)
			return
		}
		if env.EventID == "" {
			env.EventID = "envelope-" + evt.Request.EnvelopeID
		}
		if err := a.dispatchEvent(ctx, env); err != nil {
			a.log.Error("slack event not handled", "event_id", env.EventID, "err", err)
		}
	}
}

func (a *Adapter) ack(ctx context.Context, sm *socketmode.Client, req *socketmode.Request) {
	if err := sm.AckCtx(ctx, req.EnvelopeID, nil); err != nil {
		a.log.Warn("slack socket ack failed", "envelope", req.EnvelopeID, "err", err)
	}
}
