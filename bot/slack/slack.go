// Package slack is partnerbot's Slack adapter. It translates at the edge:
// slash commands, button presses and Events API callbacks (over HTTP or
// Socket Mode) become calls of the commands.Service, and the bot.Messages
// it returns become Block Kit. Scheduled posts go out through Send, with
// the outbox key stored as message metadata so that Posted can tell
// whether an ambiguous attempt reached Slack after all.
//
// Nothing outside this package sees a slack-go type.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"partnerbot/bot"
	"partnerbot/commands"
	"partnerbot/i18n"
)

// Platform is the name commands and targets know Slack by.
const Platform = "slack"

// Timing. Slack wants an answer within 3 s; the rest is ours.
const (
	// defaultBudget is how long a slash command may run before the
	// request is answered empty and the result goes to response_url.
	defaultBudget = 2500 * time.Millisecond
	// commandTimeout bounds a command that missed its budget.
	commandTimeout = 60 * time.Second
	// responseURLValidity is how long Slack accepts posts to a
	// response_url.
	responseURLValidity = 30 * time.Minute
	// backgroundTimeout bounds uploads, Home tab updates and activity
	// callbacks done after a request was answered.
	backgroundTimeout = 30 * time.Second
	// apiTimeout bounds one Web API call when the caller's context
	// has no deadline.
	apiTimeout = 30 * time.Second
)

// Options configure an Adapter.
type Options struct {
	Service *commands.Service
	// BotToken (xoxb-) is required; AppToken (xapp-) turns on Socket
	// Mode; SigningSecret turns on the HTTP routes.
	BotToken, AppToken, SigningSecret string
	// APIURL is the Web API base (config slack.api_url); "" is Slack.
	APIURL string
	// Clock checks request timestamps and response_url validity. It
	// must tell real time (Slack signs with it): give the system clock,
	// not a rehearsal clock from `serve --now`. Nil means the system
	// clock.
	Clock  bot.Clock
	Logger *slog.Logger
	// OnActivity, if set, is called when a linked or unlinked user
	// writes in a channel or DM the bot sees, or runs a slash command,
	// with the user and channel ids (never the text). It is called in
	// the background with a context of its own.
	OnActivity func(ctx context.Context, userID, channelID string)
	// Budget is how long a slash command may run before the request is
	// answered empty and the result follows through response_url; zero
	// means 2.5 s.
	Budget time.Duration
	// Replays remembers the ids of requests already acted on (slash
	// commands by trigger_id, button presses by trigger_id or action_ts,
	// events by event_id), so a replayed or redelivered request runs
	// once. Give the store, which keeps them across restarts; nil keeps
	// them in memory only.
	Replays bot.Replays
}

// api is what the adapter uses of the Slack Web API; *slackapi.Client
// has it.
type api interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slackapi.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slackapi.MsgOption) (string, string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slackapi.MsgOption) (string, error)
	OpenViewContext(ctx context.Context, triggerID string, view slackapi.ModalViewRequest) (*slackapi.ViewResponse, error)
	OpenConversationContext(ctx context.Context, params *slackapi.OpenConversationParameters) (*slackapi.Channel, bool, bool, error)
	UploadFileContext(ctx context.Context, params slackapi.UploadFileParameters) (*slackapi.FileSummary, error)
	PublishViewContext(ctx context.Context, req slackapi.PublishViewContextRequest) (*slackapi.ViewResponse, error)
	GetConversationHistoryContext(ctx context.Context, params *slackapi.GetConversationHistoryParameters) (*slackapi.GetConversationHistoryResponse, error)
}

// Adapter connects a commands.Service to one Slack workspace.
type Adapter struct {
	svc    *commands.Service
	opt    Options
	api    api
	apiURL string
	clock  bot.Clock
	log    *slog.Logger
	web    *http.Client // for response_url posts
	budget time.Duration
	replay bot.Replays

	wg sync.WaitGroup // background work: deferred answers, uploads, Home tabs
}

