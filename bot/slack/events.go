package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	slackapi "github.com/slack-go/slack"

	"partnerbot/bot"
	"partnerbot/commands"
)

// envelope is the outer Events API callback.
type envelope struct {
	Type      string          `json:"type"`
	Challenge string          `json:"challenge"`
	EventID   string          `json:"event_id"`
	Event     json.RawMessage `json:"event"`
	// Authorizations name the bot's own user: how a mention of it is
	// recognised.
	Authorizations []struct {
		UserID string `json:"user_id"`
		IsBot  bool   `json:"is_bot"`
	} `json:"authorizations"`
}

// event is the part of an inner event the adapter reads.
type event struct {
	Type        string `json:"type"`
	User        string `json:"user"`
	Channel     string `json:"channel"`
	ChannelType string `json:"channel_type"`
	Subtype     string `json:"subtype"`
	BotID       string `json:"bot_id"`
	Tab         string `json:"tab"`
	Text        string `json:"text"`
	TS          string `json:"ts"`
	ThreadTS    string `json:"thread_ts"`
}

// serveEvent answers POST /slack/events: the URL check at once, and
// callbacks with 200 at once, handled in the background.
func (a *Adapter) serveEvent(w http.ResponseWriter, r *http.Request, body []byte) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if env.Type == "url_verification" {
		w.Header().Set("Content-Type", "application/json")
		b, _ := json.Marshal(map[string]string{"challenge": env.Challenge})
		w.Write(b)
		return
	}
	if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
		a.log.Debug("slack event redelivery", "event_id", env.EventID, "retry", n, "reason", r.Header.Get("X-Slack-Retry-Reason"))
	}
	if env.EventID == "" {
		env.EventID = bodyID(r, body)
	}
	if err := a.dispatchEvent(r.Context(), env); err != nil {
		// Slack redelivers what is not answered 200: the event is not
		// lost, and not handled twice.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// dispatchEvent handles a callback once per event id, in the background:
// Slack redelivers when we were slow (X-Slack-Retry-Num), over HTTP and
// Socket Mode alike, and a captured request may be replayed. Returns an
// error only when the event id cannot be recorded.
func (a *Adapter) dispatchEvent(ctx context.Context, env envelope) error {
	if env.Type != "event_callback" {
		a.log.Debug("ignored slack event envelope", "type", env.Type)
		return nil
	}
	if first, err := a.firstUse(ctx, "event", env.EventID); err != nil || !first {
		return err
	}
	var ev event
	if err := json.Unmarshal(env.Event, &ev); err != nil {
		a.log.Warn("malformed slack event", "event_id", env.EventID, "err", err)
		return nil
	}
	switch ev.Type {
	case "app_home_opened":
		if ev.Tab != "" && ev.Tab != "home" {
			return nil
		}
		a.track("home "+ev.User, func() {
			ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
			defer cancel()
			if err := a.publishHome(ctx, ev.User); err != nil {
				a.log.Error("slack home tab update failed", "user", ev.User, "err", err)
			}
		})
	case "message":
		// A file with a comment and a thread reply sent to the channel
		// too are people writing; other subtypes (edits, joins) are not.
		if ev.Subtype != "" && ev.Subtype != "file_share" && ev.Subtype != "thread_broadcast" || ev.BotID != "" || ev.User == "" {
			return nil // edits, joins, bots (ourselves included)
		}
		switch ev.ChannelType {
		case "channel", "group", "im":
			a.activity(ev.User, ev.Channel)
			a.converse(env, ev)
		}
	}
	return nil
}

// converse hands a person's message to the Service and answers them: in
// their DM, or privately in the channel (in the thread when they wrote
// in one). Channel talk not addressed to the bot gets no answer.
func (a *Adapter) converse(env envelope, ev event) {
	mention := ""
	for _, au := range env.Authorizations {
		if au.IsBot && au.UserID != "" {
			mention = "<@" + au.UserID + ">"
		}
	}
	dm := ev.ChannelType == "im"
	mentioned := mention != "" && strings.Contains(ev.Text, mention)
	if !dm && !mentioned && ev.ThreadTS == "" {
		return
	}
	in := commands.Incoming{DM: dm, Mention: mentioned, Thread: ev.ThreadTS,
		Text: strings.TrimSpace(strings.ReplaceAll(ev.Text, mention, ""))}
	a.track("message "+ev.User, func() {
		ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
		defer cancel()
		c, err := a.resolve(ctx, ev.User, ev.Channel)
		var msg *bot.Message
		if err != nil {
			msg = internalError()
		} else if msg = a.svc.Converse(ctx, c, in); msg == nil {
			return
		}
		blocks, text := Render(msg)
		opts := []slackapi.MsgOption{slackapi.MsgOptionText(text, false), slackapi.MsgOptionBlocks(blocks...)}
		if ev.ThreadTS != "" {
			opts = append(opts, slackapi.MsgOptionTS(ev.ThreadTS))
		}
		if dm {
			_, _, err = a.api.PostMessageContext(ctx, ev.Channel, opts...)
		} else {
			_, err = a.api.PostEphemeralContext(ctx, ev.Channel, ev.User, opts...)
		}
		if err != nil {
			a.log.Error("slack answer to a message failed", "user", ev.User, "channel", ev.Channel, "err", err)
		}
	})
}

// publishHome shows a user's Home tab: a linked partner's own stats
// (with their buttons); a manager's health board and this week's care
// agenda, with the same buttons as in chat; for anyone else what the bot
// can do for them and how to link.
func (a *Adapter) publishHome(ctx context.Context, user string) error {
	c, err := a.resolve(ctx, user, "")
	if err != nil {
		return err
	}
	var blocks []slackapi.Block
	for _, msg := range a.svc.Home(ctx, c) {
		left := maxHomeBlocks - len(blocks)
		if len(blocks) > 0 {
			left-- // the divider
		}
		if left < 3 {
			break
		}
		if len(blocks) > 0 {
			blocks = append(blocks, slackapi.NewDividerBlock())
		}
		blocks = append(blocks, renderBlocks(msg, left)...)
	}
	view := slackapi.HomeTabViewRequest{Type: slackapi.VTHomeTab, Blocks: slackapi.Blocks{BlockSet: blocks}}
	_, err = a.api.PublishViewContext(ctx, slackapi.PublishViewContextRequest{UserID: user, View: view})
	return err
}