// New returns an adapter. Returns an error when Service or BotToken is
// missing.
func New(o Options) (*Adapter, error) {
	if o.Service == nil {
		return nil, errors.New("slack: no command service")
	}
	if o.BotToken == "" {
		return nil, errors.New("slack: SLACK_BOT_TOKEN is required")
	}
	if o.Clock == nil {
		o.Clock = bot.SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Budget <= 0 {
		o.Budget = defaultBudget
	}
	a := &Adapter{
		svc:    o.Service,
		opt:    o,
		clock:  o.Clock,
		log:    o.Logger.With("platform", Platform),
		web:    &http.Client{Timeout: 15 * time.Second},
		budget: o.Budget,
		replay: o.Replays,
	}
	if a.replay == nil {
		a.replay = bot.NewMemoryReplays(10000)
	}
	opts := []slackapi.Option{slackapi.OptionHTTPClient(&http.Client{Timeout: apiTimeout})}
	if o.APIURL != "" {
		a.apiURL = strings.TrimSuffix(o.APIURL, "/") + "/"
		opts = append(opts, slackapi.OptionAPIURL(a.apiURL))
	}
	a.api = slackapi.New(o.BotToken, opts...)
	return a, nil
}

// Mount adds the HTTP-mode routes: POST /slack/commands,
// /slack/interactions and /slack/events. Each checks Slack's signature
// and answers 401 to anything unsigned, stale or forged; without a
// signing secret they answer 503.
func (a *Adapter) Mount(handle func(pattern string, h http.Handler)) {
	handle("POST /slack/commands", a.signed(a.serveCommand))
	handle("POST /slack/interactions", a.signed(a.serveInteraction))
	handle("POST /slack/events", a.signed(a.serveEvent))
}

// Close waits for the background work already started (answers through
// response_url, file uploads, Home tab updates), each bounded by its own
// timeout. Call it after the HTTP server and Run have stopped; it may be
// called more than once.
func (a *Adapter) Close() error {
	a.wg.Wait()
	return nil
}

// track runs f in the background, counted for Close; a panic is logged,
// not fatal.
func (a *Adapter) track(what string, f func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		defer func() {
			if p := recover(); p != nil {
				a.log.Error("panic in slack background work", "what", what, "panic", p, "stack", string(debug.Stack()))
			}
		}()
		f()
	}()
}

// activity reports that a user wrote or ran a command.
func (a *Adapter) activity(userID, channelID string) {
	if a.opt.OnActivity == nil || userID == "" {
		return
	}
	a.track("activity", func() {
		ctx, cancel := context.WithTimeout(context.Background(), backgroundTimeout)
		defer cancel()
		a.opt.OnActivity(ctx, userID, channelID)
	})
}

// resolve finds the caller, logging a store failure.
func (a *Adapter) resolve(ctx context.Context, userID, channelID string) (*commands.Caller, error) {
	c, err := a.svc.Resolve(ctx, Platform, userID, channelID)
	if err != nil {
		a.log.Error("resolve slack user", "user", userID, "err", err)
		return nil, fmt.Errorf("resolve: %w", err)
	}
	return c, nil
}

// firstUse reports whether a signed request with this platform id is
// seen for the first time: false for a replay or a redelivery. An empty
// id is never deduplicated. Returns an error when the record cannot be
// kept; the request must not run then.
func (a *Adapter) firstUse(ctx context.Context, kind, id string) (bool, error) {
	if id == "" {
		return true, nil
	}
	first, err := a.replay.FirstUse(ctx, Platform+":"+kind+":"+id, a.clock.Now())
	if err != nil {
		a.log.Error("cannot record slack request id", "kind", kind, "id", id, "err", err)
		return false, err
	}
	if !first {
		a.log.Info("repeated slack request not run again", "kind", kind, "id", id)
	}
	return first, nil
}

// replayed is the answer to a request that was already handled: it
// does nothing, and says so in both languages (who asks is not looked
// up for a replay).
func replayed() *bot.Message {
	return &bot.Message{Text: i18n.T(bot.LocaleEN, "err.replayed") + "\n" + i18n.T(bot.LocalePL, "err.replayed"), Private: true}
}

// internalError is what a user sees when the adapter could not even find
// out who they are; their language is unknown then, so both are shown.
func internalError() *bot.Message {
	return &bot.Message{Text: i18n.T(bot.LocaleEN, "err.internal") + "\n" + i18n.T(bot.LocalePL, "err.internal"), Private: true}
}

func init() {
	i18n.Add(map[string]i18n.Text{
		"slack.image_in_dm": {"📎 %s: sent to you in a direct message.", "📎 %s: wysłano w wiadomości prywatnej."},
	})
}
